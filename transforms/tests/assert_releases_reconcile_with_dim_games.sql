{#-
  Summed over months, agg_releases_monthly must count exactly the distinct released games of
  dim_games in each genre and parent platform. Returns the cells that disagree.
-#}
with

monthly as (

    select
        genre_id,
        parent_platform_id,
        sum(releases) as releases
    from {{ ref('agg_releases_monthly') }}
    group by genre_id, parent_platform_id

),

from_games as (

    select
        game_genres.genre_id,
        platforms.parent_platform_id,
        count(distinct games.game_id) as releases

    from {{ ref('dim_games') }} as games
    inner join {{ ref('fct_game_genres') }} as game_genres
        on games.game_id = game_genres.game_id
    inner join {{ ref('fct_game_platforms') }} as game_platforms
        on games.game_id = game_platforms.game_id
    inner join {{ ref('dim_platforms') }} as platforms
        on game_platforms.platform_id = platforms.platform_id
    where games.is_released and platforms.parent_platform_id is not null
    group by game_genres.genre_id, platforms.parent_platform_id

)

select
    coalesce(monthly.genre_id, from_games.genre_id) as genre_id,
    coalesce(monthly.parent_platform_id, from_games.parent_platform_id) as parent_platform_id,
    monthly.releases as releases_in_agg,
    from_games.releases as releases_in_dim_games

from monthly
full outer join from_games
    on monthly.genre_id = from_games.genre_id
        and monthly.parent_platform_id = from_games.parent_platform_id
where monthly.releases is distinct from from_games.releases
