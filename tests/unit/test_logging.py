"""Tests for k2connect_ext._logging: ``K2CONNECT_LOG``, the ``k2connect.http`` line of every try (httpx sync,
httpx async and aiohttp alike), the token and polling lines, and that no record ever carries a secret.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from k2connect_ext import _logging
from k2connect_ext._client import async_connect, connect
from k2connect_ext._exceptions import K2AmbiguousOutcomeError
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy
from k2connect_ext._settings import HttpBackend
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken, MemoryTokenStore
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, serve_in_thread
from tests.client_runner import CLIENT_ID, SECRET, STK_ARGS, Runner
from tests.fakes import PID, TOKEN, FakeClock, FakeK2, error, incoming_payment, raises, reply
from tests.unit.test_loggers import _logger_names

BASE = "https://sandbox.kopokopo.com"
STK_PATH = "/api/v2/incoming_payments"
API_KEY = "api-key-77c2-must-never-leak"
INTENT_TAG = "k2i-0d8e-intent-tag-in-a-query"
PACKAGE_LOGGER = logging.getLogger("k2connect")
REQUEST_LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>/\S*) -> (?P<outcome>.+?) in (?P<ms>\d+) ms(?P<rest>.*)$"
)


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 and through AsyncK2."""
    return Runner(request.param)


@pytest.fixture(autouse=True)
def no_k2connect_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends without the variable, the handler it adds, or a warning already given."""
    monkeypatch.delenv(_logging.ENV_VAR, raising=False)
    _logging.configure_from_environment({})
    _logging._warned.clear()
    level = PACKAGE_LOGGER.level
    yield
    _logging.configure_from_environment({})
    _logging._warned.clear()
    PACKAGE_LOGGER.setLevel(level)


class Capture(logging.Handler):
    """Every record of the ``k2connect`` loggers, at DEBUG, as an application's handler would get them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, name: str, level: int | None = None) -> list[str]:
        return [
            r.getMessage() for r in self.records if r.name == name and (level is None or r.levelno == level)
        ]

    def http(self) -> list[str]:
        """The ``k2connect.http`` INFO lines, durations replaced by ``N``."""
        return [normalized(m) for m in self.messages("k2connect.http", logging.INFO)]

    def texts(self) -> list[str]:
        """Everything a handler could show of each record: the formatted line (traceback included), the
        arguments and every attribute (the ``extra`` fields)."""
        out: list[str] = []
        for record in self.records:
            out.append(self.format(record))
            out.append(repr(record.args))
            out.extend(repr(value) for value in vars(record).values())
        return out


@pytest.fixture
def captured() -> Iterator[Capture]:
    handler = Capture()
    level = PACKAGE_LOGGER.level
    PACKAGE_LOGGER.addHandler(handler)
    PACKAGE_LOGGER.setLevel(logging.DEBUG)
    yield handler
    PACKAGE_LOGGER.removeHandler(handler)
    PACKAGE_LOGGER.setLevel(level)


def normalized(line: str) -> str:
    return re.sub(r" in \d+ ms", " in N ms", line)


def sdk_handlers() -> list[logging.Handler]:
    return [h for h in PACKAGE_LOGGER.handlers if isinstance(h, _logging._StderrHandler)]


async def close(k2: K2 | AsyncK2) -> None:
    if isinstance(k2, K2):
        k2.close()
    else:
        await k2.aclose()


# ------------------------------------------------------------------------------------- K2CONNECT_LOG
def _make_k2(server: FakeK2) -> Any:
    return K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(server))


def _make_async_k2(server: FakeK2) -> Any:
    return AsyncK2(CLIENT_ID, SECRET, transport=httpx.MockTransport(server))


def _make_connect(server: FakeK2) -> Any:
    return connect(CLIENT_ID, SECRET, transport=httpx.MockTransport(server))


def _make_async_connect(server: FakeK2) -> Any:
    return async_connect(CLIENT_ID, SECRET, transport=httpx.MockTransport(server))


def _make_receiver(server: FakeK2) -> Any:
    return WebhookReceiver("receiver-api-key", lambda event: None)


def _make_async_receiver(server: FakeK2) -> Any:
    return AsyncWebhookReceiver("receiver-api-key", lambda event: None)


