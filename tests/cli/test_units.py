"""The CLI's pieces without a server: output, masking, parsing, error mapping (progress: test_progress)."""

from __future__ import annotations

import json
from decimal import Decimal

import click
import pytest

from k2connect_cli.commands.destinations import destination_from_dict
from k2connect_cli.commands.token import mask
from k2connect_cli.exit_codes import ExitCode
from k2connect_cli.failures import describe, redact
from k2connect_cli.options import parse_metadata
from k2connect_cli.output import Output
from k2connect_ext import (
    K2AmbiguousOutcomeError,
    K2AuthError,
    K2InputError,
    K2PollTimeoutError,
    K2RateLimitError,
    K2ServerError,
    K2TimeoutError,
    WebhookPayloadError,
)


def test_output_aligns_and_skips_empty(capsys: pytest.CaptureFixture[str]) -> None:
    """Human records align their values and leave out None and empty values."""
    Output(False).record({"id": "1", "status": None, "amount": Decimal("10.50"), "long_key": True, "x": ""})
    assert capsys.readouterr().out == "id:       1\namount:   10.50\nlong_key: yes\n"


def test_output_json_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON mode prints one line of JSON, Decimals as exact strings, and no table."""
    output = Output(True)
    output.record({"amount": Decimal("10.50")}, document={"amount": Decimal("10.50"), "n": None})
    output.table(("A",), [("b",)])
    assert json.loads(capsys.readouterr().out) == {"amount": "10.50", "n": None}


def test_mask_keeps_only_a_short_tail() -> None:
    """A token is masked to its last four characters; a short one entirely."""
    assert mask("abcdefghijklmnopqrstuvwxyz") == "********wxyz"
    assert mask("short") == "********"


def test_parse_metadata() -> None:
    """KEY=VALUE pairs become a dict (values may hold '='); none is None; a bare key is refused."""
    assert parse_metadata(["order=1", "note=a=b"]) == {"order": "1", "note": "a=b"}
    assert parse_metadata([]) is None
    with pytest.raises(click.BadParameter):
        parse_metadata(["=x"])


def test_redact_longest_first() -> None:
    """Secrets are masked, the longer first so one inside another leaves nothing behind."""
    assert redact("key abcd and abcdef", ["abcd", "abcdef"]) == "key *** and ***"


def test_destination_from_dict() -> None:
    """A wire-form destination is built with the SDK's helper, so it is validated the same way."""
    built = destination_from_dict({"type": "mobile_wallet", "phone_number": "0712345678", "amount": 10,
                                   "description": "x"}, 0)  # fmt: skip
    assert built.to_dict()["phone_number"] == "254712345678"
    with pytest.raises(K2InputError, match="destinations\\[3\\] \\(till\\)"):
        destination_from_dict(
            {"type": "till", "till_number": "1", "amount": 1, "description": "x", "y": 1}, 3
        )
    with pytest.raises(K2InputError, match="JSON object"):
        destination_from_dict(["till"], 0)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (K2AuthError("no", status_code=401), ExitCode.API),
        (K2RateLimitError("slow down", status_code=429, retry_after=3), ExitCode.API),
        (K2ServerError("down", status_code=503), ExitCode.UNAVAILABLE),
        (K2TimeoutError("timed out"), ExitCode.UNAVAILABLE),
        (K2AmbiguousOutcomeError("lost", method="POST", url="https://x/api/v1/payments"), ExitCode.AMBIGUOUS),
        (K2PollTimeoutError("late", location="/api/v1/payments/1"), ExitCode.POLL_TIMEOUT),
        (WebhookPayloadError("bad"), ExitCode.FAILED),
        (K2InputError("bad", field="amount"), ExitCode.USAGE),
    ],
    ids=lambda value: type(value).__name__,
)
def test_error_mapping(error: Exception, code: ExitCode) -> None:
    """Each SDK error maps to its documented exit code."""
    failure = describe(error)
    assert failure is not None and failure.code is code


def test_unknown_exception_is_not_mapped() -> None:
    """An exception the CLI does not expect is left to the internal-error path."""
    assert describe(ZeroDivisionError()) is None
