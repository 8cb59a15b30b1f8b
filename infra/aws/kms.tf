# One customer-managed key for the pipeline's data at rest: the lake, ECR, the log groups and
# the two secrets. Roles get kms:Decrypt / GenerateDataKey on this key only.
resource "aws_kms_key" "pipeline" {
  description             = "${local.name}: lake, images, logs and secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_key.json
}

resource "aws_kms_alias" "pipeline" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.pipeline.key_id
}

data "aws_iam_policy_document" "kms_key" {
  # checkov:skip=CKV_AWS_111: A key policy's Resource "*" is the key itself; AWS allows nothing else there.
  # checkov:skip=CKV_AWS_356: A key policy's Resource "*" is the key itself; AWS allows nothing else there.
  # checkov:skip=CKV_AWS_109: A key policy's Resource "*" is the key itself; AWS allows nothing else there.
  # AWS requires Resource "*": in a key policy "*" means this key and nothing else.
  # AWS's default key policy: the account (through IAM) administers the key, so the key can
  # never become unmanageable.
  statement {
    sid       = "KeyAdministrationByAccount"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # AWS requires Resource "*": in a key policy "*" means this key and nothing else.
  statement {
    sid = "CloudWatchLogsUseForOurLogGroups"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.aws_region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = [
        "arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:${local.log_group_name}",
        "arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:${local.flow_log_group_name}",
      ]
    }
  }
}
