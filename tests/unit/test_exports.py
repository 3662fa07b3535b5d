"""The public surface of k2connect_ext: complete, sorted, importable, and free of web frameworks."""

from __future__ import annotations

import subprocess
import sys

import k2connect_ext


def test_all_names_resolve() -> None:
    """Every name in __all__ exists, and __all__ has no duplicates."""
    assert len(set(k2connect_ext.__all__)) == len(k2connect_ext.__all__)
    for name in k2connect_ext.__all__:
        assert hasattr(k2connect_ext, name), name


def test_public_classes_and_functions_are_exported() -> None:
    """What users reach for first is importable from the package root."""
    for name in ("K2", "AsyncK2", "K2Error", "construct_event", "verify_signature", "parse_event", "connect"):
        assert name in k2connect_ext.__all__


def test_import_pulls_in_no_framework_or_server() -> None:
    """Importing the SDK imports none of the optional extras (FastAPI, Flask, Django, uvicorn, the sandbox).

    click is not checked: httpx itself imports it when it is installed (for its own command line).
    """
    code = (
        "import sys, k2connect_ext; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi','flask','django','starlette','uvicorn','k2connect_sandbox','k2connect_cli'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
