"""Tests for k2connect_ext._intents and _async_intents: ``k2.intents`` against a fake K2 (httpx.MockTransport)
and a real SQLite ledger.

Every scenario runs through ``K2`` and ``AsyncK2`` alike (the ``runner`` fixture). Store faults are real:
another connection holds the SQLite file's write lock, so the ledger's next write fails after its busy
timeout. Races with "another process" are real moves on the same ledger, made at a chosen moment by
:class:`Meddling` (a ledger that runs a hook before a chosen call) or by the fake K2 while it answers.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import inspect
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from k2connect_client.registry import OPERATIONS

from k2connect_ext import (
    K2,
    AsyncIntents,
    AsyncK2,
    BatchRow,
    Intent,
    Intents,
    IntentState,
    K2AuthError,
    K2ConfigError,
    K2ConnectionError,
    K2Error,
    K2InputError,
    K2IntentConflictError,
    K2PollTimeoutError,
    K2RateLimitError,
    K2StoreUnavailableError,
    SQLiteLedger,
    _async_intents,
    _intents,
    mobile_wallet_destination,
    till_destination,
)
from k2connect_ext._intent import States
from k2connect_ext._intent_tag import TAG_KEY
from k2connect_ext._intents import (
    MONEY_OPERATIONS,
    STALE_SENDING,
    CreatePaymentIntent,
    CreatePaymentLinkIntent,
    ReverseTransactionIntent,
    SendMoneyIntent,
    SettleFundsIntent,
    StkPushIntent,
    plain,
)
from k2connect_ext._polling import PollSettings
from tests.client_runner import CLIENT_ID, SECRET, STK_ARGS
from tests.client_runner import Runner as ClientRunner
from tests.creates import BUILDERS, builder_model, sample_arguments
from tests.fakes import BASE, PID, TOKEN, FakeK2, error, incoming_payment, raises, reply
from tests.reliability.frame_scan import scan_frames

S = IntentState
STK = f"{BASE}/api/v2/incoming_payments/{PID}"
CB = "https://example.com/k2/result"
SEND_ARGS: dict[str, Any] = {
    "callback_url": CB,
    "destinations": [mobile_wallet_destination("0712345678", Decimal("100.50"), "Salary")],
}
PROTOCOLS: dict[str, Any] = {
    "send_money": SendMoneyIntent,
    "stk_push": StkPushIntent,
    "create_payment": CreatePaymentIntent,
    "settle_funds": SettleFundsIntent,
    "reverse_transaction": ReverseTransactionIntent,
    "create_payment_link": CreatePaymentLinkIntent,
}


class Interrupt(BaseException):
    """Stands for KeyboardInterrupt or a cancelled task: not an Exception, so nothing catches it."""


class Meddling:
    """A real SQLite ledger, with a hook run before a chosen call (another process's move, a store fault)."""

    def __init__(self, inner: SQLiteLedger) -> None:
        self.inner = inner
        self.hooks: dict[str, Callable[..., object]] = {}

    def _hook(self, name: str, *args: Any, **kwargs: Any) -> None:
        hook = self.hooks.pop(name, None)
        if hook is not None:
            hook(*args, **kwargs)

    def record(self, key: str, operation: str, request: Mapping[str, Any]) -> tuple[Intent, bool]:
        self._hook("record", key)
        return self.inner.record(key, operation, request)

    def get(self, key: str) -> Intent | None:
        return self.inner.get(key)

    def get_by_id(self, intent_id: str) -> Intent | None:
        return self.inner.get_by_id(intent_id)

    def list(
        self,
        states: States | None = None,
        *,
        limit: int = 1000,
        after: Intent | None = None,
        since: float | None = None,
    ) -> builtins.list[Intent]:
        return self.inner.list(states, limit=limit, after=after, since=since)

    def transition(self, intent_id: str, to: IntentState, **kwargs: Any) -> Intent:
        self._hook(f"transition:{to.value}", intent_id)
        return self.inner.transition(intent_id, to, **kwargs)

    def close(self) -> None:
        self.inner.close()


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another connection holds the file's write lock: the ledger's writes fail after its busy timeout."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


class Runner(ClientRunner):
    """The shared runner (tests/client_runner.py), with a ledger."""

    def __init__(self, mode: str, path: Path) -> None:
        super().__init__(mode)
        self.path = path
        self.ledger = Meddling(SQLiteLedger(path, busy_timeout_seconds=0.2))

    def k2(self, server: FakeK2, **kwargs: Any) -> Any:
        """The facade, untyped: these tests use either one through the same code."""
        kwargs.setdefault("ledger", self.ledger)
        return super().k2(server, **kwargs)

    def intents(self, server: FakeK2, **kwargs: Any) -> Any:
        return self.k2(server, **kwargs).intents

    def locked(self) -> contextlib.AbstractContextManager[None]:
        return write_locked(self.path)

    def state(self, key: str) -> IntentState:
        intent = self.ledger.get(key)
        assert intent is not None
        return intent.state

    def record(self, key: str, operation: str = "stk_push", request: Any = None) -> Intent:
        """An intent recorded as the intents API records it, and never sent (a crash came first)."""
        arguments = STK_ARGS if request is None else request
        intent, _ = self.ledger.record(key, operation, _intents.checked_request(operation, arguments))
        return intent

    def drive(self, key: str, *states: IntentState, **fields: Any) -> Intent:
        """A recorded intent moved through ``states`` (the last move gets ``fields``)."""
        intent = self.record(key)
        for index, state in enumerate(states):
            extra = fields if index == len(states) - 1 else {}
            intent = self.ledger.transition(intent.id, state, expect=intent.state, **extra)
        return intent


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runner]:
    found = Runner(request.param, tmp_path / "ledger.db")
    yield found
    found.ledger.close()


