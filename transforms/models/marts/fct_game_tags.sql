{#-
  One row per (game, tag) of each game's latest state.
  Incremental by game, as every game-element fact is (_marts__game_elements.yml): a changed
  game whose list became empty leaves one placeholder row (null id), which the post-hook drops.
-#}
{{ config(
    materialized='incremental',
    unique_key='game_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook='delete from {{ this }} where tag_id is null',
    meta={'landed_slice': 'rows'},
) }}

{%- set tag_fields = {
    'id': 'bigint',
    'name': 'varchar',
    'slug': 'varchar',
    'language': 'varchar',
} %}

with

games as (

    select
        game_id,
        tags,
        _ingested_at
    from {{ ref('int_games_deduplicated') }} as latest
    {{ landed_since_last_build('latest') }}

),

deduplicated as (

    {{ distinct_game_elements('games', 'tags', 'tag', tag_fields) }}

),

emptied_games as (

    {{ emptied_game_rows('games', 'deduplicated', 'tag', tag_fields) }}

),

final as (

    select * from deduplicated
    {% if is_incremental() %}
    union all
    select * from emptied_games
    {% endif %}

)

select * from final
