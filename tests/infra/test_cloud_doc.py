"""The cloud guide (docs/cloud.md) gives the commands in the order they must run."""

from __future__ import annotations

from tests.support.hcl import REPO


def test_cloud_deployment_commands_in_order() -> None:
    section = (REPO / "docs" / "cloud.md").read_text()
    steps = [
        "aws dynamodb create-table",
        "cp infra/aws/backend.hcl.example infra/aws/backend.hcl",
        "scripts/deploy_infra.sh\n",
        "aws secretsmanager put-secret-value",
        # The third secret: dbt's Snowflake password, which the ECS flow runs need.
        "output -raw snowflake_password_secret_arn",
        "scripts/build_and_push.sh\n",
        "make cloud-pool",
        "set -a; . deployments/cloud.env; set +a",
        "prefect deploy --prefect-file prefect.yaml -n '*-ecs'",
        "prefect deployment run",
        "terraform -chdir=infra/snowflake destroy",
        "aws s3api delete-objects",
        "terraform -chdir=infra/aws destroy",
    ]
    positions = [section.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "rawg.io" in section
    assert "(docs/cloud.md)" in (REPO / "README.md").read_text()
