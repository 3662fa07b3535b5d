"""The documentation site's scripts and tooling, loaded from their files (they are not packages)."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from tests.fixtures import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is being built
    spec.loader.exec_module(module)
    return module


@cache
def event_docs() -> ModuleType:
    return load(REPO_ROOT / "scripts" / "generate_event_docs.py", "k2_generate_event_docs")


@cache
def hooks() -> ModuleType:
    return load(DOCS / "_tooling" / "hooks.py", "k2_docs_hooks")


@cache
def griffe_k2() -> ModuleType:
    return load(DOCS / "_tooling" / "griffe_k2.py", "k2_docs_griffe")