def posts(server: FakeK2) -> list[httpx.Request]:
    return [r for r in server.api_requests() if r.method == "POST"]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


# ------------------------------------------------------------------------------------ the API's shape
def test_the_intent_methods_are_the_money_moving_creates() -> None:
    """Read from the registry: every builder whose create moves money, and only those; each is typed."""
    moving = {
        name
        for name in BUILDERS
        if any(
            op.moves_money and op.model.__name__ == builder_model(name)
            for op in OPERATIONS.values()
            if op.model
        )
    }
    assert set(MONEY_OPERATIONS) == moving == set(PROTOCOLS)
    assert moving == {
        "send_money",
        "stk_push",
        "create_payment",
        "settle_funds",
        "reverse_transaction",
        "create_payment_link",
    }
    for cls in (Intents, AsyncIntents):
        assert set(cls.__annotations__) == moving
        for name in moving:
            assert callable(getattr(cls, name)), name


def _parameters(signature: inspect.Signature) -> list[tuple[str, Any, Any, str]]:
    return [
        (p.name, p.kind, p.default, str(p.annotation).replace("ops.", ""))
        for p in signature.parameters.values()
    ]


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_each_method_takes_its_builders_arguments_and_key(name: str) -> None:
    """``help()`` shows the builder's parameters after ``key``, for both classes; the type written for
    mypy (the protocol) says the same, so the two cannot drift apart."""
    builder = inspect.signature(BUILDERS[name])
    key = inspect.Parameter("key", inspect.Parameter.KEYWORD_ONLY, annotation="str")
    expected = _parameters(builder.replace(parameters=[key, *builder.parameters.values()]))
    for cls in (Intents, AsyncIntents):
        method = getattr(cls, name)
        shown = inspect.signature(method)
        assert _parameters(shown)[1:] == expected
        assert shown.return_annotation == "Intent"
        assert method.__qualname__ == f"{cls.__name__}.{name}"
        assert f"K2.{name}" in (method.__doc__ or "")
    assert inspect.iscoroutinefunction(AsyncIntents.stk_push)
    typed = inspect.signature(PROTOCOLS[name].__call__)
    assert _parameters(typed)[1:] == expected


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_every_operation_is_recorded_and_sent(name: str, tmp_path: Path) -> None:
    """Each money-moving create, with a builder's sample arguments: recorded, tagged, sent once."""
    server = FakeK2()
    ledger = SQLiteLedger(tmp_path / "l.db")
    with K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(server), ledger=ledger) as k2:
        intent = getattr(k2.intents, name)(key=f"k-{name}", **sample_arguments(name))
    assert intent.state is S.SENT and intent.operation == name and intent.attempts == 1
    [sent] = posts(server)
    body = body_of(sent)
    tagged = (body.get("metadata") or {}).get(TAG_KEY) == intent.id
    assert tagged or f"{TAG_KEY}={intent.id}" in body["_links"]["callback_url"]
    ledger.close()


def test_without_a_ledger_intents_is_a_config_error_naming_the_option() -> None:
    for cls in (K2, AsyncK2):
        client = cls(CLIENT_ID, SECRET, transport=httpx.MockTransport(FakeK2()))
        with pytest.raises(K2ConfigError, match=r"intents needs a ledger.*'ledger' option"):
            client.intents  # noqa: B018 - the property under test


async def test_a_ledger_url_is_opened_and_closed_with_the_client(tmp_path: Path) -> None:
    """A URL (or path) is opened at construction and closed by close(); a ledger object is the caller's."""
    url = f"sqlite:///{tmp_path}/payouts.db"
    k2 = K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(FakeK2()), ledger=url)
    assert repr(k2.intents) == f"Intents(SQLiteLedger(path='{tmp_path}/payouts.db'))"
    assert isinstance(k2.intents.ledger, SQLiteLedger)
    k2.intents.stk_push(key="k-1", **STK_ARGS)
    k2.close()
    assert (tmp_path / "payouts.db").exists()
    assert vars(k2.intents.ledger)["_conn"] is None
    ak2 = AsyncK2(CLIENT_ID, SECRET, transport=httpx.MockTransport(FakeK2()), ledger=tmp_path / "payouts.db")
    assert repr(ak2.intents) == f"AsyncIntents(SQLiteLedger(path='{tmp_path}/payouts.db'))"
    assert (await ak2.intents.get("k-1")) is not None
    await ak2.aclose()
    assert vars(ak2.intents.ledger.ledger)["_conn"] is None
    given = SQLiteLedger(tmp_path / "given.db")
    K2(CLIENT_ID, SECRET, ledger=given).close()
    await AsyncK2(CLIENT_ID, SECRET, ledger=given).aclose()
    assert vars(given)["_conn"] is not None  # still open: neither client closed it
    given.close()


@pytest.mark.parametrize("cls", [K2, AsyncK2], ids=["sync", "async"])
def test_a_bad_ledger_option_is_refused_at_construction(cls: Any, tmp_path: Path) -> None:
    """A value of another type or an unknown URL is a K2ConfigError; a folder where the file should be, a
    K2StoreUnavailableError: both before any payment."""
    with pytest.raises(K2ConfigError, match=r"ledger must be a ledger URL.*not int"):
        cls(CLIENT_ID, SECRET, ledger=42)
    with pytest.raises(K2ConfigError, match="a ledger URL is"):
        cls(CLIENT_ID, SECRET, ledger="mysql://db/payroll")
    with pytest.raises(K2StoreUnavailableError):
        cls(CLIENT_ID, SECRET, ledger=str(tmp_path))


