{#-
  Snowflake's external tables list the lake's files only when refreshed (they do not
  auto-refresh here: infra/snowflake). dbt_project.yml runs this as an on-run-start hook, so
  any `dbt build --target snowflake` reads the partitions landed since the last one; on
  DuckDB the sources read the lake directly and the hook is a no-op.
-#}
{% macro refresh_external_tables() -%}
    {{ return(adapter.dispatch('refresh_external_tables', 'game_market')()) }}
{%- endmacro %}

{% macro default__refresh_external_tables() -%}
    {{ return('') }}
{%- endmacro %}

{#- Runs the statements itself (one each) and leaves the hook no SQL of its own. -#}
{% macro snowflake__refresh_external_tables() -%}
    {% if execute %}
        {% for source in graph.sources.values() if source.source_name == 'rawg' %}
            {% set relation = source.database ~ '.' ~ source.schema ~ '.' ~ source.identifier %}
            {% do run_query('alter external table ' ~ relation ~ ' refresh') %}
            {{ log('Refreshed external table ' ~ relation, info=true) }}
        {% endfor %}
    {% endif %}
    {{ return('') }}
{%- endmacro %}
