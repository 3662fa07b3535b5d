"""The SDK's errors (``_exceptions``): every public error survives pickle (every protocol), copy and
deepcopy, and so crosses process boundaries; the error tree shown in the docs is the real hierarchy.

Process pools, multiprocessing and task queues (Celery, RQ) pickle the exception a job raised. An error
that cannot be rebuilt from its pickle breaks the pool (``BrokenProcessPool``), which hides a refusal, or a
payment K2 created, behind an error that invites a retry of the whole batch.
"""

from __future__ import annotations

import copy
import multiprocessing
import pathlib
import pickle
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

import pytest

import k2connect_ext
from k2connect_ext import K2Error, K2PaymentFailedError, K2ValidationError, _exceptions
from tests.error_pickling_jobs import FAILURE_REASON, REFUSAL, SECRET, run_job
from tests.fakes import TOKEN
from tests.public_errors import MINIMUM_PUBLIC_ERRORS, build_error, init_values, public_error_classes

ERRORS = public_error_classes()

RoundTrip = Callable[[K2Error], object]


def _pickled(protocol: int) -> RoundTrip:
    return lambda error: pickle.loads(pickle.dumps(error, protocol=protocol))


ROUND_TRIPS: dict[str, RoundTrip] = {
    **{f"pickle-{protocol}": _pickled(protocol) for protocol in range(pickle.HIGHEST_PROTOCOL + 1)},
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
}


def assert_same_error(got: object, original: K2Error) -> None:
    """``got`` is ``original`` rebuilt: same class, message, args and every attribute (notes included)."""
    assert type(got) is type(original)
    assert isinstance(got, K2Error)
    assert str(got) == str(original)
    assert got.args == original.args
    assert vars(got) == vars(original)


def test_the_list_of_public_errors_is_complete() -> None:
    """The discovery finds at least every error class there was when these tests were written."""
    assert len(ERRORS) >= MINIMUM_PUBLIC_ERRORS
    assert K2Error in ERRORS and K2ValidationError in ERRORS


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_round_trips(cls: type[K2Error], round_trip: RoundTrip) -> None:
    """Each public error, every attribute set (a real parsed model as ``resource``), comes back whole."""
    original = build_error(cls)
    original.add_note("a note a handler added")
    got = round_trip(original)
    assert_same_error(got, original)
    for name, value in init_values(cls).items():
        assert getattr(got, name) == value, name


def _outcome(future: Future[str]) -> str | BaseException:
    error = future.exception(timeout=120)
    return future.result() if error is None else error


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_refused_payment_in_a_process_pool_comes_back_as_itself(flavour: str) -> None:
    """In a real process pool the refusal comes back as the K2ValidationError, the others' results too.

    The pool stays usable after it: a job submitted afterwards runs. Neither error carries the client
    secret or the token across the boundary.
    """
    expected: dict[str, str | BaseException] = {}
    for job in ("paid", "refused", "failed"):
        try:
            expected[job] = run_job(job, flavour)
        except K2Error as raised:
            expected[job] = raised
    jobs = ["paid", "refused", "paid", "failed", "paid"]
    context = multiprocessing.get_context("spawn")  # a clean worker, whatever threads this process runs
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        outcomes = [_outcome(future) for future in [pool.submit(run_job, job, flavour) for job in jobs]]
        after = _outcome(pool.submit(run_job, "paid", flavour))

    paid = expected["paid"]
    assert isinstance(paid, str)
    assert [outcomes[i] for i in (0, 2, 4)] == [paid, paid, paid]
    assert after == paid
    refused, failed = outcomes[1], outcomes[3]
    assert isinstance(refused, K2ValidationError), repr(refused)
    assert isinstance(expected["refused"], K2ValidationError)
    assert_same_error(refused, expected["refused"])
    assert (refused.status_code, refused.body) == (400, REFUSAL)
    assert isinstance(failed, K2PaymentFailedError), repr(failed)
    assert isinstance(expected["failed"], K2PaymentFailedError)
    assert_same_error(failed, expected["failed"])
    assert failed.reason == FAILURE_REASON and failed.resource is not None
    assert failed.resource.to_dict()["data"]["attributes"]["status"] == "Failed"
    for error in (refused, failed):
        pickled = pickle.dumps(error)
        assert SECRET.encode() not in pickled and TOKEN.encode() not in pickled


# ----------------------------------------------------------------------------------------------------
# The error tree is drawn once, in ``_exceptions``, and copied into the README and the package docstring by
# scripts/error_tree.py: each copy must be the real class hierarchy, so a reader never learns a tree the code
# does not have.


ROOT = pathlib.Path(__file__).resolve().parents[2]


def _drawing(text: str) -> dict[str, str | None]:
    """name -> parent name, read from the first box-drawn tree that starts at ``K2Error``."""
    start = text.index("K2Error\n")
    indent = start - (text.rfind("\n", 0, start) + 1)  # docstrings indent the drawing
    parents: dict[str, str | None] = {"K2Error": None}
    stack = ["K2Error"]
    for line in text[start:].splitlines()[1:]:
        line = line[indent:]
        if not line.startswith(("├", "└", "│")):
            break
        if "── " not in line:
            continue  # the continuation of the previous entry's description
        prefix = line[: line.index("── ") - 1]  # "│   " or "    " per level above
        depth = len(prefix) // 4 + 1
        name = line[line.index("── ") + 3 :].split()[0]
        del stack[depth:]
        parents[name] = stack[-1]
        stack.append(name)
    return parents


def _real() -> dict[str, str | None]:
    tree: dict[str, str | None] = {}
    for name in dir(_exceptions):
        value = getattr(_exceptions, name)
        if isinstance(value, type) and issubclass(value, k2connect_ext.K2Error):
            bases = [base for base in value.__bases__ if issubclass(base, k2connect_ext.K2Error)]
            tree[name] = bases[0].__name__ if bases else None
    return tree


@pytest.mark.parametrize(
    "source",
    [
        pytest.param((ROOT / "README.md").read_text(), id="README"),
        pytest.param(k2connect_ext.__doc__ or "", id="k2connect_ext"),
        pytest.param(_exceptions.__doc__ or "", id="_exceptions"),
    ],
)
def test_the_drawn_tree_is_the_real_one(source: str) -> None:
    """Every error class appears once, under its real parent; nothing else appears."""
    assert _drawing(source) == _real()


def test_the_copies_are_rendered_from_the_one_drawing() -> None:
    """README and the package docstring hold exactly the drawing in ``_exceptions``."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("error_tree", ROOT / "scripts" / "error_tree.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("error_tree", script)
    spec.loader.exec_module(script)
    assert script.main(["--check"]) == 0, "run scripts/error_tree.py"
    tree = script.drawing()
    assert tree in (ROOT / "README.md").read_text(encoding="utf-8")
    assert tree.replace("\n", "\n    ").strip() in (k2connect_ext.__doc__ or "")
