{#-
  A view: a projection of int_games_deduplicated costs nothing to read, where a table would copy
  every game again on every build.
-#}
{{ config(materialized='view') }}

with

latest as (

    select * from {{ ref('int_games_deduplicated') }}

),

final as (

    select
        game_id,
        game_slug,
        game_name,
        released_on,
        cast({{ dbt.date_trunc('month', 'released_on') }} as date) as release_month,
        cast(extract(year from released_on) as integer) as release_year,
        is_tba,
        released_on is not null and not coalesce(is_tba, false) as is_released,
        rating,
        rating_top,
        ratings_count,
        metacritic_score,
        playtime_hours,
        added_count,
        esrb_rating_slug,
        esrb_rating_name,
        updated_at,
        dt as last_seen_dt

    from latest

)

select * from final
