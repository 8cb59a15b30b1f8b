"""shellcheck over the operator scripts (CI installs shellcheck in .ci/run)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.hcl import REPO

SCRIPTS = sorted((REPO / "scripts").glob("*.sh"))


def test_there_are_scripts_to_check() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"deploy_infra.sh", "build_and_push.sh"} <= names
    for script in SCRIPTS:
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
        text = script.read_text()
        assert text.startswith("#!/usr/bin/env bash\n"), script.name
        assert "set -euo pipefail" in text, script.name
        assert "usage:" in text, script.name


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shellcheck_is_clean(script) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        if os.environ.get("CI"):
            pytest.fail("shellcheck is missing in CI: .ci/run installs it")
        pytest.skip("shellcheck is not installed (apt-get install shellcheck); CI installs it")
    result = subprocess.run(
        [shellcheck, "--severity=style", str(script)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
