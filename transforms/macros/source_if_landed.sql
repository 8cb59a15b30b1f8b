{#-
  A lake source that may have no partition yet, such as game_releases before any release
  backfill: on DuckDB, read_parquet fails on a glob that matches no file, so such a source is
  read as `empty_like` (a source of the same columns) with no row. A Snowflake external table
  over no file is just empty.
-#}
{% macro source_if_landed(table, empty_like) -%}
    {{ return(adapter.dispatch('source_if_landed', 'game_market')(table, empty_like)) }}
{%- endmacro %}

{% macro default__source_if_landed(table, empty_like) -%}
    {{ return(source('rawg', table)) }}
{%- endmacro %}

{% macro duckdb__source_if_landed(table, empty_like) -%}
    {%- set relation = source('rawg', table) -%}
    {%- set empty = source('rawg', empty_like) -%}
    {%- if execute -%}
        {%- set node = graph.sources['source.game_market.rawg.' ~ table] -%}
        {#- The files the source's external_location (_rawg__sources.yml) reads. -#}
        {%- set files = node.config.meta.lake ~ '/raw/' ~ table ~ '/dt=*/*.parquet' -%}
        {%- set found = run_query("select count(*) from glob('" ~ files ~ "')") -%}
        {%- if found.columns[0].values()[0] == 0 -%}
            {{ return('(select * from ' ~ empty ~ ' where false)') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
