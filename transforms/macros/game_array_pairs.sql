{#-
  One row per (game, element) of a game's array column, keyed by the element's id: the body of
  a bridge model. `fields` maps element fields to types; each lands as `<entity>_<field>`
  (fields the lake already prefixes, like a platform's `platform_id`, keep their name).
  A game listing the same element twice keeps one row.
-#}
{% macro game_array_pairs(model_name, array_column, entity, fields) -%}
with

games as (

    select game_id, {{ array_column }} from {{ ref(model_name) }}

),

pairs as (

    select
        games.game_id,
        {%- for field, type in fields.items() %}
        {%- set column = field if field.startswith(entity ~ '_') else entity ~ '_' ~ field %}
        {{ element_field(entity, field, type) }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from games, {{ array_elements('games.' ~ array_column, entity) }}

),

final as (

    select *
    from pairs
    where {{ entity }}_id is not null
    qualify row_number() over (
        partition by game_id, {{ entity }}_id order by {{ entity }}_name
    ) = 1

)

select * from final
{%- endmacro %}
