"""Stub `terraform`, `aws`, `docker` and `git` commands for the operator-script tests.

Each stub appends its argv to a JSON-lines log and answers from files in the stub folder:
  state/<root>.json     what `terraform output -json` prints (a root's applied outputs)
  canned/<root>.json    the outputs a successful `terraform apply` of that root produces
  fail/<root>[-target]  make `terraform apply` (with -target) print this file and exit 1
  trust_after           `aws iam get-role` shows the phase-3 trust from this call on
  git_status            what `git status --porcelain` prints
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.hcl import REPO

STUB = r"""
import json, os, shutil, sys
from pathlib import Path

stub = Path(os.environ["STUB_DIR"])
name = Path(sys.argv[0]).name
args = sys.argv[1:]
with open(stub / "calls.jsonl", "a") as log:
    log.write(json.dumps({"cmd": name, "args": args}) + "\n")

def read(path, default=""):
    return path.read_text() if path.exists() else default

if name == "terraform":
    root = Path(args[0].split("=", 1)[1]).name
    sub = args[1]
    if sub == "output":
        print(read(stub / "state" / f"{root}.json", "{}"))
    elif sub == "apply":
        key = root + ("-target" if any(a.startswith("-target=") for a in args) else "")
        if (stub / "fail" / key).exists():
            print((stub / "fail" / key).read_text(), file=sys.stderr)
            sys.exit(1)
        canned = stub / "canned" / f"{root}.json"
        if canned.exists():
            shutil.copy(canned, stub / "state" / f"{root}.json")
        print("Apply complete!")
    elif sub == "init":
        print("Terraform has been successfully initialized!")
