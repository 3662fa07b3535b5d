"""K2's sample payloads are found one way, by ``tests/fixtures.py``, relative to the repository root.

A test that built its own path (an absolute one, say) skipped silently wherever the samples sat elsewhere.
The locator is tried here on a copy of the test helpers in a fresh directory, the way a user's clone and
CI's clone see it: samples absent (skipped, with the reason), absent under ``K2_REQUIRE_SERVERS=1`` (a
failure, as for a missing server), and present beside the clone (read from there).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import FIXTURES_DIR, REPO_ROOT
from tests.servers import REQUIRE_SERVERS

LOCATOR = REPO_ROOT / "tests" / "fixtures.py"
# What a test module needs to import the locator, copied into the fresh clone.
HELPERS = ("__init__.py", "fixtures.py", "servers.py")
FOLDER_NAME = FIXTURES_DIR.name

# A test module of the kind the suite holds: cases drawn from the samples, a skipif, and a body check.
PROBE = """
import pytest

from tests.fixtures import (
    FIXTURES_DIR,
    fixture_params,
    fixtures_present,
    load,
    missing_fixtures,
    payload_files,
)


@pytest.mark.parametrize("path", fixture_params(payload_files()))
def test_each_sample(path):
    assert load(path)["data"]["type"] == "probe"


@pytest.mark.skipif(not fixtures_present(), reason="unused")
def test_folder():
    assert FIXTURES_DIR.is_dir()


def test_body():
    if not fixtures_present():
        missing_fixtures()
    assert list(FIXTURES_DIR.iterdir())
"""


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (a mention, not a path being built)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_only_tests_fixtures_locates_the_samples() -> None:
    """No test, bench or script names the samples' folder in code: they all ask ``tests/fixtures.py``."""
    offenders = []
    for folder in ("tests", "bench", "scripts"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if path == LOCATOR:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            docstrings = _docstrings(tree)
            offenders += [
                f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {node.value!r}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and FOLDER_NAME in node.value
                and id(node) not in docstrings
            ]
    assert offenders == [], "locate the K2 samples through tests/fixtures.py (FIXTURES_DIR):\n" + "\n".join(
        offenders
    )


def _clone(root: Path) -> Path:
    """A fresh directory holding the test helpers and the probe module, as a clone at ``root/clone``."""
    clone = root / "clone"
    (clone / "tests").mkdir(parents=True)
    for name in HELPERS:
        shutil.copy(REPO_ROOT / "tests" / name, clone / "tests" / name)
    (clone / "tests" / "test_probe.py").write_text(PROBE, encoding="utf-8")
    return clone


def _pytest(clone: Path, *, required: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != REQUIRE_SERVERS}
    if required:
        env[REQUIRE_SERVERS] = "1"
    env["PYTHONPATH"] = str(clone)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "-q", "tests/test_probe.py"]
    return subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True, timeout=120)


def test_clone_without_samples_skips_with_the_reason(tmp_path: Path) -> None:
    """A user's clone: nothing beside it, every sample test skipped, saying where the samples belong."""
    clone = _clone(tmp_path)
    result = _pytest(clone, required=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 skipped" in result.stdout, result.stdout
    assert f"K2 sample payloads not present at {tmp_path / 'shared' / FOLDER_NAME}" in result.stdout


def test_ci_without_samples_fails(tmp_path: Path) -> None:
    """Under ``K2_REQUIRE_SERVERS=1`` an absent folder is a failure that names it, never a skip."""
    clone = _clone(tmp_path)
    result = _pytest(clone, required=True)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "skipped" not in result.stdout, result.stdout
    assert f"K2 sample payloads not present at {tmp_path / 'shared' / FOLDER_NAME}" in result.stdout
    assert f"{REQUIRE_SERVERS}=1 forbids skipping" in result.stdout


@pytest.mark.parametrize("required", [False, True], ids=["clone", "ci"])
def test_samples_beside_the_clone_are_read(tmp_path: Path, required: bool) -> None:
    """Samples at ``../shared/k2-fixtures`` from the clone's root are found and read, wherever it sits."""
    clone = _clone(tmp_path)
    samples = tmp_path / "shared" / FOLDER_NAME
    samples.mkdir(parents=True)
    (samples / "webhook_probe.json").write_text(json.dumps({"data": {"type": "probe"}}), encoding="utf-8")
    result = _pytest(clone, required=required)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout, result.stdout
