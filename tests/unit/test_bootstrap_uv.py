"""scripts/bootstrap_uv.py without the network: which wheel, which hash, which binary, which pin.

tests/integration/test_bootstrap_uv.py runs it for real, from `make env` on a fresh-Debian PATH.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.support.bootstrap_uv import bootstrap_uv as bootstrap
from tests.support.dockerfile import REPO

V = bootstrap.UV_VERSION
# The platform tags uv 0.13.9 publishes on PyPI, as they appear in its wheels' file names.
PLATFORM_TAGS = (
    "linux_armv6l",
    "macosx_10_12_x86_64",
    "macosx_11_0_arm64",
    "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
    "manylinux_2_17_armv7l.manylinux2014_armv7l",
    "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_2_28_aarch64",
    "musllinux_1_1_x86_64",
    "win_amd64",
)
WHEELS = [
    bootstrap.Wheel(f"uv-{V}-py3-none-{tags}.whl", f"https://files.example/{tags}.whl", "0" * 64)
    for tags in PLATFORM_TAGS
] + [bootstrap.Wheel(f"uv-{V}.tar.gz", "https://files.example/sdist", "0" * 64)]


def host(system: str, machine: str, libc: str, *libc_version: int):
    return bootstrap.Host(system, machine, libc, tuple(libc_version))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (host("linux", "x86_64", "glibc", 2, 36), "manylinux_2_17_x86_64.manylinux2014_x86_64"),
        (host("linux", "aarch64", "glibc", 2, 39), "manylinux_2_28_aarch64"),
        (host("linux", "aarch64", "glibc", 2, 27), "manylinux_2_17_aarch64.manylinux2014_aa"),
        (host("linux", "aarch64", "musl", 1, 1), "manylinux_2_17_aarch64.manylinux2014_aa"),
        (host("linux", "x86_64", "musl", 1, 1), "musllinux_1_1_x86_64"),
        (host("linux", "armv7l", "glibc", 2, 31), "manylinux_2_17_armv7l"),
        (host("linux", "armv6l", "glibc", 2, 31), "linux_armv6l"),
        (host("darwin", "arm64", "macOS", 14, 5), "macosx_11_0_arm64"),
        (host("darwin", "x86_64", "macOS", 13, 0), "macosx_10_12_x86_64"),
    ],
    ids=lambda value: value if isinstance(value, str) else f"{value.machine}-{value.libc}",
)
def test_picks_the_wheel_this_platform_runs(target, expected: str) -> None:
    assert bootstrap.pick_wheel(WHEELS, target).filename.startswith(f"uv-{V}-py3-none-{expected}")


@pytest.mark.parametrize(
    "target",
    [
        host("linux", "x86_64", "glibc", 2, 12),  # older than manylinux2014
        host("darwin", "x86_64", "macOS", 10, 9),
        host("linux", "riscv64", "glibc", 2, 36),
        host("freebsd", "amd64", "", 14, 0),
    ],
)
def test_no_fitting_wheel_is_said_plainly(target) -> None:
    with pytest.raises(bootstrap.BootstrapError, match=rf"no uv {V} wheel for {target.system}"):
        bootstrap.pick_wheel(WHEELS, target)


def test_other_uv_versions_are_never_picked() -> None:
    old = bootstrap.Wheel("uv-0.1.0-py3-none-manylinux_2_17_x86_64.whl", "https://x/old", "0")
    with pytest.raises(bootstrap.BootstrapError):
        bootstrap.pick_wheel([old], host("linux", "x86_64", "glibc", 2, 36))


def test_reads_json_and_html_simple_pages_alike() -> None:
    page = "https://mirror.example/simple/uv/"
    name = f"uv-{V}-py3-none-musllinux_1_1_x86_64.whl"
    digest = "ab" * 32
    as_json = json.dumps(
        {"files": [{"filename": name, "url": f"../../files/{name}", "hashes": {"sha256": digest}}]}
    ).encode()
    as_html = f'<a href="../../files/{name}#sha256={digest}">{name}</a><a href="x.whl">x</a>'
    expected = [bootstrap.Wheel(name, f"https://mirror.example/files/{name}", digest)]
    assert bootstrap.parse_listing(as_json, "application/vnd.pypi.simple.v1+json", page) == expected
    assert bootstrap.parse_listing(as_html.encode(), "text/html", page) == expected


def test_index_credentials_become_a_header_and_leave_the_url() -> None:
    index = bootstrap.parse_index("https://me%40corp:s3cret@mirror.example:8443/simple/")
    assert index.url == "https://mirror.example:8443/simple"
    assert index.headers["Authorization"] == "Basic bWVAY29ycDpzM2NyZXQ="  # me@corp:s3cret
    assert bootstrap.parse_index("https://pypi.org/simple") == ("https://pypi.org/simple", {})


def test_a_wheel_whose_hash_differs_from_the_index_is_refused() -> None:
    wheel = bootstrap.Wheel(f"uv-{V}-py3-none-linux_armv6l.whl", "https://x/w", "0" * 64)
    with pytest.raises(bootstrap.BootstrapError, match="the index says 0000"):
        bootstrap.verified(b"tampered", wheel)
    good = wheel._replace(sha256=hashlib.sha256(b"intact").hexdigest())
    assert bootstrap.verified(b"intact", good) == b"intact"


def wheel_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_extracts_the_uv_binary_executable(tmp_path: Path) -> None:
    data = wheel_zip(
        {
            f"uv-{V}.data/scripts/uvx": b"uvx",
            f"uv-{V}.data/scripts/uv": b"\x7fELF uv",
            "uv/__init__.py": b"",
        }
    )
    dest = tmp_path / ".tools" / "uv"
    bootstrap.extract_uv(data, dest)
    assert dest.read_bytes() == b"\x7fELF uv"
    assert dest.stat().st_mode & 0o111
    assert sorted(p.name for p in dest.parent.iterdir()) == ["uv"]


def test_a_wheel_without_the_binary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(bootstrap.BootstrapError, match="holds no uv binary"):
        bootstrap.extract_uv(wheel_zip({"uv/__init__.py": b""}), tmp_path / "uv")


def test_the_pin_is_the_uv_of_the_image_and_the_docs() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(rf"ghcr\.io/astral-sh/uv:{re.escape(V)}\b", dockerfile), (
        f"scripts/bootstrap_uv.py pins uv {V}, the Dockerfile another: keep them equal"
    )
    assert f"fetches uv {V} " in (REPO / "docs" / "development.md").read_text()
