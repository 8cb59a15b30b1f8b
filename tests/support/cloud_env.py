"""deployments/cloud.env as scripts/build_and_push.sh writes it for the stub cloud's outputs."""

from __future__ import annotations

from tests.support.stubs import AWS_OUTPUTS

REPOSITORY = AWS_OUTPUTS["ecr_repository_url"]
REGISTRY = REPOSITORY.split("/")[0]
SHA = "0123456789ab"

EXPECTED_ENV = {
    "GMP_IMAGE_URI": f"{REPOSITORY}:{SHA}",
    "GMP_AWS_REGION": "eu-west-1",
    "GMP_ECS_CLUSTER": "game-market-prod",
    "GMP_VPC_ID": "vpc-0abc1234def567890",
    "GMP_SUBNET_IDS": "subnet-0aaa1111bbbb22223,subnet-0ccc3333dddd44445",
    "GMP_SECURITY_GROUP_ID": "sg-0123456789abcdef0",
    "GMP_TASK_ROLE_ARN": AWS_OUTPUTS["flow_run_task_role_arn"],
    "GMP_EXECUTION_ROLE_ARN": AWS_OUTPUTS["execution_role_arn"],
    "GMP_LOG_GROUP": "/ecs/game-market-prod",
    "GMP_LOG_STREAM_PREFIX": "flow-runs",
    "GMP_CONTAINER_NAME": "prefect",
    "GMP_LAKE_URL": "s3://acme-game-lake",
    "GMP_RAWG_SECRET_ARN": AWS_OUTPUTS["rawg_api_key_secret_arn"],
    "GMP_PREFECT_SECRET_ARN": AWS_OUTPUTS["prefect_api_key_secret_arn"],
    "GMP_SNOWFLAKE_ACCOUNT": "ACME-GAMES",
    "GMP_SNOWFLAKE_USER": "DBT_SERVICE_USER",
    "GMP_SNOWFLAKE_ROLE": "TRANSFORMER",
    "GMP_SNOWFLAKE_WAREHOUSE": "GAME_MARKET_WH",
    "GMP_SNOWFLAKE_DATABASE": "GAME_MARKET",
    "GMP_SNOWFLAKE_SECRET_ARN": AWS_OUTPUTS["snowflake_password_secret_arn"],
}
