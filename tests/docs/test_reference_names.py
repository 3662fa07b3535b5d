"""Every public name of the SDK has its entry on the API reference pages, and the pages document no other.

The public names are ``k2connect_ext.__all__``, ``k2connect_ext.webhooks.__all__`` and the ``__all__`` of
every framework adapter under ``k2connect_ext/webhooks/adapters/`` (read from the source, so no framework
is imported). An entry is a mkdocstrings block, ``::: identifier``, on a page of ``docs/reference/``.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import Counter
from pathlib import Path

import k2connect_ext
import k2connect_ext.webhooks
from tests.docs.tooling import DOCS
from tests.fixtures import REPO_ROOT

REFERENCE = DOCS / "reference"
ADAPTERS = REPO_ROOT / "k2connect_ext" / "webhooks" / "adapters"
BLOCK = re.compile(r"^::: (?P<identifier>\S+)\s*$", re.MULTILINE)


def documented() -> list[str]:
    """Every identifier of a ``:::`` block on the reference pages, in page order."""
    found: list[str] = []
    for page in sorted(REFERENCE.glob("*.md")):
        found += [match["identifier"] for match in BLOCK.finditer(page.read_text(encoding="utf-8"))]
    return found


def adapter_modules() -> dict[str, list[str]]:
    """Each adapter module -> its ``__all__``, read from its source."""
    modules: dict[str, list[str]] = {}
    for path in sorted(ADAPTERS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exports = [
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets)
        ]
        assert len(exports) == 1, f"{path} declares no __all__ (or more than one)"
        modules[f"k2connect_ext.webhooks.adapters.{path.stem}"] = list(exports[0])
    return modules


def public_names() -> list[str]:
    names = [f"k2connect_ext.{name}" for name in k2connect_ext.__all__]
    names += [f"k2connect_ext.webhooks.{name}" for name in k2connect_ext.webhooks.__all__]
    for module, exports in adapter_modules().items():
        names += [f"{module}.{name}" for name in exports]
    return names


def reexported_from_root(name: str) -> str | None:
    """``k2connect_ext.webhooks.X`` that is the very object ``k2connect_ext.X``: documented there, once."""
    module, _, short = name.rpartition(".")
    if module != "k2connect_ext.webhooks" or short not in k2connect_ext.__all__:
        return None
    if getattr(k2connect_ext.webhooks, short) is getattr(k2connect_ext, short):
        return f"k2connect_ext.{short}"
    return None


def test_the_reference_pages_have_entries() -> None:
    """The check below reads real pages (an empty glob would pass it)."""
    assert len(documented()) > 50
    assert adapter_modules(), "no adapter found under k2connect_ext/webhooks/adapters/"


def test_every_public_name_is_documented() -> None:
    entries = set(documented())
    missing = [
        name for name in public_names() if name not in entries and reexported_from_root(name) not in entries
    ]
    assert not missing, f"add a '::: name' block to a page of docs/reference/ for: {missing}"


def test_the_reference_documents_only_public_names() -> None:
    """A renamed or removed name leaves the pages too (an adapter module is there for its docstring)."""
    allowed = {*public_names(), *adapter_modules()}
    stale = [identifier for identifier in documented() if identifier not in allowed]
    assert not stale, f"not public (any more): {stale}"


def test_no_name_is_documented_twice() -> None:
    twice = [identifier for identifier, count in Counter(documented()).items() if count > 1]
    assert not twice, twice


def test_reexports_are_documented_at_the_root_only() -> None:
    """``k2connect_ext.webhooks.K2WebhookError`` is ``k2connect_ext.K2WebhookError``: one entry, not two."""
    entries = set(documented())
    duplicated = [
        name for name in public_names() if reexported_from_root(name) is not None and name in entries
    ]
    assert not duplicated, duplicated


def test_every_adapter_module_imports_what_it_exports() -> None:
    """The static read of ``__all__`` above is what the module really exports."""
    for module, exports in adapter_modules().items():
        assert list(importlib.import_module(module).__all__) == exports, module


def _page(identifier: str) -> Path:
    for page in sorted(REFERENCE.glob("*.md")):
        if f"::: {identifier}\n" in page.read_text(encoding="utf-8"):
            return page
    raise AssertionError(identifier)


def test_errors_are_on_the_errors_page() -> None:
    """The grouping a reader relies on: every error class on the errors page, none elsewhere."""
    errors = [name for name in k2connect_ext.__all__ if name.endswith("Error")]
    assert errors
    assert {_page(f"k2connect_ext.{name}").name for name in errors} == {"errors.md"}
