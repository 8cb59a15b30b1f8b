{#-
  A dimension over a reference entity (genre, platform, studio): each id's newest catalog
  snapshot, plus every id that games reference but no snapshot lists (RAWG's studio lists are
  only read for their first pages), so every bridge row finds its dimension row.
-#}
{% macro entity_dimension(snapshot_model, bridge_model, entity, extra_columns=[]) -%}
with

snapshots as (

    select * from {{ ref(snapshot_model) }}

),

latest_snapshot as (

    select *
    from snapshots
    {{ one_row_per(entity ~ '_id', ordering='dt desc, _ingested_at desc') }}

),

referenced as (

    select {{ entity }}_id, {{ entity }}_name, {{ entity }}_slug
    from {{ ref(bridge_model) }}
    {{ one_row_per(entity ~ '_id', ordering='game_id desc') }}

),

final as (

    select
        coalesce(latest_snapshot.{{ entity }}_id, referenced.{{ entity }}_id) as {{ entity }}_id,
        coalesce(latest_snapshot.{{ entity }}_name, referenced.{{ entity }}_name)
            as {{ entity }}_name,
        coalesce(latest_snapshot.{{ entity }}_slug, referenced.{{ entity }}_slug)
            as {{ entity }}_slug,
        latest_snapshot.games_count,
        {%- for column in extra_columns %}
        latest_snapshot.{{ column }},
        {%- endfor %}
        latest_snapshot.{{ entity }}_id is not null as is_in_catalog_snapshot,
        latest_snapshot.dt as snapshot_dt

    from latest_snapshot
    full outer join referenced
        on latest_snapshot.{{ entity }}_id = referenced.{{ entity }}_id

)

select * from final
{%- endmacro %}
