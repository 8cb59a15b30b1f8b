{#-
  The placeholder rows of the game-element facts (fct_game_genres, ...): one per game of
  `games` with no row in `elements`, its element columns (game_element_columns) null. A
  fact is rebuilt per game by delete+insert, which removes a game's old pairs only when the
  build has a row for the game: a changed game whose list became empty keeps its
  _ingested_at in the table through this row, and each fact's post-hook drops it.
-#}
{% macro emptied_game_rows(games, elements, entity, fields) -%}
    select
        {{ games }}.game_id,
        {%- for field, column, type in game_element_columns(entity, fields) %}
        cast(null as {{ type }}) as {{ column }},
        {%- endfor %}
        {{ games }}._ingested_at
    from {{ games }}
    where
        not exists (
            select 1 from {{ elements }}
            where {{ elements }}.game_id = {{ games }}.game_id
        )
{%- endmacro %}
