{#-
  Tests on an incremental build check what the build changed, not the whole history again.

  `record_landed_since()` runs first in every invocation (on-run-start): it keeps, in the
  one-row table `build_landed_since`, the oldest of the newest `_ingested_at` each selected
  incremental model held before this build, so whatever this build lands is at or after it.
  It is null, and every test reads its whole model, when the build starts from nothing (a
  new warehouse, `--full-refresh`, an incremental model not built yet) and on `dbt test`.

  `get_where_subquery` (dbt's hook for a generic test's model) then narrows the tests of
  models whose meta names their landed slice: `rows` (the rows landed since) or `games`
  (every row of a game landed since: the models rebuilt per game). Singular tests use
  `landed_since()`.
-#}
{% macro landed_since_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema=target.schema,
                                  identifier='build_landed_since')) }}
{%- endmacro %}

{% macro record_landed_since() -%}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set newest = [] %}
    {% set whole = flags.FULL_REFRESH or flags.WHICH not in ('build', 'run') %}
    {% for node in graph.nodes.values()
        if not whole and node.unique_id in selected_resources
        and node.config.materialized == 'incremental' %}
        {% set relation = adapter.get_relation(node.database, node.schema, node.alias) %}
        {% if relation is none %}
            {% set whole = true %}
        {% else %}
            {% do newest.append('select max(_ingested_at) as newest from ' ~ relation) %}
        {% endif %}
    {% endfor %}
    {% set since = 'null' if whole or not newest
        else '(select min(newest) from (' ~ newest | join(' union all ') ~ ') as built)' %}
    {% do run_query('create or replace table ' ~ landed_since_relation()
        ~ ' as select cast(' ~ since ~ ' as ' ~ api.Column.translate_type('timestamp')
        ~ ') as landed_since') %}
    {{ return('') }}
{%- endmacro %}

{#- The scalar SQL of the slice's start, or none when tests read everything (also when no
    hook ran, as in `dbt compile`). -#}
{% macro landed_since() -%}
    {% if not execute %}{{ return(none) }}{% endif %}
    {% set relation = landed_since_relation() %}
    {% if load_relation(relation) is none %}{{ return(none) }}{% endif %}
    {% set since = run_query('select landed_since from ' ~ relation).columns[0].values()[0] %}
    {{ return(none if since is none else '(select landed_since from ' ~ relation ~ ')') }}
{%- endmacro %}

{% macro get_where_subquery(relation) -%}
    {% set conditions = [] %}
    {% if config.get('where') %}{% do conditions.append(config.get('where')) %}{% endif %}
    {% set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node %}
    {% set slice = tested.config.meta.get('landed_slice') if tested else none %}
    {% set since = landed_since() if slice else none %}
    {% if since is not none and slice == 'rows' %}
        {% do conditions.append('_ingested_at >= ' ~ since) %}
    {% elif since is not none and slice == 'games' %}
        {#- Named through the graph: a test may only ref() the models it depends on. The
            games of both list-item models: updated on a day, released in a month. -#}
        {% set landed = [] %}
        {% for name in ['stg_rawg__games', 'stg_rawg__game_releases'] %}
            {% set games = graph.nodes['model.' ~ project_name ~ '.' ~ name] %}
            {% set games = api.Relation.create(database=games.database, schema=games.schema,
                                               identifier=games.alias) %}
            {% do landed.append('select game_id from ' ~ games
                ~ ' where _ingested_at >= ' ~ since) %}
        {% endfor %}
        {% do conditions.append('game_id in (' ~ landed | join(' union all ') ~ ')') %}
    {% endif %}
    {% if conditions %}
        {% do return('(select * from ' ~ relation ~ ' where ('
            ~ conditions | join(') and (') ~ ')) dbt_subquery') %}
    {% endif %}
    {% do return(relation) %}
{%- endmacro %}
