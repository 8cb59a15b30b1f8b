{#-
  A game counts once in every (genre, parent platform) cell it belongs to, so a month's cells
  add up to more than its releases; `share_of_month` divides by the distinct games released.
-#}
with

games as (

    select * from {{ ref('dim_games') }}
    where is_released

),

game_genres as (

    select * from {{ ref('fct_game_genres') }}

),

game_parent_platforms as (

    select * from {{ ref('fct_game_parent_platforms') }}

),

cells as (

    select
        games.release_month,
        game_genres.genre_id,
        game_genres.genre_name,
        game_parent_platforms.parent_platform_id,
        game_parent_platforms.parent_platform_name,
        games.game_id,
        games.rating,
        games.ratings_count,
        games.metacritic_score

    from games
    inner join game_genres on games.game_id = game_genres.game_id
    inner join game_parent_platforms on games.game_id = game_parent_platforms.game_id

),

month_releases as (

    select
        release_month,
        count(*) as month_releases
    from games
    group by release_month

),

aggregated as (

    select
        release_month,
        genre_id,
        genre_name,
        parent_platform_id,
        parent_platform_name,
        count(*) as releases,
        avg(case when ratings_count > 0 then rating end) as avg_rating,
        avg(cast(metacritic_score as double)) as avg_metacritic_score

    from cells
    group by release_month, genre_id, genre_name, parent_platform_id, parent_platform_name

),

final as (

    select
        aggregated.*,
        month_releases.month_releases,
        cast(aggregated.releases as double) / month_releases.month_releases as share_of_month

    from aggregated
    inner join month_releases on aggregated.release_month = month_releases.release_month

)

select * from final