CONSTRUCTORS = [
    _make_k2,
    _make_async_k2,
    _make_connect,
    _make_async_connect,
    _make_receiver,
    _make_async_receiver,
]
MADE = ["K2", "AsyncK2", "connect", "async_connect", "WebhookReceiver", "AsyncWebhookReceiver"]


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=MADE)
@pytest.mark.parametrize("value", ["info", "DEBUG", " debug "])
def test_the_variable_is_read_by_every_client(
    make: Callable[[FakeK2], Any], value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making any kind of client with K2CONNECT_LOG set adds one stderr handler at that level, however
    many clients are made."""
    monkeypatch.setenv(_logging.ENV_VAR, value)
    for _ in range(3):
        make(FakeK2())
    [handler] = sdk_handlers()
    level = logging.DEBUG if value.strip().lower() == "debug" else logging.INFO
    assert handler.level == level
    assert PACKAGE_LOGGER.level == level


@pytest.mark.parametrize("value", ["info", "debug"])
async def test_lines_reach_stderr_at_the_level_asked_for(
    value: str, runner: Runner, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With K2CONNECT_LOG=info a call shows its request lines on stderr (logger name, level, message); the
    DEBUG lines only with debug."""
    monkeypatch.setenv(_logging.ENV_VAR, value)
    k2 = runner.k2(FakeK2())
    await runner.run(k2.stk_push, **STK_ARGS)
    await close(k2)
    err = capsys.readouterr().err
    assert re.search(rf"INFO k2connect\.http POST {STK_PATH} -> 201 in \d+ ms\n", err), err
    assert "INFO k2connect.tokens Fetched a K2 access token" in err
    created = f"DEBUG k2connect.http POST {STK_PATH} (stk_push) created {STK_PATH}/{PID}"
    assert (created in err) == (value == "debug")


def test_without_the_variable_nothing_is_added_and_the_loggers_still_log(
    capsys: pytest.CaptureFixture[str], captured: Capture
) -> None:
    """Unset or empty: no handler, nothing on stderr; an application's own handler still gets every line."""
    k2 = K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(FakeK2()))
    k2.stk_push(**STK_ARGS)
    k2.close()
    assert sdk_handlers() == []
    assert capsys.readouterr().err == ""
    assert captured.http() == [
        "POST /oauth/token -> 200 in N ms",
        f"POST {STK_PATH} -> 201 in N ms",
    ]


def test_an_unknown_value_is_a_warning_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """K2CONNECT_LOG=verbose: one line on stderr naming the accepted values (even under -W error, which
    this test suite runs with), no handler, and the client works."""
    monkeypatch.setenv(_logging.ENV_VAR, "verbose")
    for make in CONSTRUCTORS:
        make(FakeK2())
    err = capsys.readouterr().err
    assert err == (
        "k2connect: K2CONNECT_LOG='verbose' is not understood; use K2CONNECT_LOG=debug or "
        "K2CONNECT_LOG=info (unset: no log output). No log handler was added.\n"
    )
    assert sdk_handlers() == []


def test_a_long_unknown_value_is_cut_in_the_warning(capsys: pytest.CaptureFixture[str]) -> None:
    _logging.configure_from_environment({_logging.ENV_VAR: "x" * 100})
    err = capsys.readouterr().err
    assert f"K2CONNECT_LOG='{'x' * 40}...'" in err
    assert "x" * 41 not in err


def test_an_unknown_value_removes_what_a_known_one_added() -> None:
    _logging.configure_from_environment({_logging.ENV_VAR: "debug"})
    _logging.configure_from_environment({_logging.ENV_VAR: "loud"})
    assert sdk_handlers() == []
    assert PACKAGE_LOGGER.level == logging.NOTSET


def test_unsetting_it_takes_the_handler_away_and_restores_the_level() -> None:
    _logging.configure_from_environment({_logging.ENV_VAR: "debug"})
    _logging.configure_from_environment({_logging.ENV_VAR: "info"})
    [handler] = sdk_handlers()
    assert handler.level == logging.INFO and PACKAGE_LOGGER.level == logging.INFO
    _logging.configure_from_environment({})
    assert sdk_handlers() == []
    assert PACKAGE_LOGGER.level == logging.NOTSET


def test_a_level_the_application_set_lower_is_kept() -> None:
    """The logger's own DEBUG is not raised to INFO, and stays when the variable goes."""
    PACKAGE_LOGGER.setLevel(logging.DEBUG)
    _logging.configure_from_environment({_logging.ENV_VAR: "info"})
    assert PACKAGE_LOGGER.level == logging.DEBUG
    _logging.configure_from_environment({})
    assert PACKAGE_LOGGER.level == logging.DEBUG


