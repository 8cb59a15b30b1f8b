{#-
  The shared step of the game-element facts (fct_game_genres, ...): the rows of `relation` (game_id,
  `array_column`, _ingested_at; one row per game) as one row per game and element id. `fields`
  maps element fields to types; each lands as `<entity>_<field>` (fields the lake already
  prefixes, like a platform's `platform_id`, keep their name), null ids dropped. A game listing
  the same element twice keeps one row: the one with the first name (then the first of its
  other fields), so a rebuild picks the same row.
-#}
{% macro distinct_game_elements(relation, array_column, entity, fields) -%}
    {{ return(adapter.dispatch('distinct_game_elements', 'game_market')(
        relation, array_column, entity, fields)) }}
{%- endmacro %}

{#- A fact's element columns in order: (element field, fact column, type). -#}
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
