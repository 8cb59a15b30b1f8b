"""`make env` on a fresh Debian: no uv on PATH and a system python3 that refuses pip (PEP 668).

Each test runs the Makefile in a scratch project (the real Makefile and bootstrap script, a
project with no dependencies, so `uv sync` needs no download) with a PATH of symlinks to a few
system tools and Debian's /usr/bin/python3 only: nothing from pyenv, ~/.local or .venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.bootstrap_uv import SCRIPT, bootstrap_uv

REPO = SCRIPT.parents[1]
VERSION = bootstrap_uv.UV_VERSION
SYSTEM_PYTHON = Path("/usr/bin/python3")
# What `make env` runs besides python3 and uv (SHELL is /usr/bin/env bash).
TOOLS = ("bash", "env", "make", "touch")
# How this machine reaches the package index; a fresh machine has the same settings.
NETWORK = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
NETWORK += ("SSL_CERT_FILE", "SSL_CERT_DIR")
PYPROJECT = (
    '[project]\nname = "probe"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n'
)
LOCK = (
    'version = 1\nrevision = 5\nrequires-python = ">=3.11"\n\n'
    '[[package]]\nname = "probe"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
)
FIX = (
    "; install uv (https://docs.astral.sh/uv/getting-started/installation/), or set "
    "UV_BOOTSTRAP_INDEX to a reachable package index, and run make again."
)


def externally_managed(python: Path) -> bool:
    if not python.exists():
        return False
    stdlib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return (Path(stdlib) / "EXTERNALLY-MANAGED").exists()


@pytest.fixture
def fresh_debian(tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh Debian shell: system tools and python3, no uv anywhere."""
    if not externally_managed(SYSTEM_PYTHON):
        reason = f"{SYSTEM_PYTHON} is not an externally managed (PEP 668) python"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI runs on Debian 12, whose python3 is")
        pytest.skip(reason)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool, path="/usr/bin:/bin")
        assert found, f"{tool} is not installed in /usr/bin or /bin"
        (bin_dir / tool).symlink_to(found)
    (bin_dir / "python3").symlink_to(SYSTEM_PYTHON)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": str(bin_dir), "HOME": str(home), "LANG": "C.UTF-8"}
    env.update({name: os.environ[name] for name in NETWORK if name in os.environ})
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "Makefile", root / "Makefile")
    shutil.copy2(SCRIPT, root / "scripts" / SCRIPT.name)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "uv.lock").write_text(LOCK)
    return root


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def make_env(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(["make", "--no-print-directory", "env"], project, env)


def test_the_path_reproduces_a_fresh_debian(project: Path, fresh_debian: dict[str, str]) -> None:
    assert run(["bash", "-c", "command -v uv"], project, fresh_debian).returncode == 1
    # What the Makefile did before the bootstrap; --dry-run --no-index so it can change nothing.
    pip = run(
        ["python3", "-m", "pip", "install", "--dry-run", "--no-index", "uv"], project, fresh_debian
    )
    assert pip.returncode != 0
    assert "externally-managed-environment" in pip.stderr or "No module named pip" in pip.stderr, (
        pip.stderr
    )


def test_make_env_bootstraps_uv_and_syncs_with_the_system_python(
    project: Path, fresh_debian: dict[str, str]
) -> None:
    first = make_env(project, fresh_debian)
    assert first.returncode == 0, first.stderr
    assert f"No uv on PATH: fetching uv {VERSION} from https://pypi.org/simple" in first.stderr

    uv = project / ".tools" / "uv"
    version = run([str(uv), "--version"], project, fresh_debian)
    assert version.stdout.startswith(f"uv {VERSION} "), version.stdout + version.stderr
    venv_python = project / ".venv" / "bin" / "python"
    assert venv_python.resolve() == SYSTEM_PYTHON.resolve(), "the venv is not on Debian's python"
    assert (project / ".venv" / ".synced").exists()

    again = make_env(project, fresh_debian)
    assert again.returncode == 0, again.stderr
    assert "fetching" not in again.stderr, "the private uv was fetched twice"


def test_an_unreachable_index_stops_with_the_fix(
    project: Path, fresh_debian: dict[str, str]
) -> None:
    env = {**fresh_debian, "UV_BOOTSTRAP_INDEX": "http://mirror-user:s3cret@127.0.0.1:9/simple"}
    result = make_env(project, env)
    assert result.returncode != 0
    sentence = next(line for line in result.stderr.splitlines() if line.startswith("Could not"))
    assert sentence.startswith(
        f"Could not get uv {VERSION}: http://127.0.0.1:9/simple/uv/ could not be read ("
    )
    assert sentence.endswith(FIX), sentence
    assert "s3cret" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / ".tools" / "uv").exists()
    assert not (project / ".venv").exists()