# ------------------------------------------------------------------------------------ sending
async def test_a_new_intent_is_recorded_tagged_and_sent(runner: Runner) -> None:
    """recorded -> sending -> sent with the Location; the request as recorded is JSON (Decimal as text, a
    destination as its dict); the POST carries the intent's id in its metadata."""
    server = FakeK2()
    intents = runner.intents(server)
    intent = await runner.run(intents.send_money, key="payroll/emp-17", **SEND_ARGS, metadata={"run": "12"})
    assert (intent.state, intent.attempts, intent.key) == (S.SENT, 1, "payroll/emp-17")
    assert intent.location == f"{BASE}/api/v2/send_money/{PID}"
    assert intent.request == {
        "callback_url": CB,
        "destinations": [
            {
                "type": "mobile_wallet",
                "phone_number": "254712345678",
                "network": "Safaricom",
                "amount": "100.50",
                "description": "Salary",
            }
        ],
        "metadata": {"run": "12"},
    }
    [sent] = posts(server)
    assert body_of(sent)["metadata"] == {"run": "12", TAG_KEY: intent.id}
    assert body_of(sent)["destinations"] == intent.request["destinations"]
    assert await runner.run(intents.get, "payroll/emp-17") == intent
    assert await runner.run(intents.list) == [intent]
    assert await runner.run(intents.list, S.RECORDED) == []


async def test_the_same_key_again_returns_the_intent_and_sends_nothing(runner: Runner) -> None:
    """Spelt differently (a default given, an int for a Decimal-free amount), it is the same request."""
    server = FakeK2()
    intents = runner.intents(server)
    first = await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    again = await runner.run(intents.stk_push, key="order-1", **STK_ARGS, currency="KES", version="v2")
    assert again == first and len(posts(server)) == 1


async def test_the_same_key_for_another_request_is_refused(runner: Runner) -> None:
    server = FakeK2()
    intents = runner.intents(server)
    await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    with pytest.raises(K2InputError, match="already used for a different request") as caught:
        await runner.run(intents.stk_push, key="order-1", **{**STK_ARGS, "amount": 101})
    assert caught.value.field == "key"
    assert len(posts(server)) == 1


async def test_bad_input_is_refused_before_anything_is_recorded(runner: Runner) -> None:
    """A bad phone number, a fifth metadata pair (one is the tag's), an unknown argument, a value no
    ledger can hold: refused, nothing recorded, nothing sent."""
    server = FakeK2()
    intents = runner.intents(server)
    with pytest.raises(K2InputError) as bad_phone:
        await runner.run(intents.stk_push, key="k", **{**STK_ARGS, "phone_number": "12"})
    assert bad_phone.value.field == "phone_number"
    five = {f"m{i}": "v" for i in range(5)}
    with pytest.raises(K2InputError, match=r"at most 4 are yours") as full:
        await runner.run(intents.stk_push, key="k", **STK_ARGS, metadata=five)
    assert full.value.field == "metadata"
    with pytest.raises(TypeError, match="colour"):
        await runner.run(intents.stk_push, key="k", **STK_ARGS, colour="red")
    with pytest.raises(K2InputError) as bad_key:
        await runner.run(intents.stk_push, key=" ", **STK_ARGS)
    assert bad_key.value.field == "key"
    assert runner.ledger.list() == [] and posts(server) == []


def test_recorded_requests_are_plain_json() -> None:
    """What the normaliser makes of each kind of value (an enum as its value, a date in ISO 8601)."""
    import datetime as dt

    assert plain(IntentState.SENT, "f") == "sent"
    assert plain(dt.date(2026, 12, 1), "f") == "2026-12-01"
    assert plain(("a", Decimal("1.50")), "f") == ["a", "1.50"]
    assert plain({"d": till_destination("123456", 5, "x")}, "f")["d"]["type"] == "till"
    with pytest.raises(K2InputError, match="tags: a set cannot be recorded in a ledger") as caught:
        plain({"a"}, "tags")
    assert caught.value.field == "tags"


async def test_a_4xx_makes_the_intent_refused_and_it_is_never_sent_again(runner: Runner) -> None:
    server = FakeK2(error(400))
    intents = runner.intents(server)
    intent = await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    assert intent.state is S.REFUSED and intent.location is None
    assert intent.last_error is not None and intent.last_error.startswith(
        "K2ValidationError: K2 answered 400"
    )
    assert await runner.run(intents.stk_push, key="order-1", **STK_ARGS) == intent
    assert len(posts(server)) == 1


async def test_an_ambiguous_outcome_is_recorded_and_never_resent(runner: Runner) -> None:
    """A 500 to a POST may have moved money: ambiguous (returned, not raised), and neither the same call
    nor reconciliation sends it again."""
    server = FakeK2(error(500))
    intents = runner.intents(server)
    intent = await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    assert intent.state is S.AMBIGUOUS and intent.location is None
    assert intent.last_error is not None and "K2AmbiguousOutcomeError" in intent.last_error
    assert await runner.run(intents.stk_push, key="order-1", **STK_ARGS) == intent
    report = await runner.run(intents.reconcile)
    assert report.moves == {} and report.intents == ()
    assert len(posts(server)) == 1


async def test_an_ambiguous_outcome_keeps_the_location_it_came_with(runner: Runner) -> None:
    """A 201 whose Location names no resource the SDK can read: ambiguous, the Location kept."""
    odd = f"{BASE}/api/v2/elsewhere/{PID}"
    server = FakeK2(reply(201, headers={"Location": odd}))
    intent = await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    assert (intent.state, intent.location) == (S.AMBIGUOUS, odd)


