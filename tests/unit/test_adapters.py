"""Tests for the framework adapters, each driven through its own test client with real raw bytes."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Protocol

import django
import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.test.utils import override_settings
from django.urls import path as django_path
from fastapi import Depends, FastAPI
from flask import Flask
from k2connect_client.models import CustomerCreatedWebhook
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.routing import Route

from k2connect_ext import AsyncLedger, IntentState, Ledger
from k2connect_ext.webhooks._dedup import AsyncDeduplicator, Claim, ClaimState, MemoryDeduplicator
from k2connect_ext.webhooks._events import EventKind, K2Event
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature
from k2connect_ext.webhooks.adapters import django as django_adapter
from k2connect_ext.webhooks.adapters import flask as flask_adapter
from k2connect_ext.webhooks.adapters.starlette import verified_event, webhook_endpoint
from tests.fixtures import FIXTURES_DIR, fixtures_present, missing_fixtures
from tests.intent_callbacks import (
    REFERENCE,
    WatchedLedger,
    encoded,
    sent,
    settlement_result,
    stk_result,
    stored,
    tagged_url,
    write_locked,
)

with warnings.catch_warnings():
    # Starlette 1.10 warns (a UserWarning subclass) when its TestClient runs on httpx rather than httpx2;
    # with filterwarnings = error that would fail collection. The client works the same either way.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

# Each Django test installs its own URLconf with override_settings, so none is configured here.
if not settings.configured:  # another test module may have configured Django already
    settings.configure(
        SECRET_KEY="k2connect-adapter-tests",
        ALLOWED_HOSTS=["testserver"],
        INSTALLED_APPS=[],
        MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
    )
    django.setup()

KEY = "adapter-test-api-key"
EVENT_ID = "adap7e00-0000-4000-8000-000000000001"
BODY = json.dumps(
    {
        "topic": "customer_created",
        "id": EVENT_ID,
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {
            "type": "Customer Created",
            "resource": {"first_name": "Wanjikũ", "phone_number": "+254700000010"},
        },
    },
    ensure_ascii=False,
    indent="\t",  # pretty-printed, tab-indented, non-ASCII: any re-serialisation would break the signature
).encode()


def urlconf(view: Any) -> ModuleType:
    """A URLconf (any hashable object with urlpatterns) routing /k2 to ``view``."""
    module = ModuleType("k2connect_test_urls")
    module.urlpatterns = [django_path("k2", view)]  # type: ignore[attr-defined]
    return module


def signed(body: bytes = BODY, key: str = KEY) -> dict[str, str]:
    """Headers with a valid signature of ``body``."""
    return {SIGNATURE_HEADER: compute_signature(body, key), "Content-Type": "application/json"}


class Recorder:
    """A sync handler that records events and fails the first ``failures`` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[K2Event] = []
        self.failures = failures

    def __call__(self, event: K2Event) -> None:
        self.events.append(event)
        if len(self.events) <= self.failures:
            raise RuntimeError("handler failed")


class AsyncRecorder(Recorder):
    """An async handler that records events and fails the first ``failures`` calls."""

    async def __call__(self, event: K2Event) -> None:  # type: ignore[override]
        await asyncio.sleep(0)
        super().__call__(event)


# What a POST got back: the status, the body, and the headers (names in lower case).
Reply = tuple[int, bytes, dict[str, str]]


class Post(Protocol):
    """POST raw bytes with these headers to the framework's webhook route, ``?query`` appended if given."""

    def __call__(self, body: bytes, headers: dict[str, str], query: str = "") -> Reply: ...


@pytest.fixture
def closers() -> Iterator[list[Callable[[], Any]]]:
    """Things to close or undo after the test (test clients, settings overrides)."""
    pending: list[Callable[[], Any]] = []
    yield pending
    for close in reversed(pending):
        close()


def _starlette(
    closers: list[Callable[[], Any]],
    handler: Any,
    dedup: MemoryDeduplicator | None,
    key: str = KEY,
    ledger: Any = None,
) -> Post:
    """A Starlette app routing POST /k2 to webhook_endpoint."""
    endpoint = webhook_endpoint(key, handler, dedup, ledger=ledger)
    app = Starlette(routes=[Route("/k2", endpoint, methods=["POST"])])
    return _asgi_post(closers, app, "/k2")


def _fastapi(
    closers: list[Callable[[], Any]],
    handler: Any,
    dedup: MemoryDeduplicator | None,
    key: str = KEY,
    ledger: Any = None,
) -> Post:
    """A FastAPI app with webhook_endpoint added as an api route."""
    app = FastAPI()
    app.add_api_route("/k2", webhook_endpoint(key, handler, dedup, ledger=ledger), methods=["POST"])
    return _asgi_post(closers, app, "/k2")


