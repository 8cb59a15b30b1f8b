# TRANSFORMER: what dbt needs and no more. It reads RAW (and refreshes its external tables,
# which Snowflake allows only to their owner), builds tables and views in ANALYTICS, and runs
# on the pipeline's warehouse. It is granted to SYSADMIN so the admin roles keep managing
# everything it owns.
resource "snowflake_account_role" "transformer" {
  name    = var.transformer_role_name
  comment = "dbt: reads RAW, refreshes its external tables, builds ANALYTICS."
}

resource "snowflake_grant_account_role" "transformer_to_sysadmin" {
  role_name        = snowflake_account_role.transformer.name
  parent_role_name = "SYSADMIN"
}

resource "snowflake_grant_account_role" "transformer_to_users" {
  for_each = toset(var.transformer_user_names)

  role_name = snowflake_account_role.transformer.name
  user_name = each.value
}

resource "snowflake_grant_privileges_to_account_role" "warehouse_usage" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]

  on_account_object {
    object_type = "WAREHOUSE"
    object_name = snowflake_warehouse.transform.name
  }
}

resource "snowflake_grant_privileges_to_account_role" "database_usage" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]

  on_account_object {
    object_type = "DATABASE"
    object_name = snowflake_database.main.name
  }
}

resource "snowflake_grant_privileges_to_account_role" "raw_usage" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]

  on_schema {
    schema_name = snowflake_schema.raw.fully_qualified_name
  }
}

resource "snowflake_grant_privileges_to_account_role" "stage_usage" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]

  on_schema_object {
    object_type = "STAGE"
    object_name = snowflake_stage.lake.fully_qualified_name
  }
}

resource "snowflake_grant_privileges_to_account_role" "analytics_build" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE", "CREATE TABLE", "CREATE VIEW"]

  on_schema {
    schema_name = snowflake_schema.analytics.fully_qualified_name
  }
}

# `alter external table ... refresh` needs ownership of the table; COPY keeps other grants.
resource "snowflake_grant_ownership" "external_tables" {
  for_each = snowflake_external_table.lake

  account_role_name   = snowflake_account_role.transformer.name
  outbound_privileges = "COPY"

  on {
    object_type = "EXTERNAL TABLE"
    object_name = each.value.fully_qualified_name
  }

  depends_on = [snowflake_grant_account_role.transformer_to_sysadmin]
}
