{#-
  Each developer's newest catalog snapshot, plus every developer that games reference but no
  snapshot lists (RAWG's studio lists are only read for their first pages), so every row
  of fct_game_developers finds its developer.
-#}
with

snapshots as (

    select * from {{ ref('stg_rawg__developers') }}

),

game_developers as (

    select * from {{ ref('fct_game_developers') }}

),

latest_snapshot as (

    select *
    from snapshots
    {{ one_row_per('developer_id', ordering='dt desc, _ingested_at desc') }}

),

referenced as (

    select
        developer_id,
        developer_name,
        developer_slug
    from game_developers
    {{ one_row_per('developer_id', ordering='game_id desc') }}

),

final as (

    select
        coalesce(latest_snapshot.developer_id, referenced.developer_id) as developer_id,
        coalesce(latest_snapshot.developer_name, referenced.developer_name) as developer_name,
        coalesce(latest_snapshot.developer_slug, referenced.developer_slug) as developer_slug,
        latest_snapshot.games_count,
        latest_snapshot.developer_id is not null as is_in_catalog_snapshot,
        latest_snapshot.dt as snapshot_dt

    from latest_snapshot
    full outer join referenced
        on latest_snapshot.developer_id = referenced.developer_id

)

select * from final
