{#- One row per key and partition: the last one the ingest saw (highest page, position). -#}
{% macro latest_per_partition(key) -%}
    qualify row_number() over (
        partition by {{ key }}, dt
        order by _ingested_at desc, _page desc, _pos desc
    ) = 1
{%- endmacro %}
