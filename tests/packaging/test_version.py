"""``k2connect_ext.__version__`` is the installed distribution's version, the one in pyproject.toml, and
the newest dated section of the changelog (Keep a Changelog)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import k2connect_ext
from k2connect_ext import _version

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_installed_distributions() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert k2connect_ext.__version__ == metadata.version("k2connect-sdk") == declared


def test_version_is_read_on_first_use_not_at_import() -> None:
    """Importing the package does not load importlib.metadata (a tenth of the import time)."""
    code = (
        "import sys, k2connect_ext; print('importlib.metadata' in sys.modules); "
        "print(k2connect_ext.__version__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, version = done.stdout.split()
    assert loaded == "False" and version == metadata.version("k2connect-sdk")


def test_a_tree_never_installed_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert _version._installed() == "0+unknown"


def test_the_changelog_dates_the_version_released() -> None:
    """Keep a Changelog: an Unreleased section, then the released versions, newest first, each dated."""
    text = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert sections[0] == ("Unreleased", "")
    released = sections[1:]
    assert released and all(date for _, date in released)
    assert released[0][0] == k2connect_ext.__version__
    assert "issue" not in text.lower(), "the changelog speaks to users: no internal issue references"
