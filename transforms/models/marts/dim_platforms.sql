{#-
  Each platform's newest catalog snapshot, plus every platform that games reference but no
  snapshot lists, each with its parent platform from the newest parent-platform snapshot.
-#}
with

platform_snapshots as (

    select * from {{ ref('stg_rawg__platforms') }}

),

game_platforms as (

    select * from {{ ref('fct_game_platforms') }}

),

parent_snapshots as (

    select * from {{ ref('stg_rawg__parent_platforms') }}

),

latest_snapshot as (

    select *
    from platform_snapshots
    {{ one_row_per('platform_id', ordering='dt desc, _ingested_at desc') }}

),

referenced as (

    select
        platform_id,
        platform_name,
        platform_slug
    from game_platforms
    {{ one_row_per('platform_id', ordering='game_id desc') }}

),

platforms as (

    select
        coalesce(latest_snapshot.platform_id, referenced.platform_id) as platform_id,
        coalesce(latest_snapshot.platform_name, referenced.platform_name) as platform_name,
        coalesce(latest_snapshot.platform_slug, referenced.platform_slug) as platform_slug,
        latest_snapshot.games_count,
        latest_snapshot.year_start,
        latest_snapshot.year_end,
        latest_snapshot.platform_id is not null as is_in_catalog_snapshot,
        latest_snapshot.dt as snapshot_dt

    from latest_snapshot
    full outer join referenced
        on latest_snapshot.platform_id = referenced.platform_id

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
