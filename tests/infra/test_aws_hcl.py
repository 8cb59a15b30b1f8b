"""Structural checks of infra/aws: what `terraform validate` cannot say and a reviewer would."""

from __future__ import annotations

import re

import pytest

from tests.support.hcl import as_list, comment_above_statement, load_root, statements

AWS = load_root("aws")
RESOURCES = AWS.resources()
VARIABLES = AWS.named("variable")
OUTPUTS = AWS.named("output")

# Statements whose Resource must be "*" because the AWS API offers nothing narrower. Each
# must also carry a comment saying `AWS requires Resource "*"` right above it.
STAR_RESOURCE_ALLOWED = {
    "EcrLogin": "ecr:GetAuthorizationToken has no resource-level permissions",
    "ManageTaskDefinitions": "ecs:RegisterTaskDefinition and friends take no resource ARN",
    "DescribeNetwork": "ec2:DescribeVpcs and ec2:DescribeSubnets take no resource ARN",
    "KeyAdministrationByAccount": 'in a KMS key policy "*" is the key itself',
    "CloudWatchLogsUseForOurLogGroups": 'in a KMS key policy "*" is the key itself',
}


def test_providers_are_pinned_and_state_is_remote() -> None:
    (terraform,) = AWS.blocks["terraform"]
    assert terraform["required_version"].startswith(">=")
    (providers,) = terraform["required_providers"]
    assert providers["aws"]["source"] == "hashicorp/aws"
    assert re.fullmatch(r"~> \d+\.\d+", providers["aws"]["version"])
    # Partial backend configuration: filled by -backend-config=backend.hcl.
    assert terraform["backend"] == [{"s3": {}}]
    example = (AWS.path / "backend.hcl.example").read_text()
    for key in ("bucket", "key", "region", "dynamodb_table", "encrypt"):
        assert re.search(rf"^{key}\s*=", example, re.M), key


def test_every_referenced_variable_is_declared_with_type_and_description() -> None:
    missing = AWS.referenced_variables() - set(VARIABLES)
    assert not missing, f"referenced but not declared: {sorted(missing)}"
    unused = set(VARIABLES) - AWS.referenced_variables()
    assert not unused, f"declared but never used: {sorted(unused)}"
    for name, body in VARIABLES.items():
        assert body.get("type"), f"variable {name} has no type"
        assert len(body.get("description", "")) > 10, f"variable {name} has no description"


# Free-form on purpose: tags are any map, create_vpc is a bool.
UNCONSTRAINED = {"tags", "create_vpc"}


@pytest.mark.parametrize("name", sorted(set(VARIABLES) - UNCONSTRAINED))
def test_constrained_variables_are_validated(name: str) -> None:
    validations = as_list(VARIABLES[name].get("validation", []))
    assert validations, f"variable {name} has no validation block"
    for validation in validations:
        assert f"var.{name}" in validation["condition"]
        assert validation["error_message"].endswith(".")


def test_no_secret_in_variables_or_tfvars() -> None:
    for name, body in VARIABLES.items():
        if re.search(r"key|secret|password|token", name):
            assert "default" not in body or body["default"] in ("", None), name
    example = (AWS.path / "terraform.tfvars.example").read_text()
    assert not re.search(r"(?im)^\s*\w*(api_key|secret|password|token)\w*\s*=", example)
    # Terraform creates the secret containers only; the operator puts the values.
    assert not any(rtype == "aws_secretsmanager_secret_version" for rtype, _ in RESOURCES)


