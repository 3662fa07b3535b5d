"""The built wheel: what it holds, that it coexists with Kopo Kopo's package, and that its sandbox runs."""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once, as pip would for a user."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (built,) = out.glob("k2connect_sdk-*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    """Every package is typed (py.typed), the spec ships inside the sandbox, the console scripts exist."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("k2connect_client", "k2connect_ext", "k2connect_sandbox", "k2connect_cli"):
        assert f"{package}/__init__.py" in names
    for package in ("k2connect_client", "k2connect_ext", "k2connect_sandbox"):
        assert f"{package}/py.typed" in names
    assert "k2connect_sandbox/spec/k2connect.yaml" in names
    assert "k2connect_sandbox/control-api.yaml" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert re.search(r"^k2connect-sandbox = ", text, re.M) and re.search(r"^k2connect = ", text, re.M)


def test_installs_beside_the_official_sdk(wheel: Path) -> None:
    """No name clashes with Kopo Kopo's `k2-connect` / `k2connect` package; runtime deps are lean."""
    archive = zipfile.ZipFile(wheel)
    metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
    normalized = re.sub(r"[-_.]+", "-", metadata["Name"]).lower()
    assert normalized not in {"k2-connect", "k2connect"}
    top_level = {name.split("/", 1)[0] for name in archive.namelist() if "/" in name}
    assert "k2connect" not in top_level
    runtime = [req for req in metadata.get_all("Requires-Dist") or [] if "extra ==" not in req]
    # httpcore and h11 come with httpx anyway; they are declared for the bounds the SDK's seams need.
    names = sorted(re.split(r"[<>=;\s]", req, maxsplit=1)[0] for req in runtime)
    assert names == ["attrs", "h11", "httpcore", "httpx"]


@pytest.fixture
def unpacked(wheel: Path, tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    yield target


def test_installed_sandbox_starts_and_answers_health(unpacked: Path, tmp_path: Path) -> None:
    """The sandbox from the wheel (not the source tree) starts, finds its bundled spec, and is healthy."""
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import k2connect_sandbox, k2connect_sandbox.spec as s; print(k2connect_sandbox.__file__)",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().startswith(str(unpacked))
    process = subprocess.Popen(
        [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--log-level", "warning"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else None
        assert url, "the sandbox printed no URL"
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{url}/sandbox/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200
        token = httpx.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client-id",
                "client_secret": "sandbox-client-secret",
            },
        )
        assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
    finally:
        process.terminate()
        process.wait(timeout=10)
