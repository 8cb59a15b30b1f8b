{#-
  Each genre's newest catalog snapshot, plus every genre that games reference but no snapshot
  lists, so every row of fct_game_genres finds its genre.
-#}
with

snapshots as (

    select * from {{ ref('stg_rawg__genres') }}

),

game_genres as (

    select * from {{ ref('fct_game_genres') }}

),

latest_snapshot as (

    select *
    from snapshots
    {{ one_row_per('genre_id', ordering='dt desc, _ingested_at desc') }}

),

referenced as (

    select
        genre_id,
        genre_name,
        genre_slug
    from game_genres
    {{ one_row_per('genre_id', ordering='game_id desc') }}

),

final as (

    select
        coalesce(latest_snapshot.genre_id, referenced.genre_id) as genre_id,
        coalesce(latest_snapshot.genre_name, referenced.genre_name) as genre_name,
        coalesce(latest_snapshot.genre_slug, referenced.genre_slug) as genre_slug,
        latest_snapshot.games_count,
        latest_snapshot.image_background,
        latest_snapshot.genre_id is not null as is_in_catalog_snapshot,
        latest_snapshot.dt as snapshot_dt

    from latest_snapshot
    full outer join referenced
        on latest_snapshot.genre_id = referenced.genre_id

)

select * from final