def test_an_inherited_lower_level_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A root logger at DEBUG already lets INFO through: the package logger keeps inheriting."""
    monkeypatch.setattr(logging.root, "level", logging.DEBUG)
    _logging.configure_from_environment({_logging.ENV_VAR: "info"})
    assert PACKAGE_LOGGER.level == logging.NOTSET
    assert len(sdk_handlers()) == 1


def test_a_level_the_application_changed_meanwhile_is_not_undone() -> None:
    _logging.configure_from_environment({_logging.ENV_VAR: "info"})
    PACKAGE_LOGGER.setLevel(logging.ERROR)
    _logging.configure_from_environment({})
    assert PACKAGE_LOGGER.level == logging.ERROR


def test_the_handler_reports_its_own_failure_without_raising(capsys: pytest.CaptureFixture[str]) -> None:
    """A record that cannot be formatted is reported the way logging reports it, not raised into a call."""
    _logging.configure_from_environment({_logging.ENV_VAR: "info"})
    [handler] = sdk_handlers()
    handler.handle(logging.LogRecord("k2connect.http", logging.INFO, __file__, 1, "%d ms", ("x",), None))
    assert "--- Logging error ---" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- k2connect.http
async def test_each_try_is_one_line(runner: Runner, captured: Capture) -> None:
    """Token, create and a retried read: method, path, status, time and the retry; the try after a retry
    says which it was."""
    server = FakeK2()
    k2 = runner.k2(server)
    created = await runner.run(k2.stk_push, **STK_ARGS)
    server.api = [error(503)]
    await runner.run(k2.get, created.location)
    await close(k2)
    assert captured.http() == [
        "POST /oauth/token -> 200 in N ms",
        f"POST {STK_PATH} -> 201 in N ms",
        f"GET {STK_PATH}/{PID} -> 503 in N ms, retry 1 of 3 in 0 s",
        f"GET {STK_PATH}/{PID} -> 200 in N ms (try 2 of 4)",
    ]
    fields = ("k2_method", "k2_path", "k2_status", "k2_error", "k2_attempt", "k2_retry_in", "k2_operation")
    retried, last = ({name: vars(record)[name] for name in fields} for record in captured.records[-2:])
    assert retried == last | {"k2_status": 503, "k2_attempt": 1, "k2_retry_in": 0.0}
    assert last == {
        "k2_method": "GET",
        "k2_path": f"{STK_PATH}/{PID}",
        "k2_status": 200,
        "k2_error": None,
        "k2_attempt": 2,
        "k2_retry_in": None,
        "k2_operation": "v2_get_incoming_payment",
    }


async def test_the_duration_is_measured(runner: Runner, captured: Capture) -> None:
    """A K2 that takes 60 ms to answer is logged as taking at least that long."""
    server = FakeK2()

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.06)
        return server.usual_answer(request)

    server.default = slow
    k2 = runner.k2(server)
    await runner.run(k2.get, f"{BASE}{STK_PATH}/{PID}")
    await close(k2)
    record = captured.records[-1]
    assert record.name == "k2connect.http" and vars(record)["k2_path"] == f"{STK_PATH}/{PID}"
    assert vars(record)["k2_duration_ms"] >= 60
    match = REQUEST_LINE.match(record.getMessage())
    assert match is not None and int(match["ms"]) >= 60


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body cut after its status line, as a reset connection would leave it."""

    def __iter__(self) -> Iterator[bytes]:
        raise httpx.ReadError("connection reset while reading the body")

    async def __aiter__(self) -> Any:
        raise httpx.ReadError("connection reset while reading the body")
        yield b""  # pragma: no cover - makes this an async generator


