{#-
  Each chart month's `Other` releases up to the report day: the released games in none of the
  segment's chart genres (games without a genre included), counted once per segment.
-#}
with

chart_months as (

    select * from {{ ref('int_chart_months_spanned') }}

),

released as (

    select * from {{ ref('int_chart_releases_filtered') }}

),

chart_genres as (

    select * from {{ ref('int_chart_genres_ranked') }}

),

segments as (

    select * from {{ ref('int_chart_days_segmented') }}

),

game_genres as (

    select
        game_id,
        genre_id
    from {{ ref('fct_game_genres') }}

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

final as (

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

)

select * from final
