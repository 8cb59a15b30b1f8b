{#-
  Each chart month's released games up to the report day, each game counted once: the
  chart's `month_releases`.
-#}
with

chart_months as (

    select * from {{ ref('int_chart_months_spanned') }}

),

released as (

    select * from {{ ref('int_chart_releases_filtered') }}

),

release_days as (

    select
        released_on,
        release_month,
        count(*) as releases

    from released
    group by released_on, release_month

),

final as (

    select
        chart_months.report_date,
        chart_months.release_month,
        sum(release_days.releases) as releases

    from chart_months
    inner join release_days
        on chart_months.release_month = release_days.release_month
            and chart_months.report_date >= release_days.released_on
    group by chart_months.report_date, chart_months.release_month

)

select * from final
