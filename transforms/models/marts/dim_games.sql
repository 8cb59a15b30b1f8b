with

latest as (

    select * from {{ ref('int_games__latest') }}

),

final as (

    select
        game_id,
        game_slug,
        game_name,
        released_on,
        {{ dbt.safe_cast(dbt.date_trunc('year', 'released_on'), api.Column.translate_type('date')) }}
            as release_year_start,
        is_tba,
        rating,
        rating_top,
        ratings_count,
        metacritic_score,
        playtime_hours,
        added_count,
        esrb_rating.name as esrb_rating_name,
        updated_at,
        dt as last_seen_dt

    from latest

)

select * from final
