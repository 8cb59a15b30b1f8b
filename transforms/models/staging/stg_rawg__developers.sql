with

source as (

    select * from {{ source('rawg', 'developers') }} as landed
    {{ landed_since_last_build('landed') }}

),

renamed as (

    select
        id as developer_id,
        slug as developer_slug,
        name as developer_name,
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
