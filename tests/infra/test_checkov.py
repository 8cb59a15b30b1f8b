"""checkov (from its own pinned environment, tools/checkov) and terraform fmt over infra/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.support.hcl import INFRA, REPO


def _uv() -> list[str]:
    """uv as the Makefile finds it: on the PATH, else the copy it bootstrapped into .tools/."""
    uv = shutil.which("uv")
    if uv:
        return [uv]
    return [str(REPO / ".tools" / "uv")]


def test_checkov_finds_no_failed_check() -> None:
    # --skip-download: no call to the vendor's platform (the network is closed here). JSON
    # output without --quiet, so that the skipped checks and their reasons are listed too.
    command = [
        *_uv(),
        "run",
        "--frozen",
        "--project",
        "tools/checkov",
        "checkov",
        "-d",
        "infra",
        "--compact",
        "--skip-download",
        "--output",
        "json",
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=540)
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for r in reports
        for c in r["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    assert sum(r["summary"]["passed"] for r in reports) > 100
    for r in reports:
        for check in r["results"]["skipped_checks"]:
            reason = check["check_result"].get("suppress_comment") or ""
            assert len(reason.strip()) > 20, f"{check['check_id']} skipped without a reason"
    assert result.returncode == 0, result.stderr[-3000:]


def test_every_checkov_skip_sits_in_its_resource_with_a_reason() -> None:
    for path in INFRA.rglob("*.tf"):
        for line in path.read_text().splitlines():
            if "checkov:skip" in line:
                assert re.fullmatch(r"\s+# checkov:skip=CKV2?_AWS_\d+: .{20,}", line), (
                    f"{path.name}: {line.strip()}"
                )


def test_terraform_files_are_formatted() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no terraform binary on the PATH: `terraform fmt -check` needs one")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "infra"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout
