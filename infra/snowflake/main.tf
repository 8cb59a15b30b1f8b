resource "snowflake_database" "main" {
  name    = var.database_name
  comment = "Game Market Pipeline: RAWG video-game data (rawg.io)."
}

resource "snowflake_schema" "raw" {
  database = snowflake_database.main.name
  name     = local.raw_schema
  comment  = "External tables over the Parquet lake, one per RAWG endpoint."
}

resource "snowflake_schema" "analytics" {
  database = snowflake_database.main.name
  name     = local.analytics_schema
  comment  = "dbt models (staging, intermediate and mart tables)."
}

resource "snowflake_warehouse" "transform" {
  name                = var.warehouse_name
  warehouse_size      = var.warehouse_size
  auto_suspend        = var.warehouse_auto_suspend_seconds
  auto_resume         = "true"
  initially_suspended = true
  comment             = "dbt builds of the Game Market Pipeline."
}

# --- lake access -----------------------------------------------------------------------------
# Deploy phase 2 creates only this (terraform apply -target), so that its IAM user ARN and
# external id can be trusted by the AWS role in phase 3 before the stage is used in phase 4.
resource "snowflake_storage_integration" "lake" {
  name                      = var.storage_integration_name
  type                      = "EXTERNAL_STAGE"
  storage_provider          = "S3"
  enabled                   = true
  storage_aws_role_arn      = var.storage_aws_role_arn
  storage_allowed_locations = ["s3://${var.lake_bucket_name}/raw/"]
  comment                   = "Read-only access to raw/ of the Game Market lake."
}

resource "snowflake_file_format" "parquet" {
  database    = snowflake_database.main.name
  schema      = snowflake_schema.raw.name
  name        = "PARQUET_FORMAT"
  format_type = "PARQUET"
  compression = "AUTO"
}

resource "snowflake_stage" "lake" {
  database            = snowflake_database.main.name
  schema              = snowflake_schema.raw.name
  name                = "LAKE_STAGE"
  url                 = "s3://${var.lake_bucket_name}/raw/"
  storage_integration = snowflake_storage_integration.lake.name
  file_format         = "FORMAT_NAME = ${snowflake_file_format.parquet.fully_qualified_name}"
  comment             = "raw/{endpoint}/dt=YYYY-MM-DD/data.parquet of the lake."
}

# One external table per endpoint: RAW.GAMES, RAW.GAME_DETAILS, ... Every lake column is
# derived from `value:`; dt comes from the path and is the partition column.
#
# Refresh: auto_refresh is off (no S3 event notification). The dbt subflow runs
# `alter external table RAW.<TABLE> refresh` for each table before it builds (infra/README.md).
resource "snowflake_external_table" "lake" {
  for_each = local.external_table_columns

  database          = snowflake_database.main.name
  schema            = snowflake_schema.raw.name
  name              = upper(each.key)
  location          = "@${snowflake_stage.lake.fully_qualified_name}/${each.key}/"
  pattern           = ".*data[.]parquet"
  file_format       = "FORMAT_NAME = ${snowflake_file_format.parquet.fully_qualified_name}"
  auto_refresh      = false
  refresh_on_create = true
  partition_by      = ["dt"]
  comment           = "RAWG ${each.key} (rawg.io), one row per item, from the lake's raw/${each.key}/."

  dynamic "column" {
    for_each = each.value

    content {
      name = column.value.name
      type = column.value.type
      as   = "(value:\"${column.value.name}\"::${column.value.type})"
    }
  }

  column {
    name = "dt"
    type = "DATE"
    as   = "(to_date(split_part(split_part(metadata$filename, 'dt=', 2), '/', 1)))"
  }

  column {
    name = "filename"
    type = "VARCHAR"
    as   = "(metadata$filename)"
  }
}
