# Crash detection: the worker learns that a flow-run task stopped (out of memory, image pull
# failure, spot interruption) from ECS task state changes, delivered to it through SQS.
resource "aws_sqs_queue" "ecs_events_dlq" {
  name                      = "${local.name}-ecs-events-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "ecs_events" {
  name                       = "${local.name}-ecs-events"
  message_retention_seconds  = 604800
  visibility_timeout_seconds = 300
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ecs_events_dlq.arn
    maxReceiveCount     = 3
  })
}

resource "aws_cloudwatch_event_rule" "ecs_task_state" {
  name        = "${local.name}-ecs-task-state"
  description = "ECS task state changes in the pipeline's cluster, for the Prefect worker"

  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = {
      clusterArn = [aws_ecs_cluster.main.arn]
    }
  })
}

resource "aws_cloudwatch_event_target" "ecs_task_state" {
  rule = aws_cloudwatch_event_rule.ecs_task_state.name
  arn  = aws_sqs_queue.ecs_events.arn
}

resource "aws_sqs_queue_policy" "ecs_events" {
  queue_url = aws_sqs_queue.ecs_events.id
  policy    = data.aws_iam_policy_document.ecs_events_queue.json
}

data "aws_iam_policy_document" "ecs_events_queue" {
  statement {
    sid       = "EventBridgeRuleSendsHere"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.ecs_events.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.ecs_task_state.arn]
    }
  }
}
