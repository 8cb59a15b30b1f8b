with

source as (

    select * from {{ source('rawg', 'publishers') }} as landed
    {{ landed_since_last_build('landed') }}

),

renamed as (

    select
        id as publisher_id,
        slug as publisher_slug,
        name as publisher_name,
        games_count,
        image_background,
        {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }} as dt,
        _ingested_at,
        _run_id

    from source
    where id is not null
    {{ one_row_per('id', partition='dt') }}

)

select * from renamed