def _with(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _asgi_post(closers: list[Callable[[], Any]], app: Any, url: str) -> Post:
    """POST raw bytes through Starlette's TestClient."""
    client = TestClient(app, raise_server_exceptions=True)
    closers.append(client.close)

    def post(body: bytes, headers: dict[str, str], query: str = "") -> Reply:
        response = client.post(_with(url, query), content=body, headers=headers)
        return response.status_code, response.content, {k.lower(): v for k, v in response.headers.items()}

    return post


def _flask(
    closers: list[Callable[[], Any]],
    handler: Any,
    dedup: MemoryDeduplicator | None,
    key: str = KEY,
    ledger: Any = None,
) -> Post:
    """A Flask app with webhook_view at /k2."""
    app = Flask(__name__)
    view = flask_adapter.webhook_view(key, handler, deduplicator=dedup, ledger=ledger)
    app.add_url_rule("/k2", view_func=view, methods=["POST"])
    return _flask_post(app, "/k2")


def _flask_blueprint(
    closers: list[Callable[[], Any]],
    handler: Any,
    dedup: MemoryDeduplicator | None,
    key: str = KEY,
    ledger: Any = None,
) -> Post:
    """A Flask app with the webhook blueprint mounted under /k2."""
    app = Flask(__name__)
    app.register_blueprint(
        flask_adapter.webhook_blueprint(key, handler, deduplicator=dedup, ledger=ledger), url_prefix="/k2"
    )
    assert "k2connect_webhooks.webhook" in app.view_functions
    return _flask_post(app, "/k2/webhooks")


def _flask_post(app: Flask, url: str) -> Post:
    """POST raw bytes through Flask's test client."""
    client = app.test_client()

    def post(body: bytes, headers: dict[str, str], query: str = "") -> Reply:
        response = client.post(_with(url, query), data=body, headers=headers)
        return response.status_code, response.data, {k.lower(): v for k, v in response.headers.items()}

    return post


def _django(
    closers: list[Callable[[], Any]],
    handler: Any,
    dedup: MemoryDeduplicator | None,
    key: str = KEY,
    ledger: Any = None,
) -> Post:
    """A Django URLconf routing /k2 to webhook_view, called through the test Client with CSRF enforced."""
    view = django_adapter.webhook_view(key, handler, deduplicator=dedup, ledger=ledger)
    override = override_settings(
        ROOT_URLCONF=urlconf(view),
        MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
    )
    override.enable()
    closers.append(override.disable)
    # enforce_csrf_checks: prove the view is exempt, as it must be for K2, which sends no CSRF token.
    client = DjangoClient(enforce_csrf_checks=True)

    def post(body: bytes, headers: dict[str, str], query: str = "") -> Reply:
        response = client.post(
            _with("/k2", query), data=body, content_type="application/json", headers=headers
        )
        return response.status_code, response.content, {k.lower(): v for k, v in response.headers.items()}

    return post


# (name, app builder, handler class): sync handlers run in Starlette's thread pool, async ones on the loop;
# Django builds a sync or an async view to match.
FRAMEWORKS = [
    pytest.param(_starlette, Recorder, id="starlette-sync-handler"),
    pytest.param(_starlette, AsyncRecorder, id="starlette-async-handler"),
    pytest.param(_fastapi, AsyncRecorder, id="fastapi"),
    pytest.param(_flask, Recorder, id="flask-view"),
    pytest.param(_flask_blueprint, Recorder, id="flask-blueprint"),
    pytest.param(_django, Recorder, id="django-sync"),
    pytest.param(_django, AsyncRecorder, id="django-async"),
]


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_accepted_event_reaches_handler_typed(
    closers: list[Any], build: Any, recorder: type[Recorder]
) -> None:
    """A correctly signed raw body is 200 accepted and the handler gets a typed K2Event."""
    handler = recorder()
    status, body, _ = build(closers, handler, None)(BODY, signed())
    assert (status, json.loads(body)) == (200, {"status": "accepted"})
    [event] = handler.events
    assert isinstance(event, K2Event) and isinstance(event.model, CustomerCreatedWebhook)
    assert event.id == EVENT_ID and event.model.event.resource.first_name == "Wanjikũ"


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "application/json"}, {SIGNATURE_HEADER: compute_signature(BODY, "not-the-key")}],
    ids=["missing-header", "bad-signature"],
)
def test_unsigned_is_401(
    closers: list[Any], build: Any, recorder: type[Recorder], headers: dict[str, str]
) -> None:
    """A missing header or a wrong signature is 401 and never reaches the handler."""
    handler = recorder()
    status, body, _ = build(closers, handler, None)(BODY, headers)
    assert status == 401 and json.loads(body)["status"] == "rejected"
    assert handler.events == []


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_malformed_is_400(closers: list[Any], build: Any, recorder: type[Recorder]) -> None:
    """A correctly signed body that is not a valid event is 400."""
    handler = recorder()
    bad = b'{"topic": "customer_created", "id": 5}'
    status, body, _ = build(closers, handler, None)(bad, signed(bad))
    assert status == 400 and "id" in json.loads(body)["error"]
    assert handler.events == []


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_duplicate_is_acknowledged_once(closers: list[Any], build: Any, recorder: type[Recorder]) -> None:
    """The same event delivered twice is 200 both times and handled once."""
    handler = recorder()
    post = build(closers, handler, MemoryDeduplicator())
    assert post(BODY, signed())[0] == 200
    status, body, _ = post(BODY, signed())
    assert (status, json.loads(body)) == (200, {"status": "duplicate"})
    assert len(handler.events) == 1


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_handler_failure_is_500_then_redelivery_processed(
    closers: list[Any], build: Any, recorder: type[Recorder]
) -> None:
    """A failing handler gives 500 with its claim released, so K2's redelivery is processed."""
    handler, dedup = recorder(failures=1), MemoryDeduplicator()
    post = build(closers, handler, dedup)
    assert post(BODY, signed())[0] == 500
    assert not dedup.contains(f"webhook:{EVENT_ID}")
    assert post(BODY, signed())[0] == 200
    assert post(BODY, signed())[0] == 200  # the third copy is the duplicate
    assert len(handler.events) == 2 and dedup.contains(f"webhook:{EVENT_ID}")


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_copy_of_an_event_still_in_flight_is_told_to_retry_later(
    closers: list[Any], build: Any, recorder: type[Recorder]
) -> None:
    """While another delivery of the event holds its claim (its handler still running), a copy is answered
    503 with Retry-After, not 200: the first run may yet fail, and K2 must then still have a copy to send."""
    handler, dedup = recorder(), MemoryDeduplicator()
    post = build(closers, handler, dedup)
    assert dedup.claim(f"webhook:{EVENT_ID}")  # another worker's delivery is being handled
    status, body, headers = post(BODY, signed())
    assert (status, json.loads(body)["status"]) == (503, "in_progress")
    assert headers["retry-after"].isdigit()
    assert headers["content-type"].startswith("application/json")
    assert handler.events == []


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_store_that_is_down_is_500_and_marks_nothing_seen(
    closers: list[Any], build: Any, recorder: type[Recorder]
) -> None:
    """The deduplicator cannot claim: 500, the handler does not run, and once the store is back the
    redelivery is processed."""
    handler, dedup = recorder(), BrokenClaim()
    post = build(closers, handler, dedup)
    assert post(BODY, signed())[0] == 500
    assert handler.events == [] and not dedup.contains(f"webhook:{EVENT_ID}")
    dedup.down = False
    assert post(BODY, signed())[:2] == (200, b'{"status":"accepted"}')
    assert len(handler.events) == 1