def test_outputs_are_described_and_cover_the_work_pool_and_phases() -> None:
    for name, body in OUTPUTS.items():
        assert len(body.get("description", "")) > 10, f"output {name} has no description"
    needed = {
        # deployments/cloud.env and the ECS base job template
        "aws_region",
        "ecr_repository_url",
        "ecs_cluster_name",
        "vpc_id",
        "subnet_ids",
        "security_group_id",
        "flow_run_task_role_arn",
        "execution_role_arn",
        "log_group_name",
        "lake_url",
        "rawg_api_key_secret_arn",
        "prefect_api_key_secret_arn",
        "snowflake_password_secret_arn",
        "snowflake_account",
        "snowflake_dbt_user",
        "snowflake_role",
        "snowflake_warehouse",
        "snowflake_database",
        # deploy phases 2 and 3
        "lake_bucket_name",
        "snowflake_access_role_arn",
        "snowflake_access_role_name",
    }
    assert needed <= set(OUTPUTS), sorted(needed - set(OUTPUTS))


REQUIRED_RESOURCES = [
    ("aws_s3_bucket", "lake"),
    ("aws_s3_bucket_versioning", "lake"),
    ("aws_s3_bucket_server_side_encryption_configuration", "lake"),
    ("aws_s3_bucket_public_access_block", "lake"),
    ("aws_s3_bucket_policy", "lake"),
    ("aws_s3_bucket_lifecycle_configuration", "lake"),
    ("aws_ecr_repository", "pipeline"),
    ("aws_ecr_lifecycle_policy", "pipeline"),
    ("aws_ecs_cluster", "main"),
    ("aws_ecs_cluster_capacity_providers", "main"),
    ("aws_vpc", "main"),
    ("aws_subnet", "private"),
    ("aws_nat_gateway", "main"),
    ("aws_security_group", "tasks"),
    ("aws_ecs_task_definition", "worker"),
    ("aws_ecs_service", "worker"),
    ("aws_iam_role", "worker"),
    ("aws_iam_role", "flow_run"),
    ("aws_iam_role", "execution"),
    ("aws_iam_role", "snowflake_access"),
    ("aws_secretsmanager_secret", "rawg_api_key"),
    ("aws_secretsmanager_secret", "prefect_api_key"),
    ("aws_secretsmanager_secret", "snowflake_password"),
    ("aws_cloudwatch_log_group", "ecs"),
    ("aws_sqs_queue", "ecs_events"),
    ("aws_cloudwatch_event_rule", "ecs_task_state"),
    ("aws_cloudwatch_event_target", "ecs_task_state"),
    ("aws_sqs_queue_policy", "ecs_events"),
]


@pytest.mark.parametrize(("rtype", "name"), REQUIRED_RESOURCES)
def test_required_resource_exists(rtype: str, name: str) -> None:
    assert (rtype, name) in RESOURCES


