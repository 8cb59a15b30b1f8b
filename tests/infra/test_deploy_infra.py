"""scripts/deploy_infra.sh against stub terraform and aws commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.stubs import (
    AWS_OUTPUTS,
    SNOWFLAKE_OUTPUTS,
    Stubs,
    make_stubs,
    restricted_path,
)

ROLE_ARN = AWS_OUTPUTS["snowflake_access_role_arn"]
BUCKET = AWS_OUTPUTS["lake_bucket_name"]
ROLE_NAME = AWS_OUTPUTS["snowflake_access_role_name"]
USER_ARN = SNOWFLAKE_OUTPUTS["storage_aws_iam_user_arn"]
EXTERNAL_ID = SNOWFLAKE_OUTPUTS["storage_aws_external_id"]

INIT = ["init", "-input=false", "-backend-config=backend.hcl"]
APPLY = ["apply", "-input=false", "-auto-approve", "-lock-timeout=60s"]
AWS_TF = ["terraform", "-chdir=infra/aws"]
SNOWFLAKE_TF = ["terraform", "-chdir=infra/snowflake"]
SNOWFLAKE_VARS = [f"-var=storage_aws_role_arn={ROLE_ARN}", f"-var=lake_bucket_name={BUCKET}"]
TRUST_VARS = [
    f"-var=snowflake_storage_aws_iam_user_arn={USER_ARN}",
    f"-var=snowflake_storage_aws_external_id={EXTERNAL_ID}",
]
GET_ROLE = [
    "aws",
    "iam",
    "get-role",
    "--role-name",
    ROLE_NAME,
    "--query",
    "Role.AssumeRolePolicyDocument",
    "--output",
    "json",
]

PHASE_1 = [
    [*SNOWFLAKE_TF, *INIT],
    [*SNOWFLAKE_TF, "output", "-json"],
    [*AWS_TF, *INIT],
    [*AWS_TF, *APPLY],
]
PHASE_2 = [
    [*AWS_TF, "output", "-json"],
    [*SNOWFLAKE_TF, *APPLY, "-target=snowflake_storage_integration.lake", *SNOWFLAKE_VARS],
]
PHASE_3 = [
    [*SNOWFLAKE_TF, "output", "-json"],
    [*AWS_TF, *APPLY, *TRUST_VARS],
    [*AWS_TF, "output", "-json"],
    GET_ROLE,
]
PHASE_4 = [
    [*AWS_TF, "output", "-json"],
    [*SNOWFLAKE_TF, *APPLY, *SNOWFLAKE_VARS],
]

STATE_CHANGING = {("terraform", "apply"), ("terraform", "init"), ("terraform", "destroy")}


@pytest.fixture
def stubs(tmp_path: Path) -> Stubs:
    return make_stubs(tmp_path)


def test_four_phases_in_order_with_outputs_handed_over(stubs: Stubs) -> None:
    result = stubs.run("deploy_infra.sh")
    assert result.returncode == 0, result.stderr
    assert stubs.calls() == [*PHASE_1, *PHASE_2, *PHASE_3, *PHASE_4]
    assert result.stdout.rstrip().endswith("deploy_infra: done")


def test_polls_until_the_trust_is_visible(stubs: Stubs) -> None:
    (stubs.dir / "trust_after").write_text("3")
    result = stubs.run("deploy_infra.sh", "--phase", "3")
    assert result.returncode == 1  # phase 3 alone: no phase-2 outputs yet
    assert "phase 3 failed" in result.stderr and "run phase 2 first" in result.stderr

    for phase in ("1", "2"):
        assert stubs.run("deploy_infra.sh", "--phase", phase).returncode == 0
    result = stubs.run("deploy_infra.sh", "--phase", "3")
    assert result.returncode == 0, result.stderr
    assert stubs.calls().count(GET_ROLE) == 3
    assert "is visible (check 3)" in result.stdout


def test_gives_up_polling_naming_phase_3(stubs: Stubs) -> None:
    (stubs.dir / "trust_after").write_text("99")
    result = stubs.run("deploy_infra.sh", env=stubs.env(DEPLOY_TRUST_POLL_ATTEMPTS="4"))
    assert result.returncode == 1
    assert stubs.calls().count(GET_ROLE) == 4
    assert "phase 3 failed" in result.stderr
    assert [*SNOWFLAKE_TF, *APPLY, *SNOWFLAKE_VARS] not in stubs.calls()


def test_failure_in_phase_2_stops_before_phase_3(stubs: Stubs) -> None:
    stubs.fail("snowflake-target", "Error: 390144 (08004): JWT token is invalid.")
    result = stubs.run("deploy_infra.sh")
    assert result.returncode == 1
    assert "deploy_infra: phase 2 failed" in result.stderr
    assert stubs.calls() == [*PHASE_1, *PHASE_2]


def test_single_phase(stubs: Stubs) -> None:
    stubs.run("deploy_infra.sh", "--phase", "1")
    first = len(stubs.calls())
    result = stubs.run("deploy_infra.sh", "--phase", "2")
    assert result.returncode == 0, result.stderr
    assert stubs.calls()[first:] == [
        [*AWS_TF, *INIT],
        PHASE_2[0],
        [*SNOWFLAKE_TF, *INIT],
        PHASE_2[1],
    ]


def test_rerun_keeps_the_trust_of_phase_3(stubs: Stubs) -> None:
    assert stubs.run("deploy_infra.sh").returncode == 0
    first = len(stubs.calls())
    result = stubs.run("deploy_infra.sh")
    assert result.returncode == 0, result.stderr
    again = stubs.calls()[first:]
    # Phase 1 of the second run re-applies the trust instead of resetting it to the placeholder.
    assert again[:4] == [*PHASE_1[:3], [*AWS_TF, *APPLY, *TRUST_VARS]]
    assert again[4:] == [*PHASE_2, *PHASE_3, *PHASE_4]
    assert "keeping its trust" in result.stdout


def test_dry_run_prints_every_command_and_runs_none(stubs: Stubs) -> None:
    result = stubs.run("deploy_infra.sh", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert not any((c[0], c[2]) in STATE_CHANGING for c in stubs.calls() if len(c) > 2)
    assert stubs.calls() == []
    printed = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert printed == [
        "+ terraform -chdir=infra/snowflake init -input=false -backend-config=backend.hcl",
        "+ terraform -chdir=infra/aws init -input=false -backend-config=backend.hcl",
        "+ terraform -chdir=infra/aws apply -input=false -auto-approve -lock-timeout=60s",
        "+ terraform -chdir=infra/snowflake apply -input=false -auto-approve -lock-timeout=60s"
        " -target=snowflake_storage_integration.lake"
        " -var=storage_aws_role_arn=<snowflake_access_role_arn of infra/aws>"
        " -var=lake_bucket_name=<lake_bucket_name of infra/aws>",
        "+ terraform -chdir=infra/aws apply -input=false -auto-approve -lock-timeout=60s"
        " -var=snowflake_storage_aws_iam_user_arn=<storage_aws_iam_user_arn of infra/snowflake>"
        " -var=snowflake_storage_aws_external_id=<storage_aws_external_id of infra/snowflake>",
        "+ aws iam get-role --role-name <snowflake_access_role_name of infra/aws>"
        " --query Role.AssumeRolePolicyDocument --output json"
        "  (until the trust names <storage_aws_iam_user_arn of infra/snowflake>)",
        "+ terraform -chdir=infra/snowflake apply -input=false -auto-approve -lock-timeout=60s"
        " -var=storage_aws_role_arn=<snowflake_access_role_arn of infra/aws>"
        " -var=lake_bucket_name=<lake_bucket_name of infra/aws>",
    ]


LOCK_ERROR = """
Error: Error acquiring the state lock

