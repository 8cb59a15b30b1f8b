{#-
  Incremental by landing time, not by day: a run takes every partition landed (or re-landed)
  since the last build, and for each game in it recomputes the rows from its earliest changed
  day on, since a backfilled older day changes the deltas of the days after it.
-#}
{{ config(
    materialized='incremental',
    unique_key=['game_id', 'dt'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

snapshots as (

    select
        game_id,
        dt,
        added_count,
        ratings_count,
        rating,
        metacritic_score,
        playtime_hours,
        updated_at,
        _ingested_at

    from {{ ref('stg_rawg__games') }}

),

{% if is_incremental() %}
{#- Reads the staging table, not `snapshots`: DuckDB materializes a CTE read twice, and that
    copy of the whole history cost more than the rest of the model. #}
changed_games as (

    select
        game_id,
        min(dt) as first_changed_dt
    from {{ ref('stg_rawg__games') }} as landed
    where landed._ingested_at >= (select max(built._ingested_at) from {{ this }} as built)
    group by game_id

),

in_scope as (

    select
        snapshots.*,
        changed_games.first_changed_dt
    from snapshots
    inner join changed_games on snapshots.game_id = changed_games.game_id

),
{% else %}
in_scope as (

    select
        snapshots.*,
        snapshots.dt as first_changed_dt
    from snapshots

),
{% endif %}

with_previous as (

    select
        *,
        lag(dt) over (partition by game_id order by dt) as previous_dt,
        lag(added_count) over (partition by game_id order by dt) as previous_added_count,
        lag(ratings_count) over (partition by game_id order by dt) as previous_ratings_count,
        lag(rating) over (partition by game_id order by dt) as previous_rating,
        lag(metacritic_score) over (partition by game_id order by dt) as previous_metacritic_score,
        lag(playtime_hours) over (partition by game_id order by dt) as previous_playtime_hours

    from in_scope

),

final as (

    select
        game_id,
        dt,
        previous_dt,
        {{ dbt.datediff('previous_dt', 'dt', 'day') }} as days_since_previous,
        added_count,
        added_count - previous_added_count as added_delta,
        ratings_count,
        ratings_count - previous_ratings_count as ratings_count_delta,
        rating,
        rating - previous_rating as rating_delta,
        metacritic_score,
        metacritic_score - previous_metacritic_score as metacritic_score_delta,
        playtime_hours,
        playtime_hours - previous_playtime_hours as playtime_hours_delta,
        updated_at,
        _ingested_at

    from with_previous
    where dt >= first_changed_dt

)

select * from final
