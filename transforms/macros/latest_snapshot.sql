{#- The newest snapshot row of each id: reference data (genres, studios) is re-listed daily. -#}
{% macro latest_snapshot(model_name, key) -%}
with

snapshots as (

    select * from {{ ref(model_name) }}

),

final as (

    select *
    from snapshots
    qualify row_number() over (partition by {{ key }} order by dt desc, _ingested_at desc) = 1

)

select * from final
{%- endmacro %}
