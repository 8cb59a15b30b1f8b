terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    snowflake = {
      source  = "snowflakedb/snowflake"
      version = "~> 2.12"
    }
  }

  # Remote state in S3 with a DynamoDB lock table, like infra/aws:
  # `terraform init -backend-config=backend.hcl` (copy backend.hcl.example).
  backend "s3" {}
}

# Credentials come from the environment, never from a file here:
# SNOWFLAKE_ORGANIZATION_NAME, SNOWFLAKE_ACCOUNT_NAME, SNOWFLAKE_USER and either
# SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY (with SNOWFLAKE_AUTHENTICATOR=SNOWFLAKE_JWT).
# SNOWFLAKE_ROLE must be able to create a storage integration (ACCOUNTADMIN, or a role
# granted CREATE INTEGRATION plus SYSADMIN's rights).
provider "snowflake" {
  # Storage integrations, file formats, stages and external tables are preview resources in
  # provider 2.x and stay disabled unless listed here.
  preview_features_enabled = [
    "snowflake_storage_integration_resource",
    "snowflake_file_format_resource",
    "snowflake_stage_resource",
    "snowflake_external_table_resource",
  ]
}
