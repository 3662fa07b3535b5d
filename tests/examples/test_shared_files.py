"""The two example shops carry their own copies of the shared files, so either folder can be copied alone;
this keeps the copies from drifting apart."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", ["pages.py", "store.py"])
def test_the_shops_share_identical_copies(name: str) -> None:
    """Change both copies together: the FastAPI and Flask shops must show and store the same things."""
    fastapi_copy = (EXAMPLES / "fastapi_app" / name).read_text(encoding="utf-8")
    flask_copy = (EXAMPLES / "flask_app" / name).read_text(encoding="utf-8")
    assert fastapi_copy == flask_copy, f"examples/*/{name} differ: edit both copies together"
