resource "aws_ecs_cluster" "main" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# One log group for the worker and every flow run (streams "worker/..." and "flow-runs/...").
resource "aws_cloudwatch_log_group" "ecs" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.pipeline.arn
}

# The Prefect worker: polls the work pool and starts each flow run as its own ECS task.
resource "aws_ecs_task_definition" "worker" {
  family                   = "${local.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.worker.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # The root filesystem is read-only; Prefect's home is this task-scoped scratch volume.
  volume {
    name = "prefect-home"
  }

  container_definitions = jsonencode([{
    name                   = "prefect-worker"
    image                  = "${aws_ecr_repository.pipeline.repository_url}:${var.worker_image_tag}"
    essential              = true
    readonlyRootFilesystem = true
    command                = ["prefect", "worker", "start", "--pool", var.prefect_work_pool_name, "--type", "ecs"]
    environment = [
      { name = "PREFECT_API_URL", value = var.prefect_api_url },
      { name = "PREFECT_HOME", value = "/home/pipeline/.prefect" },
      { name = "AWS_REGION", value = var.aws_region },
      { name = "AWS_DEFAULT_REGION", value = var.aws_region },
      # Crash detection: ECS task state changes reach the worker through this queue.
      { name = "PREFECT_INTEGRATIONS_AWS_ECS_OBSERVER_SQS_QUEUE_NAME", value = aws_sqs_queue.ecs_events.name },
      { name = "PREFECT_INTEGRATIONS_AWS_ECS_OBSERVER_SQS_QUEUE_REGION", value = var.aws_region },
    ]
    # The API key never appears in the task definition: ECS reads it from Secrets Manager.
    secrets = [
      { name = "PREFECT_API_KEY", valueFrom = aws_secretsmanager_secret.prefect_api_key.arn },
    ]
    mountPoints = [
      { sourceVolume = "prefect-home", containerPath = "/home/pipeline/.prefect", readOnly = false },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.ecs.name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = local.worker_stream_prefix
      }
    }
  }])
}

resource "aws_ecs_service" "worker" {
  name            = "${local.name}-worker"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.worker.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  # One worker is enough; a replacement starts before the old one stops.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 200

  network_configuration {
    subnets          = local.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}
