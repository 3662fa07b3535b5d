"""The regeneration drift check and the spec linters pass on the real spec, and fail when they should."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.fixtures import REPO_ROOT, SPEC_PATH

pytestmark = pytest.mark.slow


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_generated_client_matches_spec() -> None:
    """`make check-generated` finds generated/ byte-identical to a fresh generation."""
    result = make("check-generated")
    assert result.returncode == 0, result.stdout + result.stderr


def test_drift_check_catches_a_stale_file(tmp_path: Path) -> None:
    """A file the generator would not write (a stale leftover) makes the drift check fail."""
    copy = tmp_path / "k2connect_client"
    shutil.copytree(
        REPO_ROOT / "generated" / "k2connect_client", copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    (copy / "models" / "stale_model.py").write_text("class Stale: ...\n")
    result = make("check-generated", f"GEN_PKG={copy}")
    assert result.returncode != 0
    assert "drifted" in result.stdout


def test_drift_check_catches_a_spec_change(tmp_path: Path) -> None:
    """Editing the spec without regenerating makes the drift check fail."""
    spec = yaml.safe_load(SPEC_PATH.read_text())
    spec["components"]["schemas"]["ApiError"]["properties"]["request_id"] = {"type": "string"}
    changed = tmp_path / "k2connect.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False))
    result = make("check-generated", f"SPEC={changed}")
    assert result.returncode != 0


def test_spec_lints_clean() -> None:
    """openapi-spec-validator and Redocly (pinned) both accept the spec."""
    result = make("lint-spec")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "breakage",
    ["example_mismatch", "unused_component", "no_4xx"],
)
def test_spec_lint_rejects(breakage: str, tmp_path: Path) -> None:
    """Redocly's config fails on an example that breaks its schema, an unused component, an op without 4xx."""
    spec = yaml.safe_load(SPEC_PATH.read_text())
    if breakage == "example_mismatch":
        spec["components"]["responses"]["BadRequest"]["content"]["application/json"]["example"] = {
            "error_code": "not-an-integer",
            "error_message": 5,
        }
    elif breakage == "unused_component":
        spec["components"]["schemas"]["NobodyUsesMe"] = {"type": "object"}
    else:
        responses = spec["paths"]["/api/v1/polling/{id}"]["get"]["responses"]
        for code in [c for c in responses if c.startswith("4")]:
            del responses[code]
    broken = tmp_path / "k2connect.yaml"
    broken.write_text(yaml.safe_dump(spec, sort_keys=False))
    result = make("lint-spec", f"SPEC={broken}")
    assert result.returncode != 0, result.stdout
