{#-
  mart_report_releases against distinct counts taken the direct way, on the latest report
  day: each chart month's releases in each genre, in Other and in all. Returns the figures
  that disagree.
-#}
with

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
    where
        releases.report_date = (
            select max(periods.report_date) from {{ ref('mart_report_periods') }} as periods
        )

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
    inner join {{ ref('fct_game_genres') }} as game_genres
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

    {{ disagreeing_figures('expected', 'actual') }}

)

select * from final