async def test_a_request_that_never_left_goes_back_to_recorded_and_is_raised(runner: Runner) -> None:
    """No connection: K2ConnectionError raised, the intent recorded again with the error; the next call
    sends it (one POST in all)."""
    server = FakeK2(default=raises(httpx.ConnectError("connection refused")))
    intents = runner.intents(server)
    with pytest.raises(K2ConnectionError):
        await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    intent = runner.ledger.get("order-1")
    assert intent is not None and intent.state is S.RECORDED and intent.attempts == 1
    assert intent.last_error is not None and intent.last_error.startswith("not sent: K2ConnectionError")
    server.default = server.usual_answer
    tried = len(posts(server))  # every try met a refused connection: none reached K2
    sent = await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    assert (sent.state, sent.attempts) == (S.SENT, 2)
    assert len(posts(server)) == tried + 1


@pytest.mark.parametrize(
    ("status", "error_type"), [(401, K2AuthError), (429, K2RateLimitError)], ids=["token-401", "post-429"]
)
async def test_a_request_k2_did_not_take_goes_back_to_recorded(
    runner: Runner, status: int, error_type: type[Exception]
) -> None:
    """Credentials K2 refuses (the token never came: the POST never left) and a rate limit (429, never
    processed): raised, the intent recorded, to be sent once the cause is gone."""
    server = FakeK2()
    if status == 401:
        server.credentials_ok = False
    else:
        server.api = [error(429)]
    with pytest.raises(error_type):
        await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    assert runner.state("order-1") is S.RECORDED


async def test_a_bug_after_the_request_left_makes_it_ambiguous_and_is_raised(runner: Runner) -> None:
    server = FakeK2(raises(RuntimeError("a bug")))
    with pytest.raises(RuntimeError, match="a bug"):
        await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    intent = runner.ledger.get("order-1")
    assert intent is not None and intent.state is S.AMBIGUOUS
    assert intent.last_error == "RuntimeError: a bug"


async def test_an_interrupt_leaves_it_sending_and_reconciliation_makes_it_ambiguous(runner: Runner) -> None:
    """KeyboardInterrupt or a cancelled task mid-POST: the request may be out, so the intent stays
    ``sending``; a younger one may be in flight elsewhere, an older one becomes ambiguous, never resent."""

    def interrupted(request: httpx.Request) -> httpx.Response:
        raise Interrupt

    server = FakeK2(interrupted)
    intents = runner.intents(server)
    with pytest.raises(Interrupt):
        await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    intent = runner.ledger.get("order-1")
    assert intent is not None and intent.state is S.SENDING
    young = await runner.run(intents.reconcile, now=intent.updated_at + 59)
    assert young.moves == {}
    old = await runner.run(intents.reconcile, now=intent.updated_at + 60)
    assert old.moves == {(S.SENDING, S.AMBIGUOUS): 1}
    assert [i.last_error for i in old.intents] == [STALE_SENDING] and len({old, old}) == 1
    assert len(posts(server)) == 1


async def test_an_intent_another_process_is_sending_is_returned_not_sent(runner: Runner) -> None:
    """Recorded, then another process wins recorded -> sending first: this one sends nothing."""
    server = FakeK2()

    def other_process_sends(key: str) -> None:
        intent, _ = runner.ledger.inner.record(
            key, "stk_push", _intents.checked_request("stk_push", STK_ARGS)
        )
        runner.ledger.inner.transition(intent.id, S.SENDING, expect=S.RECORDED)

    runner.ledger.hooks["record"] = lambda key: None
    runner.ledger.hooks["transition:sending"] = lambda intent_id: runner.ledger.inner.transition(
        intent_id, S.SENDING, expect=S.RECORDED
    )
    intent = await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    assert (intent.state, intent.attempts) == (S.SENDING, 1)
    assert posts(server) == []
    other_process_sends("order-2")
    found = await runner.run(runner.intents(server).stk_push, key="order-2", **STK_ARGS)
    assert found.state is S.SENDING and posts(server) == []


async def test_a_callback_that_settled_it_before_the_location_was_stored_wins(runner: Runner) -> None:
    """While the POST is answered, a verified callback (another process) settles the intent: the sender's
    sending -> sent loses, and the settled intent is returned."""

    def settled_meanwhile(request: httpx.Request) -> httpx.Response:
        intent_id = body_of(request)["metadata"][TAG_KEY]
        runner.ledger.inner.transition(intent_id, S.SUCCEEDED, expect=S.SENDING, reference="QKL1")
        return httpx.Response(201, headers={"Location": STK})

    intent = await runner.run(runner.intents(FakeK2(settled_meanwhile)).stk_push, key="o-1", **STK_ARGS)
    assert (intent.state, intent.reference, intent.location) == (S.SUCCEEDED, "QKL1", None)


async def test_a_ledger_that_cannot_record_sends_nothing(runner: Runner) -> None:
    server = FakeK2()
    with runner.locked(), pytest.raises(K2StoreUnavailableError, match="record failed"):
        await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    assert posts(server) == [] and runner.ledger.get("order-1") is None


async def test_a_ledger_that_cannot_mark_it_sending_sends_nothing(runner: Runner) -> None:
    server = FakeK2()
    lock = runner.locked()
    runner.ledger.hooks["transition:sending"] = lambda intent_id: lock.__enter__()
    try:
        with pytest.raises(K2StoreUnavailableError, match="transition failed"):
            await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    finally:
        lock.__exit__(None, None, None)
    assert posts(server) == [] and runner.state("order-1") is S.RECORDED


