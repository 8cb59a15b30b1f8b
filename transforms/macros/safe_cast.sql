{#- dbt.safe_cast is a plain cast on DuckDB; a bad value must become null, not fail the run. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Snowflake's try_cast only takes strings; the external tables' columns are already typed. -#}
{% macro snowflake__safe_cast(field, type) -%}
    try_cast(cast({{ field }} as varchar) as {{ type }})
{%- endmacro %}
