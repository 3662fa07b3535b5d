"""The secret scan: first that it finds what it must (so a clean scan means something), then the token
endpoint's three ways of pushing a secret into an exception (issue 9, item 4), sync and async.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError, K2Error

from .faultserver import Fault, FaultServer
from .matrix import API_KEY, CLIENT_ID, CLIENT_SECRET, POLICY, new_server
from .secrets_scan import scan_exception

SECRET = "cs-0123456789+/="
SECRETS = {"client_secret": [SECRET]}


def _labels(exc: BaseException) -> set[str]:
    return {f.label for f in scan_exception(exc, SECRETS)}


# ------------------------------------------------------------------------------- the scanner itself
def test_scan_is_clean_for_an_exception_without_secrets() -> None:
    assert scan_exception(ValueError("nothing to see"), SECRETS) == []


def test_scan_finds_a_secret_in_the_message() -> None:
    assert _labels(RuntimeError(f"bad secret {SECRET}")) == {"client_secret"}


def test_scan_finds_a_secret_in_an_attribute_of_the_context() -> None:
    inner = KeyError("x")
    inner.body = {"nested": [{"client_secret": SECRET}]}  # type: ignore[attr-defined]
    outer = RuntimeError("clean")
    outer.__context__ = inner
    findings = scan_exception(outer, SECRETS)
    assert [f.where for f in findings] == ["exc.__context__.body['nested'][0]['client_secret']"]


def test_scan_finds_a_form_encoded_secret_in_request_bytes_of_the_cause() -> None:
    """What ``raise ... from httpx_error`` keeps: the request, its form body, its headers."""
    request = httpx.Request("POST", "https://k2.test/oauth/token", data={"client_secret": SECRET})
    request.read()
    outer = RuntimeError("clean")
    outer.__cause__ = httpx.ReadError("cut", request=request)
    assert _labels(outer) == {"client_secret"}
    assert "%2B%2F%3D" in request.content.decode()  # the secret travelled encoded, and was still found


def test_scan_finds_a_bearer_token_in_request_headers() -> None:
    request = httpx.Request("GET", "https://k2.test/api", headers={"Authorization": "Bearer tok-1"})
    outer = RuntimeError("clean")
    outer.__context__ = httpx.ConnectError("refused", request=request)
    assert {f.label for f in scan_exception(outer, {"token": ["tok-1"]})} == {"token"}


def test_scan_finds_a_secret_in_notes_and_slots() -> None:
    class Slotted:
        __slots__ = ("value",)

        def __init__(self, value: str) -> None:
            self.value = value

    exc = RuntimeError("clean")
    exc.add_note(json.dumps({"s": SECRET}))
    exc.args = ("clean", Slotted(SECRET))
    assert {f.where for f in scan_exception(exc, SECRETS)} == {"exc.__notes__[0]", "exc.args[1].value"}


def test_scan_survives_cycles_and_broken_str() -> None:
    class BrokenError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    exc = BrokenError()
    exc.self = exc  # type: ignore[attr-defined]
    exc.__context__ = exc
    assert scan_exception(exc, SECRETS) == []


# ------------------------------------------------------------------------------- the token endpoint
@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    srv = new_server()
    yield srv
    srv.close()


_JSON = (("Content-Type", "application/json"),)
TOKEN_FAULTS = {
    # A body cut inside the JSON, after the token: JSONDecodeError's .doc is the whole body.
    "truncated_json": Fault(
        "truncated_json", "token_body", "token", "status", 200, _JSON, b'{"access_token": "{token}", "expi'
    ),
    # A valid token with a status the spec does not describe: UnexpectedStatus.content is the body.
    "valid_token_202": Fault("valid_token_202", "token_body", "token", "status", 202, _JSON, b"{token_json}"),
    # K2's error text quoting the client secret (and the api key, and tokens it has issued).
    "error_echoes_secret": Fault(
        "error_echoes_secret",
        "echo_secret",
        "token",
        "status",
        401,
        _JSON,
        b'{"error": "invalid_client", "error_description": "{secret_echo}"}',
    ),
}


def _settings(base_url: str) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "api_key": API_KEY,
        "base_url": base_url,
        "timeout": 2.0,
        "retry": POLICY,
        "environ": {},
    }


@pytest.mark.parametrize("fault", list(TOKEN_FAULTS), ids=str)
def test_token_errors_carry_no_secret_sync(server: FaultServer, fault: str) -> None:
    with server.listen(TOKEN_FAULTS[fault], name=fault) as listener, K2(**_settings(listener.base_url)) as k2:
        with pytest.raises(K2Error) as info:
            k2.token()
        issued = list(listener.issued.tokens)
    _assert_clean(info.value, issued, needs_token=fault != "error_echoes_secret")


@pytest.mark.parametrize("fault", list(TOKEN_FAULTS), ids=str)
async def test_token_errors_carry_no_secret_async(server: FaultServer, fault: str) -> None:
    with server.listen(TOKEN_FAULTS[fault], name=fault) as listener:
        async with AsyncK2(**_settings(listener.base_url)) as k2:
            with pytest.raises(K2Error) as info:
                await k2.token()
        issued = list(listener.issued.tokens)
    _assert_clean(info.value, issued, needs_token=fault != "error_echoes_secret")


def _assert_clean(exc: BaseException, issued: list[str], *, needs_token: bool) -> None:
    if needs_token:
        assert issued, "the fault server issued no token: the test would prove nothing"
    assert not isinstance(exc, K2AmbiguousOutcomeError)  # a token request never moves money
    findings = scan_exception(exc, {"client_secret": [CLIENT_SECRET], "api_key": [API_KEY], "token": issued})
    assert findings == [], "\n".join(map(str, findings))