elif name == "aws":
    if args[:2] == ["iam", "get-role"]:
        counter = stub / "get_role_calls"
        calls = int(read(counter, "0")) + 1
        counter.write_text(str(calls))
        snowflake = json.loads(read(stub / "canned" / "snowflake.json", "{}"))
        if calls >= int(read(stub / "trust_after", "1")):
            user = snowflake["storage_aws_iam_user_arn"]["value"]
            external_id = snowflake["storage_aws_external_id"]["value"]
        else:
            user = "arn:aws:iam::123456789012:root"
            external_id = "pending-snowflake-storage-integration"
        print(json.dumps({"Statement": [{"Principal": {"AWS": user},
              "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}))
    elif args[:2] == ["ecr", "get-login-password"]:
        print("stub-ecr-password")
elif name == "docker":
    if args[:1] == ["login"]:
        sys.stdin.read()
        print("Login Succeeded")
elif name == "git":
    if "rev-parse" in args:
        print("0123456789ab")
    elif "status" in args:
        print(read(stub / "git_status"), end="")
"""

AWS_OUTPUTS = {
    "aws_region": "eu-west-1",
    "lake_bucket_name": "acme-game-lake",
    "lake_url": "s3://acme-game-lake",
    "ecr_repository_url": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/game-market-prod",
    "ecs_cluster_name": "game-market-prod",
    "vpc_id": "vpc-0abc1234def567890",
    "subnet_ids": ["subnet-0aaa1111bbbb22223", "subnet-0ccc3333dddd44445"],
    "security_group_id": "sg-0123456789abcdef0",
    "flow_run_task_role_arn": "arn:aws:iam::123456789012:role/game-market-prod-flow-run",
    "execution_role_arn": "arn:aws:iam::123456789012:role/game-market-prod-execution",
    "log_group_name": "/ecs/game-market-prod",
    "flow_log_stream_prefix": "flow-runs",
    "flow_container_name": "prefect",
    "rawg_api_key_secret_arn": (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:game-market-prod/RAWG_API_KEY-AbCdEf"
    ),
    "prefect_api_key_secret_arn": (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:game-market-prod/PREFECT_API_KEY-GhIjKl"
    ),
    "snowflake_password_secret_arn": (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:game-market-prod/SNOWFLAKE_PASSWORD-MnOpQr"
    ),
    "snowflake_account": "ACME-GAMES",
    "snowflake_dbt_user": "DBT_SERVICE_USER",
    "snowflake_role": "TRANSFORMER",
    "snowflake_warehouse": "GAME_MARKET_WH",
    "snowflake_database": "GAME_MARKET",
    "snowflake_access_role_arn": "arn:aws:iam::123456789012:role/game-market-prod-snowflake-access",
    "snowflake_access_role_name": "game-market-prod-snowflake-access",
}
SNOWFLAKE_OUTPUTS = {
    "storage_aws_iam_user_arn": "arn:aws:iam::987654321098:user/abcd0000-s",
    "storage_aws_external_id": "GM12345_SFCRole=2_kJ8cVq3mZ1wXyT0pQ=",
}


def as_outputs(values: dict[str, object]) -> str:
    return json.dumps({k: {"value": v, "sensitive": False} for k, v in values.items()})


@dataclass
class Stubs:
    """A copy of the repository's scripts beside stub commands, and a way to run them."""

    repo: Path
    dir: Path
    bin: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.dir),
            "STUB_DIR": str(self.dir),
            "TF_VAR_aws_region": "eu-west-1",
            "TF_VAR_lake_bucket_name": "acme-game-lake",
            "TF_VAR_prefect_api_url": "https://api.prefect.cloud/api/accounts/a/workspaces/w",
            "TF_VAR_snowflake_account": "ACME-GAMES",
            "TF_VAR_snowflake_dbt_user": "DBT_SERVICE_USER",
            "SNOWFLAKE_ORGANIZATION_NAME": "ACME",
            "SNOWFLAKE_ACCOUNT_NAME": "GAMES",
            "SNOWFLAKE_USER": "TERRAFORM",
            "SNOWFLAKE_PASSWORD": "not-a-real-password",
            "DEPLOY_TRUST_POLL_SECONDS": "0",
        }
        env.update(extra)
        return env

    def run(
        self, script: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        bash = shutil.which("bash")
        assert bash
        return subprocess.run(
            [bash, str(self.repo / "scripts" / script), *args],
            env=env if env is not None else self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def calls(self) -> list[list[str]]:
        """Every stub call, as `cmd args...` with -chdir=<path> shortened to the root name."""
        log = self.dir / "calls.jsonl"
        if not log.exists():
            return []
        calls = []
        for line in log.read_text().splitlines():
            call = json.loads(line)
            args = [
                f"-chdir={Path(a.split('=', 1)[1]).relative_to(self.repo)}"
                if a.startswith("-chdir=")
                else a
                for a in call["args"]
            ]
            calls.append([call["cmd"], *args])
        return calls

    def fail(self, key: str, message: str) -> None:
        (self.dir / "fail" / key).write_text(message)


def make_stubs(tmp_path: Path) -> Stubs:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for script in ("deploy_infra.sh", "build_and_push.sh"):
        shutil.copy(REPO / "scripts" / script, repo / "scripts" / script)
    for root in ("aws", "snowflake"):
        (repo / "infra" / root).mkdir(parents=True)
        (repo / "infra" / root / "backend.hcl").write_text('bucket = "acme-tfstate"\n')
    (repo / "deployments").mkdir()
    shutil.copy(REPO / "deployments" / "cloud-env.keys", repo / "deployments" / "cloud-env.keys")

    stub_dir = tmp_path / "stub"
    bin_dir = stub_dir / "bin"
    for folder in ("state", "canned", "fail", "bin"):
        (stub_dir / folder).mkdir(parents=True)
    (stub_dir / "canned" / "aws.json").write_text(as_outputs(AWS_OUTPUTS))
    (stub_dir / "canned" / "snowflake.json").write_text(as_outputs(SNOWFLAKE_OUTPUTS))
    for name in ("terraform", "aws", "docker", "git"):
        path = bin_dir / name
        path.write_text(f"#!{sys.executable}\n{STUB}")
        path.chmod(0o755)
    return Stubs(repo=repo, dir=stub_dir, bin=bin_dir)


def restricted_path(tmp_path: Path, tools: list[str]) -> str:
    """A PATH holding only `tools` (symlinks to the real ones)."""
    folder = tmp_path / "restricted-bin"
    folder.mkdir()
    for tool in tools:
        real = shutil.which(tool)
        assert real, tool
        (folder / tool).symlink_to(real)
    return str(folder)
