with

details as (

    select * from {{ ref('stg_rawg__game_details') }}

),

latest as (

    select *
    from details
    {{ one_row_per('game_id', ordering='updated_at desc nulls last, dt desc, _ingested_at desc') }}

)

select * from latest
