{#-
  One row per report day: the period of `report_period_days` days ending on it and the market
  report's overview of it. Report days run from the first snapshot day to the last, days
  without a snapshot included, so a report can be asked for any of them.
-#}
with

snapshots as (

    select
        game_id,
        dt,
        previous_dt
    from {{ ref('fct_game_daily_snapshots') }}

),

games as (

    select
        game_id,
        released_on
    from {{ ref('dim_games') }}
    where is_released

),

calendar as (

    select date_day from {{ ref('dim_date') }}

),

snapshot_days as (

    select
        min(dt) as first_day,
        max(dt) as last_day

    from snapshots

),

report_days as (

    select calendar.date_day as report_date
    from calendar
    inner join snapshot_days
        on calendar.date_day between snapshot_days.first_day and snapshot_days.last_day

),

claims as (

    {{ period_claims('snapshots') }}

),

seen as (

    {{ games_seen_per_day('report_days', 'claims') }}

),

first_seen as (

    select
        dt,
        count(*) as games

    from snapshots
    where previous_dt is null
    group by dt

),

known as (

    select
        report_days.report_date,
        sum(coalesce(first_seen.games, 0)) over (
            order by report_days.report_date
            rows between unbounded preceding and current row
        ) as games_known

    from report_days
    left join first_seen on report_days.report_date = first_seen.dt

),

periods as (

    select
        report_date,
        {{ add_days('report_date', '1 - ' ~ var('report_period_days')) }} as period_start

    from report_days

),

{# dim_games marks announced dates as released too: a game counts once its day has come. #}
releases as (

    select
        released_on,
        count(*) as games

    from games
    group by released_on

),

period_releases as (

    select
        periods.report_date,
        sum(releases.games) as games_released

    from periods
    inner join releases
        on releases.released_on between periods.period_start and periods.report_date
    group by periods.report_date

),

final as (

    select
        periods.report_date,
        periods.period_start,
        {{ var('report_period_days') }} as period_days,
        known.games_known,
        seen.games_seen,
        coalesce(period_releases.games_released, 0) as games_released

    from periods
    inner join known on periods.report_date = known.report_date
    inner join seen on periods.report_date = seen.report_date
    left join period_releases on periods.report_date = period_releases.report_date

)

select * from final
