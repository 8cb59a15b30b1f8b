# The role Snowflake's storage integration assumes to read raw/ of the lake.
#
# Its trust depends on the deploy phase (scripts/deploy_infra.sh):
# - phase 1: the integration does not exist yet, so the role trusts only this account, with
#   a placeholder external id nobody uses;
# - phase 3: the role trusts the integration's IAM user, with its external id (both are
#   outputs of infra/snowflake after phase 2).
locals {
  snowflake_trust_ready = var.snowflake_storage_aws_iam_user_arn != "" && var.snowflake_storage_aws_external_id != ""
  snowflake_principal   = local.snowflake_trust_ready ? var.snowflake_storage_aws_iam_user_arn : "arn:${local.partition}:iam::${local.account_id}:root"
  snowflake_external_id = local.snowflake_trust_ready ? var.snowflake_storage_aws_external_id : "pending-snowflake-storage-integration"
}

resource "aws_iam_role" "snowflake_access" {
  name               = "${local.name}-snowflake-access"
  description        = "Assumed by the Snowflake storage integration: read raw/ of the lake"
  assume_role_policy = data.aws_iam_policy_document.snowflake_trust.json

  lifecycle {
    precondition {
      condition     = (var.snowflake_storage_aws_iam_user_arn == "") == (var.snowflake_storage_aws_external_id == "")
      error_message = "Set snowflake_storage_aws_iam_user_arn and snowflake_storage_aws_external_id together (phase 3), or neither (phase 1)."
    }
  }
}

data "aws_iam_policy_document" "snowflake_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [local.snowflake_principal]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [local.snowflake_external_id]
    }
  }
}

resource "aws_iam_role_policy" "snowflake_access" {
  name   = "read-lake-raw"
  role   = aws_iam_role.snowflake_access.id
  policy = data.aws_iam_policy_document.snowflake_access.json
}

data "aws_iam_policy_document" "snowflake_access" {
  statement {
    sid       = "ReadRawObjects"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.lake.arn}/${local.lake_raw_prefix}*"]
  }

  statement {
    sid       = "ListRawPrefix"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.lake.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.lake_raw_prefix}*"]
    }
  }

  statement {
    sid       = "LocateBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [aws_s3_bucket.lake.arn]
  }

  statement {
    sid       = "DecryptLakeObjects"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.pipeline.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3]
    }
  }
}
