"""Retry rules, sync and async alike: what is retried, how long we wait, and that no payment is sent twice."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k2connect_ext import _call
from k2connect_ext._exceptions import K2AmbiguousOutcomeError, K2ConfigError, K2RateLimitError
from k2connect_ext._retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy, parse_retry_after
from k2connect_ext._translate import ResponseTooLarge, raise_for_status
from tests.client_runner import LOCATION, Runner
from tests.fakes import FakeClock, FakeK2, error

BASE = "https://sandbox.kopokopo.com"
PAYMENT = "/api/v1/payments"


def fake_policy(clock: FakeClock, **overrides: Any) -> RetryPolicy:
    """A default policy whose sleeps and clock are ``clock``, with jitter fixed at half the backoff."""
    defaults: dict[str, Any] = {
        "sleep": clock.sleep,
        "async_sleep": clock.asleep,
        "clock": clock,
        "random": lambda: 0.5,
    }
    return RetryPolicy(**{**defaults, **overrides})


class TrackedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that remembers being closed."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"{}"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{}"

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


Outcome = int | BaseException | tuple[int, dict[str, str]]


class Script:
    """A handler that plays outcomes in order (a status, a (status, headers) pair, or an exception to raise)
    and counts the requests that reached it."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.streams: list[TrackedStream] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else 200
        if isinstance(outcome, BaseException):
            raise outcome
        status, headers = outcome if isinstance(outcome, tuple) else (outcome, {})
        stream = TrackedStream()
        self.streams.append(stream)
        return httpx.Response(status, headers=headers, stream=stream)


async def send(
    mode: str, script: Script, policy: RetryPolicy, method: str, url: str, **kw: Any
) -> httpx.Response:
    """Send one request through RetryingTransport or AsyncRetryingTransport over ``script``."""
    if mode == "sync":
        with httpx.Client(
            transport=RetryingTransport(httpx.MockTransport(script), policy), base_url=BASE
        ) as c:
            return c.request(method, url, **kw)
    transport = AsyncRetryingTransport(httpx.MockTransport(script), policy)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as ac:
        return await ac.request(method, url, **kw)


