{#-
  One row per (game, genre) of each game's latest state.
  Incremental by game, as every game-element fact is (_marts__game_elements.yml): a changed
  game whose list became empty leaves one placeholder row (null id), which the post-hook drops.
-#}
{{ config(
    materialized='incremental',
    unique_key='game_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook='delete from {{ this }} where genre_id is null',
    meta={'landed_slice': 'rows'},
) }}

{%- set genre_fields = {
    'id': 'bigint',
    'name': 'varchar',
    'slug': 'varchar',
} %}

with

games as (

    select
        game_id,
        genres,
        _ingested_at
    from {{ ref('int_games_deduplicated') }} as latest
    {{ landed_since_last_build('latest') }}

),

deduplicated as (

    {{ distinct_game_elements('games', 'genres', 'genre', genre_fields) }}

),

emptied_games as (

    {{ emptied_game_rows('games', 'deduplicated', 'genre', genre_fields) }}

),

final as (

    select * from deduplicated
    {% if is_incremental() %}
    union all
    select * from emptied_games
    {% endif %}

)

select * from final
