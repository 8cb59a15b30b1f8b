{#-
  Each report day's release chart: games released per month over the `report_chart_months`
  months up to the report day's month, that month only up to the report day (dim_games marks
  announced dates as released too), in the `report_chart_genres` genres with the most releases
  over those months, and `Other`: the games released in none of those genres, games without a
  genre included. A game counts once in each of its genres; `month_releases` counts it once.
-#}
with

report_days as (

    select report_date from {{ ref('mart_report_periods') }}

),

games as (

    select
        game_id,
        released_on,
        release_month
    from {{ ref('dim_games') }}
    where is_released

),

game_genres as (

    select
        game_id,
        genre_id
    from {{ ref('bridge_game_genres') }}

),

genres as (

    select
        genre_id,
        genre_name
    from {{ ref('dim_genres') }}

),

months as (

    select distinct month_start from {{ ref('dim_date') }}

),

periods as (

    select
        report_date,
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as report_month

    from report_days

),

charts as (

    select
        report_date,
        report_month,
        {%- set months_before = '1 - ' ~ var('report_chart_months') %}
        cast({{ dbt.dateadd('month', months_before, 'report_month') }} as date) as first_month

    from periods

),

chart_months as (

    select
        charts.report_date,
        charts.report_month,
        months.month_start as release_month

    from charts
    inner join months
        on months.month_start between charts.first_month and charts.report_month

),

{# Every game some report day's chart can show. #}
chart_span as (

    select
        min(first_month) as first_month,
        max(report_date) as last_report_date

    from charts

),

released as (

    select games.*
    from games
    inner join chart_span
        on
            games.release_month >= chart_span.first_month
            and games.released_on <= chart_span.last_report_date

),

release_days as (

    select
        released_on,
        release_month,
        count(*) as releases

    from released
    group by released_on, release_month

),

genre_release_days as (

    select
        released.released_on,
        released.release_month,
        game_genres.genre_id,
        count(*) as releases

    from released
    inner join game_genres on released.game_id = game_genres.game_id
    group by released.released_on, released.release_month, game_genres.genre_id

),

month_totals as (

    select
        chart_months.report_date,
        chart_months.release_month,
        sum(release_days.releases) as releases

    from chart_months
    inner join release_days
        on chart_months.release_month = release_days.release_month
            and chart_months.report_date >= release_days.released_on
    group by chart_months.report_date, chart_months.release_month

),

genre_months as (

    select
        chart_months.report_date,
        chart_months.release_month,
        genre_release_days.genre_id,
        sum(genre_release_days.releases) as releases

    from chart_months
    inner join genre_release_days
        on chart_months.release_month = genre_release_days.release_month
            and chart_months.report_date >= genre_release_days.released_on
    group by chart_months.report_date, chart_months.release_month, genre_release_days.genre_id

),

genre_totals as (

    select
        genre_months.report_date,
        genre_months.genre_id,
        genres.genre_name,
        sum(genre_months.releases) as releases

    from genre_months
    inner join genres on genre_months.genre_id = genres.genre_id
    group by genre_months.report_date, genre_months.genre_id, genres.genre_name

),

top_genres as (

    select
        report_date,
        genre_id,
        genre_name,
        row_number() over (
            partition by report_date order by releases desc, genre_name asc, genre_id asc
        ) as series_rank

    from genre_totals

),

chart_genres as (

    select * from top_genres
    where series_rank <= {{ var('report_chart_genres') }}

),

{#
  `Other` depends on the day's genres: consecutive report days with the same genres form a
  segment, and each segment's Other is counted once. A day starts a segment when its set
  differs from the day before's (not the same size, or not all genres shared).
#}
chart_sizes as (

    select
        periods.report_date,
        count(chart_genres.genre_id) as genres

    from periods
    left join chart_genres on periods.report_date = chart_genres.report_date
    group by periods.report_date

),

shared_with_day_before as (

    select
        today.report_date,
        count(*) as genres

    from chart_genres as today
    inner join chart_genres as day_before
        on today.genre_id = day_before.genre_id
            and day_before.report_date = {{ add_days('today.report_date', -1) }}
    group by today.report_date

),

segment_starts as (

    select
        chart_sizes.report_date,
        chart_sizes.genres,
        case
            when
                chart_sizes.genres = coalesce(shared_with_day_before.genres, 0)
                and chart_sizes.genres = lag(chart_sizes.genres) over (
                    order by chart_sizes.report_date
                )
                then 0
            else 1
        end as starts_segment

    from chart_sizes
    left join shared_with_day_before
        on chart_sizes.report_date = shared_with_day_before.report_date

),

segments as (

    select
        report_date,
        genres,
        sum(starts_segment) over (
            order by report_date rows between unbounded preceding and current row
        ) as segment_id

    from segment_starts

),

segment_genres as (

    select distinct
        segments.segment_id,
        chart_genres.genre_id

    from segments
    inner join chart_genres on segments.report_date = chart_genres.report_date

),

segment_spans as (

    select
        segments.segment_id,
        min(chart_months.release_month) as first_month,
        max(chart_months.report_date) as last_report_date

    from segments
    inner join chart_months on segments.report_date = chart_months.report_date
    group by segments.segment_id

),

segment_releases as (

    select
        segment_spans.segment_id,
        released.game_id,
        released.released_on,
        released.release_month

    from segment_spans
    inner join released
        on segment_spans.first_month <= released.release_month
            and segment_spans.last_report_date >= released.released_on

),

in_chart_genres as (

    select distinct
        segment_releases.segment_id,
        segment_releases.game_id

    from segment_releases
    inner join game_genres on segment_releases.game_id = game_genres.game_id
    inner join segment_genres
        on segment_releases.segment_id = segment_genres.segment_id
            and game_genres.genre_id = segment_genres.genre_id

),

other_release_days as (

    select
        segment_releases.segment_id,
        segment_releases.released_on,
        segment_releases.release_month,
        count(*) as releases

    from segment_releases
    left join in_chart_genres
        on segment_releases.segment_id = in_chart_genres.segment_id
            and segment_releases.game_id = in_chart_genres.game_id
    where in_chart_genres.game_id is null
    group by
        segment_releases.segment_id,
        segment_releases.released_on,
        segment_releases.release_month

),

other_months as (

    select
        chart_months.report_date,
        chart_months.release_month,
        sum(other_release_days.releases) as releases

    from chart_months
    inner join segments on chart_months.report_date = segments.report_date
    inner join other_release_days
        on segments.segment_id = other_release_days.segment_id
            and chart_months.release_month = other_release_days.release_month
            and chart_months.report_date >= other_release_days.released_on
    group by chart_months.report_date, chart_months.release_month

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
