{#-
  The report marts against distinct counts taken the direct way, on the latest report day and
  the day one period before it: games seen and released in the period, games seen per genre
  and per parent platform, and the latest day's release chart (each genre, Other and the
  month's total). Returns the figures that disagree.
-#}
with

periods as (

    select * from {{ ref('mart_report_periods') }}

),

latest as (

    select
        max(report_date) as report_date,
        {{ add_days('max(report_date)', '-' ~ var('report_period_days')) }} as period_before

    from periods

),

checked_days as (

    select
        periods.report_date,
        periods.period_start

    from periods
    inner join latest
        on periods.report_date in (latest.report_date, latest.period_before)

),

seen as (

    select distinct
        checked_days.report_date,
        snapshots.game_id

    from checked_days
    inner join {{ ref('fct_game_daily_snapshots') }} as snapshots
        on snapshots.dt between checked_days.period_start and checked_days.report_date

),

released as (

    select
        game_id,
        released_on,
        release_month

    from {{ ref('dim_games') }}
    where is_released

),

chart as (

    select releases.*
    from {{ ref('mart_report_releases') }} as releases
    inner join latest on releases.report_date = latest.report_date

),

chart_months as (

    select distinct
        report_date,
        release_month

    from chart

),

chart_genres as (

    select distinct genre_id
    from chart
    where not is_other

),

chart_released as (

    select
        chart_months.report_date,
        released.game_id,
        released.release_month

    from chart_months
    inner join released
        on chart_months.release_month = released.release_month
            and chart_months.report_date >= released.released_on

),

chart_game_genres as (

    select
        chart_released.report_date,
        chart_released.game_id,
        chart_released.release_month,
        game_genres.genre_id

    from chart_released
    inner join {{ ref('bridge_game_genres') }} as game_genres
        on chart_released.game_id = game_genres.game_id
    inner join chart_genres on game_genres.genre_id = chart_genres.genre_id

),

chart_other as (

    select
        chart_released.report_date,
        chart_released.release_month,
        chart_released.game_id

    from chart_released
    left join chart_game_genres on chart_released.game_id = chart_game_genres.game_id
    where chart_game_genres.game_id is null

),

expected as (

    select
        seen.report_date,
        'games_seen' as figure,
        '' as figure_key,
        count(*) as games

    from seen
    group by seen.report_date

    union all

    select
        checked_days.report_date,
        'games_released' as figure,
        '' as figure_key,
        count(*) as games

    from checked_days
    inner join released
        on released.released_on between checked_days.period_start and checked_days.report_date
    group by checked_days.report_date

    union all

    select
        seen.report_date,
        'genre' as figure,
        cast(game_genres.genre_id as {{ dbt.type_string() }}) as figure_key,
        count(*) as games

    from seen
    inner join {{ ref('bridge_game_genres') }} as game_genres
        on seen.game_id = game_genres.game_id
    group by seen.report_date, game_genres.genre_id

    union all

    select
        seen.report_date,
        'parent_platform' as figure,
        cast(game_platforms.parent_platform_id as {{ dbt.type_string() }}) as figure_key,
        count(*) as games

    from seen
    inner join {{ ref('bridge_game_parent_platforms') }} as game_platforms
        on seen.game_id = game_platforms.game_id
    group by seen.report_date, game_platforms.parent_platform_id

    union all

    select
        chart_released.report_date,
        'chart month' as figure,
        cast(chart_released.release_month as {{ dbt.type_string() }}) as figure_key,
        count(*) as games

    from chart_released
    group by chart_released.report_date, chart_released.release_month

    union all

    select
        chart_game_genres.report_date,
        'chart genre' as figure,
        cast(chart_game_genres.release_month as {{ dbt.type_string() }})
        || ' ' || cast(chart_game_genres.genre_id as {{ dbt.type_string() }}) as figure_key,
        count(*) as games

    from chart_game_genres
    group by
        chart_game_genres.report_date,
        chart_game_genres.release_month,
        chart_game_genres.genre_id

    union all

    select
        chart_other.report_date,
        'chart other' as figure,
        cast(chart_other.release_month as {{ dbt.type_string() }}) as figure_key,
        count(distinct chart_other.game_id) as games

    from chart_other
    group by chart_other.report_date, chart_other.release_month

),

actual as (

    select
        checked_days.report_date,
        'games_seen' as figure,
        '' as figure_key,
        periods.games_seen as games

    from periods
    inner join checked_days on periods.report_date = checked_days.report_date

    union all

    select
        checked_days.report_date,
        'games_released' as figure,
        '' as figure_key,
        periods.games_released as games

    from periods
    inner join checked_days on periods.report_date = checked_days.report_date

    union all

    select
        checked_days.report_date,
        'genre' as figure,
        cast(genres.genre_id as {{ dbt.type_string() }}) as figure_key,
        genres.games

    from {{ ref('mart_report_genres') }} as genres
    inner join checked_days on genres.report_date = checked_days.report_date

    union all

    select
        checked_days.report_date,
        'parent_platform' as figure,
        cast(platforms.parent_platform_id as {{ dbt.type_string() }}) as figure_key,
        platforms.games

    from {{ ref('mart_report_platforms') }} as platforms
    inner join checked_days on platforms.report_date = checked_days.report_date

    union all

    select
        chart.report_date,
        'chart month' as figure,
        cast(chart.release_month as {{ dbt.type_string() }}) as figure_key,
        chart.month_releases as games

    from chart
    where chart.series_rank = 1

    union all

    select
        chart.report_date,
        'chart genre' as figure,
        cast(chart.release_month as {{ dbt.type_string() }})
        || ' ' || cast(chart.genre_id as {{ dbt.type_string() }}) as figure_key,
        chart.releases as games

    from chart
    where not chart.is_other

    union all

    select
        chart.report_date,
        'chart other' as figure,
        cast(chart.release_month as {{ dbt.type_string() }}) as figure_key,
        chart.releases as games

    from chart
    where chart.is_other

),

final as (

    select
        coalesce(expected.report_date, actual.report_date) as report_date,
        coalesce(expected.figure, actual.figure) as figure,
        coalesce(expected.figure_key, actual.figure_key) as figure_key,
        expected.games as expected_games,
        actual.games as mart_games

    from expected
    full outer join actual
        on expected.report_date = actual.report_date
            and expected.figure = actual.figure
            and expected.figure_key = actual.figure_key
    where coalesce(expected.games, 0) != coalesce(actual.games, 0)

)

select * from final
