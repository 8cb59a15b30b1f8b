{#-
  Snowflake's external tables list the lake's files only when refreshed (they do not
  auto-refresh here: infra/snowflake). The dbt subflow runs this before every build:
  `dbt run-operation refresh_external_tables --target snowflake`.
-#}
{% macro refresh_external_tables() -%}
    {{ return(adapter.dispatch('refresh_external_tables', 'game_market')()) }}
{%- endmacro %}

{% macro default__refresh_external_tables() -%}
    {{ log('No external tables to refresh on ' ~ target.type ~ ': sources read the lake directly.', info=true) }}
{%- endmacro %}

{% macro snowflake__refresh_external_tables() -%}
    {% for source in graph.sources.values() if source.source_name == 'rawg' %}
        {% set relation = source.database ~ '.' ~ source.schema ~ '.' ~ source.identifier %}
        {% do run_query('alter external table ' ~ relation ~ ' refresh') %}
        {{ log('Refreshed external table ' ~ relation, info=true) }}
    {% endfor %}
{%- endmacro %}
