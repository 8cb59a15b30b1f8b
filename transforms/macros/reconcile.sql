{#-
  Shared by the reconciliation tests of the report marts (tests/assert_report_*_reconcile.sql),
  which count the marts' figures again the direct way.
-#}

{#- The report days they check: the latest and the day one period before it. -#}
{% macro reconciled_report_days() -%}
    select
        periods.report_date,
        periods.period_start

    from {{ ref('mart_report_periods') }} as periods
    inner join (
        select
            max(report_date) as report_date,
            {{ add_days('max(report_date)', '-' ~ var('report_period_days')) }} as period_before
        from {{ ref('mart_report_periods') }}
    ) as latest
        on periods.report_date in (latest.report_date, latest.period_before)
{%- endmacro %}

{#-
  The figures of `expected` and `actual` (report_date, figure, figure_key, games) that
  disagree, a figure missing on one side counting as 0.
-#}
{% macro disagreeing_figures(expected, actual) -%}
    select
        coalesce({{ expected }}.report_date, {{ actual }}.report_date) as report_date,
        coalesce({{ expected }}.figure, {{ actual }}.figure) as figure,
        coalesce({{ expected }}.figure_key, {{ actual }}.figure_key) as figure_key,
        {{ expected }}.games as expected_games,
        {{ actual }}.games as mart_games

    from {{ expected }}
    full outer join {{ actual }}
        on {{ expected }}.report_date = {{ actual }}.report_date
            and {{ expected }}.figure = {{ actual }}.figure
            and {{ expected }}.figure_key = {{ actual }}.figure_key
    where coalesce({{ expected }}.games, 0) != coalesce({{ actual }}.games, 0)
{%- endmacro %}
