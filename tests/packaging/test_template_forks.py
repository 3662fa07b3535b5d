"""Each generator template in ``templates/`` says which upstream template it was forked from, and stays close.

``make generate`` renders ``templates/<name>`` in place of openapi-python-client's own
``openapi_python_client/templates/<name>``. A fork silently stops receiving upstream fixes, so each one
starts with a Jinja comment (never rendered: ``generated/`` is unchanged by it)::

    {# forked from openapi-python-client <version> templates/<name>; changes: <what and why> #}

These tests find the original inside the pinned generator installed in the virtual environment, check its
version is the one the header names, and count the lines the fork changes. The count is recorded below
(like openai-python's custom-code ratchet): a fork that grows past it fails, so a change to a fork is a
deliberate one, and a fork that shrinks fails until the count is lowered, so the slack never builds up.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.resources
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = REPO_ROOT / "templates"
GENERATED = REPO_ROOT / "generated"
GENERATOR = "openapi-python-client"
HEADER = re.compile(
    r"\A\{# forked from openapi-python-client (?P<version>\S+) templates/(?P<name>\S+); "
    r"changes: (?P<changes>.+?)\s*#\}\n",
    re.DOTALL,
)

# Lines added or removed relative to the original template (its header left out), as of the version each
# header names. Change a number only with the template, deliberately.
CHANGED_LINES = {
    "client.py.jinja": 19,
    "endpoint_module.py.jinja": 48,
    "errors.py.jinja": 27,
    "model.py.jinja": 57,
    "models_init.py.jinja": 33,
}

FORKS = sorted(path.name for path in TEMPLATES.glob("*.jinja"))


def pinned_version() -> str:
    """The generator version ``requirements-dev.txt`` pins (what ``make setup`` installs)."""
    text = (REPO_ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(GENERATOR)}==(\S+)", text, re.MULTILINE)
    assert found, f"requirements-dev.txt does not pin {GENERATOR}"
    return found.group(1)


def header(name: str) -> re.Match[str]:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    found = HEADER.match(text)
    assert found, (
        f"templates/{name} must start with "
        f"'{{# forked from {GENERATOR} <version> templates/{name}; changes: <what and why> #}}'"
    )
    return found


def original(name: str) -> str:
    """The template ``name`` as the installed generator ships it."""
    path = importlib.resources.files("openapi_python_client") / "templates" / name
    assert path.is_file(), f"{GENERATOR} {importlib.metadata.version(GENERATOR)} has no templates/{name}"
    return path.read_text(encoding="utf-8")


def changed_lines(name: str) -> int:
    fork = (TEMPLATES / name).read_text(encoding="utf-8")[header(name).end() :]
    diff = difflib.unified_diff(original(name).splitlines(), fork.splitlines(), lineterm="", n=0)
    return sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))


def test_there_are_forks() -> None:
    """The glob finds the templates the Makefile passes to the generator (an empty list checks nothing)."""
    assert "--custom-template-path templates" in (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert FORKS


@pytest.mark.parametrize("name", FORKS)
def test_fork_names_its_upstream_template(name: str) -> None:
    """The header names this very template and says what the fork changes."""
    found = header(name)
    assert found["name"] == name
    assert found["changes"].strip()


@pytest.mark.parametrize("name", FORKS)
def test_fork_came_from_the_installed_generator(name: str) -> None:
    """The header's version is the generator installed, and pinned: re-fork when the pin moves."""
    installed = importlib.metadata.version(GENERATOR)
    assert installed == pinned_version()
    assert header(name)["version"] == installed, (
        f"templates/{name} was forked from {GENERATOR} {header(name)['version']}, but {installed} is pinned: "
        f"re-fork it from {GENERATOR} {installed}'s templates/{name} and update its header"
    )


@pytest.mark.parametrize("name", FORKS)
def test_fork_stays_as_close_to_upstream_as_recorded(name: str) -> None:
    """The fork differs from the original by exactly the recorded number of lines."""
    assert name in CHANGED_LINES, (
        f"templates/{name} is a new fork: record its changed lines ({changed_lines(name)}) in CHANGED_LINES "
        "in tests/packaging/test_template_forks.py"
    )
    changed, allowed = changed_lines(name), CHANGED_LINES[name]
    assert changed <= allowed, (
        f"templates/{name} now changes {changed} lines of {GENERATOR}'s original, more than the {allowed} "
        "recorded: keep the fork small (re-fork from the pinned generator's template and re-apply only what "
        "this project needs), or raise its count in tests/packaging/test_template_forks.py deliberately and "
        "say why in the header's changes"
    )
    assert changed == allowed, (
        f"templates/{name} now changes only {changed} lines of {GENERATOR}'s original: lower its count in "
        f"tests/packaging/test_template_forks.py from {allowed} to {changed}"
    )


def test_every_recorded_count_has_its_fork() -> None:
    """A count left behind by a deleted fork would let a new fork of that name grow unnoticed."""
    assert sorted(CHANGED_LINES) == FORKS


def test_headers_never_reach_the_generated_client() -> None:
    """The headers are Jinja comments: ``make generate`` drops them, so they cannot drift ``generated/``."""
    leaked = [
        str(path.relative_to(REPO_ROOT))
        for path in sorted(GENERATED.rglob("*.py"))
        if f"forked from {GENERATOR}" in path.read_text(encoding="utf-8")
    ]
    assert leaked == []
