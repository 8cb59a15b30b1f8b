{#- RAWG reports rating 0 for games nobody rated: those form their own bucket. -#}
with

games as (

    select * from {{ ref('dim_games') }}
    where release_year is not null

),

game_genres as (

    select * from {{ ref('fct_game_genres') }}

),

bucketed as (

    select
        games.release_year,
        game_genres.genre_id,
        game_genres.genre_name,
        case
            when coalesce(games.ratings_count, 0) = 0 or coalesce(games.rating, 0) = 0
                then 'unrated'
            when games.rating < 1 then '0-1'
            when games.rating < 2 then '1-2'
            when games.rating < 3 then '2-3'
            when games.rating < 4 then '3-4'
            else '4-5'
        end as rating_bucket,
        games.game_id

    from games
    inner join game_genres on games.game_id = game_genres.game_id

),

aggregated as (

    select
        release_year,
        genre_id,
        genre_name,
        rating_bucket,
        count(*) as games
    from bucketed
    group by release_year, genre_id, genre_name, rating_bucket

),

final as (

    select
        *,
        cast(games as double)
        / sum(games) over (partition by release_year, genre_id) as share_of_year_genre

    from aggregated

)

select * from final
