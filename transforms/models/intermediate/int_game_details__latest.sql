with

details as (

    select * from {{ ref('stg_rawg__game_details') }}

),

latest as (

    select *
    from details
    qualify row_number() over (
        partition by game_id
        order by updated_at desc nulls last, dt desc, _ingested_at desc
    ) = 1

)

select * from latest
