"""Test files mirror the modules they test.

``tests/unit/test_<name>.py`` tests the module ``<name>`` or ``_<name>`` of ``k2connect_ext`` (at any depth,
a package counting by its folder's name), so a module's tests are found by its name, and a module that moves
or splits takes its tests along. A file that tests a behaviour spanning several modules, or generated code,
is allowed by name in ``CROSS_CUTTING``, with the reason. No ``*_edges.py`` twin anywhere under ``tests/``: a
module's less travelled paths go in its one test file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "k2connect_ext"
TESTS = REPO_ROOT / "tests"
UNIT = TESTS / "unit"

# Unit test files that name no module, on purpose: each tests one behaviour across several modules (or code
# k2connect_ext does not hold). A new entry needs the same kind of reason; a module's own tests go in its
# file.
CROSS_CUTTING: Final[dict[str, str]] = {
    "callback_credentials": "a callback URL holding a password: refused by the builders, kept out of errors",
    "clear_errors": "a newcomer's mistakes (closed client, int phone, http callback, wrong environment) each "
    "get a clear K2Error: the client, validation and token fetch together",
    "client_api_key": "the client's API key verifies webhooks: the facade, signatures and receivers together",
    "exports": "the public surface of k2connect_ext and k2connect_ext.webhooks; every other module private",
    "generated_errors": "the generated client's own errors (templates/), which no k2connect_ext module holds",
    "loggers": "every module's logger lives under k2connect.*",
    "poison_events": "a body whose id no deduplicator can store: events, deduplicators, receivers together",
    "receivers_intents": "a verified callback settles its intent: receivers, tags, the ledger and settling",
    "recipient_types": "a recipient read back through the facade parses whatever recipient_type K2 names",
    "registry": "the generated operation registry (k2connect_client.registry), checked against the spec",
    "resource_ids": "ids and Locations checked before anything is sent: validation, locations and the facade",
    "token_deadlines": "a call's timeout bounds its wait for a token: the call, the token manager and stores",
}


def module_names() -> set[str]:
    """Every module and package name of k2connect_ext, without its leading underscore."""
    names = {path.parent.name if path.name == "__init__.py" else path.stem for path in PACKAGE.rglob("*.py")}
    return {name.removeprefix("_") for name in names}


def unit_test_names() -> list[str]:
    """``<name>`` of every ``tests/unit/test_<name>.py``."""
    return sorted(path.stem.removeprefix("test_") for path in UNIT.glob("test_*.py"))


def test_every_unit_test_file_is_named_after_its_module() -> None:
    """A unit test file names the module it tests, unless it is a cross-cutting one allowed above."""
    modules = module_names()
    orphans = [
        f"tests/unit/test_{name}.py"
        for name in unit_test_names()
        if name not in modules and name not in CROSS_CUTTING
    ]
    assert orphans == [], "rename each to test_<module>.py, fold it into one, or allow it with a reason"


def test_the_allow_list_holds_only_existing_files_that_name_no_module() -> None:
    """An entry whose file is gone, or whose name became a module's, is stale: the list must not grow a
    blind spot."""
    modules = module_names()
    present = set(unit_test_names())
    stale = sorted(name for name in CROSS_CUTTING if name not in present or name in modules)
    assert stale == []


def test_no_edges_twin() -> None:
    """``test_<module>_edges.py`` beside ``test_<module>.py`` splits one module's tests in two files."""
    twins = sorted(str(path.relative_to(REPO_ROOT)) for path in TESTS.rglob("*_edges.py"))
    assert twins == []
