#!/usr/bin/env python3
"""Put a pinned uv at DEST using the Python standard library alone.

usage: python3 scripts/bootstrap_uv.py DEST

The Makefile runs it when no uv is on PATH. It never calls pip: on Debian 12 and Ubuntu 24.04
the system python3 refuses `pip install` (PEP 668) and often has neither pip nor venv. It reads
the package index's simple API (PEP 691 JSON, or PEP 503 HTML from a mirror), picks the uv
wheel for this platform, checks its sha256 against the index, and extracts the `uv` binary.

The index is UV_BOOTSTRAP_INDEX, else PIP_INDEX_URL, else PyPI; credentials in its URL are
sent as basic auth and never printed. HTTPS proxies come from the usual https_proxy variable.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import platform
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import NamedTuple

# The Dockerfile's uv, which writes uv.lock; tests/unit/test_bootstrap_uv.py keeps them equal.
UV_VERSION = "0.13.9"
USAGE = "usage: python3 scripts/bootstrap_uv.py DEST"
DEFAULT_INDEX = "https://pypi.org/simple"
INSTALL_UV = "install uv (https://docs.astral.sh/uv/getting-started/installation/)"
ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
# manylinux2014 and its predecessors name a glibc version by year (PEP 599, PEP 600).
LEGACY_MANYLINUX = {"manylinux2014": (2, 17), "manylinux2010": (2, 12), "manylinux1": (2, 5)}


class BootstrapError(Exception):
    """Why no uv could be put in place; the message is the first half of one sentence."""


class Wheel(NamedTuple):
    filename: str
    url: str
    sha256: str


class Host(NamedTuple):
    """What decides which wheel runs here: 'linux' or 'darwin', the CPU, the C library."""

    system: str
    machine: str
    libc: str
    libc_version: tuple[int, ...]


class Index(NamedTuple):
    """The index URL without credentials (safe to print) and its Authorization header."""

    url: str
    headers: dict[str, str]


def parse_index(raw: str) -> Index:
    parts = urllib.parse.urlsplit(raw.rstrip("/"))
    if not parts.username:
        return Index(parts.geturl(), {})
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return Index(parts._replace(netloc=netloc).geturl(), {"Authorization": f"Basic {token}"})


def this_host() -> Host:
    system, machine = platform.system().lower(), platform.machine().lower()
    if system == "darwin":
        return Host(system, machine, "macOS", version(platform.mac_ver()[0]))
    libc, release = platform.libc_ver()
    if system == "linux" and libc != "glibc":
        # The standard library cannot read musl's version; uv's oldest musllinux tag is 1.1.
        libc, release = "musl", "1.1"
    return Host(system, machine, libc, version(release))


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def requirement(tag: str, host: Host) -> tuple[int, ...] | None:
    """The libc or macOS version a platform tag needs, or None if it cannot run on host."""
    if host.system == "darwin":
        match = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", tag)
        if match and match[3] in (host.machine, "universal2"):
            return (int(match[1]), int(match[2]))
        return None
    if host.system != "linux":
        return None
    if tag == f"linux_{host.machine}":
        return (0,)
    family = "musllinux" if host.libc == "musl" else "manylinux"
    match = re.fullmatch(rf"{family}_(\d+)_(\d+)_{host.machine}", tag)
    if match:
        return (int(match[1]), int(match[2]))
    legacy, _, arch = tag.partition("_")
    if host.libc == "glibc" and legacy in LEGACY_MANYLINUX and arch == host.machine:
        return LEGACY_MANYLINUX[legacy]
    return None


def pick_wheel(wheels: list[Wheel], host: Host) -> Wheel:
    """The wheel built for the newest libc (or macOS) this host has, as pip would choose."""
    candidates = []
    for wheel in wheels:
        stem = wheel.filename.removesuffix(".whl")
        if not stem.startswith(f"uv-{UV_VERSION}-") or stem == wheel.filename:
            continue
        needs = [requirement(tag, host) for tag in stem.rsplit("-", 1)[-1].split(".")]
        fitting = [need for need in needs if need is not None and need <= host.libc_version]
        if fitting:
            candidates.append((max(fitting), wheel))
    if not candidates:
        raise BootstrapError(
            f"the index has no uv {UV_VERSION} wheel for {host.system} {host.machine} with "
            f"{host.libc} {'.'.join(map(str, host.libc_version))}"
        )
    return max(candidates, key=lambda candidate: candidate[0])[1]


def parse_listing(body: bytes, content_type: str, page_url: str) -> list[Wheel]:
    """Files of a simple-API project page, JSON (PEP 691) or HTML (PEP 503)."""
    if "json" in content_type:
        files = json.loads(body)["files"]
        return [
            Wheel(f["filename"], urllib.parse.urljoin(page_url, f["url"]), f["hashes"]["sha256"])
            for f in files
            if "sha256" in f.get("hashes", {})
        ]
    wheels = []
    for href in re.findall(r'href="([^"]+)"', body.decode()):
        url, _, fragment = html.unescape(href).partition("#sha256=")
        filename = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        if fragment:
            wheels.append(Wheel(filename, urllib.parse.urljoin(page_url, url), fragment[:64]))
    return wheels


def fetch(url: str, index: Index, accept: str = "*/*") -> tuple[bytes, str]:
    # Credentials go only to the index's own host, not to a CDN it links to.
    same_host = urllib.parse.urlsplit(url).netloc == urllib.parse.urlsplit(index.url).netloc
    headers = {"Accept": accept, **(index.headers if same_host else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
            return r.read(), r.headers.get("Content-Type", "")
    except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
        raise BootstrapError(
            f"{url} could not be read ({getattr(error, 'reason', error)})"
        ) from None


def verified(data: bytes, wheel: Wheel) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != wheel.sha256:
        raise BootstrapError(f"{wheel.filename} has sha256 {digest}, the index says {wheel.sha256}")
    return data


def extract_uv(wheel_data: bytes, dest: Path) -> None:
    """Write the wheel's uv binary to dest atomically, executable."""
    with zipfile.ZipFile(io.BytesIO(wheel_data)) as wheel:
        names = [n for n in wheel.namelist() if re.fullmatch(r"uv-[^/]+\.data/scripts/uv", n)]
        if not names:
            raise BootstrapError("the uv wheel holds no uv binary")
        binary = wheel.read(names[0])
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    os.replace(partial, dest)


