"""The fault matrix as tests: one per case (fault x target x backend), checked against issue 9's contract.

``make test`` runs a slice (every fault at the token endpoint, a GET and an STK push; every create against
the faults that decide "retry" versus "ambiguous"); ``K2_RELIABILITY_FULL=1`` or ``make reliability`` runs
all of it. The cases selected for a session run concurrently once, in a module fixture, each on its own
port; each test then reports its own case. See ``matrix`` for what is checked.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator

import pytest

from .matrix import Case, CaseResult, all_cases, new_server, run_cases, slice_cases

CASES = all_cases() if os.environ.get("K2_RELIABILITY_FULL") else slice_cases()
WORKERS = int(os.environ.get("K2_RELIABILITY_WORKERS", "12"))


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest) -> Iterator[dict[str, CaseResult]]:
    """Run, concurrently, the cases this session selected (``-k`` narrows it)."""
    params = [getattr(getattr(item, "callspec", None), "params", {}) for item in request.session.items]
    wanted = {p["case"].id for p in params if isinstance(p.get("case"), Case)}
    server = new_server()
    try:
        yield run_cases([c for c in CASES if c.id in wanted], server, workers=WORKERS)
    finally:
        server.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fault_case(case: Case, results: dict[str, CaseResult]) -> None:
    result = results[case.id]
    assert not result.problems, (
        f"{case.id}: got {result.outcome} in {result.elapsed:.2f} s\n  " + "\n  ".join(result.problems)
    )


def test_every_create_is_in_the_matrix() -> None:
    """A create added to the facade without a matrix target would escape the suite."""
    from k2connect_ext import K2

    from .matrix import TARGETS

    # Every create returns a Created handle, and its signature says so (see tests/unit/test_facade.py).
    creates = {
        name
        for name in dir(K2)
        if not name.startswith("_")
        and callable(getattr(K2, name))
        and str(inspect.signature(getattr(K2, name)).return_annotation).startswith("Created[")
    }
    assert len(creates) >= 12, sorted(creates)
    covered = {t.method for t in TARGETS.values() if t.kind == "create"}
    assert creates <= covered, f"creates without a matrix target: {sorted(creates - covered)}"