modes = pytest.mark.parametrize("mode", ["sync", "async"])
NEVER_SENT = [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect"), httpx.PoolTimeout("pool")]
MAYBE_SENT = [
    httpx.ReadError("reset"),
    httpx.ReadTimeout("read"),
    httpx.WriteError("broken pipe"),
    httpx.WriteTimeout("write"),
    httpx.RemoteProtocolError("server hung up"),
    httpx.ProxyError("proxy"),
    httpx.CloseError("close"),
]


def names(excs: list[httpx.TransportError]) -> list[str]:
    """Test ids named after the exception classes."""
    return [type(e).__name__ for e in excs]


# --- parse_retry_after ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("1.5", 1.5),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("-1", None),
        ("soon", None),
        ("inf", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: now
        ("Wed, 21 Oct 2015 07:28:00 -0000", None),  # no usable zone
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Delta-seconds and HTTP dates are read; anything else is None."""
    now = 1445412450.0  # 2015-10-21 07:27:30 UTC
    assert parse_retry_after(value, now=now) == expected


def test_parse_retry_after_defaults_to_the_wall_clock() -> None:
    """Without ``now``, an HTTP date is measured against time.time()."""
    from datetime import UTC, datetime, timedelta

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)
    delay = parse_retry_after(later)
    assert delay is not None
    assert 90 < delay <= 100


# --- RetryPolicy ----------------------------------------------------------------------------------------


def test_backoff_doubles_and_caps_with_full_jitter() -> None:
    """Full jitter: random x min(max_delay, base x 2^(n-1))."""
    policy = RetryPolicy(random=lambda: 0.5)
    assert [policy.backoff(n) for n in range(1, 7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]


def test_backoff_with_equal_jitter_waits_at_least_half() -> None:
    """Equal jitter: half the backoff plus random x half."""
    low, high = (
        RetryPolicy(jitter="equal", random=lambda: 0.0),
        RetryPolicy(jitter="equal", random=lambda: 0.999),
    )
    assert [low.backoff(n) for n in (1, 2, 5, 9)] == [0.25, 0.5, 4.0, 4.0]
    assert all(low.backoff(n) <= high.backoff(n) < 2 * low.backoff(n) for n in range(1, 9))


@pytest.mark.parametrize(
    "bad",
    [
        {"max_attempts": 0},
        {"max_attempts": "3"},
        {"max_attempts": True},
        {"max_attempts": 2.5},
        {"base_delay": -1},
        {"base_delay": "0.5"},
        {"max_delay": -0.1},
        {"max_delay": float("nan")},
        {"max_elapsed": -1},
        {"max_elapsed": None},
        {"jitter": "none"},
        {"max_retry_after": -1},
        {"max_response_bytes": 0},
        {"retry_statuses": [503, 99]},
        {"retry_statuses": ["503"]},
        {"retry_statuses": 503},
    ],
)
def test_policy_rejects_nonsense(bad: dict[str, Any]) -> None:
    """Impossible settings fail at construction, not in the middle of a payment, as the K2ConfigError
    every other client option raises, naming the setting."""
    [(name, _)] = bad.items()
    with pytest.raises(K2ConfigError, match=f"RetryPolicy.{name}"):
        RetryPolicy(**bad)


def test_policy_defaults_and_repr() -> None:
    """The documented defaults; the repr leaves out the injected callables."""
    policy = RetryPolicy(retry_statuses=[503])
    assert (policy.max_attempts, policy.base_delay, policy.max_delay, policy.max_elapsed) == (
        4,
        0.5,
        8.0,
        30.0,
    )
    assert policy.retry_statuses == frozenset({503})
    assert RetryPolicy().retry_statuses == frozenset({429, 502, 503, 504})
    assert RetryPolicy().max_retry_after == 60.0
    assert "sleep" not in repr(policy)


# --- Repeatable requests --------------------------------------------------------------------------------


@modes
@pytest.mark.parametrize("exc", NEVER_SENT + MAYBE_SENT, ids=names(NEVER_SENT + MAYBE_SENT))
async def test_get_is_retried_after_any_transient_error(mode: str, exc: httpx.TransportError) -> None:
    """A GET that failed on the wire, in any way, is sent again after a backoff."""
    clock, script = FakeClock(), Script(exc)
    response = await send(mode, script, fake_policy(clock), "GET", "/api/v1/payments/1")
    assert response.status_code == 200
    assert script.calls == 2
    assert clock.sleeps == [0.25]


@modes
@pytest.mark.parametrize("exc", MAYBE_SENT[:3], ids=names(MAYBE_SENT[:3]))
async def test_token_post_is_retried_like_a_get(mode: str, exc: httpx.TransportError) -> None:
    """POST /oauth/token may be repeated: the worst case is a second token."""
    clock, script = FakeClock(), Script(exc, 503)
    response = await send(mode, script, fake_policy(clock), "POST", "/oauth/token", data={"grant_type": "x"})
    assert response.status_code == 200
    assert script.calls == 3


@modes
@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_get_is_retried_on_retry_statuses_and_discarded_responses_closed(
    mode: str, status: int
) -> None:
    """429/502/503/504 are retried for a GET; every discarded response is closed."""
    clock, script = FakeClock(), Script(status, status)
    response = await send(mode, script, fake_policy(clock), "GET", "/api/v1/payments/1")
    assert response.status_code == 200
    assert script.calls == 3
    assert [s.closed for s in script.streams[:2]] == [True, True]
    assert clock.sleeps == [0.25, 0.5]


@modes
@pytest.mark.parametrize("status", [400, 401, 404, 500])
async def test_other_statuses_are_not_retried(mode: str, status: int) -> None:
    """Errors a retry cannot fix (including a plain 500) come back at once."""
    clock, script = FakeClock(), Script(status)
    assert (await send(mode, script, fake_policy(clock), "GET", "/x")).status_code == status
    assert script.calls == 1
    assert clock.sleeps == []


@modes
@pytest.mark.parametrize(
    "exc",
    [httpx.LocalProtocolError("bad header"), httpx.UnsupportedProtocol("ftp")],
    ids=["local", "protocol"],
)
async def test_errors_a_retry_cannot_fix_are_raised_at_once(mode: str, exc: httpx.TransportError) -> None:
    """A request we built wrongly, or a bad URL scheme, fails the same way every time: not retried."""
    clock, script = FakeClock(), Script(exc)
    with pytest.raises(type(exc)):
        await send(mode, script, fake_policy(clock), "GET", "/x")
    assert script.calls == 1


@modes
async def test_retry_after_seconds_is_honoured(mode: str) -> None:
    """A 429 with Retry-After: 7 waits exactly 7 s instead of the backoff."""
    clock, script = FakeClock(), Script((429, {"Retry-After": "7"}))
    assert (await send(mode, script, fake_policy(clock), "GET", "/x")).status_code == 200
    assert clock.sleeps == [7.0]


@modes
async def test_retry_after_date_is_honoured(mode: str) -> None:
    """A 503 with an HTTP-date Retry-After waits until that date (by the wall clock)."""
    from datetime import UTC, datetime, timedelta

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    clock, script = FakeClock(), Script((503, {"Retry-After": when}))
    assert (await send(mode, script, fake_policy(clock), "GET", "/x")).status_code == 200
    assert len(clock.sleeps) == 1
    assert 10 < clock.sleeps[0] <= 20


@modes
async def test_retry_after_beyond_the_cap_is_not_waited_for(mode: str) -> None:
    """Retry-After over max_retry_after: no sleep, the 429 is returned and maps to K2RateLimitError."""
    clock, script = FakeClock(), Script((429, {"Retry-After": "61"}))
    response = await send(mode, script, fake_policy(clock), "GET", "/x")
    assert response.status_code == 429
    assert script.calls == 1
    assert clock.sleeps == []
    with pytest.raises(K2RateLimitError) as info:
        raise_for_status(response)
    assert info.value.retry_after == 61.0


@modes
async def test_max_attempts_bounds_the_tries(mode: str) -> None:
    """An endless 503 is tried max_attempts times; the last response is returned open, the others closed."""
    clock, script = FakeClock(), Script(*[503] * 10)
    response = await send(mode, script, fake_policy(clock, max_delay=1.0), "GET", "/x")
    assert response.status_code == 503
    assert script.calls == 4
    assert clock.sleeps == [0.25, 0.5, 0.5]
    assert [s.closed for s in script.streams[:3]] == [True, True, True]


@modes
async def test_exhausted_retries_reraise_the_last_error(mode: str) -> None:
    """When every try fails, the last httpx error is re-raised for the caller to translate."""
    clock, script = FakeClock(), Script(*[httpx.ReadTimeout(f"try {i}") for i in range(4)])
    with pytest.raises(httpx.ReadTimeout, match="try 3"):
        await send(mode, script, fake_policy(clock), "GET", "/x")
    assert script.calls == 4


@modes
async def test_max_elapsed_bounds_the_total_wait(mode: str) -> None:
    """A wait that would end past max_elapsed is not started: Retry-After 20 in a 30 s budget, one retry."""
    clock, script = FakeClock(), Script(*[(503, {"Retry-After": "20"})] * 4)
    response = await send(mode, script, fake_policy(clock), "GET", "/x")
    assert response.status_code == 503
    assert script.calls == 2
    assert clock.sleeps == [20.0]


@modes
async def test_slow_attempts_count_against_max_elapsed(mode: str) -> None:
    """Time spent inside attempts (a 25 s timeout) counts too: no retry that would end past 30 s."""
    clock = FakeClock()

    class SlowScript(Script):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            clock.now += 25  # the read timeout took 25 s
            return super().__call__(request)

    script = SlowScript(httpx.ReadTimeout("slow"))
    with pytest.raises(httpx.ReadTimeout):
        await send(mode, script, fake_policy(clock, base_delay=20, random=lambda: 0.999), "GET", "/x")
    assert script.calls == 1


# --- Money-moving requests ------------------------------------------------------------------------------


@modes
@pytest.mark.parametrize("exc", NEVER_SENT, ids=names(NEVER_SENT))
async def test_payment_post_is_retried_when_it_never_left(mode: str, exc: httpx.TransportError) -> None:
    """ConnectError, ConnectTimeout and PoolTimeout prove nothing was sent, so even a payment is retried."""
    clock, script = FakeClock(), Script(exc, exc)
    response = await send(mode, script, fake_policy(clock), "POST", PAYMENT, json={"amount": 1})
    assert response.status_code == 200
    assert script.calls == 3  # two failures that never reached K2, one success


@modes
async def test_payment_post_never_sent_gives_up_with_the_connection_error(mode: str) -> None:
    """If no connection ever works, the ConnectError itself is raised: nothing was sent, so not ambiguous."""
    clock, script = FakeClock(), Script(*[httpx.ConnectError("refused")] * 4)
    with pytest.raises(httpx.ConnectError):
        await send(mode, script, fake_policy(clock), "POST", PAYMENT, json={})
    assert script.calls == 4


@modes
@pytest.mark.parametrize(
    "exc", [*MAYBE_SENT, httpx.LocalProtocolError("x")], ids=[*names(MAYBE_SENT), "Local"]
)
async def test_payment_post_that_may_have_been_sent_is_ambiguous(
    mode: str, exc: httpx.TransportError
) -> None:
    """After a failure that may follow sending, a payment POST is never resent: K2AmbiguousOutcomeError."""
    clock, script = FakeClock(), Script(exc)
    body = {
        "amount": {"currency": "KES", "value": "100"},
        "client_secret": "s3cret",
        "token": "t0ken",
        "_links": {"callback_url": "https://shop.example/cb"},
    }
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await send(mode, script, fake_policy(clock), "POST", f"{PAYMENT}?ref=secret", json=body)
    assert script.calls == 1
    assert clock.sleeps == []
    error = info.value
    assert (error.method, error.url) == ("POST", f"{BASE}{PAYMENT}")
    assert error.request_body == {
        "amount": {"currency": "KES", "value": "100"},
        "_links": {"callback_url": "https://shop.example/cb"},
    }
    assert error.callback_url == "https://shop.example/cb"
    # No chain back to the httpx exception: its .request carries the Authorization header.
    assert error.__cause__ is None and error.__context__ is None
    assert "may have moved money" in str(error)
    assert "ref=secret" not in str(error)


@modes
@pytest.mark.parametrize(
    ("kwargs", "expected_body"),
    [
        ({"content": b"not json"}, None),
        ({"json": [1, 2]}, None),
        ({"json": {"_links": "nope"}}, {"_links": "nope"}),
        ({"json": {"_links": {"callback_url": 7}}}, {"_links": {"callback_url": 7}}),
        ({}, None),
    ],
)
async def test_ambiguous_error_tolerates_odd_bodies(
    mode: str, kwargs: dict[str, Any], expected_body: Any
) -> None:
    """A body that is not a JSON object, or odd _links, still gives a clean ambiguous error."""
    clock, script = FakeClock(), Script(httpx.ReadTimeout("read"))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await send(mode, script, fake_policy(clock), "POST", PAYMENT, **kwargs)
    assert info.value.request_body == expected_body
    assert info.value.callback_url is None


@modes
@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_payment_post_error_status_is_returned_not_retried(mode: str, status: int) -> None:
    """A payment POST that got an answer, even 429 or 503, is never resent: the answer is returned."""
    clock, script = FakeClock(), Script((status, {"Retry-After": "1"}))
    response = await send(mode, script, fake_policy(clock), "POST", PAYMENT, json={})
    assert response.status_code == status
    assert script.calls == 1
    assert clock.sleeps == []


@modes
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_other_methods_are_treated_like_payments(mode: str, method: str) -> None:
    """Anything not GET/HEAD/OPTIONS (or the token POST) is strict: a read timeout is ambiguous."""
    clock, script = FakeClock(), Script(httpx.ReadTimeout("read"))
    with pytest.raises(K2AmbiguousOutcomeError):
        await send(mode, script, fake_policy(clock), method, "/api/v1/thing", json={})
    assert script.calls == 1


# --- Properties -----------------------------------------------------------------------------------------

outcomes = st.lists(
    st.sampled_from([200, 201, 400, 429, 500, 502, 503, 504, "retry-after", "connect", "read", "protocol"]),
    min_size=1,
    max_size=8,
)


def make_outcome(kind: int | str) -> Outcome:
    """Turn a drawn outcome name into something a Script can play."""
    if isinstance(kind, int):
        return kind
    named: dict[str, Outcome] = {
        "retry-after": (503, {"Retry-After": "9"}),
        "connect": httpx.ConnectError("x"),
        "read": httpx.ReadError("x"),
        "protocol": httpx.RemoteProtocolError("x"),
    }
    return named[kind]


@settings(max_examples=150, deadline=None)
@given(kinds=outcomes, method=st.sampled_from(["GET", "POST"]), mode=st.sampled_from(["sync", "async"]))
def test_bounds_hold_for_any_sequence_of_failures(kinds: list[int | str], method: str, mode: str) -> None:
    """For any failures: tries and waits stay bounded, and a payment POST reaches K2 at most once."""
    clock = FakeClock()
    script = Script(*[make_outcome(k) for k in kinds])
    policy = fake_policy(clock, random=lambda: 0.999)
    with contextlib.suppress(httpx.TransportError, K2AmbiguousOutcomeError):
        asyncio.run(send(mode, script, policy, method, PAYMENT, json={} if method == "POST" else None))
    assert script.calls <= policy.max_attempts
    assert sum(clock.sleeps) <= policy.max_elapsed
    assert all(0 <= s <= max(policy.max_delay, 9.0) for s in clock.sleeps)
    if method == "POST":
        reached = [k for k in kinds[: script.calls] if k != "connect"]
        assert len(reached) <= 1


# --- Plumbing -------------------------------------------------------------------------------------------


def test_sync_transport_closes_its_inner_transport() -> None:
    """Closing the retrying transport closes the one it wraps."""
    inner = httpx.HTTPTransport()
    with RetryingTransport(inner) as transport:
        assert transport.policy == RetryPolicy()
    assert inner._pool.connections == []
    closed = []
    inner.close = lambda: closed.append(True)  # type: ignore[method-assign]
    RetryingTransport(inner).close()
    assert closed == [True]


async def test_async_transport_closes_its_inner_transport() -> None:
    """Closing the async retrying transport closes the one it wraps."""
    closed = []

    class Inner(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:  # pragma: no cover
            raise NotImplementedError

        async def aclose(self) -> None:
            closed.append(True)

    transport = AsyncRetryingTransport(Inner())
    assert transport.policy == RetryPolicy()
    await transport.aclose()
    assert closed == [True]


@modes
async def test_retries_are_logged_without_query_strings(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    """Each retry logs one DEBUG line naming method, URL without query, wait and reason."""
    caplog.set_level(logging.DEBUG, logger="k2connect.retry")
    clock, script = FakeClock(), Script(503)
    await send(mode, script, fake_policy(clock), "GET", "/x?phone=254700000000")
    [record] = [r for r in caplog.records if r.name == "k2connect.retry"]
    assert record.getMessage() == f"Retrying GET {BASE}/x in 0.25 s after status 503 (try 2 of 4)"


@modes
async def test_request_body_is_resent_intact(mode: str) -> None:
    """A token POST retried after a connection failure sends the same body again."""
    bodies: list[bytes] = []
    clock = FakeClock()

    class Recording(Script):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            bodies.append(request.content)
            return super().__call__(request)

    await send(
        mode, Recording(httpx.ReadError("x")), fake_policy(clock), "POST", "/oauth/token", json={"a": 1}
    )
    assert [json.loads(b) for b in bodies] == [{"a": 1}, {"a": 1}]


# ----------------------------------------------------------------------------------------------------
# The retrying transports while an answer's body is read, and their asyncio backstop.
#
# A body is judged chunk by chunk: past ``max_response_bytes`` (when no length was declared) or past the
# call's deadline, reading stops and the failure follows the usual rules. An inner transport that ignores
# its timeouts is stopped shortly after the call's deadline by the async transport's own timer.


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of ``count`` chunks of ``size`` bytes, sent without a length; counts the chunks pulled."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size = count, size
        self.pulled = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield b"x" * self.size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Handler:
    """Answers every request with 200 and ``body`` (with ``headers``); counts the requests."""

    def __init__(
        self, body: Chunks, *, headers: dict[str, str] | None = None, deadline_passes: bool = False
    ) -> None:
        self.body = body
        self.headers = headers or {}
        self.deadline_passes = deadline_passes
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.deadline_passes:  # the headers came just in time; the body will arrive after the deadline
            call = _call.current()
            assert call is not None
            call.deadline = time.monotonic() - 1.0
        return httpx.Response(200, headers=self.headers, stream=self.body)


def policy(waits: list[float], max_response_bytes: int = 1024) -> RetryPolicy:
    """Default rules; any wait before a retry is recorded instead of slept."""

    async def async_sleep(seconds: float) -> None:
        waits.append(seconds)

    return RetryPolicy(sleep=waits.append, async_sleep=async_sleep, max_response_bytes=max_response_bytes)


async def send_payment(mode: str, handler: Handler, rules: RetryPolicy, method: str) -> httpx.Response:
    if mode == "sync":
        transport = RetryingTransport(httpx.MockTransport(handler), rules)
        with httpx.Client(transport=transport, base_url=BASE) as client:
            return client.request(method, "/api/v1/payments", json={"amount": "10"})
    async_transport = AsyncRetryingTransport(httpx.MockTransport(handler), rules)
    async with httpx.AsyncClient(transport=async_transport, base_url=BASE) as async_client:
        return await async_client.request(method, "/api/v1/payments", json={"amount": "10"})


@modes
async def test_a_call_past_its_deadline_sends_nothing(mode: str) -> None:
    """When the call's deadline has passed before a try, the request is not handed to the network at all:
    ``PoolTimeout``, which says "never sent"."""
    waits: list[float] = []
    handler = Handler(Chunks(count=1, size=2))
    with _call.scope("pay", timeout=60.0) as call, pytest.raises(httpx.PoolTimeout):
        call.deadline = time.monotonic() - 1.0
        await send_payment(mode, handler, policy(waits), "POST")
    assert (handler.calls, waits) == (0, [])


@modes
async def test_a_declared_length_over_the_limit_is_refused_unread(mode: str) -> None:
    """A ``Content-Length`` over ``max_response_bytes`` is refused before a byte of the body is read."""
    waits: list[float] = []
    body = Chunks(count=100, size=6)
    handler = Handler(body, headers={"Content-Length": "600"})
    with pytest.raises(ResponseTooLarge):
        await send_payment(mode, handler, policy(waits, max_response_bytes=10), "GET")
    assert (handler.calls, body.pulled, body.closed, waits) == (1, 0, True, [])


@modes
async def test_a_body_without_a_length_stops_being_read_past_the_limit(mode: str) -> None:
    """A chunked answer larger than ``max_response_bytes`` is refused as soon as it passes the limit, with
    the rest left unread and the response closed; a retry would only fetch it again, so there is none."""
    waits: list[float] = []
    body = Chunks(count=100, size=6)
    handler = Handler(body)
    with pytest.raises(ResponseTooLarge):
        await send_payment(mode, handler, policy(waits, max_response_bytes=10), "GET")
    assert (handler.calls, body.pulled, body.closed, waits) == (1, 2, True, [])


@modes
async def test_a_get_whose_body_outlasts_the_call_is_a_read_timeout(mode: str) -> None:
    """The headers came in time but the call's deadline passes before the body is read: ReadTimeout, and
    no retry, since none could finish in time."""
    waits: list[float] = []
    handler = Handler(Chunks(count=3, size=4), deadline_passes=True)
    with _call.scope("get", timeout=60.0), pytest.raises(httpx.ReadTimeout):
        await send_payment(mode, handler, policy(waits), "GET")
    assert (handler.calls, waits) == (1, [])


@modes
async def test_a_payment_whose_body_outlasts_the_call_is_ambiguous(mode: str) -> None:
    """The same for a payment POST: K2 answered, so it may have moved money. The error says so and carries
    the status that came, and the POST is not sent again."""
    waits: list[float] = []
    handler = Handler(Chunks(count=3, size=4), deadline_passes=True)
    with _call.scope("pay", timeout=60.0), pytest.raises(K2AmbiguousOutcomeError) as caught:
        await send_payment(mode, handler, policy(waits), "POST")
    assert (caught.value.status_code, handler.calls, waits) == (200, 1, [])


class Hanging(httpx.AsyncBaseTransport):
    """An inner transport that never answers and honours no timeout (a stuck third-party transport)."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")  # pragma: no cover - the wait above never ends


@pytest.mark.parametrize(("method", "error"), [("GET", httpx.ReadTimeout), ("POST", K2AmbiguousOutcomeError)])
async def test_the_async_backstop_ends_a_call_whose_transport_ignores_its_timeouts(
    method: str, error: type[Exception]
) -> None:
    """A transport stuck past the call's deadline is cut off by the backstop shortly after it: a GET gets
    ReadTimeout, a payment POST (which may have arrived) the ambiguous outcome; neither is sent again."""
    waits: list[float] = []
    inner = Hanging()
    transport = AsyncRetryingTransport(inner, policy(waits))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        with _call.scope("call", timeout=0.1), pytest.raises(error):
            await client.request(method, "/api/v1/payments", json={"amount": "10"})
    assert (inner.calls, waits) == (1, [])


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


async def test_retryable_read_statuses_are_retried_with_retry_after(runner: Runner) -> None:
    """A GET answered 503 with Retry-After is retried after that many seconds, then succeeds."""
    server = FakeK2(error(503, {"Retry-After": "2"}), error(503, {"Retry-After": "2"}))
    result = await runner.run(runner.k2(server).get, LOCATION)
    assert result.data.attributes.status == "Success"
    assert runner.clock.sleeps == [2.0, 2.0]
    assert len(server.api_requests()) == 3
