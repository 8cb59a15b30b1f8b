{#-
  The genres of the games seen in each report day's period: a game counts once in each of
  its genres (its latest ones), however often it was seen, so shares add up past 1.
-#}
with

periods as (

    select
        report_date,
        games_seen
    from {{ ref('mart_report_periods') }}

),

snapshots as (

    select
        game_id,
        dt,
        previous_dt
    from {{ ref('fct_game_daily_snapshots') }}

),

game_genres as (

    select
        game_id,
        genre_id
    from {{ ref('fct_game_genres') }}

),

genres as (

    select
        genre_id,
        genre_name
    from {{ ref('dim_genres') }}

),

genre_snapshots as (

    select
        snapshots.game_id,
        snapshots.dt,
        snapshots.previous_dt,
        game_genres.genre_id

    from snapshots
    inner join game_genres on snapshots.game_id = game_genres.game_id

),

claims as (

    {{ period_claims('genre_snapshots', columns=['genre_id']) }}

),

seen as (

    {{ games_seen_per_day('periods', 'claims', member_id='genre_id') }}

),

final as (

    select
        seen.report_date,
        seen.genre_id,
        genres.genre_name,
        seen.games_seen as games,
        cast(seen.games_seen as double) / periods.games_seen as share_of_games_seen,
        row_number() over (
            partition by seen.report_date
            order by seen.games_seen desc, genres.genre_name asc, seen.genre_id asc
        ) as genre_rank

    from seen
    inner join periods on seen.report_date = periods.report_date
    inner join genres on seen.genre_id = genres.genre_id
    where seen.games_seen > 0

)

select * from final
