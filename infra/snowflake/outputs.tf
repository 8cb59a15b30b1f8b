output "storage_aws_iam_user_arn" {
  description = "IAM user Snowflake assumes the lake role as; infra/aws takes it as snowflake_storage_aws_iam_user_arn (phase 3)."
  value       = snowflake_storage_integration.lake.storage_aws_iam_user_arn
}

output "storage_aws_external_id" {
  description = "External id of the storage integration; infra/aws takes it as snowflake_storage_aws_external_id (phase 3)."
  value       = snowflake_storage_integration.lake.storage_aws_external_id
}

output "storage_integration_name" {
  description = "Name of the S3 storage integration."
  value       = snowflake_storage_integration.lake.name
}

output "database_name" {
  description = "Database of the pipeline (SNOWFLAKE_DATABASE for dbt)."
  value       = snowflake_database.main.name
}

output "warehouse_name" {
  description = "Warehouse dbt runs on (SNOWFLAKE_WAREHOUSE)."
  value       = snowflake_warehouse.transform.name
}

output "transformer_role_name" {
  description = "Role dbt uses (SNOWFLAKE_ROLE)."
  value       = snowflake_account_role.transformer.name
}

output "stage_name" {
  description = "Fully qualified name of the lake stage (s3://<bucket>/raw/)."
  value       = snowflake_stage.lake.fully_qualified_name
}

output "external_tables" {
  description = "Fully qualified external table per lake endpoint."
  value       = { for endpoint, table in snowflake_external_table.lake : endpoint => table.fully_qualified_name }
}

output "refresh_statements" {
  description = "What the dbt subflow runs before building: one `alter external table ... refresh` per table."
  value       = [for endpoint, table in snowflake_external_table.lake : "alter external table ${table.fully_qualified_name} refresh"]
}
