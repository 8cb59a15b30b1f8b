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

with

games as (

    select
        game_id,
        genres,
        _ingested_at
    from {{ ref('int_games_deduplicated') }} as latest
    {% if is_incremental() %}
    where latest._ingested_at >= (select max(built._ingested_at) from {{ this }} as built)
    {% endif %}

),

deduplicated as (

    {{ distinct_game_elements('games', 'genres', 'genre', {
        'id': 'bigint',
        'name': 'varchar',
        'slug': 'varchar',
    }) }}

),

{# Every changed game keeps its _ingested_at in the table, even with no genres left. #}
emptied_games as (

    select
        games.game_id,
        cast(null as bigint) as genre_id,
        cast(null as varchar) as genre_name,
        cast(null as varchar) as genre_slug,
        games._ingested_at

    from games
    where
        not exists (
            select 1 from deduplicated
            where deduplicated.game_id = games.game_id
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
