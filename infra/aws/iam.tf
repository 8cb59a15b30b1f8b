# Three ECS roles:
# - execution: used by the ECS agent to pull the image, inject the secrets and ship logs
#   (for the worker task and for every flow-run task);
# - worker: the Prefect worker's own rights (start and watch flow-run tasks);
# - flow_run: what the flow code may touch (the lake, our secrets, our log group).
locals {
  log_group_arn        = "arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:${local.log_group_name}"
  task_definition_arns = "arn:${local.partition}:ecs:${var.aws_region}:${local.account_id}:task-definition/*"
  cluster_task_arns    = "arn:${local.partition}:ecs:${var.aws_region}:${local.account_id}:task/${aws_ecs_cluster.main.name}/*"
  ecs_tasks_service    = "ecs-tasks.amazonaws.com"
  kms_via_s3           = "s3.${var.aws_region}.amazonaws.com"
  kms_via_secrets      = "secretsmanager.${var.aws_region}.amazonaws.com"
  kms_via_ecr          = "ecr.${var.aws_region}.amazonaws.com"
  # RAWG_API_KEY, PREFECT_API_KEY and SNOWFLAKE_PASSWORD (secrets.tf).
  secret_arns = [
    aws_secretsmanager_secret.rawg_api_key.arn,
    aws_secretsmanager_secret.prefect_api_key.arn,
    aws_secretsmanager_secret.snowflake_password.arn,
  ]
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = [local.ecs_tasks_service]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# --- execution role ------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  description        = "ECS agent: pull the pipeline image, inject our three secrets, write our log group"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-inject-log"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

data "aws_iam_policy_document" "execution" {
  # AWS requires Resource "*": ecr:GetAuthorizationToken has no resource-level permissions.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullPipelineImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = [aws_ecr_repository.pipeline.arn]
  }

  statement {
    sid       = "InjectOurSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }

  statement {
    sid       = "WriteOurLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  statement {
    sid       = "DecryptSecretsAndImageLayers"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.pipeline.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_secrets, local.kms_via_ecr]
    }
  }
}

# --- worker task role ----------------------------------------------------------------------

resource "aws_iam_role" "worker" {
  name               = "${local.name}-worker"
  description        = "Prefect ECS worker: register task definitions, run and watch flow-run tasks"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "worker" {
  name   = "run-flow-run-tasks"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

data "aws_iam_policy_document" "worker" {
  # AWS requires Resource "*": task definition registration, description and deregistration
  # have no resource-level permissions.
  statement {
    sid = "ManageTaskDefinitions"
    actions = [
      "ecs:RegisterTaskDefinition",
      "ecs:DeregisterTaskDefinition",
      "ecs:DescribeTaskDefinition",
      "ecs:ListTaskDefinitions",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "RunTasksInOurCluster"
    actions   = ["ecs:RunTask"]
    resources = [local.task_definition_arns]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.main.arn]
    }
  }

  statement {
    sid       = "WatchAndStopOurTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.cluster_task_arns]
  }

  statement {
    sid       = "TagTasksAndTaskDefinitions"
    actions   = ["ecs:TagResource"]
    resources = [local.cluster_task_arns, local.task_definition_arns]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask", "RegisterTaskDefinition"]
    }
  }

  # AWS requires Resource "*": ec2:DescribeVpcs and ec2:DescribeSubnets have no
  # resource-level permissions.
  statement {
    sid       = "DescribeNetwork"
    actions   = ["ec2:DescribeVpcs", "ec2:DescribeSubnets"]
    resources = ["*"]
  }

  statement {
    sid       = "PassFlowRunRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.flow_run.arn, aws_iam_role.execution.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = [local.ecs_tasks_service]
    }
  }

  statement {
    sid       = "ReadOurLogGroup"
    actions   = ["logs:GetLogEvents", "logs:DescribeLogStreams"]
    resources = [local.log_group_arn, "${local.log_group_arn}:*"]
  }

  statement {
    sid = "ConsumeEcsEventsQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.ecs_events.arn]
  }
}

# --- flow-run task role --------------------------------------------------------------------

resource "aws_iam_role" "flow_run" {
  name               = "${local.name}-flow-run"
  description        = "Flow-run tasks: the lake bucket, our three secrets and our log group, nothing else"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "flow_run" {
  name   = "lake-secrets-logs"
  role   = aws_iam_role.flow_run.id
  policy = data.aws_iam_policy_document.flow_run.json
}

data "aws_iam_policy_document" "flow_run" {
  statement {
    sid       = "ListLakeBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.lake.arn]
  }

  statement {
    sid = "ReadWriteLakeObjects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
    ]
    resources = ["${aws_s3_bucket.lake.arn}/*"]
  }

  statement {
    sid       = "ReadOurSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }

  statement {
    sid       = "WriteOurLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  statement {
    sid       = "UseKeyForLakeAndSecrets"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.pipeline.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3, local.kms_via_secrets]
    }
  }
}