class BrokenClaim(MemoryDeduplicator):
    """A deduplicator whose claims fail while ``down``, as a store that went away would."""

    down = True

    def claim(self, event_id: str) -> Any:
        if self.down:
            raise OSError("the store is down")
        return super().claim(event_id)


# ------------------------------------------------------------------------ intents settled from callbacks
class IntentRecorder(Recorder):
    """A sync handler that also notes what the ledger said of the event's intent while it ran."""

    def __init__(self, ledger: Ledger, failures: int = 0) -> None:
        super().__init__(failures)
        self.ledger = ledger
        self.states_seen: list[IntentState | None] = []

    def __call__(self, event: K2Event) -> None:
        now = None if event.intent is None else self.ledger.get_by_id(event.intent.id)
        self.states_seen.append(None if now is None else now.state)
        super().__call__(event)


class AsyncIntentRecorder(IntentRecorder):
    """The async twin of IntentRecorder."""

    async def __call__(self, event: K2Event) -> None:  # type: ignore[override]
        await asyncio.sleep(0)
        super().__call__(event)


def _watching(recorder: type[Recorder], ledger: Ledger) -> IntentRecorder:
    """The handler of the framework's kind (sync or async) that watches the ledger."""
    return AsyncIntentRecorder(ledger) if recorder is AsyncRecorder else IntentRecorder(ledger)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[WatchedLedger]:
    """A real SQLite ledger in a fresh folder."""
    found = WatchedLedger(tmp_path / "ledger.db")
    yield found
    found.close()


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_result_tagged_in_its_metadata_settles_its_intent_before_the_handler(
    closers: list[Any], build: Any, recorder: type[Recorder], ledger: WatchedLedger
) -> None:
    """With ``ledger=``, a signed STK result tagged in its metadata is 200, and the intent is already
    ``succeeded`` (with the M-PESA reference) when the handler runs, which gets it as ``event.intent``."""
    intent = sent(ledger)
    handler = _watching(recorder, ledger)
    body = encoded(stk_result(intent.id))
    status, answer, _ = build(closers, handler, MemoryDeduplicator(), ledger=ledger)(body, signed(body))
    assert (status, json.loads(answer)) == (200, {"status": "accepted"})
    assert handler.states_seen == [IntentState.SUCCEEDED]
    assert handler.events[0].intent == stored(ledger, intent)
    assert stored(ledger, intent).reference == REFERENCE


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_result_tagged_in_the_url_query_settles_its_intent_before_the_handler(
    closers: list[Any], build: Any, recorder: type[Recorder], ledger: WatchedLedger
) -> None:
    """A settlement transfer result (no metadata) posted to the route with the tag in its query: the
    adapter passes the request's URL, and the intent is ``succeeded`` when the handler runs."""
    intent = sent(ledger, "settle_funds")
    handler = _watching(recorder, ledger)
    body = encoded(settlement_result())
    query = tagged_url(intent.id).split("?", 1)[1]
    status, _, _ = build(closers, handler, None, ledger=ledger)(body, signed(body), query)
    assert status == 200
    assert handler.states_seen == [IntentState.SUCCEEDED]
    assert stored(ledger, intent).result == settlement_result()


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_failed_result_settles_its_intent_failed(
    closers: list[Any], build: Any, recorder: type[Recorder], ledger: WatchedLedger
) -> None:
    """A failed STK result: the intent is ``failed``, with K2's reason, before the handler runs."""
    intent = sent(ledger)
    handler = _watching(recorder, ledger)
    body = encoded(stk_result(intent.id, "Failed"))
    assert build(closers, handler, None, ledger=ledger)(body, signed(body))[0] == 200
    assert handler.states_seen == [IntentState.FAILED]
    assert stored(ledger, intent).last_error == "Insufficient funds"


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_bad_signature_never_touches_the_ledger(
    closers: list[Any], build: Any, recorder: type[Recorder], ledger: WatchedLedger
) -> None:
    """A tagged result with a wrong signature (tag in the metadata and in the query) is 401; the ledger
    is neither read nor written."""
    intent = sent(ledger)
    ledger.calls.clear()
    handler = _watching(recorder, ledger)
    body = encoded(stk_result(intent.id))
    query = tagged_url(intent.id).split("?", 1)[1]
    post = build(closers, handler, None, ledger=ledger)
    assert post(body, signed(body, "not-the-key"), query)[0] == 401
    assert ledger.calls == [] and handler.events == []
    assert stored(ledger, intent) == intent


