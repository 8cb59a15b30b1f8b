{#-
  Each parent platform's share of a month's releases and of the library adds they drew.
  Multi-platform games count for every platform they ship on, so shares add up past 1.
-#}
with

games as (

    select * from {{ ref('dim_games') }}
    where is_released

),

game_parent_platforms as (

    select * from {{ ref('fct_game_parent_platforms') }}

),

months as (

    select
        release_month,
        count(*) as month_releases,
        sum(coalesce(added_count, 0)) as month_added_count

    from games
    group by release_month

),

platform_months as (

    select
        games.release_month,
        game_parent_platforms.parent_platform_id,
        game_parent_platforms.parent_platform_name,
        count(*) as releases,
        sum(coalesce(games.added_count, 0)) as added_count

    from games
    inner join game_parent_platforms on games.game_id = game_parent_platforms.game_id
    group by
        games.release_month,
        game_parent_platforms.parent_platform_id,
        game_parent_platforms.parent_platform_name

),

final as (

    select
        platform_months.release_month,
        platform_months.parent_platform_id,
        platform_months.parent_platform_name,
        platform_months.releases,
        months.month_releases,
        cast(platform_months.releases as double) / months.month_releases as share_of_releases,
        platform_months.added_count,
        case
            when months.month_added_count > 0
                then cast(platform_months.added_count as double) / months.month_added_count
        end as share_of_added

    from platform_months
    inner join months on platform_months.release_month = months.release_month

)

select * from final
