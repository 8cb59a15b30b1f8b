{#- dbt.safe_cast is a plain cast on DuckDB; a bad value must become null, not fail the run. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
