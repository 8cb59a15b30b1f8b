{#-
  One row per (game, element) of a game's array column, keyed by the element's id: the body of
  a bridge model. `fields` maps element fields to types; each lands as `<entity>_<field>`
  (fields the lake already prefixes, like a platform's `platform_id`, keep their name).
  A game listing the same element twice keeps one row.

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

pairs as (

    select
        games.game_id,
        {%- for field, type in fields.items() %}
        {%- set column = field if field.startswith(entity ~ '_') else entity ~ '_' ~ field %}
        {{ element_field(entity, field, type) }} as {{ column }},
        {%- endfor %}
        games._ingested_at

    from games, {{ array_elements('games.' ~ array_column, entity) }}

),

deduplicated as (

    select *
    from pairs
    where {{ entity }}_id is not null
    {{ one_row_per('game_id', partition=entity ~ '_id', ordering=entity ~ '_name') }}

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
