{#-
  The staging models are incremental by landing time (dbt_project.yml): a build reads only the
  partitions landed, or re-landed, since the last one and replaces those days whole, so no
  build rereads a year of lake files. `>=` keeps the newest partition in every build: two
  landings within one timestamp's resolution cannot lose the second. The game-element facts
  (fct_game_genres, ...) read their games the same way: those whose latest row landed since.
-#}
{% macro landed_since_last_build(alias) -%}
    {%- if is_incremental() %}
    where {{ alias }}._ingested_at >= (select max(built._ingested_at) from {{ this }} as built)
    {%- endif %}
{%- endmacro %}
