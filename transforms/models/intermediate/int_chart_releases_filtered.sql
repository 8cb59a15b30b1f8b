{#-
  The released games some report day's chart can show: released from the first chart's first
  month up to the last report day (dim_games marks announced dates as released too).
-#}
with

games as (

    select
        game_id,
        released_on,
        release_month
    from {{ ref('dim_games') }}
    where is_released

),

chart_months as (

    select * from {{ ref('int_chart_months_spanned') }}

),

chart_span as (

    select
        min(first_month) as first_month,
        max(report_date) as last_report_date

    from chart_months

),

final as (

    select games.*
    from games
    inner join chart_span
        on
            games.release_month >= chart_span.first_month
            and games.released_on <= chart_span.last_report_date

)

select * from final