@pytest.mark.parametrize(("build", "recorder"), FRAMEWORKS)
def test_a_ledger_outage_is_500_and_the_redelivery_settles_its_intent(
    closers: list[Any], build: Any, recorder: type[Recorder], ledger: WatchedLedger, tmp_path: Path
) -> None:
    """The ledger cannot be written (its write lock held elsewhere past the busy timeout): 500, the handler
    does not run, nothing is marked as seen; K2's redelivery once the store is back settles the intent."""
    intent = sent(ledger)
    handler, dedup = _watching(recorder, ledger), MemoryDeduplicator()
    result = stk_result(intent.id)
    body = encoded(result)
    post = build(closers, handler, dedup, ledger=ledger)
    with write_locked(tmp_path / "ledger.db"):
        assert post(body, signed(body))[0] == 500
    assert handler.events == [] and stored(ledger, intent) == intent
    assert not dedup.contains(f"result:incoming_payment:{result['data']['id']}:Success")
    assert post(body, signed(body))[0] == 200
    assert handler.states_seen == [IntentState.SUCCEEDED]


def test_django_sync_handler_refuses_an_async_ledger(ledger: WatchedLedger) -> None:
    """A sync Django view needs a blocking ledger; an async one wraps a blocking ledger itself."""
    with pytest.raises(TypeError, match="blocking Ledger"):
        django_adapter.webhook_view(KEY, Recorder(), ledger=AsyncLedger(ledger))
    assert django_adapter.webhook_view(KEY, AsyncRecorder(), ledger=AsyncLedger(ledger))


