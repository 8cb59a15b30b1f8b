with

source as (

    select * from {{ source('rawg', 'games') }} as landed
    {{ landed_since_last_build('landed') }}

),

renamed as (

    select
        {{ game_list_columns() }}

    from source
    where id is not null
    {{ one_row_per('id', partition='dt') }}

)

select * from renamed
