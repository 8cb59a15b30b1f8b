{#-
  Incremental like fct_game_daily_snapshots: a build revisits only the games that have rows
  landed since the last one, over their whole history, so the newest `updated_at` still wins
  across every partition (a late-landed older copy does not).
-#}
{{ config(
    materialized='incremental',
    unique_key='game_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

games as (

    select * from {{ ref('stg_rawg__games') }}

),

{% if is_incremental() %}
changed_games as (

    select distinct game_id
    from games
    where games._ingested_at >= (select max(built._ingested_at) from {{ this }} as built)

),

in_scope as (

    select games.*
    from games
    inner join changed_games on games.game_id = changed_games.game_id

),
{% else %}
in_scope as (

    select * from games

),
{% endif %}

latest as (

    select *
    from in_scope
    {{ one_row_per('game_id', ordering='updated_at desc nulls last, dt desc, _ingested_at desc') }}

)

select * from latest
