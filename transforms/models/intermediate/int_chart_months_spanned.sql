{#-
  The months each report day's release chart shows: the `report_chart_months` months up to
  the report day's month.
-#}
with

report_days as (

    select report_date from {{ ref('mart_report_periods') }}

),

months as (

    select distinct month_start from {{ ref('dim_date') }}

),

charts as (

    select
        report_date,
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as report_month

    from report_days

),

chart_spans as (

    select
        report_date,
        report_month,
        {%- set months_before = '1 - ' ~ var('report_chart_months') %}
        cast({{ dbt.dateadd('month', months_before, 'report_month') }} as date) as first_month

    from charts

),

final as (

    select
        chart_spans.report_date,
        chart_spans.report_month,
        chart_spans.first_month,
        months.month_start as release_month

    from chart_spans
    inner join months
        on months.month_start between chart_spans.first_month and chart_spans.report_month

)

select * from final