async def test_an_answer_the_ledger_cannot_store_is_raised_with_its_location(runner: Runner) -> None:
    """Sent, 201, and then the ledger fails: the error says so and gives the Location; the intent stays
    ``sending`` (reconciliation settles it), and nothing is sent again."""
    lock = runner.locked()

    def answered_then_locked(request: httpx.Request) -> httpx.Response:
        lock.__enter__()
        return httpx.Response(201, headers={"Location": STK})

    server = FakeK2(answered_then_locked)
    try:
        with pytest.raises(K2StoreUnavailableError) as caught:
            await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    finally:
        lock.__exit__(None, None, None)
    message = str(caught.value)
    assert "was sent, but its outcome (sent) could not be stored" in message
    assert f"K2's Location for it: {STK}" in message and "stays 'sending'" in message
    assert runner.state("order-1") is S.SENDING
    assert await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS) is not None
    assert len(posts(server)) == 1


async def test_a_refusal_the_ledger_cannot_store_is_raised_too(runner: Runner) -> None:
    lock = runner.locked()

    def refused_then_locked(request: httpx.Request) -> httpx.Response:
        lock.__enter__()
        return httpx.Response(400, json={"error_code": 400, "error_message": "bad"})

    try:
        with pytest.raises(
            K2StoreUnavailableError, match=r"outcome \(refused\) could not be stored: .*sending'"
        ):
            await runner.run(runner.intents(FakeK2(refused_then_locked)).stk_push, key="o", **STK_ARGS)
    finally:
        lock.__exit__(None, None, None)
    assert runner.state("o") is S.SENDING


# ------------------------------------------------------------------------------------ waiting
async def test_wait_follows_the_location_and_settles(runner: Runner) -> None:
    server = FakeK2(reply(201, headers={"Location": STK}), reply(200, incoming_payment("Pending")))
    intents = runner.intents(server, poll=PollSettings(clock=runner.clock))
    await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    settled = await runner.run(intents.wait, "order-1")
    assert settled.state is S.SUCCEEDED and settled.result is not None
    assert [r.method for r in server.api_requests()] == ["POST", "GET", "GET"]
    assert await runner.run(intents.wait, "order-1") == settled  # settled: nothing to follow
    assert len(server.api_requests()) == 3


async def test_wait_settles_a_failed_payment_as_failed_without_raising(runner: Runner) -> None:
    errors = "Request cancelled by user"
    server = FakeK2(reply(201, headers={"Location": STK}), reply(200, incoming_payment("Failed", errors)))
    intents = runner.intents(server)
    await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    failed = await runner.run(intents.wait, "order-1")
    assert failed.state is S.FAILED and failed.last_error is not None


async def test_wait_returns_an_intent_without_a_location_as_it_is(runner: Runner) -> None:
    server = FakeK2(error(500))
    intents = runner.intents(server)
    ambiguous = await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    assert await runner.run(intents.wait, "order-1") == ambiguous
    with pytest.raises(K2InputError, match="no intent is recorded under the key 'nope'") as caught:
        await runner.run(intents.wait, "nope")
    assert caught.value.field == "key"


async def test_wait_past_its_timeout_raises_and_leaves_the_intent(runner: Runner) -> None:
    server = FakeK2(default=reply(200, incoming_payment("Pending")))
    server.api = [reply(201, headers={"Location": STK})]
    intents = runner.intents(server, poll=PollSettings(clock=runner.clock))
    await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    with pytest.raises(K2PollTimeoutError):
        await runner.run(intents.wait, "order-1", timeout=5)
    assert runner.state("order-1") is S.SENT


# ------------------------------------------------------------------------------------ reconciling
async def test_reconcile_sends_what_a_crash_left_recorded(runner: Runner) -> None:
    """Recorded, then the process died before sending: reconciliation sends it, tagged, once."""
    recorded = runner.record("order-1")
    server = FakeK2()
    intents = runner.intents(server)
    report = await runner.run(intents.reconcile)
    assert report.moves == {(S.RECORDED, S.SENT): 1} and report.count(S.RECORDED, S.SENT) == 1
    assert [i.id for i in report.intents] == [recorded.id] and report.errors == ()
    [sent] = posts(server)
    assert body_of(sent)["metadata"] == {TAG_KEY: recorded.id}
    assert (await runner.run(intents.reconcile)).moves == {(S.SENT, S.SUCCEEDED): 1}
    assert len(posts(server)) == 1


async def test_reconcile_reads_a_sent_intent_and_waits_while_it_is_pending(runner: Runner) -> None:
    runner.drive("order-1", S.SENDING, S.SENT, location=STK)
    server = FakeK2(reply(200, incoming_payment("Pending")))
    intents = runner.intents(server)
    assert (await runner.run(intents.reconcile)).moves == {}
    assert (await runner.run(intents.reconcile)).moves == {(S.SENT, S.SUCCEEDED): 1}
    assert posts(server) == []


async def test_reconcile_settles_an_ambiguous_intent_from_its_location(runner: Runner) -> None:
    """Pending at K2: it has it, so ambiguous -> sent; final: settled."""
    runner.drive("pending", S.SENDING, S.AMBIGUOUS, location=STK)
    runner.drive("final", S.SENDING, S.AMBIGUOUS, location=STK)
    server = FakeK2(reply(200, incoming_payment("Pending")), reply(200, incoming_payment("Failed", "no")))
    report = await runner.run(runner.intents(server).reconcile)
    assert report.moves == {(S.AMBIGUOUS, S.SENT): 1, (S.AMBIGUOUS, S.FAILED): 1}
    assert (runner.state("pending"), runner.state("final")) == (S.SENT, S.FAILED)
    assert posts(server) == []


