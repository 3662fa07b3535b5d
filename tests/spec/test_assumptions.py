"""Every behaviour no source confirms is labelled in the spec, says so, and is listed in the README."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.fixtures import REPO_ROOT


@cache
def script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "assumptions.py"
    spec = importlib.util.spec_from_file_location("k2_assumptions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def node_at(document: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def labelled() -> list[tuple[tuple[str, ...], str]]:
    return list(script().collect(script().load_spec()))


def test_readme_table_is_generated_from_the_spec() -> None:
    """The README's "What the sandbox assumes" table is exactly what the spec's extensions render."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert script().replace_block(readme, script().render_block(script().load_spec())) == readme, (
        "README.md is stale: run scripts/assumptions.py --write"
    )


def test_check_fails_when_readme_and_spec_disagree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--check`` exits 1 when the README lists an assumption the spec no longer makes (or misses one)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    stale = tmp_path / "README.md"
    stale.write_text(readme.replace("| `Conflict` response |", "| `Conflict` response (edited) |"))
    monkeypatch.setattr(script(), "README_PATH", stale)
    assert script().main(["--check"]) == 1
    stale.write_text(readme)
    assert script().main(["--check"]) == 0


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(ValueError, match="markers"):
        script().replace_block("# README without the table\n", "x")


@pytest.mark.parametrize(
    ("path", "text"), labelled(), ids=lambda v: "/".join(v) if isinstance(v, tuple) else ""
)
def test_each_assumption_says_so_in_its_description(path: tuple[str, ...], text: str) -> None:
    """The labelled object's own description tells a reader of the spec it is an assumption."""
    node = node_at(script().load_spec(), path)
    assert "assum" in str(node.get("description", "")).lower(), path
    assert len(text) > 20


@pytest.mark.parametrize(
    "needle",
    [
        "no longer active",  # 409 on cancelling a link
        "Retry-After",
        "429 answer to a POST means K2 did not process it",
        "5xx answer to a POST says nothing about whether it was processed",
        "does not exist is a 404",  # creates naming missing accounts
        "4xx",  # redelivery after a receiver's 4xx
    ],
)
def test_required_assumptions_are_labelled(needle: str) -> None:
    """The behaviours issue 10 names as undocumented each carry a label."""
    assert any(needle in text for _, text in labelled()), needle
