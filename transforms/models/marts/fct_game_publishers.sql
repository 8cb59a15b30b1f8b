{#-
  One row per (game, publisher) of each game's latest details.
  Incremental by game, as every game-element fact is (_marts__game_elements.yml): a changed
  game whose list became empty leaves one placeholder row (null id), which the post-hook drops.
-#}
{{ config(
    materialized='incremental',
    unique_key='game_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook='delete from {{ this }} where publisher_id is null',
    meta={'landed_slice': 'rows'},
) }}

with

games as (

    select
        game_id,
        publishers,
        _ingested_at
    from {{ ref('int_game_details_deduplicated') }} as latest
    {% if is_incremental() %}
    where latest._ingested_at >= (select max(built._ingested_at) from {{ this }} as built)
    {% endif %}

),

deduplicated as (

    {{ distinct_game_elements('games', 'publishers', 'publisher', {
        'id': 'bigint',
        'name': 'varchar',
        'slug': 'varchar',
    }) }}

),

{# Every changed game keeps its _ingested_at in the table, even with no publishers left. #}
emptied_games as (

    select
        games.game_id,
        cast(null as bigint) as publisher_id,
        cast(null as varchar) as publisher_name,
        cast(null as varchar) as publisher_slug,
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