def reported_version(uv: Path) -> str:
    try:
        result = subprocess.run([str(uv), "--version"], capture_output=True, text=True)
    except OSError:
        return ""
    return result.stdout.strip()


def bootstrap(dest: Path, index: Index) -> None:
    page_url = f"{index.url}/uv/"
    body, content_type = fetch(page_url, index, ACCEPT)
    try:
        wheels = parse_listing(body, content_type, page_url)
    except (ValueError, KeyError, TypeError) as error:
        raise BootstrapError(f"{page_url} is not a simple-API project page ({error})") from None
    wheel = pick_wheel(wheels, this_host())
    data, _ = fetch(wheel.url, index)
    extract_uv(verified(data, wheel), dest)
    if not reported_version(dest).startswith(f"uv {UV_VERSION}"):
        dest.unlink()
        raise BootstrapError(f"the extracted {dest} does not run here")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(USAGE, file=sys.stderr)
        return 2
    dest = Path(argv[1])
    if reported_version(dest).startswith(f"uv {UV_VERSION}"):
        return 0
    index = parse_index(
        os.environ.get("UV_BOOTSTRAP_INDEX") or os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX
    )
    print(f"No uv on PATH: fetching uv {UV_VERSION} from {index.url} into {dest}", file=sys.stderr)
    try:
        bootstrap(dest, index)
    except BootstrapError as error:
        print(
            f"Could not get uv {UV_VERSION}: {error}; {INSTALL_UV}, or set UV_BOOTSTRAP_INDEX "
            "to a reachable package index, and run make again.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
