"""Webhook fuzz: any body, any headers, any signature, through every entry point a receiver has.

For each generated request it checks, through ``verify_signature``, ``construct_event``,
``WebhookReceiver`` and ``AsyncWebhookReceiver`` (with a real SQLite deduplicator, the store that used to
turn a poison id into an endless 500):

* only ``WebhookSignatureError`` / ``WebhookPayloadError`` escape the functions, never anything else;
* a receiver answers only 200, 400, 401 or 413, never 500, whatever the payload;
* a correct signature is never refused as a bad one, and an event handed out always has a storable dedup key;
* no answer, log line or exception (its message, args, attributes and whole cause/context chain) carries the
  API key, the correct signature, or the signature that was sent.

``K2_FUZZ_EXAMPLES`` sets the examples per test (200 by default, so ``make test`` stays quick; ``make fuzz``
sets it high). Bodies come from five sources: random bytes, random JSON, K2-shaped skeletons with hostile
fields (ids with lone surrogates, NUL, 600 characters; huge numbers; deep nesting), Kopo Kopo's own sample
payloads mutated (skipped when ../shared/k2-fixtures is absent), and byte-level damage to a valid body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2connect_ext._exceptions import WebhookPayloadError, WebhookSignatureError
from k2connect_ext.webhooks._dedup import MemoryDeduplicator, SQLiteDeduplicator, check_event_id
from k2connect_ext.webhooks._events import K2Event, ResultType, WebhookTopic, construct_event
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, ReceiverResponse, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature, verify_signature
from tests.fixtures import SKIP_REASON, fixtures_present, load, payload_files
from tests.reliability.secrets_scan import scan_exception

KEY = "fuzz-webhook-api-key-0123456789"
OTHER_KEY = "fuzz-some-other-api-key"
LIMIT = 4096  # a small body limit, so oversized bodies (413) are part of the mix
ALLOWED_ANSWERS = {200, 400, 401, 413}

FUZZ = settings(
    max_examples=int(os.environ.get("K2_FUZZ_EXAMPLES", "200")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# ------------------------------------------------------------------------------------------ strategies

# Every code point, lone surrogates included (hypothesis leaves category Cs out by default).
ANY_CHAR = st.characters(exclude_categories=())
TEXT = st.text(ANY_CHAR, max_size=24)
HOSTILE_IDS = st.one_of(
    st.uuids().map(str),
    TEXT,
    st.sampled_from(["", "   ", "\ud800", "ok\udfff", "a\x00b", "x" * 600, "\U0001f600", "é"]),
    st.text(ANY_CHAR, min_size=500, max_size=700),
    st.integers(),
    st.none(),
)
NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([2**53 + 1, -(2**63) - 1, 10**30, 10**4000]),
    st.floats(allow_nan=False, allow_infinity=False),
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
STATUSES = st.one_of(
    st.sampled_from(
        ["Success", "Failed", "Processed", "Pending", "Cancelled", "Paid", "Transferred", "EXPIRED"]
    ),
    TEXT,
    st.integers(),
)


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


# Nested lists up to 200 deep as values (json.dumps itself recurses); deeper nesting comes as raw text below.
HOSTILE_VALUES = st.one_of(JSON, st.integers(0, 200).map(_nested))


@st.composite
def webhook_skeletons(draw: st.DrawFn) -> dict[str, Any]:
    resource = draw(st.dictionaries(TEXT, HOSTILE_VALUES, max_size=3))
    for field in ("id", "amount", "currency", "status", "reference", "sender_phone_number"):
        if draw(st.booleans()):
            resource[field] = draw(HOSTILE_VALUES | HOSTILE_IDS)
    body: dict[str, Any] = {
        "topic": draw(st.sampled_from([t.value for t in WebhookTopic]) | TEXT),
        "id": draw(HOSTILE_IDS),
        "created_at": draw(st.sampled_from(["2026-03-01T12:00:00+03:00", "not a time"]) | TEXT),
        "event": {"type": draw(TEXT), "resource": resource},
    }
    if draw(st.booleans()):
        body["_links"] = {"self": draw(TEXT), "resource": draw(TEXT)}
    return body


@st.composite
def result_skeletons(draw: st.DrawFn) -> dict[str, Any]:
    attributes = draw(st.dictionaries(TEXT, HOSTILE_VALUES, max_size=3))
    attributes["status"] = draw(STATUSES)
    if draw(st.booleans()):
        attributes["event"] = {"resource": draw(HOSTILE_VALUES), "errors": draw(HOSTILE_VALUES)}
    return {
        "data": {
            "id": draw(HOSTILE_IDS),
            "type": draw(st.sampled_from([t.value for t in ResultType]) | TEXT),
            "attributes": attributes,
        }
    }


@st.composite
def daraja_skeletons(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "TransactionType": draw(st.sampled_from(["Pay Bill", "Buy Goods"]) | TEXT),
        "TransID": draw(HOSTILE_IDS),
        "TransTime": draw(st.sampled_from(["20260101120000", "2026"]) | TEXT),
        "TransAmount": draw(HOSTILE_VALUES),
        "BusinessShortCode": draw(TEXT),
        "MSISDN": draw(HOSTILE_VALUES),
    }


@st.composite
def encoded(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> bytes:
    """JSON text of a drawn value: ASCII (surrogates as escapes) or raw UTF-8 where that is possible."""
    value = draw(values)
    try:
        text = json.dumps(
            value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1, "\t"]))
        )
        return text.encode("utf-8")
    except UnicodeEncodeError:  # raw UTF-8 cannot carry a lone surrogate: send the escape instead
        return json.dumps(value).encode()


@st.composite
def damaged(draw: st.DrawFn, bodies: st.SearchStrategy[bytes]) -> bytes:
    """A body cut short, with a byte changed, or with bytes inserted."""
    body = draw(bodies)
    if not body:
        return body
    at = draw(st.integers(0, len(body) - 1))
    match draw(st.sampled_from(["cut", "flip", "insert"])):
        case "cut":
            return body[:at]
        case "flip":
            return body[:at] + bytes([body[at] ^ draw(st.integers(1, 255))]) + body[at + 1 :]
        case _:
            return body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at:]


@st.composite
def deeply_nested(draw: st.DrawFn) -> bytes:
    """A callback whose status (or the whole body) is nested far deeper than any parser's stack."""
    depth = draw(st.integers(500, 200_000))
    opening, closing = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
    nest = opening * depth + b"1" + closing * depth
    if draw(st.booleans()):
        return nest
    return b'{"data":{"id":"r-1","type":"polling","attributes":{"status":' + nest + b"}}}"


