{#-
  Publishers ranked per release year by a Bayesian-weighted rating: a publisher's
  ratings-weighted average, shrunk toward the year's average by `leaderboard_prior_ratings`
  pseudo-ratings, so a single five-star game with three votes cannot top the board.
-#}
with

games as (

    select * from {{ ref('dim_games') }}
    where release_year is not null

),

game_publishers as (

    select * from {{ ref('fct_game_publishers') }}

),

publishers as (

    select * from {{ ref('dim_publishers') }}

),

rated_games as (

    select
        game_publishers.publisher_id,
        games.release_year,
        games.game_id,
        case when games.ratings_count > 0 then games.ratings_count else 0 end as votes,
        case when games.ratings_count > 0 then games.rating end as rating

    from games
    inner join game_publishers on games.game_id = game_publishers.game_id

),

publisher_years as (

    select
        publisher_id,
        release_year,
        count(*) as games,
        sum(votes) as ratings_count,
        sum(votes * coalesce(rating, 0)) as rating_points

    from rated_games
    group by publisher_id, release_year

),

years as (

    select
        release_year,
        sum(ratings_count) as year_ratings_count,
        sum(rating_points) as year_rating_points

    from publisher_years
    group by release_year

),

scored as (

    select
        publisher_years.publisher_id,
        publisher_years.release_year,
        publisher_years.games,
        publisher_years.ratings_count,
        case
            when publisher_years.ratings_count > 0
                then publisher_years.rating_points / publisher_years.ratings_count
        end as avg_rating,
        case
            when years.year_ratings_count > 0
                then years.year_rating_points / years.year_ratings_count
        end as year_avg_rating

    from publisher_years
    inner join years on publisher_years.release_year = years.release_year

),

weighted as (

    select
        *,
        (
            ratings_count * coalesce(avg_rating, 0)
            + {{ var('leaderboard_prior_ratings') }} * coalesce(year_avg_rating, 0)
        ) / (ratings_count + {{ var('leaderboard_prior_ratings') }}) as bayesian_rating

    from scored

),

final as (

    select
        weighted.publisher_id,
        publishers.publisher_name,
        weighted.release_year,
        weighted.games,
        weighted.ratings_count,
        weighted.avg_rating,
        weighted.year_avg_rating,
        weighted.bayesian_rating,
        row_number() over (
            partition by weighted.release_year
            order by
                weighted.bayesian_rating desc, weighted.ratings_count desc,
                weighted.publisher_id asc
        ) as leaderboard_rank

    from weighted
    left join publishers on weighted.publisher_id = publishers.publisher_id

)

select * from final
