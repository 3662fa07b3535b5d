"""The two example shops carry their own copies of the shared files, so either folder can be copied alone;
this keeps the copies from drifting apart."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOPS = ("fastapi_app", "flask_app")
# Copied from one shop to the other: the pages shown and the SQLite store.
SHARED = ["pages.py", "store.py"]
# In both folders but written for each framework (settings.py: only the FastAPI shop runs on many machines).
OWN = ["__init__.py", "app.py", "settings.py"]


def names(shop: str) -> set[str]:
    return {path.name for path in (EXAMPLES / shop).iterdir() if path.is_file()}


@pytest.mark.parametrize("name", SHARED)
def test_the_shops_share_identical_copies(name: str) -> None:
    """Change both copies together: the FastAPI and Flask shops must show and store the same things."""
    fastapi_copy, flask_copy = ((EXAMPLES / shop / name).read_bytes() for shop in SHOPS)
    assert fastapi_copy == flask_copy, f"examples/*/{name} differ: edit both copies together"


def test_every_file_both_shops_have_is_either_shared_or_their_own() -> None:
    """A file added to both folders is named here, as a copy to keep identical or as the shop's own."""
    assert names(SHOPS[0]) & names(SHOPS[1]) == set(SHARED) | set(OWN)