SKELETONS = st.one_of(webhook_skeletons(), result_skeletons(), daraja_skeletons())
BODIES = st.one_of(
    st.binary(max_size=300),
    encoded(JSON),
    encoded(SKELETONS),
    damaged(encoded(SKELETONS)),
    deeply_nested(),
)


def _fixture_bodies() -> list[Any]:
    bodies = []
    for path in payload_files():
        if path.name.startswith(("webhook_", "result_")):
            bodies.append(load(path))
    return bodies


FIXTURE_BODIES = _fixture_bodies()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> bytes:
    """One of Kopo Kopo's sample payloads with one to three places replaced, deleted or given a hostile id."""
    body = json.loads(json.dumps(draw(st.sampled_from(FIXTURE_BODIES))))
    for _ in range(draw(st.integers(1, 3))):
        places = list(_paths(body))
        if not places:
            break
        place = draw(st.sampled_from(places))
        parent = body
        for key in place[:-1]:
            parent = parent[key]
        last = place[-1]
        action = draw(st.sampled_from(["replace", "delete", "hostile-id"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[last]
        elif action == "hostile-id":
            holder = body.get("data", body) if isinstance(body.get("data"), dict) else body
            key = "TransID" if "TransactionType" in body else "id"
            holder[key] = draw(HOSTILE_IDS)
        else:
            parent[last] = draw(HOSTILE_VALUES)
    return draw(encoded(st.just(body)))


@st.composite
def requests(
    draw: st.DrawFn, bodies: st.SearchStrategy[bytes]
) -> tuple[bytes, list[tuple[str, str]], str | None]:
    """(body, header pairs, the signature header value sent or None)."""
    body = draw(bodies)
    if draw(st.integers(0, 9)) == 0:
        body += b" " * LIMIT  # over the receivers' limit: 413 whatever the rest
    valid = compute_signature(body, KEY)
    signature = draw(
        st.one_of(
            st.just(valid),
            st.just(valid.upper()),
            st.just(f" {valid} "),
            st.just(compute_signature(body, OTHER_KEY)),
            st.just(valid[:-1]),
            st.text(ANY_CHAR, max_size=70),
            st.text("0123456789abcdef", min_size=64, max_size=64),
            st.none(),
        )
    )
    name = draw(st.sampled_from([SIGNATURE_HEADER, SIGNATURE_HEADER.lower(), "HTTP_X_KOPOKOPO_SIGNATURE"]))
    headers = draw(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=3))
    if signature is not None:
        headers.append((name, signature))
        if draw(st.integers(0, 9)) == 0:  # a second signature header (a proxy that appends)
            headers.append((SIGNATURE_HEADER, draw(st.sampled_from([valid, "0" * 64]))))
    if draw(st.booleans()):
        headers.append(("Content-Length", str(len(body))))
    return body, headers, signature


class _Pairs:
    """Header items as a list of pairs, duplicates kept (what an ASGI scope holds)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


# ------------------------------------------------------------------------------------------- checks


class _Logs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def logs() -> Iterator[_Logs]:
    handler = _Logs()
    handler.setFormatter(logging.Formatter("%(message)s %(exc_text)s"))
    logger = logging.getLogger("k2connect_ext")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture(scope="module")
def sqlite_dedup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteDeduplicator]:
    with SQLiteDeduplicator(tmp_path_factory.mktemp("fuzz") / "dedup.db") as dedup:
        yield dedup


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    running = asyncio.new_event_loop()
    yield running
    running.close()


def _secrets(body: bytes, signature: str | None) -> dict[str, list[str]]:
    found = {"api_key": [KEY, OTHER_KEY], "signature": [compute_signature(body, KEY)]}
    # The signature sent counts as a secret unless it is trivially short or also part of the body (a
    # receiver may log the event id, which a generated body may share with a generated signature).
    if signature and len(signature.strip()) >= 16:
        try:
            in_body = signature.encode("utf-8") in body
        except UnicodeEncodeError:
            in_body = False
        if not in_body:
            found["signature"].append(signature)
    return found


def _assert_clean_text(text: str, secrets: dict[str, list[str]], where: str) -> None:
    for label, values in secrets.items():
        for value in values:
            assert value not in text, f"{label} found in {where}"


def _assert_clean_exception(exc: BaseException, secrets: dict[str, list[str]]) -> None:
    findings = scan_exception(exc, secrets)
    assert not findings, [str(f) for f in findings]


def _assert_answer(answer: ReceiverResponse, secrets: dict[str, list[str]]) -> None:
    assert answer.status in ALLOWED_ANSWERS, (answer.status, answer.body[:200])
    _assert_clean_text(answer.body.decode("utf-8"), secrets, f"the {answer.status} answer")


def _check_event(event: K2Event) -> None:
    key = event.dedup_key
    if key is not None:
        check_event_id(key)  # storable by every deduplicator: never a 500 loop
    assert isinstance(event.is_success, bool) and isinstance(event.is_failure, bool)
    assert not (event.is_success and event.is_failure)
    repr(event)


def _exercise(
    request: tuple[bytes, list[tuple[str, str]], str | None],
    logs: _Logs,
    sqlite_dedup: SQLiteDeduplicator,
    loop: asyncio.AbstractEventLoop,
) -> None:
    body, header_pairs, signature = request
    secrets = _secrets(body, signature)
    logs.lines.clear()
    valid = compute_signature(body, KEY)

    # 1. verify_signature: only WebhookSignatureError, and a correct signature always passes.
    try:
        verify_signature(body, signature, KEY)
    except WebhookSignatureError as exc:
        assert signature != valid, "a correct signature was refused"
        _assert_clean_exception(exc, secrets)

    # 2. construct_event: only the two webhook errors; any event it returns is usable.
    try:
        event = construct_event(body, signature, KEY)
    except (WebhookSignatureError, WebhookPayloadError) as exc:
        _assert_clean_exception(exc, secrets)
    else:
        _check_event(event)

    # 3. the receivers, with a SQLite deduplicator (sync) and both kinds (async).
    handled: list[K2Event] = []
    headers = _Pairs(header_pairs)
    sync_receiver = WebhookReceiver(KEY, handled.append, deduplicator=sqlite_dedup, max_body_bytes=LIMIT)
    _assert_answer(sync_receiver.handle(body, headers), secrets)
    for dedup in (sqlite_dedup, MemoryDeduplicator()):
        async_receiver = AsyncWebhookReceiver(KEY, handled.append, deduplicator=dedup, max_body_bytes=LIMIT)
        _assert_answer(loop.run_until_complete(async_receiver.handle(body, headers)), secrets)
    for event in handled:
        _check_event(event)

    for line in logs.lines:
        _assert_clean_text(line, secrets, "a log line")


# -------------------------------------------------------------------------------------------- tests


@FUZZ
@given(request=requests(BODIES))
def test_fuzzed_webhooks(
    request: tuple[bytes, list[tuple[str, str]], str | None],
    logs: _Logs,
    sqlite_dedup: SQLiteDeduplicator,
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Random bytes, random JSON, hostile K2-shaped bodies and damaged ones: only K2 errors, no 500."""
    _exercise(request, logs, sqlite_dedup, loop)


@pytest.mark.skipif(not fixtures_present(), reason=SKIP_REASON)
@FUZZ
@given(request=requests(mutated_fixtures() if FIXTURE_BODIES else st.just(b"{}")))
def test_fuzzed_sample_payloads(
    request: tuple[bytes, list[tuple[str, str]], str | None],
    logs: _Logs,
    sqlite_dedup: SQLiteDeduplicator,
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Kopo Kopo's own sample payloads, mutated in one to three places: only K2 errors, no 500."""
    _exercise(request, logs, sqlite_dedup, loop)


def test_fixture_bodies_were_found() -> None:
    """When the sample payloads are present, the mutation fuzz really draws from them (not from "{}")."""
    if not fixtures_present():
        pytest.skip(SKIP_REASON)
    assert len(FIXTURE_BODIES) >= 10


def test_the_poison_id_is_in_the_mix(
    logs: _Logs, sqlite_dedup: SQLiteDeduplicator, loop: asyncio.AbstractEventLoop
) -> None:
    """The case that used to loop on 500 (a signed callback whose id is a lone surrogate) answers 400."""
    body = json.dumps(
        {"data": {"id": "\ud800", "type": "polling", "attributes": {"status": "Success"}}}
    ).encode()
    signature = compute_signature(body, KEY)
    _exercise((body, [(SIGNATURE_HEADER, signature)], signature), logs, sqlite_dedup, loop)
    answer = WebhookReceiver(KEY, print, deduplicator=sqlite_dedup).handle(
        body, {SIGNATURE_HEADER: compute_signature(body, KEY)}
    )
    assert answer.status == 400
