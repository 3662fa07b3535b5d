"""MkDocs hooks of the documentation site (mkdocs.yml ``hooks:``).

* ``k2connect-sandbox`` is an argparse program, so no click plugin can render it: the CLI page's marker
  ``<!-- argparse-help: k2connect-sandbox -->`` becomes its ``--help``, read from the program itself.
* ``<!-- text-of: package.module.NAME -->`` becomes the string ``NAME`` in a text block: the CLI page shows
  the exit codes ``k2connect --help`` prints, from the constant that prints them.
* The errors page shows the error tree drawn in ``k2connect_ext/_exceptions.py`` (the marker
  ``<!-- error-tree -->``), read with ``scripts/error_tree.py`` as the README and the package docstring are.
* README.md, CONTRIBUTING.md and CHANGELOG.md are written for the repository, where a relative link such as
  ``examples/README.md`` leads to a file. The pages that include them live in docs/, where only the other
  pages exist: a relative link to anything that is not a page becomes the path in code (the link would be
  broken, and a strict build refuses broken links). Links between the included files keep working because
  their pages have the same names (docs/README.md, docs/CONTRIBUTING.md, docs/CHANGELOG.md).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import posixpath
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

ARGPARSE_MARKER = re.compile(r"^<!-- argparse-help: (?P<prog>[\w-]+) -->$", re.MULTILINE)
# The argparse programs the marker may name -> the module that runs them.
ARGPARSE_PROGRAMS = {"k2connect-sandbox": "k2connect_sandbox"}
HELP_WIDTH = "100"
ERROR_TREE_MARKER = "<!-- error-tree -->"
TEXT_OF_MARKER = re.compile(r"^<!-- text-of: (?P<module>[\w.]+)\.(?P<name>\w+) -->$", re.MULTILINE)
REPO_ROOT = Path(__file__).resolve().parents[2]

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_LINK = re.compile(r"(?P<image>!?)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


def on_page_markdown(markdown: str, /, *, page: Page, config: Any, files: Files) -> str:
    markdown = ARGPARSE_MARKER.sub(lambda match: argparse_help(match["prog"]), markdown)
    markdown = TEXT_OF_MARKER.sub(lambda match: text_of(match["module"], match["name"]), markdown)
    if ERROR_TREE_MARKER in markdown:
        markdown = markdown.replace(ERROR_TREE_MARKER, f"```text\n{error_tree()}```")
    return unlink_repository_files(markdown, page.file.src_uri, files)


def argparse_help(prog: str) -> str:
    """``prog --help`` in a text block, at a fixed width so the page is the same on every machine."""
    module = ARGPARSE_PROGRAMS[prog]
    env = {**os.environ, "COLUMNS": HELP_WIDTH}
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return f"```text\n{done.stdout.rstrip()}\n```"


def text_of(module: str, name: str) -> str:
    """A string constant of the project, dedented, in a text block."""
    value = getattr(importlib.import_module(module), name)
    if not isinstance(value, str):
        raise TypeError(f"{module}.{name} is not a string")
    # click's "\b" lines (keep the next paragraph unwrapped) mean nothing on a page.
    lines = [line for line in textwrap.dedent(value).strip().splitlines() if line.strip() != "\b"]
    return "```text\n" + "\n".join(lines).strip() + "\n```"


def error_tree() -> str:
    """The error tree as ``scripts/error_tree.py`` draws it (ends with a newline)."""
    spec = importlib.util.spec_from_file_location("k2_error_tree", REPO_ROOT / "scripts" / "error_tree.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    tree: str = script.drawing()
    return tree


def unlink_repository_files(markdown: str, page_uri: str, files: Files) -> str:
    """Relative links (and images) to files that are not pages of the site become the path in code."""
    out: list[str] = []
    in_fence: str | None = None
    for line in markdown.split("\n"):
        fence = _FENCE.match(line)
        if in_fence is not None:
            if fence and fence.group(1) == in_fence:
                in_fence = None
            out.append(line)
        elif fence:
            in_fence = fence.group(1)
            out.append(line)
        else:
            out.append(_unlink_line(line, page_uri, files))
    return "\n".join(out)


def _unlink_line(line: str, page_uri: str, files: Files) -> str:
    code = [span.span() for span in _CODE_SPAN.finditer(line)]

    def replace(link: re.Match[str]) -> str:
        if any(start <= link.start() < end for start, end in code):  # inside code, [x](y) is code
            return link.group(0)
        target = link["target"]
        if _EXTERNAL.match(target):
            return link.group(0)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page_uri), target.split("#", 1)[0]))
        if files.get_file_from_path(path) is not None:
            return link.group(0)
        shown = link["text"].strip("`")
        return f"`{target}`" if shown in ("", target) else f"{link['text']} (`{target}`)"

    return _LINK.sub(replace, line)
