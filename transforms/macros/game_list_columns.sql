{#-
  The columns staging keeps of a /games list item, renamed and cast: written once for the two
  lake sources of list items, games (updated on a day) and game_releases (released in a month).
  Only the lists the marts unnest are kept: parent platforms come from dim_platforms, and
  reading a nested column costs more than any other.
-#}
{% macro game_list_columns() -%}
        id as game_id,
        slug as game_slug,
        name as game_name,
        {{ dbt.safe_cast('released', api.Column.translate_type('date')) }} as released_on,
        tba as is_tba,
        {{ dbt.safe_cast('updated', api.Column.translate_type('timestamp')) }} as updated_at,
        {{ dbt.safe_cast('rating', 'double') }} as rating,
        rating_top,
        ratings_count,
        reviews_text_count,
        reviews_count,
        added as added_count,
        metacritic as metacritic_score,
        playtime as playtime_hours,
        suggestions_count,
        {{ struct_field('esrb_rating', 'slug', 'varchar') }} as esrb_rating_slug,
        {{ struct_field('esrb_rating', 'name', 'varchar') }} as esrb_rating_name,
        platforms,
        genres,
        stores,
        tags,
        {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }} as dt,
        _ingested_at,
        _run_id,
        _page,
        _pos
{%- endmacro %}