def test_lake_bucket_has_all_four_protections() -> None:
    versioning = RESOURCES[("aws_s3_bucket_versioning", "lake")]
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"

    sse = RESOURCES[("aws_s3_bucket_server_side_encryption_configuration", "lake")]
    default = sse["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "aws:kms"
    assert default["kms_master_key_id"] == "${aws_kms_key.pipeline.arn}"

    block = RESOURCES[("aws_s3_bucket_public_access_block", "lake")]
    for flag in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block[flag] is True, flag

    policy = RESOURCES[("aws_s3_bucket_policy", "lake")]
    assert policy["policy"] == "${data.aws_iam_policy_document.lake_bucket.json}"
    (deny,) = [s for doc, s in statements(AWS) if doc == "lake_bucket"]
    assert deny["effect"] == "Deny"
    assert deny["actions"] == ["s3:*"]
    assert deny["condition"] == [
        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
    ]
    assert set(deny["resources"]) == {
        "${aws_s3_bucket.lake.arn}",
        "${aws_s3_bucket.lake.arn}/*",
    }


def test_lifecycle_expires_scratch_prefixes_and_aborts_uploads() -> None:
    rules = RESOURCES[("aws_s3_bucket_lifecycle_configuration", "lake")]["rule"]
    by_prefix = {(r.get("filter") or [{}])[0].get("prefix"): r for r in rules}
    for prefix in ("tmp/", "staging/"):
        rule = by_prefix[prefix]
        assert rule["status"] == "Enabled"
        assert rule["expiration"][0]["days"] == "${var.staging_expiration_days}"
    bucket_wide = by_prefix[None]
    assert bucket_wide["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 1
    assert VARIABLES["staging_expiration_days"]["default"] <= 7


def test_ecr_scans_on_push_and_keeps_the_last_n_images() -> None:
    repo = RESOURCES[("aws_ecr_repository", "pipeline")]
    assert repo["image_scanning_configuration"][0]["scan_on_push"] is True
    policy = RESOURCES[("aws_ecr_lifecycle_policy", "pipeline")]["policy"]
    assert "imageCountMoreThan" in policy and "var.ecr_keep_images" in policy


def test_tasks_run_on_fargate_in_private_subnets_with_egress_only() -> None:
    providers = RESOURCES[("aws_ecs_cluster_capacity_providers", "main")]
    assert "FARGATE" in providers["capacity_providers"]
    service = RESOURCES[("aws_ecs_service", "worker")]
    assert service["launch_type"] == "FARGATE"
    assert service["network_configuration"][0]["assign_public_ip"] is False
    assert service["network_configuration"][0]["subnets"] == "${local.subnet_ids}"
    assert len(RESOURCES[("aws_subnet", "private")].get("count", "")) > 0
    # Egress only: no ingress rule anywhere, inline or standalone.
    assert not any(rtype == "aws_vpc_security_group_ingress_rule" for rtype, _ in RESOURCES)
    assert "ingress" not in RESOURCES[("aws_security_group", "tasks")]
    # Existing subnets instead of a VPC of our own.
    assert {"create_vpc", "existing_vpc_id", "existing_subnet_ids"} <= set(VARIABLES)


def test_worker_runs_prefect_worker_with_api_url_and_key_from_secrets_manager() -> None:
    container = RESOURCES[("aws_ecs_task_definition", "worker")]["container_definitions"]
    assert re.search(
        r'command\s*=\s*\["prefect", "worker", "start", "--pool", '
        r'var\.prefect_work_pool_name, "--type", "ecs"\]',
        container,
    )
    assert re.search(r'name = "PREFECT_API_URL", value = var\.prefect_api_url', container)
    assert re.search(
        r'name = "PREFECT_API_KEY", valueFrom = aws_secretsmanager_secret\.prefect_api_key\.arn',
        container,
    )
    assert "PREFECT_INTEGRATIONS_AWS_ECS_OBSERVER_SQS_QUEUE_NAME" in container
    assert "aws_cloudwatch_log_group.ecs.name" in container


def test_crash_detection_rule_feeds_the_worker_queue() -> None:
    rule = RESOURCES[("aws_cloudwatch_event_rule", "ecs_task_state")]
    assert "ECS Task State Change" in rule["event_pattern"]
    assert "aws_ecs_cluster.main.arn" in rule["event_pattern"]
    target = RESOURCES[("aws_cloudwatch_event_target", "ecs_task_state")]
    assert target["arn"] == "${aws_sqs_queue.ecs_events.arn}"
    (send,) = [s for doc, s in statements(AWS) if doc == "ecs_events_queue"]
    assert send["principals"][0]["identifiers"] == ["events.amazonaws.com"]
    assert send["condition"][0]["values"] == ["${aws_cloudwatch_event_rule.ecs_task_state.arn}"]


def test_log_group_has_a_retention_period() -> None:
    group = RESOURCES[("aws_cloudwatch_log_group", "ecs")]
    assert group["retention_in_days"] == "${var.log_retention_days}"


def test_no_iam_statement_allows_every_action() -> None:
    for doc, statement in statements(AWS):
        assert "not_actions" not in statement, doc
        assert "*" not in as_list(statement.get("actions", [])), doc


def test_star_resources_only_where_aws_requires_them_and_commented() -> None:
    star = {}
    for doc, statement in statements(AWS):
        if "*" in as_list(statement.get("resources", [])):
            assert "sid" in statement, f"unnamed statement with Resource '*' in {doc}"
            star[statement["sid"]] = doc
    assert set(star) == set(STAR_RESOURCE_ALLOWED), (
        f"Resource '*' outside the allow-list: {sorted(set(star) - set(STAR_RESOURCE_ALLOWED))}"
    )
    for sid in star:
        assert 'AWS requires Resource "*"' in comment_above_statement(AWS.text, sid), sid


def test_every_policy_comes_from_a_policy_document() -> None:
    attributes = {
        "aws_iam_role": "assume_role_policy",
        "aws_iam_role_policy": "policy",
        "aws_s3_bucket_policy": "policy",
        "aws_sqs_queue_policy": "policy",
        "aws_kms_key": "policy",
    }
    for (rtype, name), body in RESOURCES.items():
        if rtype in attributes:
            assert re.fullmatch(
                r"\$\{data\.aws_iam_policy_document\.\w+\.json\}", body[attributes[rtype]]
            ), f"{rtype}.{name}"
    assert not any(rtype == "aws_iam_policy_attachment" for rtype, _ in RESOURCES)
    assert not any(rtype == "aws_iam_role_policy_attachment" for rtype, _ in RESOURCES)


def _policy(doc: str) -> dict[str, dict]:
    return {s["sid"]: s for d, s in statements(AWS) if d == doc}


def test_flow_run_role_touches_only_the_lake_our_secrets_and_our_log_group() -> None:
    allowed = {
        "${aws_s3_bucket.lake.arn}",
        "${aws_s3_bucket.lake.arn}/*",
        "${local.secret_arns}",
        "${local.log_group_arn}:*",
        "${aws_kms_key.pipeline.arn}",
    }
    policy = _policy("flow_run")
    for sid, statement in policy.items():
        assert set(as_list(statement["resources"])) <= allowed, sid
    actions = {a for s in policy.values() for a in s["actions"]}
    assert {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= actions
    assert "secretsmanager:GetSecretValue" in actions
    assert not any(a.startswith(("ecs:", "iam:", "ec2:")) for a in actions)
    assert AWS.locals()["secret_arns"] == [
        "${aws_secretsmanager_secret.rawg_api_key.arn}",
        "${aws_secretsmanager_secret.prefect_api_key.arn}",
        "${aws_secretsmanager_secret.snowflake_password.arn}",
    ]
    role = RESOURCES[("aws_iam_role_policy", "flow_run")]
    assert role["role"] == "${aws_iam_role.flow_run.id}"


def test_our_three_secrets_are_read_by_flow_runs_and_injected_by_the_execution_role() -> None:
    assert _policy("flow_run")["ReadOurSecrets"]["resources"] == "${local.secret_arns}"
    assert _policy("execution")["InjectOurSecrets"]["resources"] == "${local.secret_arns}"
    secrets = {
        name: body
        for (rtype, name), body in RESOURCES.items()
        if rtype == "aws_secretsmanager_secret"
    }
    assert set(secrets) == {"rawg_api_key", "prefect_api_key", "snowflake_password"}
    for name, secret in secrets.items():
        # Every ARN in secret_arns, every secret encrypted with our key (which the two
        # statements' kms:Decrypt covers) and named after the variable it fills.
        assert f"${{aws_secretsmanager_secret.{name}.arn}}" in AWS.locals()["secret_arns"]
        assert secret["kms_key_id"] == "${aws_kms_key.pipeline.arn}", name
        assert secret["name"] == f"${{local.name}}/{name.upper()}", name


SNOWFLAKE_ROOT_VARIABLES = load_root("snowflake").named("variable")


@pytest.mark.parametrize(
    ("aws_variable", "snowflake_variable", "default"),
    [
        ("snowflake_role", "transformer_role_name", "TRANSFORMER"),
        ("snowflake_warehouse", "warehouse_name", "GAME_MARKET_WH"),
        ("snowflake_database", "database_name", "GAME_MARKET"),
    ],
)
def test_flow_run_snowflake_settings_default_to_the_names_of_infra_snowflake(
    aws_variable: str, snowflake_variable: str, default: str
) -> None:
    assert VARIABLES[aws_variable]["default"] == default
    assert SNOWFLAKE_ROOT_VARIABLES[snowflake_variable]["default"] == default
    # The same identifier rule on both sides.
    (ours,) = as_list(VARIABLES[aws_variable]["validation"])
    (theirs,) = as_list(SNOWFLAKE_ROOT_VARIABLES[snowflake_variable]["validation"])
    assert ours["condition"].replace(aws_variable, "X") == theirs["condition"].replace(
        snowflake_variable, "X"
    )


def test_flow_run_snowflake_account_and_user_are_required() -> None:
    for name in ("snowflake_account", "snowflake_dbt_user"):
        assert "default" not in VARIABLES[name], name
    # The dbt user is one of infra/snowflake's transformer_user_names: same name rule.
    (ours,) = as_list(VARIABLES["snowflake_dbt_user"]["validation"])
    (theirs,) = as_list(SNOWFLAKE_ROOT_VARIABLES["transformer_user_names"]["validation"])
    assert re.search(r'regex\("([^"]+)"', ours["condition"]).group(1) == re.search(
        r'regex\("([^"]+)"', theirs["condition"]
    ).group(1)
    example = (AWS.path / "terraform.tfvars.example").read_text()
    assert re.search(r'^snowflake_account\s*=\s*"[^"]+"', example, re.M)
    assert re.search(r'^snowflake_dbt_user\s*=\s*"[^"]+"', example, re.M)


def test_worker_role_has_what_the_prefect_ecs_worker_needs() -> None:
    policy = _policy("worker")
    actions = {a for s in policy.values() for a in s["actions"]}
    assert {
        "ecs:RegisterTaskDefinition",
        "ecs:DeregisterTaskDefinition",
        "ecs:RunTask",
        "ecs:StopTask",
        "ecs:DescribeTasks",
        "ecs:TagResource",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "iam:PassRole",
        "logs:GetLogEvents",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
    } <= actions
    # PassRole: exactly the two flow-run roles, and only to ECS tasks.
    pass_role = policy["PassFlowRunRoles"]
    assert set(pass_role["resources"]) == {
        "${aws_iam_role.flow_run.arn}",
        "${aws_iam_role.execution.arn}",
    }
    assert pass_role["condition"][0]["values"] == ["${local.ecs_tasks_service}"]
    assert policy["ConsumeEcsEventsQueue"]["resources"] == ["${aws_sqs_queue.ecs_events.arn}"]
    assert policy["RunTasksInOurCluster"]["condition"][0]["values"] == [
        "${aws_ecs_cluster.main.arn}"
    ]


def test_snowflake_role_trust_follows_the_phase_3_variables() -> None:
    locals_ = AWS.locals()
    assert "var.snowflake_storage_aws_iam_user_arn" in locals_["snowflake_principal"]
    assert "var.snowflake_storage_aws_external_id" in locals_["snowflake_external_id"]
    (trust,) = [s for doc, s in statements(AWS) if doc == "snowflake_trust"]
    assert trust["principals"][0]["identifiers"] == ["${local.snowflake_principal}"]
    assert trust["condition"][0] == {
        "test": "StringEquals",
        "variable": "sts:ExternalId",
        "values": ["${local.snowflake_external_id}"],
    }
    # Read-only, and only under raw/.
    policy = _policy("snowflake_access")
    actions = {a for s in policy.values() for a in s["actions"]}
    assert not any(a.startswith(("s3:Put", "s3:Delete")) for a in actions)
    assert policy["ReadRawObjects"]["resources"] == [
        "${aws_s3_bucket.lake.arn}/${local.lake_raw_prefix}*"
    ]
