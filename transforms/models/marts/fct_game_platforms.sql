{#-
  One row per (game, platform) of each game's latest state, with the platform's own
  release date.
  Incremental by game, as every game-element fact is (_marts__game_elements.yml): a changed
  game whose list became empty leaves one placeholder row (null id), which the post-hook drops.
-#}
{{ config(
    materialized='incremental',
    unique_key='game_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook='delete from {{ this }} where platform_id is null',
    meta={'landed_slice': 'rows'},
) }}

with

games as (

    select
        game_id,
        platforms,
        _ingested_at
    from {{ ref('int_games_deduplicated') }} as latest
    {% if is_incremental() %}
    where latest._ingested_at >= (select max(built._ingested_at) from {{ this }} as built)
    {% endif %}

),

deduplicated as (

    {{ distinct_game_elements('games', 'platforms', 'platform', {
        'platform_id': 'bigint',
        'platform_name': 'varchar',
        'platform_slug': 'varchar',
        'released_at': 'date',
    }) }}

),

{# Every changed game keeps its _ingested_at in the table, even with no platforms left. #}
emptied_games as (

    select
        games.game_id,
        cast(null as bigint) as platform_id,
        cast(null as varchar) as platform_name,
        cast(null as varchar) as platform_slug,
        cast(null as date) as platform_released_at,
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
