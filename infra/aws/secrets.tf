# Secret containers only: Terraform never sets their values (no aws_secretsmanager_secret_version),
# so no key reaches the state or a tfvars file. Put the values with
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
