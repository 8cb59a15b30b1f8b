with

source as (

    select * from {{ source('rawg', 'game_details') }} as landed
    {{ landed_since_last_build('landed') }}

),

renamed as (

    select
        id as game_id,
        slug as game_slug,
        name as game_name,
        name_original as game_name_original,
        {{ dbt.safe_cast('released', api.Column.translate_type('date')) }} as released_on,
        {{ dbt.safe_cast('updated', api.Column.translate_type('timestamp')) }} as updated_at,
        {{ dbt.safe_cast('rating', 'double') }} as rating,
        metacritic as metacritic_score,
        playtime as playtime_hours,
        website,
        developers,
        publishers,
        genres,
        {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }} as dt,
        _ingested_at,
        _run_id

    from source
    where id is not null
    {{ one_row_per('id', partition='dt') }}

)

select * from renamed
