{#-
  Each parent platform (PC, PlayStation, Xbox, ...) from its newest catalog snapshot: the
  dimension the parent_platform_id of dim_platforms, the game-element facts and the marts
  points to.
-#}
with

parent_snapshots as (

    select * from {{ ref('stg_rawg__parent_platforms') }}

),

latest_snapshot as (

    select *
    from parent_snapshots
    {{ one_row_per('parent_platform_id', ordering='dt desc, _ingested_at desc') }}

),

final as (

    select
        parent_platform_id,
        parent_platform_name,
        parent_platform_slug,
        dt as snapshot_dt

    from latest_snapshot

)

select * from final
