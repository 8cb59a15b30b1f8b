{#-
  A game ships on a parent platform (PC, PlayStation, ...) when any of its platforms does.
  Built from two marts (fct_game_platforms and dim_platforms' parent of each platform), so
  it lives with the marts it is built from.
-#}
with

game_platforms as (

    select * from {{ ref('fct_game_platforms') }}

),

platforms as (

    select * from {{ ref('dim_platforms') }}

),

final as (

    select distinct
        game_platforms.game_id,
        platforms.parent_platform_id,
        platforms.parent_platform_name

    from game_platforms
    inner join platforms on game_platforms.platform_id = platforms.platform_id
    where platforms.parent_platform_id is not null

)

select * from final
