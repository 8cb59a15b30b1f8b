{#-
  Each report day's release chart: games released per month over the `report_chart_months`
  months up to the report day's month, that month only up to the report day (dim_games marks
  announced dates as released too), in the `report_chart_genres` genres with the most releases
  over those months, and `Other`: the games released in none of those genres, games without a
  genre included. A game counts once in each of its genres; `month_releases` counts it once.
  Each step is an intermediate model (models/intermediate/int_chart_*.sql): the chart's
  months, the games it can show, the counts per genre and month, the chart genres,
  the segments of days sharing them, and Other.
-#}
with

chart_months as (

    select * from {{ ref('int_chart_months_spanned') }}

),

chart_genres as (

    select * from {{ ref('int_chart_genres_ranked') }}

),

segments as (

    select * from {{ ref('int_chart_days_segmented') }}

),

genre_months as (

    select * from {{ ref('int_chart_genre_releases_counted') }}

),

other_months as (

    select * from {{ ref('int_chart_other_releases_counted') }}

),

month_totals as (

    select * from {{ ref('int_chart_month_releases_counted') }}

),

series as (

    select
        report_date,
        series_rank,
        genre_id,
        genre_name as series_name,
        false as is_other

    from chart_genres

    union all

    select
        report_date,
        genres + 1 as series_rank,
        cast(null as {{ dbt.type_bigint() }}) as genre_id,
        'Other' as series_name,
        true as is_other

    from segments

),

final as (

    select
        chart_months.report_date,
        chart_months.release_month,
        series.series_rank,
        series.genre_id,
        series.series_name,
        series.is_other,
        coalesce(
            case when series.is_other then other_months.releases else genre_months.releases end,
            0
        ) as releases,
        coalesce(month_totals.releases, 0) as month_releases

    from chart_months
    inner join series on chart_months.report_date = series.report_date
    left join genre_months
        on chart_months.report_date = genre_months.report_date
            and chart_months.release_month = genre_months.release_month
            and series.genre_id = genre_months.genre_id
    left join other_months
        on chart_months.report_date = other_months.report_date
            and chart_months.release_month = other_months.release_month
    left join month_totals
        on chart_months.report_date = month_totals.report_date
            and chart_months.release_month = month_totals.release_month

)

select * from final