async def test_an_ambiguous_intent_without_a_location_becomes_unresolved_past_the_horizon(
    runner: Runner,
) -> None:
    intent = runner.drive("order-1", S.SENDING, S.AMBIGUOUS)
    server = FakeK2()
    intents = runner.intents(server)
    assert (await runner.run(intents.reconcile, horizon=600, now=intent.updated_at + 599)).moves == {}
    report = await runner.run(intents.reconcile, horizon=600, now=intent.updated_at + 600)
    assert report.moves == {(S.AMBIGUOUS, S.UNRESOLVED): 1}
    [unresolved] = report.intents
    assert unresolved.last_error is not None and "reconciliation horizon (600 s)" in unresolved.last_error
    assert (await runner.run(intents.reconcile, now=intent.updated_at + 10**6)).moves == {}
    assert server.api_requests() == []


async def test_reconcile_leaves_an_intent_it_cannot_check_and_says_why(runner: Runner) -> None:
    """K2 unreachable: the sent intent is not read, the recorded one not sent (back to recorded); both
    listed as errors, neither moved."""
    runner.drive("sent", S.SENDING, S.SENT, location=STK)
    runner.record("recorded")
    server = FakeK2(default=raises(httpx.ConnectError("down")))
    report = await runner.run(runner.intents(server).reconcile)
    assert report.moves == {}
    assert [key for key, _ in report.errors] == ["sent", "recorded"]
    assert all(message.startswith("K2ConnectionError") for _, message in report.errors)
    assert (runner.state("sent"), runner.state("recorded")) == (S.SENT, S.RECORDED)


async def test_reconcile_reports_a_recorded_request_it_cannot_send(runner: Runner) -> None:
    """A ledger shared with other code, or edited by hand: an operation intents cannot send, a destination
    that is none: reported, left recorded, the pass goes on."""
    runner.ledger.record("refund", "refund", {"amount": 5})
    runner.ledger.record("odd", "send_money", {"callback_url": CB, "destinations": [{"type": "moon"}]})
    runner.ledger.record("odder", "send_money", {"callback_url": CB, "destinations": [5]})
    runner.record("good")
    server = FakeK2()
    report = await runner.run(runner.intents(server).reconcile)
    assert report.moves == {(S.RECORDED, S.SENT): 1}
    assert [(key, message.split(":")[0]) for key, message in report.errors] == [
        ("refund", "K2InputError"),
        ("odd", "K2InputError"),
        ("odder", "K2InputError"),
    ]
    assert "is not a create an intent can send" in report.errors[0][1]
    assert "destinations[0]: the recorded value is none of 6 destination kinds" in report.errors[1][1]
    assert len(posts(server)) == 1


async def test_reconcile_stops_when_the_ledger_fails(runner: Runner) -> None:
    runner.drive("order-1", S.SENDING, S.SENT, location=STK)
    with runner.locked(), pytest.raises(K2StoreUnavailableError):
        await runner.run(runner.intents(FakeK2()).reconcile)
    assert runner.state("order-1") is S.SENT


async def test_reconcile_reads_every_page(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_intents, "PAGE", 2)
    monkeypatch.setattr(_async_intents, "PAGE", 2)
    for n in range(5):
        runner.record(f"order-{n}")
    server = FakeK2()
    report = await runner.run(runner.intents(server).reconcile)
    assert report.moves == {(S.RECORDED, S.SENT): 5} and len(posts(server)) == 5


