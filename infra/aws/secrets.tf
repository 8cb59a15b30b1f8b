# Secret containers only: Terraform never sets their values (no aws_secretsmanager_secret_version),
# so no key or password reaches the state or a tfvars file. Put the values with
#   aws secretsmanager put-secret-value --secret-id <arn> --secret-string "$RAWG_API_KEY"
resource "aws_secretsmanager_secret" "rawg_api_key" {
  # checkov:skip=CKV2_AWS_57: A RAWG API key cannot be rotated by a Lambda; it is replaced by hand at rawg.io.
  name                    = "${local.name}/RAWG_API_KEY"
  description             = "RAWG API key of the ingestion flow runs (rawg.io/apidocs)."
  kms_key_id              = aws_kms_key.pipeline.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret" "prefect_api_key" {
  # checkov:skip=CKV2_AWS_57: A Prefect API key cannot be rotated by a Lambda; it is replaced by hand in Prefect Cloud.
  name                    = "${local.name}/PREFECT_API_KEY"
  description             = "Prefect API key of the worker and the flow runs."
  kms_key_id              = aws_kms_key.pipeline.arn
  recovery_window_in_days = 7
}

# The password of the Snowflake user dbt logs in as (var.snowflake_dbt_user). Key-pair auth
# (SNOWFLAKE_PRIVATE_KEY_PATH) would need the key as a file in the container: not done here.
resource "aws_secretsmanager_secret" "snowflake_password" {
  # checkov:skip=CKV2_AWS_57: A Snowflake user's password cannot be rotated by a Lambda of ours; it is changed by hand in Snowflake.
  name                    = "${local.name}/SNOWFLAKE_PASSWORD"
  description             = "Password of the Snowflake user dbt runs as in the flow runs (SNOWFLAKE_PASSWORD)."
  kms_key_id              = aws_kms_key.pipeline.arn
  recovery_window_in_days = 7
}
