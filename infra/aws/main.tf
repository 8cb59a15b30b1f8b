data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name       = "${var.project}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # The lake's own layout: raw/{endpoint}/dt=YYYY-MM-DD/data.parquet (+ _manifest.json).
  lake_raw_prefix = "raw/"

  log_group_name      = "/ecs/${local.name}"
  flow_log_group_name = "/vpc/${local.name}/flow-logs"
  # Container of the flow-run task definitions (the ECS work pool's base job template).
  flow_container_name  = "prefect"
  worker_stream_prefix = "worker"
  flow_stream_prefix   = "flow-runs"
}