def _php_vector() -> tuple[bytes, str, str]:
    """The PHP SDK vector: raw tab-indented bytes, signed as they are."""
    if not fixtures_present():
        missing_fixtures()
    path = FIXTURES_DIR / "webhook_customer_created_raw_php.signature.json"
    vector = json.loads(path.read_text(encoding="utf-8"))
    known = vector["known_signatures"][0]
    return base64.b64decode(vector["body_base64"]), known["key"], known["signature"]


@pytest.mark.parametrize(
    "build",
    [_starlette, _fastapi, _flask, _django],
    ids=["starlette", "fastapi", "flask", "django"],
)
def test_real_raw_vector(closers: list[Any], build: Any) -> None:
    """The PHP SDK's raw pretty-printed signed body verifies through each framework."""
    body, key, signature = _php_vector()
    handler = Recorder()
    post = build(closers, handler, None, key)
    assert post(body, {SIGNATURE_HEADER: signature, "Content-Type": "application/json"})[0] == 200
    assert handler.events[0].kind is EventKind.WEBHOOK


# ------------------------------------------------------------------------------- framework specifics


def test_fastapi_verified_event_dependency(closers: list[Any]) -> None:
    """Depends(verified_event(key)) yields the typed event, or answers 401 / 400 before the endpoint runs."""
    app = FastAPI()
    seen: list[K2Event] = []

    @app.post("/k2")
    async def receive(event: Annotated[K2Event, Depends(verified_event(KEY))]) -> dict[str, str]:
        seen.append(event)
        return {"topic": str(event.topic)}

    client = TestClient(app)
    closers.append(client.close)
    accepted = client.post("/k2", content=BODY, headers=signed())
    assert (accepted.status_code, accepted.json()) == (200, {"topic": "customer_created"})
    assert isinstance(seen[0].model, CustomerCreatedWebhook)
    unsigned = client.post("/k2", content=BODY)
    assert (unsigned.status_code, unsigned.json()) == (401, {"detail": "invalid signature"})
    malformed = client.post("/k2", content=b"[]", headers=signed(b"[]"))
    assert malformed.status_code == 400 and "JSON object" in malformed.json()["detail"]
    assert len(seen) == 1


def test_django_other_methods_are_405(closers: list[Any]) -> None:
    """GET on the Django view is 405 with Allow: POST, for sync and async views."""
    for handler in (Recorder(), AsyncRecorder()):
        with override_settings(ROOT_URLCONF=urlconf(django_adapter.webhook_view(KEY, handler))):
            response = DjangoClient().get("/k2")
        assert response.status_code == 405 and response["Allow"] == "POST"


def test_django_sync_handler_refuses_async_only_deduplicator() -> None:
    """A sync Django view cannot use a deduplicator that only has async methods."""

    class AsyncOnly:
        async def aclaim(self, event_id: str) -> Claim:
            return Claim(event_id, ClaimState.NEW, "owner")

        async def acomplete(self, claim: Claim) -> bool:
            return True

        async def arelease(self, claim: Claim) -> bool:
            return True

        async def acontains(self, event_id: str) -> bool:
            return False

    assert isinstance(AsyncOnly(), AsyncDeduplicator)

    with pytest.raises(TypeError, match="blocking deduplicator"):
        django_adapter.webhook_view(KEY, Recorder(), deduplicator=AsyncOnly())


def test_flask_refuses_async_handler() -> None:
    """Flask views here are sync: an async handler is refused at construction, not silently dropped."""
    with pytest.raises(TypeError, match="async"):
        flask_adapter.webhook_view(KEY, AsyncRecorder())


def test_importing_the_core_imports_no_framework() -> None:
    """k2connect_ext, its events, receivers and the adapters package import no web framework."""
    code = (
        "import sys, k2connect_ext, k2connect_ext.webhooks._events, k2connect_ext.webhooks._receivers, "
        "k2connect_ext.webhooks.adapters\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'starlette', 'fastapi', 'flask', 'werkzeug', 'django'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_django_client_enforces_csrf() -> None:
    """The harness's Django client does enforce CSRF, so the 200s above prove the view is exempt."""

    def plain_view(request: Any) -> Any:
        raise AssertionError("CSRF should have refused this request")

    with override_settings(ROOT_URLCONF=urlconf(plain_view)):
        response = DjangoClient(enforce_csrf_checks=True).post(
            "/k2", data=BODY, content_type="application/json"
        )
    assert response.status_code == 403