def _script(*answers: Callable[[httpx.Request], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(answers)
    return lambda request: queue.pop(0)(request)


def _policy(clock: FakeClock) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, async_sleep=clock.asleep, random=lambda: 0.5, clock=clock)


async def _send(mode: str, handler: Callable[[httpx.Request], httpx.Response], method: str, url: str) -> None:
    """One request through the retrying transport of ``mode``; its error, if any, is swallowed."""
    policy = _policy(FakeClock())
    try:
        if mode == "sync":
            with httpx.Client(transport=RetryingTransport(httpx.MockTransport(handler), policy)) as client:
                client.request(method, url)
        else:
            transport = AsyncRetryingTransport(httpx.MockTransport(handler), policy)
            async with httpx.AsyncClient(transport=transport) as aclient:
                await aclient.request(method, url)
    except (httpx.TransportError, K2AmbiguousOutcomeError):
        pass


TRIES = [
    pytest.param(
        [raises(httpx.ConnectError("refused")), reply(200)],
        "GET",
        "/x?phone=254700000000&token=query-secret-1",
        ["GET /x -> ConnectError in N ms, retry 1 of 3 in 0.25 s", "GET /x -> 200 in N ms (try 2 of 4)"],
        id="never-sent-error-retried",
    ),
    pytest.param(
        [lambda r: httpx.Response(200, stream=BrokenBody()), reply(200)],
        "GET",
        "/x",
        [
            "GET /x -> ReadError after status 200 in N ms, retry 1 of 3 in 0.25 s",
            "GET /x -> 200 in N ms (try 2 of 4)",
        ],
        id="cut-body-retried",
    ),
    pytest.param(
        [raises(httpx.ReadError("reset"))],
        "POST",
        "/api/v1/incoming_payments",
        ["POST /api/v1/incoming_payments -> ReadError in N ms; not retried: it may have reached K2"],
        id="money-request-may-have-arrived",
    ),
    pytest.param(
        [error(503)] * 4,
        "GET",
        "/x",
        [
            "GET /x -> 503 in N ms, retry 1 of 3 in 0.25 s",
            "GET /x -> 503 in N ms, retry 2 of 3 in 0.5 s",
            "GET /x -> 503 in N ms, retry 3 of 3 in 1 s",
            "GET /x -> 503 in N ms (try 4 of 4)",
        ],
        id="given-up",
    ),
    pytest.param(
        [error(429, {"Retry-After": "7"}), reply(200)],
        "GET",
        "/x",
        ["GET /x -> 429 in N ms, retry 1 of 3 in 7 s", "GET /x -> 200 in N ms (try 2 of 4)"],
        id="retry-after-honoured",
    ),
]


@pytest.mark.parametrize(("answers", "method", "url", "lines"), TRIES)
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_what_each_try_ended_with(
    mode: str,
    answers: list[Callable[[httpx.Request], httpx.Response]],
    method: str,
    url: str,
    lines: list[str],
    captured: Capture,
) -> None:
    """A transport error by its class name (never its text), a status, a cut body; the query never."""
    await _send(mode, _script(*answers), method, f"{BASE}{url}")
    assert captured.http() == lines
    assert not any("query-secret" in text or "254700000000" in text for text in captured.texts())


async def test_a_try_cut_by_the_calls_deadline_backstop_is_a_read_timeout(captured: Capture) -> None:
    """The asyncio backstop's TimeoutError is logged as the ReadTimeout it is turned into."""

    async def hung(request: httpx.Request) -> httpx.Response:
        raise TimeoutError

    await _send("async", _script(hung, reply(200)), "GET", f"{BASE}/x")  # type: ignore[arg-type]
    assert captured.http() == [
        "GET /x -> ReadTimeout in N ms, retry 1 of 3 in 0.25 s",
        "GET /x -> 200 in N ms (try 2 of 4)",
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (f"{BASE}/api/v1/incoming_payments/{PID}?secret=location-query", f"/api/v1/incoming_payments/{PID}"),
        ("https://[::1", "(not a URL)"),
        ("https://k2.example", "/"),
    ],
)
async def test_the_location_a_create_answered_is_a_debug_line(
    mode: str, location: str, shown: str, captured: Capture
) -> None:
    """At DEBUG the path of the Location (never its query), and the call it belongs to."""
    await _send(mode, reply(201, None, {"Location": location}), "POST", f"{BASE}/api/v1/incoming_payments")
    assert captured.messages("k2connect.http", logging.DEBUG) == [
        f"POST /api/v1/incoming_payments (no call) created {shown}"
    ]
    assert not any("location-query" in text for text in captured.texts())


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_nothing_is_measured_or_formatted_when_no_one_would_see_it(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-try cost with logging off is one isEnabledFor: no clock read, no record."""
    reads: list[float] = []

    def clock() -> float:
        reads.append(time.perf_counter())
        return reads[-1]

    monkeypatch.setattr(_logging, "_now", clock)
    seen = Capture()
    PACKAGE_LOGGER.addHandler(seen)
    try:
        PACKAGE_LOGGER.setLevel(logging.WARNING)
        await _send(mode, _script(error(503), reply(200)), "GET", f"{BASE}/x")
        assert (reads, seen.records) == ([], [])
        PACKAGE_LOGGER.setLevel(logging.INFO)
        await _send(mode, reply(200), "GET", f"{BASE}/x")
        assert len(reads) == 2 and len(seen.records) == 1  # start and end of the one try
    finally:
        PACKAGE_LOGGER.removeHandler(seen)


# ------------------------------------------------------------------------------------- the three backends
@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """The sandbox over loopback HTTP (127.0.0.1), delivering no callbacks."""
    with serve_in_thread(SandboxConfig(callback_delay=0.0, deliver=False)) as running:
        yield running


def _no_sleep(seconds: float) -> None:
    pass


async def _no_async_sleep(seconds: float) -> None:
    pass


BACKENDS = ["httpx-sync", "httpx-async", "aiohttp"]


async def _sandbox_flow(backend: str, sandbox: RunningSandbox) -> tuple[str, list[str]]:
    """Token, STK push, wait, and a GET retried after a 503; the created id and the secrets seen."""
    options: dict[str, Any] = {
        "base_url": sandbox.base_url,
        "api_key": sandbox.api_key,
        "retry": RetryPolicy(sleep=_no_sleep, async_sleep=_no_async_sleep),
    }
    args = {**STK_ARGS, "callback_url": f"https://example.com/k2/result?k2_intent={INTENT_TAG}"}
    fault = {"operation_id": "v2_get_incoming_payment", "kind": "status_503", "retry_after": 1}
    if backend == "httpx-sync":
        k2 = K2(sandbox.client_id, sandbox.client_secret, **options)
        with k2:
            created = k2.stk_push(**args)
            created.wait()
            assert sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
            k2.get(created)
            token = k2.token().value
    else:
        backend_name: HttpBackend = "aiohttp" if backend == "aiohttp" else "httpx"
        async with AsyncK2(
            sandbox.client_id, sandbox.client_secret, http_backend=backend_name, **options
        ) as ak2:
            acreated = await ak2.stk_push(**args)
            await acreated.wait()
            assert sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
            await ak2.get(acreated)
            token = (await ak2.token()).value
            created_id = acreated.id
        return created_id, [sandbox.client_secret, sandbox.api_key, token]
    return created.id, [sandbox.client_secret, sandbox.api_key, token]


async def test_every_backend_logs_the_same_lines(sandbox: RunningSandbox) -> None:
    """httpx sync, httpx async and aiohttp, over real sockets to the sandbox: the same lines, word for word,
    and none of the credentials, the token or the callback URL's intent tag in any record."""
    pytest.importorskip("aiohttp")
    seen: dict[str, list[str]] = {}
    for backend in BACKENDS:
        sandbox.reset()
        capture = Capture()
        PACKAGE_LOGGER.addHandler(capture)
        PACKAGE_LOGGER.setLevel(logging.DEBUG)
        try:
            created_id, secrets = await _sandbox_flow(backend, sandbox)
        finally:
            PACKAGE_LOGGER.removeHandler(capture)
        seen[backend] = [line.replace(created_id, "ID") for line in capture.http()]
        texts = capture.texts()
        for secret in [*secrets, INTENT_TAG]:
            assert not any(secret in text for text in texts), (backend, secret)
    expected = [
        "POST /oauth/token -> 200 in N ms",
        f"POST {STK_PATH} -> 201 in N ms",
        f"GET {STK_PATH}/ID -> 200 in N ms",
        f"GET {STK_PATH}/ID -> 503 in N ms, retry 1 of 3 in 1 s",
        f"GET {STK_PATH}/ID -> 200 in N ms (try 2 of 4)",
    ]
    assert seen == dict.fromkeys(BACKENDS, expected)


# ------------------------------------------------------------------------------------- k2connect.tokens
async def test_token_fetches_and_refreshes_are_logged_without_the_token(
    runner: Runner, captured: Capture
) -> None:
    """The first fetch, K2 refusing the token (401) and the refresh after it, and the refresh of a token
    about to expire."""
    server = FakeK2(only_latest_token=True)
    k2 = runner.k2(server, clock=runner.clock)
    location = f"{BASE}{STK_PATH}/{PID}"
    await runner.run(k2.get, location)
    server.issued += 1  # K2 forgets the token it issued
    await runner.run(k2.get, location)
    runner.clock.now += 3600  # the current token is about to expire
    await runner.run(k2.get, location)
    await close(k2)
    assert captured.messages("k2connect.tokens") == [
        "Fetched a K2 access token: cached, it expires in 3600 s",
        "K2 refused the access token (401): forgotten, the next request gets a new one",
        "Refreshed the K2 access token (K2 refused the previous one): cached, it expires in 3600 s",
        "Refreshed the K2 access token (the previous one was about to expire): cached, it expires in 3600 s",
    ]
    assert {r.levelno for r in captured.records if r.name == "k2connect.tokens"} == {logging.INFO}
    assert not any(TOKEN in text for text in captured.texts())


class RacingStore(MemoryTokenStore):
    """A store another process fills between the manager's first look and its look under the lock."""

    def __init__(self, token: AccessToken) -> None:
        super().__init__()
        self.token = token
        self.loads = 0

    def load(self) -> AccessToken | None:
        self.loads += 1
        return self.token if self.loads > 1 else None


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_tokens_from_the_store_and_saved_to_it(mode: str, captured: Capture) -> None:
    clock = FakeClock(now=1_000_000.0)
    fetched = AccessToken(value=f"{TOKEN}-fetched", expires_at=clock.now + 3600, obtained_at=clock.now)
    stored = AccessToken(value=f"{TOKEN}-stored", expires_at=clock.now + 1800, obtained_at=clock.now)

    async def get(store: MemoryTokenStore) -> AccessToken:
        if mode == "sync":
            return TokenManager(lambda: fetched, store=store, clock=clock).get()

        async def afetch() -> AccessToken:
            return fetched

        return await AsyncTokenManager(afetch, store=store, clock=clock).get()

    empty = MemoryTokenStore()
    assert await get(empty) == fetched
    full = MemoryTokenStore()
    full.save(stored)
    assert await get(full) == stored
    assert await get(RacingStore(stored)) == stored
    assert captured.messages("k2connect.tokens") == [
        "Fetched a K2 access token: cached, it expires in 3600 s",
        "Saved the new K2 access token to the token store (MemoryTokenStore)",
        "Took the K2 access token from the token store (MemoryTokenStore): it expires in 1800 s",
        "Took the K2 access token from the token store (RacingStore): it expires in 1800 s",
    ]
    assert not any(TOKEN in text for text in captured.texts())


class SignallingLock:
    """A lock that says when a thread starts waiting for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waiting = threading.Event()
        self.callers = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self.callers += 1
        if self.callers == 2:
            self.waiting.set()
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()


def test_a_thread_that_waited_for_another_ones_fetch_says_so(captured: Capture) -> None:
    release = threading.Event()
    fetching = threading.Event()

    def fetch() -> AccessToken:
        fetching.set()
        assert release.wait(5)
        return AccessToken(value=f"{TOKEN}-1", expires_at=time.time() + 3600, obtained_at=time.time())

    manager = TokenManager(fetch)
    lock = SignallingLock()
    manager._lock = lock  # type: ignore[assignment]
    results: list[AccessToken] = []
    first = threading.Thread(target=lambda: results.append(manager.get()))
    first.start()
    assert fetching.wait(5)
    second = threading.Thread(target=lambda: results.append(manager.get()))
    second.start()
    assert lock.waiting.wait(5)
    release.set()
    first.join(5)
    second.join(5)
    assert len(results) == 2 and results[0] is results[1]
    assert captured.messages("k2connect.tokens", logging.DEBUG) == [
        "Using the K2 access token another caller obtained while this one waited"
    ]


async def test_a_task_that_waited_for_another_ones_fetch_says_so(captured: Capture) -> None:
    release = asyncio.Event()

    async def fetch() -> AccessToken:
        await release.wait()
        return AccessToken(value=f"{TOKEN}-1", expires_at=time.time() + 3600, obtained_at=time.time())

    manager = AsyncTokenManager(fetch)
    first = asyncio.create_task(manager.get())
    second = asyncio.create_task(manager.get())
    for _ in range(5):
        await asyncio.sleep(0)  # the first is fetching, the second waits for the lock
    release.set()
    assert (await first) is (await second)
    assert captured.messages("k2connect.tokens", logging.DEBUG) == [
        "Using the K2 access token another caller obtained while this one waited"
    ]


# ------------------------------------------------------------------------------------- k2connect.polling
async def test_a_wait_logs_each_read_at_debug(runner: Runner, captured: Capture) -> None:
    server = FakeK2(reply(200, incoming_payment("Pending")), error(503))
    k2 = runner.k2(server, retry=RetryPolicy(max_attempts=1))
    await runner.run(k2.wait_for, f"{BASE}{STK_PATH}/{PID}")
    await close(k2)
    assert captured.messages("k2connect.polling") == [
        f"Following the Location of incoming_payment {PID} for up to 120 s",
        f"incoming_payment {PID} is Pending (read 1)",
        f"incoming_payment {PID}: next read in 1 s",
        f"incoming_payment {PID}: read 2 failed (K2ServerError)",
        f"incoming_payment {PID}: next read in 1.5 s",
        f"incoming_payment {PID} is Success (read 3)",
    ]


# ------------------------------------------------------------------------------------- no secret, ever
CUSTOMER_CREATED = json.dumps(
    {
        "topic": "customer_created",
        "id": "c0ffee00-0000-4000-8000-00000000abcd",
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
    }
).encode()


async def test_no_secret_in_any_record_of_a_whole_flow(runner: Runner, captured: Capture) -> None:
    """Token, STK push with a tagged callback_url, wait, a retried GET, a 401 and its refresh, an ambiguous
    POST, webhooks verified, refused and failing in their handler: at DEBUG, no record (message, arguments,
    attributes, traceback) holds the client secret, a token, the API key, a signature, an Authorization
    header or the callback URL's query."""
    server = FakeK2(only_latest_token=True)
    k2 = runner.k2(server, api_key=API_KEY)
    args = {**STK_ARGS, "callback_url": f"https://example.com/k2/result?k2_intent={INTENT_TAG}"}
    created = await runner.run(k2.stk_push, **args)
    server.api = [reply(200, incoming_payment("Pending"))]
    await runner.run(k2.wait_for, created.location)
    server.api = [error(503)]
    await runner.run(k2.get, created.location)
    server.issued += 1
    await runner.run(k2.get, created.location)
    server.api = [raises(httpx.ReadError(f"reset; Authorization: Bearer {server.current_token}"))]
    with pytest.raises(K2AmbiguousOutcomeError):
        await runner.run(k2.stk_push, **args)

    good = compute_signature(CUSTOMER_CREATED, API_KEY)
    wrong = compute_signature(CUSTOMER_CREATED, "another-key-of-someone-else")
    k2.construct_event(CUSTOMER_CREATED, good)

    def failing(event: Any) -> None:
        raise RuntimeError(f"handler failed on {event.id}")

    async def afailing(event: Any) -> None:
        failing(event)

    url = f"https://shop.example/k2/webhooks?k2_intent={INTENT_TAG}"
    statuses = []
    for headers in ({SIGNATURE_HEADER: good}, {SIGNATURE_HEADER: wrong}):
        if runner.mode == "sync":
            statuses.append(
                WebhookReceiver(API_KEY, failing).handle(CUSTOMER_CREATED, headers, url=url).status
            )
        else:
            receiver = AsyncWebhookReceiver(API_KEY, afailing)
            statuses.append((await receiver.handle(CUSTOMER_CREATED, headers, url=url)).status)
    await close(k2)
    assert statuses == [500, 401]

    names = {record.name for record in captured.records}
    assert {
        "k2connect.http",
        "k2connect.retry",
        "k2connect.tokens",
        "k2connect.polling",
        "k2connect.webhooks",
    } <= names
    assert any(record.exc_info for record in captured.records)
    secrets = [SECRET, API_KEY, good, wrong, INTENT_TAG, "Bearer", "Authorization"]
    secrets += [f"{TOKEN}-{n}" for n in range(1, server.issued + 1)]
    texts = captured.texts()
    for secret in secrets:
        assert not any(secret in text for text in texts), secret


# ------------------------------------------------------------------------------------- the table
def test_the_module_docstring_lists_every_logger() -> None:
    """The table in _logging's docstring (the README's "Logging" section) names every logger the SDK has."""
    names = {value for values in _logger_names().values() for value in values if value != "k2connect"}
    assert {"k2connect.http", "k2connect.tokens", "k2connect.polling"} <= names
    for name in names:
        assert f"``{name}``" in (_logging.__doc__ or ""), name
