{#-
  One row per (game, element) of a game's array column, keyed by the element's id: the body of
  a bridge model. `fields` maps element fields to types; each lands as `<entity>_<field>`
  (fields the lake already prefixes, like a platform's `platform_id`, keep their name).
  A game listing the same element twice keeps one row: the one with the first name (then the
  first of its other fields), so a rebuild picks the same row.

  Incremental by game: a build replaces the pairs of every game whose latest row changed since
  the last build. A changed game whose list became empty leaves one placeholder row (null id)
  so that delete+insert still removes its old pairs; the post-hook drops the placeholders.
-#}
{% macro game_array_pairs(model_name, array_column, entity, fields) -%}
{{ config(
    materialized='incremental',
    unique_key='game_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="delete from {{ this }} where " ~ entity ~ "_id is null",
    meta={'landed_slice': 'rows'},
) }}

with

games as (

    select game_id, {{ array_column }}, _ingested_at from {{ ref(model_name) }}
    {% if is_incremental() %}
    where _ingested_at >= (select max(_ingested_at) from {{ this }})
    {% endif %}

),

deduplicated as (

    {{ distinct_game_elements('games', array_column, entity, fields) }}

),

{# Every changed game keeps its _ingested_at in the table, even with no pairs left. #}
emptied_games as (

    select
        games.game_id,
        {%- for field, type in fields.items() %}
        {%- set column = field if field.startswith(entity ~ '_') else entity ~ '_' ~ field %}
        cast(null as {{ type }}) as {{ column }},
        {%- endfor %}
        games._ingested_at

    from games
    where not exists (
        select 1 from deduplicated where deduplicated.game_id = games.game_id
    )

),

final as (

    select * from deduplicated
    {% if is_incremental() %}
    union all
    select * from emptied_games
    {% endif %}

)

select * from final
{%- endmacro %}


{#-
  The body of `deduplicated` above: the rows of `relation` (game_id, `array_column`,
  _ingested_at; one row per game) as one row per game and element id, the element's fields
  typed and named as the bridge names them, null ids dropped.
-#}
{% macro distinct_game_elements(relation, array_column, entity, fields) -%}
    {{ return(adapter.dispatch('distinct_game_elements', 'game_market')(
        relation, array_column, entity, fields)) }}
{%- endmacro %}

{#- Bridge columns in order: (element field, bridge column, type). -#}
{% macro game_element_columns(entity, fields) -%}
    {%- set columns = [] -%}
    {%- for field, type in fields.items() -%}
        {%- do columns.append((
            field, field if field.startswith(entity ~ '_') else entity ~ '_' ~ field, type)) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#-
  DuckDB: each game's list is typed, sorted and stripped of repeated ids in the row itself, so
  the build streams, where a window over every (game, element) pair would sort all of them
  and spill to disk on a large lake. Sorted by id, then name, then the other fields, the
  first element of each id is the one a window would pick.
-#}
{% macro default__distinct_game_elements(relation, array_column, entity, fields) -%}
    {%- set columns = game_element_columns(entity, fields) -%}
    {%- set id_column = entity ~ '_id' -%}
    {%- set name_column = entity ~ '_name' -%}
    {%- set sort_order = [] -%}
    {%- for column in columns if column[1] == id_column -%}{% do sort_order.append(column) %}{%- endfor -%}
    {%- for column in columns if column[1] == name_column -%}{% do sort_order.append(column) %}{%- endfor -%}
    {%- for column in columns if column[1] not in (id_column, name_column) -%}
        {%- do sort_order.append(column) -%}
    {%- endfor -%}
    select
        game_id,
        {%- for field, column, type in columns %}
        element.{{ column }} as {{ column }},
        {%- endfor %}
        _ingested_at
    from (
        select
            game_id,
            _ingested_at,
            unnest([
                element for element, i in sorted_elements
                if i = 1 or sorted_elements[i - 1].{{ id_column }} <> element.{{ id_column }}
            ]) as element
        from (
            select
                game_id,
                _ingested_at,
                list_sort([
                    {
                        {%- for field, column, type in sort_order %}
                        '{{ column }}': cast(raw.{{ field }} as {{ type }}){{ ',' if not loop.last }}
                        {%- endfor %}
                    }
                    for raw in {{ array_column }} if raw.{{ sort_order[0][0] }} is not null
                ]) as sorted_elements
            from {{ relation }}
        ) as typed
    ) as distinct_elements
{%- endmacro %}

{#- Snowflake: one row per pair, then the same pick as DuckDB's by a window. -#}
{% macro snowflake__distinct_game_elements(relation, array_column, entity, fields) -%}
    {%- set columns = game_element_columns(entity, fields) -%}
    {%- set ordering = [entity ~ '_name'] -%}
    {%- for field, column, type in columns if column not in (entity ~ '_id', entity ~ '_name') -%}
        {%- do ordering.append(column) -%}
    {%- endfor -%}
    select *
    from (
        select
            {{ relation }}.game_id,
            {%- for field, column, type in columns %}
            {{ element_field(entity, field, type) }} as {{ column }},
            {%- endfor %}
            {{ relation }}._ingested_at
        from {{ relation }}, {{ array_elements(relation ~ '.' ~ array_column, entity) }}
    ) as pairs
    where {{ entity }}_id is not null
    {{ one_row_per('game_id', partition=entity ~ '_id', ordering=ordering | join(', ')) }}
{%- endmacro %}
