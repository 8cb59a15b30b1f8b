{#-
  The parent platforms of the games seen in each report day's period: a game on PS4 and PS5
  counts once for PlayStation, and once in each parent platform it ships on.
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

game_parent_platforms as (

    select
        game_id,
        parent_platform_id
    from {{ ref('fct_game_parent_platforms') }}

),

parent_platforms as (

    select distinct
        parent_platform_id,
        parent_platform_name
    from {{ ref('dim_platforms') }}
    where parent_platform_id is not null

),

platform_snapshots as (

    select
        snapshots.game_id,
        snapshots.dt,
        snapshots.previous_dt,
        game_parent_platforms.parent_platform_id

    from snapshots
    inner join game_parent_platforms on snapshots.game_id = game_parent_platforms.game_id

),

claims as (

    {{ period_claims('platform_snapshots', columns=['parent_platform_id']) }}

),

seen as (

    {{ games_seen_per_day('periods', 'claims', member_id='parent_platform_id') }}

),

final as (

    select
        seen.report_date,
        seen.parent_platform_id,
        parent_platforms.parent_platform_name,
        seen.games_seen as games,
        cast(seen.games_seen as double) / periods.games_seen as share_of_games_seen,
        row_number() over (
            partition by seen.report_date
            order by
                seen.games_seen desc,
                parent_platforms.parent_platform_name asc,
                seen.parent_platform_id asc
        ) as platform_rank

    from seen
    inner join periods on seen.report_date = periods.report_date
    inner join parent_platforms on seen.parent_platform_id = parent_platforms.parent_platform_id
    where seen.games_seen > 0

)

select * from final