async def test_a_move_another_process_made_first_is_read_back(runner: Runner) -> None:
    """Between reconciliation's read and its move, another process (a callback) settled the intent."""
    stale = runner.drive("order-1", S.SENDING, S.AMBIGUOUS)

    def callback_first(intent_id: str) -> None:
        runner.ledger.inner.transition(intent_id, S.SUCCEEDED, expect=S.AMBIGUOUS)

    runner.ledger.hooks["transition:unresolved"] = callback_first
    report = await runner.run(runner.intents(FakeK2()).reconcile, horizon=0)
    assert report.moves == {(S.AMBIGUOUS, S.SUCCEEDED): 1} and stale.state is S.AMBIGUOUS


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"horizon": -1}, "horizon"),
        ({"sending_grace": float("inf")}, "sending_grace"),
        ({"now": True}, "now"),
    ],
)
async def test_reconcile_refuses_a_bad_setting(runner: Runner, arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(K2InputError) as caught:
        await runner.run(runner.intents(FakeK2()).reconcile, **arguments)
    assert caught.value.field == field


# ------------------------------------------------------------------------------------ a person's decision
async def test_resolving_as_sent_settles_it_succeeded_with_the_note(runner: Runner) -> None:
    runner.drive("order-1", S.SENDING, S.AMBIGUOUS, S.UNRESOLVED)
    resolved = await runner.run(
        runner.intents(FakeK2()).resolve, "order-1", sent=True, note="M-PESA statement shows QKL1 (Ann)"
    )
    assert resolved.state is S.SUCCEEDED
    assert resolved.note == "resolved by a person as sent: M-PESA statement shows QKL1 (Ann)"


async def test_resolving_as_not_sent_allows_a_new_attempt(runner: Runner) -> None:
    runner.drive("order-1", S.SENDING, S.AMBIGUOUS, S.UNRESOLVED)
    server = FakeK2()
    intents = runner.intents(server)
    resolved = await runner.run(intents.resolve, "order-1", sent=False, note="not on the statement")
    assert (
        resolved.state is S.RECORDED
        and resolved.note == "resolved by a person as not sent: not on the statement"
    )
    sent = await runner.run(intents.stk_push, key="order-1", **STK_ARGS)
    assert (sent.state, sent.attempts) == (S.SENT, 2) and len(posts(server)) == 1


async def test_only_an_unresolved_intent_is_resolved(runner: Runner) -> None:
    runner.drive("ambiguous", S.SENDING, S.AMBIGUOUS)
    runner.drive("unresolved", S.SENDING, S.AMBIGUOUS, S.UNRESOLVED)
    intents = runner.intents(FakeK2())
    with pytest.raises(K2IntentConflictError, match=r"only an unresolved intent.*'ambiguous'") as caught:
        await runner.run(intents.resolve, "ambiguous", sent=False, note="checked")
    assert (caught.value.state, caught.value.to) == ("ambiguous", "recorded")
    with pytest.raises(K2InputError) as blank:
        await runner.run(intents.resolve, "unresolved", sent=True, note=" ")
    assert blank.value.field == "note"
    with pytest.raises(K2InputError) as not_bool:
        await runner.run(intents.resolve, "unresolved", sent="yes", note="checked")
    assert not_bool.value.field == "sent"
    with pytest.raises(K2InputError):
        await runner.run(intents.resolve, "nope", sent=True, note="checked")
    assert runner.state("unresolved") is S.UNRESOLVED


# ------------------------------------------------------------------------------------ batches
def rows(count: int, start: int = 0) -> list[BatchRow]:
    return [
        BatchRow(
            f"payroll/emp-{n}",
            "send_money",
            {
                "callback_url": CB,
                "destinations": [mobile_wallet_destination("0712345678", 100 + n, "Salary")],
            },
        )
        for n in range(start, start + count)
    ]


async def test_a_batch_with_bad_rows_records_and_sends_nothing(runner: Runner) -> None:
    """Every problem of every row, with its index, in one error; ``check_rows`` gives them as data."""
    good = rows(2)
    batch: list[Any] = [
        good[0],
        "not a row",
        BatchRow("", "send_money", good[0].arguments),
        BatchRow(good[0].key, "send_money", good[0].arguments),
        BatchRow("k-4", "refund", {}),
        BatchRow("k-5", "send_money", ["not", "a", "mapping"]),  # type: ignore[arg-type]
        BatchRow("k-6", "stk_push", {**STK_ARGS, "phone_number": "12"}),
        BatchRow("k-7", "stk_push", {**STK_ARGS, "colour": "red"}),
        BatchRow("k-8", 8, {}),  # type: ignore[arg-type]
        good[1],
    ]
    server = FakeK2()
    intents = runner.intents(server)
    problems = intents.check_rows(batch)
    assert [(p.index, p.key, p.field) for p in problems] == [
        (1, None, None),
        (2, None, "key"),
        (3, "payroll/emp-0", "key"),
        (4, "k-4", "operation"),
        (5, "k-5", "arguments"),
        (6, "k-6", "phone_number"),
        (7, "k-7", "arguments"),
        (8, "k-8", "operation"),
    ]
    assert str(problems[2]) == "rows[3] (key 'payroll/emp-0'): the key is also rows[0]'s"
    with pytest.raises(K2InputError, match=r"8 problem\(s\) in 10 row\(s\); nothing was recorded") as caught:
        await runner.run(intents.run_batch, batch)
    assert caught.value.field == "rows" and "rows[6] (key 'k-6'): phone_number" in str(caught.value)
    assert runner.ledger.list() == [] and posts(server) == []
    with pytest.raises(K2InputError) as concurrency:
        await runner.run(intents.run_batch, good, concurrency=0)
    assert concurrency.value.field == "concurrency"


async def test_a_batch_sends_every_row_once_and_a_second_run_sends_nothing(runner: Runner) -> None:
    server = FakeK2()
    intents = runner.intents(server)
    seen: list[Intent] = []
    report = await runner.run(intents.run_batch, rows(7), concurrency=3, on_progress=seen.append)
    assert [i.key if i else None for i in report.intents] == [f"payroll/emp-{n}" for n in range(7)]
    assert report.counts == {S.SENT: 7} and report.problems == () and not report.stopped
    assert report.not_started == 0 and sorted(i.key for i in seen) == sorted(r.key for r in rows(7))
    assert len(posts(server)) == 7
    assert len({*rows(7), *rows(7)}) == 7 and len({report, report}) == 1  # rows and reports are values
    again = await runner.run(intents.run_batch, rows(7))
    assert again.intents == report.intents and len(posts(server)) == 7
    assert (report.from_earlier_runs, again.from_earlier_runs) == (0, 7)  # every row carried over


def test_a_batch_runs_its_rows_at_once_up_to_the_concurrency(tmp_path: Path) -> None:
    """Three rows, concurrency 3: the three POSTs are in flight together (each waits for the others)."""
    together = threading.Barrier(3, timeout=10)
    server = FakeK2()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path != "/oauth/token":
            together.wait()
        return server(request)

    ledger = SQLiteLedger(tmp_path / "l.db")
    with K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(answer), ledger=ledger) as k2:
        report = k2.intents.run_batch(rows(3), concurrency=3)
    assert report.counts == {S.SENT: 3}
    ledger.close()


async def test_an_async_batch_runs_its_rows_at_once_up_to_the_concurrency(tmp_path: Path) -> None:
    together = asyncio.Barrier(3)
    server = FakeK2()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path != "/oauth/token":
            async with asyncio.timeout(10):
                await together.wait()
        return server(request)

    ledger = SQLiteLedger(tmp_path / "l.db")
    async with AsyncK2(CLIENT_ID, SECRET, transport=httpx.MockTransport(answer), ledger=ledger) as k2:
        report = await k2.intents.run_batch(rows(3), concurrency=3)
    assert report.counts == {S.SENT: 3}
    ledger.close()