Error message: operation error DynamoDB: PutItem, ConditionalCheckFailedException
Lock Info:
  ID:        6a1f4c2e-1111-2222-3333-444455556666
  Path:      acme-tfstate/game-market/aws.tfstate
  Operation: OperationTypeApply
  Who:       ci@runner
"""


def test_lock_error_prints_force_unlock_guidance(stubs: Stubs) -> None:
    stubs.fail("aws", LOCK_ERROR)
    result = stubs.run("deploy_infra.sh")
    assert result.returncode == 1
    assert (
        "terraform -chdir=infra/aws force-unlock 6a1f4c2e-1111-2222-3333-444455556666"
        in result.stderr
    )
    assert "deploy_infra: phase 1 failed" in result.stderr
    assert stubs.calls() == PHASE_1


def test_other_apply_errors_name_the_phase_without_unlock_advice(stubs: Stubs) -> None:
    stubs.fail("aws", "Error: creating S3 Bucket (acme-game-lake): BucketAlreadyExists")
    result = stubs.run("deploy_infra.sh")
    assert result.returncode == 1
    assert "phase 1 failed: terraform apply in infra/aws exited with status 1" in result.stderr
    assert "force-unlock" not in result.stderr


def test_preflight_reports_every_missing_tool_and_variable(stubs: Stubs, tmp_path: Path) -> None:
    env = stubs.env(PATH=restricted_path(tmp_path, ["dirname", "grep"]))
    for name in (
        "TF_VAR_lake_bucket_name",
        "TF_VAR_snowflake_dbt_user",
        "SNOWFLAKE_USER",
        "SNOWFLAKE_PASSWORD",
    ):
        del env[name]
    (stubs.repo / "infra" / "snowflake" / "backend.hcl").unlink()
    result = stubs.run("deploy_infra.sh", env=env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines == [
        "deploy_infra: missing tool: terraform (not on PATH)",
        "deploy_infra: missing tool: aws (not on PATH)",
        "deploy_infra: missing tool: jq (not on PATH)",
        "deploy_infra: missing variable: lake_bucket_name"
        " (set TF_VAR_lake_bucket_name or add it to infra/aws/terraform.tfvars)",
        # The user dbt logs in as in the flow runs, not the provider's SNOWFLAKE_USER.
        "deploy_infra: missing variable: snowflake_dbt_user"
        " (set TF_VAR_snowflake_dbt_user or add it to infra/aws/terraform.tfvars)",
        "deploy_infra: missing variable: SNOWFLAKE_USER (Snowflake provider credentials)",
        "deploy_infra: missing variable: SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY"
        " (Snowflake provider credentials)",
        "deploy_infra: missing file: infra/snowflake/backend.hcl"
        " (copy infra/snowflake/backend.hcl.example; docs/cloud.md)",
        "deploy_infra: preflight failed: 8 prerequisite(s) missing, nothing was changed",
    ]
    assert stubs.calls() == []


def test_variables_may_come_from_terraform_tfvars(stubs: Stubs) -> None:
    env = stubs.env()
    for name in ("lake_bucket_name", "snowflake_account", "snowflake_dbt_user"):
        del env[f"TF_VAR_{name}"]
    (stubs.repo / "infra" / "aws" / "terraform.tfvars").write_text(
        'lake_bucket_name = "acme-game-lake"\n'
        'snowflake_account  = "ACME-GAMES"\n'
        'snowflake_dbt_user = "DBT_SERVICE_USER"\n'
    )
    assert stubs.run("deploy_infra.sh", "--dry-run", env=env).returncode == 0


def test_the_snowflake_account_of_the_flow_runs_is_required(stubs: Stubs) -> None:
    env = stubs.env()
    del env["TF_VAR_snowflake_account"]
    result = stubs.run("deploy_infra.sh", "--dry-run", env=env)
    assert result.returncode == 1
    assert (
        "deploy_infra: missing variable: snowflake_account"
        " (set TF_VAR_snowflake_account or add it to infra/aws/terraform.tfvars)"
    ) in result.stderr.splitlines()
    assert stubs.calls() == []


@pytest.mark.parametrize("args", [["--phase", "5"], ["--phase"], ["--bogus"]])
def test_bad_arguments_print_the_usage(stubs: Stubs, args: list[str]) -> None:
    result = stubs.run("deploy_infra.sh", *args)
    assert result.returncode == 2
    assert "usage: scripts/deploy_infra.sh" in result.stderr
    assert stubs.calls() == []
