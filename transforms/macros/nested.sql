{#-
  Nested RAWG values: Parquet structs and lists on DuckDB, VARIANT on Snowflake's external
  tables. Models reach them only through these dispatched macros.
-#}

{#- A field of a struct column, as `type`. -#}
{% macro struct_field(column, field, type) -%}
    {{ return(adapter.dispatch('struct_field', 'game_market')(column, field, type)) }}
{%- endmacro %}

{% macro default__struct_field(column, field, type) -%}
    cast({{ column }}.{{ field }} as {{ type }})
{%- endmacro %}

{% macro snowflake__struct_field(column, field, type) -%}
    cast({{ column }}:{{ field }} as {{ type }})
{%- endmacro %}

{#-
  A from-clause item with one row per element of `array_expr`, joined laterally to the
  relation before it: `from games, {{ array_elements('games.genres', 'genre') }}`. Rows whose
  array is empty or null produce no rows.
-#}
{% macro array_elements(array_expr, alias) -%}
    {{ return(adapter.dispatch('array_elements', 'game_market')(array_expr, alias)) }}
{%- endmacro %}

{% macro default__array_elements(array_expr, alias) -%}
    unnest({{ array_expr }}) as {{ alias }}(element)
{%- endmacro %}

{% macro snowflake__array_elements(array_expr, alias) -%}
    lateral flatten(input => {{ array_expr }}) as {{ alias }}
{%- endmacro %}

{#- A field of the current element of `array_elements(..., alias)`, as `type`. -#}
{% macro element_field(alias, field, type) -%}
    {{ return(adapter.dispatch('element_field', 'game_market')(alias, field, type)) }}
{%- endmacro %}

{% macro default__element_field(alias, field, type) -%}
    cast({{ alias }}.element.{{ field }} as {{ type }})
{%- endmacro %}

{% macro snowflake__element_field(alias, field, type) -%}
    cast({{ alias }}.value:{{ field }} as {{ type }})
{%- endmacro %}

{#- ISO day of week, 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'game_market')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    cast(extract(isodow from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro snowflake__iso_day_of_week(date_expr) -%}
    cast(extract(dayofweekiso from {{ date_expr }}) as integer)
{%- endmacro %}
