"""`make cloud-pool` against a temporary Prefect server: the ECS pool with our defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.cloud_env import EXPECTED_ENV
from tests.support.hcl import REPO

SUBNETS = EXPECTED_ENV["GMP_SUBNET_IDS"].split(",")


def test_make_cloud_pool_creates_the_pool_with_our_defaults(tmp_path: Path) -> None:
    """`make cloud-pool` against a temporary Prefect server, then read the pool back."""
    env_file = tmp_path / "cloud.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in EXPECTED_ENV.items()))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GMP_"))},
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # The temporary server `prefect work-pool create` starts: 20 s is not enough on a
        # busy 2-core machine (as the harnesses of the integration tests allow 60 s).
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    make = subprocess.run(
        [
            "make",
            "-C",
            str(REPO),
            "cloud-pool",
            f"CLOUD_ENV={env_file}",
            f"ECS_TEMPLATE={tmp_path / 'rendered.json'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert make.returncode == 0, make.stdout[-3000:] + make.stderr[-3000:]
    inspect = subprocess.run(
        [sys.executable, "-m", "prefect", "work-pool", "inspect", "ecs", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert inspect.returncode == 0, inspect.stderr[-3000:]
    pool = json.loads(inspect.stdout[inspect.stdout.index("{") :])
    assert pool["type"] == "ecs"
    properties = pool["base_job_template"]["variables"]["properties"]
    assert properties["cluster"]["default"] == EXPECTED_ENV["GMP_ECS_CLUSTER"]
    assert properties["network_configuration"]["default"]["subnets"] == SUBNETS
    assert properties["image"]["default"] == EXPECTED_ENV["GMP_IMAGE_URI"]
