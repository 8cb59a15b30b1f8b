with

games as (

    select * from {{ ref('stg_rawg__games') }}

),

latest as (

    select *
    from games
    qualify row_number() over (
        partition by game_id
        order by updated_at desc nulls last, dt desc, _ingested_at desc
    ) = 1

)

select * from latest
