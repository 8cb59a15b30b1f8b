# Everything the ECS work pool's base job template, build_and_push.sh (deployments/cloud.env)
# and the Snowflake root need. deploy_infra.sh reads them with `terraform output -json`.

output "aws_region" {
  description = "Region of every resource (GMP_AWS_REGION)."
  value       = var.aws_region
}

output "lake_bucket_name" {
  description = "Name of the lake bucket; infra/snowflake takes it as lake_bucket_name."
  value       = aws_s3_bucket.lake.bucket
}

output "lake_url" {
  description = "LAKE_URL of the flow runs, s3://<bucket> (GMP_LAKE_URL)."
  value       = "s3://${aws_s3_bucket.lake.bucket}"
}

output "ecr_repository_url" {
  description = "ECR repository of the pipeline image, without a tag (build_and_push.sh pushes <url>:<git sha> and :latest)."
  value       = aws_ecr_repository.pipeline.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster that runs the worker and the flow runs (GMP_ECS_CLUSTER)."
  value       = aws_ecs_cluster.main.name
}

output "ecs_cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.main.arn
}

output "vpc_id" {
  description = "VPC of the flow-run tasks (GMP_VPC_ID; the work pool's vpc_id)."
  value       = local.vpc_id
}

output "subnet_ids" {
  description = "Private subnets of the flow-run tasks (GMP_SUBNET_IDS, comma-joined)."
  value       = local.subnet_ids
}

output "security_group_id" {
  description = "Egress-only security group of the worker and flow-run tasks (GMP_SECURITY_GROUP_ID)."
  value       = aws_security_group.tasks.id
}

output "flow_run_task_role_arn" {
  description = "Task role of the flow runs: lake, our secrets, our log group (GMP_TASK_ROLE_ARN)."
  value       = aws_iam_role.flow_run.arn
}

output "execution_role_arn" {
  description = "Execution role of the worker and the flow runs (GMP_EXECUTION_ROLE_ARN)."
  value       = aws_iam_role.execution.arn
}

output "worker_role_arn" {
  description = "Task role of the Prefect worker."
  value       = aws_iam_role.worker.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the worker and the flow runs (GMP_LOG_GROUP)."
  value       = aws_cloudwatch_log_group.ecs.name
}

output "flow_log_stream_prefix" {
  description = "awslogs-stream-prefix of the flow-run containers."
  value       = local.flow_stream_prefix
}

output "flow_container_name" {
  description = "Container name in the flow-run task definitions."
  value       = local.flow_container_name
}

output "rawg_api_key_secret_arn" {
  description = "Secrets Manager ARN of RAWG_API_KEY (GMP_RAWG_SECRET_ARN); its value is put by the operator."
  value       = aws_secretsmanager_secret.rawg_api_key.arn
}

output "prefect_api_key_secret_arn" {
  description = "Secrets Manager ARN of PREFECT_API_KEY (GMP_PREFECT_SECRET_ARN); its value is put by the operator."
  value       = aws_secretsmanager_secret.prefect_api_key.arn
}

output "snowflake_password_secret_arn" {
  description = "Secrets Manager ARN of the dbt user's SNOWFLAKE_PASSWORD (GMP_SNOWFLAKE_SECRET_ARN); its value is put by the operator."
  value       = aws_secretsmanager_secret.snowflake_password.arn
}

output "snowflake_account" {
  description = "SNOWFLAKE_ACCOUNT of the flow runs' dbt (GMP_SNOWFLAKE_ACCOUNT)."
  value       = var.snowflake_account
}

output "snowflake_dbt_user" {
  description = "SNOWFLAKE_USER of the flow runs' dbt (GMP_SNOWFLAKE_USER)."
  value       = var.snowflake_dbt_user
}

output "snowflake_role" {
  description = "SNOWFLAKE_ROLE of the flow runs' dbt (GMP_SNOWFLAKE_ROLE)."
  value       = var.snowflake_role
}

output "snowflake_warehouse" {
  description = "SNOWFLAKE_WAREHOUSE of the flow runs' dbt (GMP_SNOWFLAKE_WAREHOUSE)."
  value       = var.snowflake_warehouse
}

output "snowflake_database" {
  description = "SNOWFLAKE_DATABASE of the flow runs' dbt (GMP_SNOWFLAKE_DATABASE)."
  value       = var.snowflake_database
}

output "ecs_events_queue_name" {
  description = "SQS queue the worker watches for ECS task state changes."
  value       = aws_sqs_queue.ecs_events.name
}

output "worker_service_name" {
  description = "ECS service running the Prefect worker."
  value       = aws_ecs_service.worker.name
}

output "snowflake_access_role_arn" {
  description = "IAM role the Snowflake storage integration assumes; infra/snowflake takes it as storage_aws_role_arn (phase 2)."
  value       = aws_iam_role.snowflake_access.arn
}

output "snowflake_access_role_name" {
  description = "Name of that role; deploy_infra.sh polls `aws iam get-role` on it until the phase-3 trust is visible."
  value       = aws_iam_role.snowflake_access.name
}

output "snowflake_trust_configured" {
  description = "True once the access role trusts the storage integration's IAM user (phase 3 done)."
  value       = local.snowflake_trust_ready
}
