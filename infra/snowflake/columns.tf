# The lake's tables as Snowflake sees them. The columns come from lake_columns.json, which
# `make generate` writes from the endpoint declarations (game_market/endpoints.py): add an
# endpoint there, never here. Types: Int* -> NUMBER, String -> VARCHAR, Float64 -> FLOAT,
# Boolean -> BOOLEAN, Date -> DATE, Datetime -> TIMESTAMP_NTZ, Struct/List -> VARIANT.
locals {
  raw_schema       = "RAW"
  analytics_schema = "ANALYTICS"

  lake_columns = jsondecode(file("${path.module}/lake_columns.json"))
  # Columns every lake table carries after its typed ones.
  meta_columns = local.lake_columns.meta_columns
  # Typed columns per endpoint, in lake order.
  endpoint_columns = local.lake_columns.endpoint_columns

  # What each external table declares, before dt and filename: typed columns, then meta columns.
  external_table_columns = { for endpoint, columns in local.endpoint_columns : endpoint => concat(columns, local.meta_columns) }
}
