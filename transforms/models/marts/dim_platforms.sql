with

platforms as (

    {{ entity_dimension('stg_rawg__platforms', 'bridge_game_platforms', 'platform',
        ['year_start', 'year_end']) }}

),

parent_snapshots as (

    select * from {{ ref('stg_rawg__parent_platforms') }}

),

latest_parents as (

    select *
    from parent_snapshots
    {{ one_row_per('parent_platform_id', ordering='dt desc, _ingested_at desc') }}

),

parent_members as (

    select
        {{ element_field('platform', 'id', 'bigint') }} as platform_id,
        {{ element_field('platform', 'name', 'varchar') }} as platform_name,
        {{ element_field('platform', 'slug', 'varchar') }} as platform_slug,
        latest_parents.parent_platform_id,
        latest_parents.parent_platform_name,
        latest_parents.parent_platform_slug

    from latest_parents, {{ array_elements('latest_parents.platforms', 'platform') }}

),

{# RAWG lists each platform under one parent; should it ever list two, the lowest id wins. #}
platform_parents as (

    select *
    from parent_members
    where platform_id is not null
    {{ one_row_per('platform_id', ordering='parent_platform_id') }}

),

final as (

    select
        coalesce(platforms.platform_id, platform_parents.platform_id) as platform_id,
        coalesce(platforms.platform_name, platform_parents.platform_name) as platform_name,
        coalesce(platforms.platform_slug, platform_parents.platform_slug) as platform_slug,
        platforms.games_count,
        platforms.year_start,
        platforms.year_end,
        coalesce(platforms.is_in_catalog_snapshot, false) as is_in_catalog_snapshot,
        platforms.snapshot_dt,
        platform_parents.parent_platform_id,
        platform_parents.parent_platform_name,
        platform_parents.parent_platform_slug

    from platforms
    full outer join platform_parents
        on platforms.platform_id = platform_parents.platform_id

)

select * from final
