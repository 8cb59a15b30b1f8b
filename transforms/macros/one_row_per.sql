{#-
  The "latest row per key" rule, written once: a `qualify` clause keeping one row per `key`
  (and per `partition`, when given), the first by `ordering`. The default ordering is the
  ingest's: the newest landing, then the highest page and position, i.e. the last row it saw.
-#}
{% macro one_row_per(key, partition=none, ordering='_ingested_at desc, _page desc, _pos desc') -%}
    qualify row_number() over (
        partition by {{ key }}{% if partition %}, {{ partition }}{% endif %}
        order by {{ ordering }}
    ) = 1
{%- endmacro %}
