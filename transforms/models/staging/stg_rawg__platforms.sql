with

source as (

    select * from {{ source('rawg', 'platforms') }} as landed
    {{ landed_since_last_build('landed') }}

),

renamed as (

    select
        id as platform_id,
        slug as platform_slug,
        name as platform_name,
        games_count,
        year_start,
        year_end,
        {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }} as dt,
        _ingested_at,
        _run_id

    from source
    where id is not null
    {{ one_row_per('id', partition='dt') }}

)

select * from renamed