async def test_a_stopped_batch_starts_no_new_row_and_the_next_run_carries_on(runner: Runner) -> None:
    """Stopped (a threading.Event; an asyncio.Event for AsyncK2) after the first row: the report says so;
    the next run sends the rest and nothing twice."""
    server = FakeK2()
    intents = runner.intents(server)
    stop: Any = threading.Event() if runner.mode == "sync" else asyncio.Event()
    report = await runner.run(
        intents.run_batch, rows(5), concurrency=1, stop=stop, on_progress=lambda i: stop.set()
    )
    assert report.stopped and report.not_started == 4 and report.counts == {S.SENT: 1}
    assert report.intents[1:] == (None,) * 4
    rest = await runner.run(intents.run_batch, rows(5))
    assert rest.counts == {S.SENT: 5} and not rest.stopped
    assert len(posts(server)) == 5
    assert (report.from_earlier_runs, rest.from_earlier_runs) == (0, 1)  # the row sent before the stop


async def test_a_row_not_sent_this_time_is_reported_and_sent_next_run(runner: Runner) -> None:
    """K2 unreachable for one row: the batch goes on; the row is recorded, listed in ``problems``; the
    next run sends it (and the others not again)."""
    server = FakeK2()
    batch = rows(3)

    def down_for_row_1(request: httpx.Request) -> httpx.Response:
        if (
            request.method == "POST"
            and "100.0" not in request.content.decode()
            and b'"101"' in request.content
        ):
            raise httpx.ConnectError("down")
        return server(request)

    intents = runner.intents(server, transport=httpx.MockTransport(down_for_row_1))
    report = await runner.run(intents.run_batch, batch, concurrency=1)
    assert report.counts == {S.SENT: 2, S.RECORDED: 1}
    [problem] = report.problems
    assert (problem.index, problem.key, problem.field) == (1, "payroll/emp-1", None)
    assert problem.message.startswith("not sent: ")
    later = await runner.run(runner.intents(server).run_batch, batch)
    assert later.counts == {S.SENT: 3} and len(posts(server)) == 3
    # All three were recorded by the first run, the one not sent too (this run sent it, once).
    assert (report.from_earlier_runs, later.from_earlier_runs) == (0, 3)


async def test_a_row_whose_key_is_taken_by_another_request_is_reported(runner: Runner) -> None:
    runner.record("payroll/emp-1")  # an STK push under the key a payout row uses
    report = await runner.run(runner.intents(FakeK2()).run_batch, rows(3))
    assert report.intents[1] is None and report.counts == {S.SENT: 2}
    assert report.from_earlier_runs == 0  # the other request's intent is not this row's
    [problem] = report.problems
    assert (problem.index, problem.field) == (1, "key") and "different request" in problem.message


async def test_a_ledger_failure_stops_the_batch_and_the_next_run_carries_on(runner: Runner) -> None:
    """The store fails after row 0: no new row starts, the failure is raised; once it is back, the next run
    sends the rest, nothing twice."""
    server = FakeK2()
    lock = runner.locked()
    with pytest.raises(K2StoreUnavailableError):
        await runner.run(
            runner.intents(server).run_batch, rows(4), concurrency=1, on_progress=lambda i: lock.__enter__()
        )
    lock.__exit__(None, None, None)
    assert len(posts(server)) == 1 and [i.key for i in runner.ledger.list()] == ["payroll/emp-0"]
    report = await runner.run(runner.intents(server).run_batch, rows(4))
    assert report.counts == {S.SENT: 4} and len(posts(server)) == 4


async def test_an_error_in_on_progress_lets_the_running_rows_finish(runner: Runner) -> None:
    server = FakeK2()

    def broken(intent: Intent) -> None:
        raise ValueError("progress bar broke")

    with pytest.raises(ValueError, match="progress bar broke"):
        await runner.run(runner.intents(server).run_batch, rows(4), concurrency=2, on_progress=broken)
    states = [i.state for i in runner.ledger.list()]
    assert states == [S.SENT] * len(states) and len(states) == len(posts(server)) == 2


# ------------------------------------------------------------------------------------ secrets
@pytest.mark.parametrize("failure", ["token refused", "rate limited", "answer not stored"])
async def test_no_error_nor_record_holds_a_secret(runner: Runner, failure: str) -> None:
    """The errors the intents API raises (their messages, attributes and every frame's locals, as error
    reporters print them) and what the ledger keeps hold neither the client secret nor any token."""
    server = FakeK2()
    lock = runner.locked()
    if failure == "token refused":
        server.token_replies = [error(401)]
    elif failure == "rate limited":
        server.api = [error(429)]
    else:

        def answered_then_locked(request: httpx.Request) -> httpx.Response:
            lock.__enter__()
            return httpx.Response(201, headers={"Location": STK})

        server.api = [answered_then_locked]
    try:
        with pytest.raises(K2Error) as caught:
            await runner.run(runner.intents(server).stk_push, key="order-1", **STK_ARGS)
    finally:
        if failure == "answer not stored":
            lock.__exit__(None, None, None)
    secrets: dict[str, list[str | bytes]] = {
        "client_secret": [SECRET],
        "token": [f"{TOKEN}-{n}" for n in range(1, server.issued + 1)],
    }
    findings = scan_frames(caught.value, secrets)
    assert not findings, "\n".join(map(str, findings))
    intent = runner.ledger.get("order-1")
    assert intent is not None
    stored = repr(attrs.asdict(intent))
    assert not any(str(secret) in stored for values in secrets.values() for secret in values)
