"""Nothing in the repository points outside it.

* No file holds an absolute path of one machine (a home directory, a work directory): it holds only
  where that machine kept things, and a test built on one skips or fails everywhere else.
* No shipped file (the packages, the generated client, the spec, the examples, the generator templates)
  cites a document a reader of the repository does not have: a research note (``k2-api.md``), a folder
  beside the clone (``../shared``, the K2 sample payloads) or an issue by number. The fact itself goes in
  its place, or a pointer inside the repository (the spec, README, CHANGELOG).

Tests may mention issues in docstrings and read the samples through ``tests/fixtures.py``.

The files are those git would commit: tracked, plus new files not ignored, read from the working tree.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (
    "k2connect_ext/",
    "k2connect_sandbox/",
    "k2connect_cli/",
    "generated/",
    "openapi/",
    "examples/",
    "templates/",
)

# A path from the root of a machine's home or work directory; not a URL's path (preceded by its host).
ABSOLUTE_PATH = re.compile(r"(?<![\w.~-])/(?:work|home|root|Users)/[^\s'\"`)]*")
# The samples' folder is named in pieces: tests/fixtures.py is the one file that spells it out.
SAMPLES = "k2-" + "fixtures"
CITATION = re.compile(
    rf"k2-api\.md\S*|\.\./shared\b\S*|\b{re.escape(SAMPLES)}\b|\bissues?[\s#-]*\d+", re.IGNORECASE
)


def repository_files() -> list[Path]:
    """Every file git would commit, relative to the repository root (deleted ones left out)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    names = sorted({name for name in listed.decode().split("\0") if name})
    return [Path(name) for name in names if (REPO_ROOT / name).is_file()]


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file (as ``git grep -I`` decides: a NUL byte)."""
    data = (REPO_ROOT / path).read_bytes()
    return None if b"\0" in data else data.decode("utf-8", errors="replace")


def hits(pattern: re.Pattern[str], files: list[Path]) -> list[str]:
    found = []
    for path in files:
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            found += [f"{path}:{number}: {match.group(0)}" for match in pattern.finditer(line)]
    return found


def test_there_are_files_to_check() -> None:
    """The listing works and reaches every shipped folder (an empty list would pass everything)."""
    files = [str(path) for path in repository_files()]
    assert "tests/packaging/test_no_stale_pointers.py" in files
    for folder in SHIPPED:
        assert any(name.startswith(folder) for name in files), folder


def test_no_absolute_machine_path_anywhere() -> None:
    """No tracked file, tests included, names a path under one machine's home or work directory."""
    found = hits(ABSOLUTE_PATH, repository_files())
    assert found == [], (
        "absolute paths of one machine (use a path relative to the repository):\n" + "\n".join(found)
    )


def test_no_shipped_file_cites_documents_outside_the_repository() -> None:
    """Shipped files state the fact, or point into the repository (spec, README, CHANGELOG)."""
    shipped = [path for path in repository_files() if str(path).startswith(SHIPPED)]
    found = hits(CITATION, shipped)
    assert found == [], (
        "citations of documents outside the repository (write the fact instead):\n" + "\n".join(found)
    )


# Slashes split so this file never holds the paths it looks for.
W, H, R = "/" + "work/", "/" + "home/", "/" + "root/"


@pytest.mark.parametrize(
    "line",
    [
        f"FIXTURES = Path('{W}shared/{SAMPLES}')",
        f"see {H}alice/notes.md",
        f"cd {R}k2 && make",
        f"file://{H}bob/x",
        f'"{W}main/.venv/bin/python"',
        f"({R})",
    ],
)
def test_absolute_paths_are_found(line: str) -> None:
    """Each way a machine's path turns up in code, comments or docs is caught."""
    assert ABSOLUTE_PATH.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "https://example.com/home/index.html",
        "https://api.kopokopo.com/work/x",
        "relative/home/x and ./work/y and ~/work/z",
        "/usr/lib/postgresql/16/bin",
    ],
)
def test_urls_and_other_paths_are_not_machine_paths(line: str) -> None:
    """A URL's path, a relative path and a system path are not one machine's home or work directory."""
    assert not ABSOLUTE_PATH.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "the rules (see ../shared/" + "k2-api.md §f)",
        "# k2-api" + ".md §h.10",
        "payloads in ../" + "shared",
        "Issue " + "17 item 3",
        "issue" + "-9 contract",
        "fixes issue #" + "12",
        "Issues " + "4 and 5",
        "the k2-" + "fixtures folder",
    ],
)
def test_citations_are_found(line: str) -> None:
    """Research notes, the shared folder and issue numbers are caught however they are written."""
    assert CITATION.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "K2 issues client-credentials tokens",
        "ISO-8601 issue time.",
        "Methods that may be repeated (RFC 9110 §9.2.2)",
        "shared by every process",
    ],
)
def test_ordinary_words_are_not_citations(line: str) -> None:
    """'issue' as a verb or a noun without a number, a public RFC and 'shared' alone are fine."""
    assert not CITATION.search(line)
