""".pre-commit-config.yaml cannot rot: each hook runs a pinned tool from .venv/bin with options that tool
still knows, or a target the Makefile still has, and each path filter still matches files of the tree."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".pre-commit-config.yaml"
VENV_BIN = ".venv/bin/"
# The checks the hooks must keep running before each commit.
REQUIRED = {"ruff-check", "ruff-format", "mypy", "check-generated"}
SKIPPED_DIRS = {".git", ".venv", ".mypy_cache", ".ruff_cache", ".hypothesis", "node_modules", "build"}


@cache
def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return loaded


def hooks() -> list[dict[str, Any]]:
    return [hook for repo in config()["repos"] for hook in repo["hooks"]]


def venv_hooks() -> list[dict[str, Any]]:
    return [hook for hook in hooks() if hook["entry"].startswith(VENV_BIN)]


def make_hooks() -> list[dict[str, Any]]:
    return [hook for hook in hooks() if shlex.split(hook["entry"])[0] == "make"]


@cache
def tree() -> list[str]:
    """Every file of the work tree, as a path relative to the root with / separators."""
    found: list[str] = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and d != "__pycache__"]
        found += [Path(folder, name).relative_to(ROOT).as_posix() for name in files]
    return found


def test_the_required_checks_have_hooks() -> None:
    """ruff check, ruff format --check, mypy --strict and make check-generated run before each commit."""
    ids = [hook["id"] for hook in hooks()]
    assert len(ids) == len(set(ids)), f"a hook id is used twice: {ids}"
    assert set(ids) >= REQUIRED


def test_every_hook_is_local_and_runs_a_venv_tool_or_a_make_target() -> None:
    """No hook downloads its own copy of a tool: all run what `make setup` pinned and installed."""
    for repo in config()["repos"]:
        assert repo["repo"] == "local", "hooks run the project's own tools, not a repository's"
    for hook in hooks():
        assert hook["language"] == "system", hook["id"]
    assert {hook["id"] for hook in venv_hooks() + make_hooks()} == {hook["id"] for hook in hooks()}


@pytest.mark.parametrize("hook", venv_hooks(), ids=lambda hook: hook["id"])
def test_a_venv_entry_is_a_pinned_tool_with_options_it_knows(hook: dict[str, Any]) -> None:
    """The tool is pinned in requirements-dev.txt and installed in .venv/bin; each path argument exists;
    the rest are subcommands and options that the tool's --help still lists."""
    command, *args = shlex.split(hook["entry"])
    name = command.removeprefix(VENV_BIN)
    requirements = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(name)}==", requirements, re.MULTILINE | re.IGNORECASE), (
        f"{name} is not pinned in requirements-dev.txt, so `make setup` would not install it"
    )
    if not (ROOT / ".venv").is_dir():
        pytest.skip("no .venv here: `make setup` creates it")
    tool = ROOT / command
    assert os.access(tool, os.X_OK), f"{command} is not installed: run `make setup`"
    words = [arg for arg in args if not arg.startswith("-")]
    subcommands = [word for word in words if not (ROOT / word).exists()]
    for word in subcommands:
        assert re.search(rf"^\s+{re.escape(word)}\s", help_of(tool), re.MULTILINE), (
            f"{word} is neither a path of the tree nor a command that `{name} --help` lists"
        )
    shown = help_of(tool, *subcommands)
    for option in (arg.split("=", 1)[0] for arg in args if arg.startswith("-")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown), (
            f"{name} {' '.join(subcommands)} no longer has {option}"
        )


def help_of(tool: Path, *subcommands: str) -> str:
    """What ``tool [subcommands] --help`` prints."""
    shown = subprocess.run(
        [tool, *subcommands, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, f"`{tool.name} {' '.join(subcommands)} --help` failed: {shown.stderr}"
    return shown.stdout


@pytest.mark.parametrize("hook", make_hooks(), ids=lambda hook: hook["id"])
def test_a_make_entry_names_a_target_of_the_makefile(hook: dict[str, Any]) -> None:
    """`make X` runs a target the Makefile defines and lists as phony (a command, not a file)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w.-]+):(?!=)", makefile, re.MULTILINE))
    phony_line = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony_line, "the Makefile has no .PHONY line"
    phony = set(phony_line.group(1).split())
    (target,) = [arg for arg in shlex.split(hook["entry"])[1:] if not arg.startswith("-")]
    assert target in targets, f"the Makefile has no target {target}"
    assert target in phony, f"{target} is not in .PHONY"


@pytest.mark.parametrize("hook", [hook for hook in hooks() if "files" in hook], ids=lambda hook: hook["id"])
def test_each_alternative_of_a_path_filter_matches_files(hook: dict[str, Any]) -> None:
    """A filter ``^(a|b|...)`` on paths: each alternative still matches a file, so none names a folder or
    file that was renamed or removed (the hook would then quietly never run for it)."""
    pattern = hook["files"]
    shape = re.fullmatch(r"\^\((.*)\)", pattern)
    assert shape, f"write the filter as ^(alternative|...): {pattern}"
    for alternative in shape.group(1).split("|"):
        assert any(re.match(alternative, path) for path in tree()), f"{alternative} matches no file"


def test_pre_commit_accepts_the_config() -> None:
    """pre-commit's own validation, with the pinned pre-commit."""
    if not (ROOT / ".venv").is_dir():
        pytest.skip("no .venv here: `make setup` creates it")
    checked = subprocess.run(
        [ROOT / ".venv/bin/pre-commit", "validate-config", CONFIG],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
