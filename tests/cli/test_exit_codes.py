"""Every public SDK error, raised inside a real ``k2connect`` command, exits with its documented code.

The classes come from the package (``tests/public_errors.py``), so a new error class fails here until it
has a row in the CLI's table (``k2connect_cli.failures.ERROR_TABLE``) and its code is documented in the
table of ``k2connect_cli``'s docstring, which is what these tests hold the CLI to.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import k2connect_cli
from k2connect_cli.exit_codes import EXIT_CODES_EPILOG, ExitCode
from k2connect_cli.failures import ERROR_TABLE
from k2connect_ext import (
    K2,
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2Error,
    K2NotFoundError,
    K2RateLimitError,
    K2ServerError,
    K2UnexpectedResponseError,
    K2ValidationError,
)
from tests.public_errors import MINIMUM_PUBLIC_ERRORS, build_error, public_error_classes

from .conftest import Invoke, assert_clean

ERRORS = public_error_classes()


def _documented() -> dict[str, ExitCode]:
    """Error class name -> exit code, read from the table in ``k2connect_cli``'s docstring."""
    text = k2connect_cli.__doc__ or ""
    rows = text[text.index("Each SDK error has its own row") :].split("\n====")[1]
    documented: dict[str, ExitCode] = {}
    code = ExitCode.OK
    for line in rows.splitlines()[1:]:
        first, _, rest = line.partition(" ")
        if first:  # a new row; a continuation line starts with spaces
            code, line = ExitCode(int(first)), rest
        for name in line.replace(",", " ").split():
            if name.startswith("("):
                break  # the comment after a name
            assert name not in documented, f"{name} documented twice"
            documented[name] = code
    return documented


DOCUMENTED = _documented()

REALISTIC: dict[type[K2Error], dict[str, Any]] = {
    # The status each class is raised with (the builder's distinctive numbers are not HTTP statuses).
    K2APIError: {"status_code": 409},
    K2AuthError: {"status_code": 401},
    K2ValidationError: {"status_code": 400},
    K2NotFoundError: {"status_code": 404},
    K2RateLimitError: {"status_code": 429},
    K2ServerError: {"status_code": 503},
    K2UnexpectedResponseError: {"status_code": 200},  # a read answered with a body the spec does not describe
    K2AmbiguousOutcomeError: {"status_code": 503},
}


def test_every_public_error_has_a_documented_code() -> None:
    """The classes found are at least those there were, and ``k2connect_cli`` documents a code for each."""
    assert len(ERRORS) >= MINIMUM_PUBLIC_ERRORS
    assert {cls.__name__ for cls in ERRORS} == set(DOCUMENTED)


def test_every_public_error_has_its_own_row() -> None:
    """The CLI's table has an explicit row for every public error class (not one inherited by chance)."""
    assert set(ERRORS) <= set(ERROR_TABLE)
    assert {cls.__name__: ERROR_TABLE[cls].code for cls in ERRORS} == DOCUMENTED


@pytest.mark.parametrize("code", sorted(set(DOCUMENTED.values())), ids=lambda code: code.name)
def test_every_code_is_in_the_help(code: ExitCode) -> None:
    """Each code an error can exit with is explained in ``--help``'s exit-code table."""
    assert re.search(rf"^  {int(code)}\s+\S", EXIT_CODES_EPILOG, re.MULTILINE), code


def _raise_from_token(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """Make ``K2.token`` (the call ``k2connect token`` makes) raise ``error``."""

    def token(self: K2) -> object:
        raise error

    monkeypatch.setattr(K2, "token", token)


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_each_error_exits_with_its_documented_code(
    cls: type[K2Error], as_json: bool, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``k2connect token`` whose client call raises the error: its code, its message, no traceback."""
    error = build_error(cls, **REALISTIC.get(cls, {}))
    _raise_from_token(monkeypatch, error)
    result = run(
        ["--client-id", "id", "--client-secret", "secret-value", *(["--json"] if as_json else []), "token"]
    )
    code = DOCUMENTED[cls.__name__]
    assert_clean(result, int(code))
    assert str(error) in result.stderr
    if as_json:
        document = json.loads(result.stdout)
        assert document["error"]["code"] == int(code)
        assert str(error) in document["error"]["message"]
    else:
        assert result.stdout == ""


@pytest.mark.parametrize("status", [None, 200, 201, 302, 418, 503], ids=str)
def test_unexpected_answer_to_a_read_exits_5_whatever_its_status(
    status: int | None, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer the spec does not describe exits 5 with its real status, whatever that status is.

    (Where such an answer may have moved money the SDK raises K2AmbiguousOutcomeError instead: exit 6.)
    """
    error = K2UnexpectedResponseError(
        "K2 answered oddly", status_code=status, method="GET", url="https://x/y"
    )
    _raise_from_token(monkeypatch, error)
    result = run(["--client-id", "id", "--client-secret", "secret-value", "--json", "token"])
    assert_clean(result, int(ExitCode.UNAVAILABLE))
    assert json.loads(result.stdout)["error"]["status_code"] == status


@pytest.mark.parametrize(
    "error", [K2Error("unplaced"), ZeroDivisionError("bug")], ids=lambda e: type(e).__name__
)
def test_debug_shows_the_traceback_of_an_internal_error(
    error: Exception, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With K2CONNECT_DEBUG=1 an internal error (exit 70 otherwise) propagates with its traceback."""
    _raise_from_token(monkeypatch, error)
    args = ["--client-id", "id", "--client-secret", "secret-value", "token"]
    assert run(args).exit_code == ExitCode.INTERNAL
    assert run(args, env={"K2CONNECT_DEBUG": "1"}).exception is error


@pytest.mark.parametrize("retry_after", [None, 3.0], ids=["no-hint", "hint"])
def test_rate_limit_says_when_to_retry_only_when_k2_did(
    retry_after: float | None, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 exits 4; K2's Retry-After hint, when it sent one, is in the line and the JSON."""
    error = K2RateLimitError("K2 answered 429 Too Many Requests", status_code=429, retry_after=retry_after)
    _raise_from_token(monkeypatch, error)
    result = run(["--client-id", "id", "--client-secret", "secret-value", "--json", "token"])
    assert_clean(result, int(ExitCode.API))
    assert ("retry after 3 s" in result.stderr) is (retry_after is not None)
    assert json.loads(result.stdout)["error"].get("retry_after") == retry_after
