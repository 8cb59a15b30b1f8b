# The lake's tables as Snowflake sees them. The column lists mirror the lake schema
# (game_market.schemas); tests/infra/test_snowflake_hcl.py fails if they drift apart.
# Types: Int* -> NUMBER, String -> VARCHAR, Float64 -> FLOAT, Boolean -> BOOLEAN, Date -> DATE,
# Datetime -> TIMESTAMP_NTZ, Struct/List -> VARIANT.
locals {
  raw_schema       = "RAW"
  analytics_schema = "ANALYTICS"

  # Columns every lake table carries (game_market.schemas.META_COLUMNS).
  meta_columns = [
    { name = "_raw", type = "VARCHAR" },
    { name = "_ingested_at", type = "TIMESTAMP_NTZ" },
    { name = "_run_id", type = "VARCHAR" },
    { name = "_page", type = "NUMBER" },
    { name = "_pos", type = "NUMBER" },
  ]

  # Typed columns per endpoint, in lake order (game_market.schemas.SCHEMAS[endpoint]).
  endpoint_columns = {
    games = [
      { name = "id", type = "NUMBER" },
      { name = "slug", type = "VARCHAR" },
      { name = "name", type = "VARCHAR" },
      { name = "released", type = "DATE" },
      { name = "tba", type = "BOOLEAN" },
      { name = "updated", type = "TIMESTAMP_NTZ" },
      { name = "rating", type = "FLOAT" },
      { name = "rating_top", type = "NUMBER" },
      { name = "ratings_count", type = "NUMBER" },
      { name = "reviews_text_count", type = "NUMBER" },
      { name = "reviews_count", type = "NUMBER" },
      { name = "added", type = "NUMBER" },
      { name = "metacritic", type = "NUMBER" },
      { name = "playtime", type = "NUMBER" },
      { name = "suggestions_count", type = "NUMBER" },
      { name = "score", type = "FLOAT" },
      { name = "background_image", type = "VARCHAR" },
      { name = "dominant_color", type = "VARCHAR" },
      { name = "saturated_color", type = "VARCHAR" },
      { name = "esrb_rating", type = "VARIANT" },
      { name = "added_by_status", type = "VARIANT" },
      { name = "ratings", type = "VARIANT" },
      { name = "platforms", type = "VARIANT" },
      { name = "parent_platforms", type = "VARIANT" },
      { name = "genres", type = "VARIANT" },
      { name = "stores", type = "VARIANT" },
      { name = "tags", type = "VARIANT" },
    ]
    game_details = [
      { name = "id", type = "NUMBER" },
      { name = "slug", type = "VARCHAR" },
      { name = "name", type = "VARCHAR" },
      { name = "released", type = "DATE" },
      { name = "tba", type = "BOOLEAN" },
      { name = "updated", type = "TIMESTAMP_NTZ" },
      { name = "rating", type = "FLOAT" },
      { name = "rating_top", type = "NUMBER" },
      { name = "ratings_count", type = "NUMBER" },
      { name = "reviews_text_count", type = "NUMBER" },
      { name = "reviews_count", type = "NUMBER" },
      { name = "added", type = "NUMBER" },
      { name = "metacritic", type = "NUMBER" },
      { name = "playtime", type = "NUMBER" },
      { name = "suggestions_count", type = "NUMBER" },
      { name = "background_image", type = "VARCHAR" },
      { name = "dominant_color", type = "VARCHAR" },
      { name = "saturated_color", type = "VARCHAR" },
      { name = "esrb_rating", type = "VARIANT" },
      { name = "added_by_status", type = "VARIANT" },
      { name = "ratings", type = "VARIANT" },
      { name = "platforms", type = "VARIANT" },
      { name = "parent_platforms", type = "VARIANT" },
      { name = "genres", type = "VARIANT" },
      { name = "stores", type = "VARIANT" },
      { name = "tags", type = "VARIANT" },
      { name = "name_original", type = "VARCHAR" },
      { name = "description_raw", type = "VARCHAR" },
      { name = "website", type = "VARCHAR" },
      { name = "metacritic_url", type = "VARCHAR" },
      { name = "reddit_url", type = "VARCHAR" },
      { name = "alternative_names", type = "VARIANT" },
      { name = "screenshots_count", type = "NUMBER" },
      { name = "movies_count", type = "NUMBER" },
      { name = "creators_count", type = "NUMBER" },
      { name = "achievements_count", type = "NUMBER" },
      { name = "parent_achievements_count", type = "NUMBER" },
      { name = "additions_count", type = "NUMBER" },
      { name = "game_series_count", type = "NUMBER" },
      { name = "parents_count", type = "NUMBER" },
      { name = "reddit_count", type = "NUMBER" },
      { name = "twitch_count", type = "NUMBER" },
      { name = "youtube_count", type = "NUMBER" },
      { name = "developers", type = "VARIANT" },
      { name = "publishers", type = "VARIANT" },
      { name = "metacritic_platforms", type = "VARIANT" },
    ]
    genres = [
      { name = "id", type = "NUMBER" },
      { name = "name", type = "VARCHAR" },
      { name = "slug", type = "VARCHAR" },
      { name = "games_count", type = "NUMBER" },
      { name = "image_background", type = "VARCHAR" },
      { name = "games", type = "VARIANT" },
    ]
    platforms = [
      { name = "id", type = "NUMBER" },
      { name = "name", type = "VARCHAR" },
      { name = "slug", type = "VARCHAR" },
      { name = "games_count", type = "NUMBER" },
      { name = "image_background", type = "VARCHAR" },
      { name = "image", type = "VARCHAR" },
      { name = "year_start", type = "NUMBER" },
      { name = "year_end", type = "NUMBER" },
      { name = "games", type = "VARIANT" },
    ]
    parent_platforms = [
      { name = "id", type = "NUMBER" },
      { name = "name", type = "VARCHAR" },
      { name = "slug", type = "VARCHAR" },
      { name = "platforms", type = "VARIANT" },
    ]
    developers = [
      { name = "id", type = "NUMBER" },
      { name = "name", type = "VARCHAR" },
      { name = "slug", type = "VARCHAR" },
      { name = "games_count", type = "NUMBER" },
      { name = "image_background", type = "VARCHAR" },
      { name = "games", type = "VARIANT" },
    ]
    publishers = [
      { name = "id", type = "NUMBER" },
      { name = "name", type = "VARCHAR" },
      { name = "slug", type = "VARCHAR" },
      { name = "games_count", type = "NUMBER" },
      { name = "image_background", type = "VARCHAR" },
      { name = "games", type = "VARIANT" },
    ]
  }

  # What each external table declares, before dt and filename: typed columns, then meta columns.
  external_table_columns = { for endpoint, columns in local.endpoint_columns : endpoint => concat(columns, local.meta_columns) }
}
