{#-
  Each publisher's newest catalog snapshot, plus every publisher that games reference but no
  snapshot lists (RAWG's studio lists are only read for their first pages), so every row
  of fct_game_publishers finds its publisher.
-#}
with

snapshots as (

    select * from {{ ref('stg_rawg__publishers') }}

),

game_publishers as (

    select * from {{ ref('fct_game_publishers') }}

),

latest_snapshot as (

    select *
    from snapshots
    {{ one_row_per('publisher_id', ordering='dt desc, _ingested_at desc') }}

),

referenced as (

    select
        publisher_id,
        publisher_name,
        publisher_slug
    from game_publishers
    {{ one_row_per('publisher_id', ordering='game_id desc') }}

),

final as (

    select
        coalesce(latest_snapshot.publisher_id, referenced.publisher_id) as publisher_id,
        coalesce(latest_snapshot.publisher_name, referenced.publisher_name) as publisher_name,
        coalesce(latest_snapshot.publisher_slug, referenced.publisher_slug) as publisher_slug,
        latest_snapshot.games_count,
        latest_snapshot.publisher_id is not null as is_in_catalog_snapshot,
        latest_snapshot.dt as snapshot_dt

    from latest_snapshot
    full outer join referenced
        on latest_snapshot.publisher_id = referenced.publisher_id

)

select * from final
