{#-
  The chart's `Other` depends on the day's genres: consecutive report days with the same
  genres form a segment, and each segment's Other is counted once. A day starts a segment when
  its set differs from the day before's (not the same size, or not all genres shared).
  One row per report day: its number of chart genres and its segment.
-#}
with

report_days as (

    select report_date from {{ ref('mart_report_periods') }}

),

chart_genres as (

    select * from {{ ref('int_chart_genres_ranked') }}

),

chart_sizes as (

    select
        report_days.report_date,
        count(chart_genres.genre_id) as genres

    from report_days
    left join chart_genres on report_days.report_date = chart_genres.report_date
    group by report_days.report_date

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

final as (

    select
        report_date,
        genres,
        sum(starts_segment) over (
            order by report_date rows between unbounded preceding and current row
        ) as segment_id

    from segment_starts

)

select * from final
