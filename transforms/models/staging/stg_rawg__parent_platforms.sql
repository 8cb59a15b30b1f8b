with

source as (

    select * from {{ source('rawg', 'parent_platforms') }} as landed
    {{ landed_since_last_build('landed') }}

),

renamed as (

    select
        id as parent_platform_id,
        slug as parent_platform_slug,
        name as parent_platform_name,
        platforms,
        {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }} as dt,
        _ingested_at,
        _run_id

    from source
    where id is not null
    {{ one_row_per('id', partition='dt') }}

)

select * from renamed
