"""One success rule: ``outcomes.STATUSES`` against the fixtures and the spec, and everyone reading it alike.

``K2Event.is_success`` / ``is_failure``, ``wait()`` and the CLI's ``state`` used to disagree (an unpaid
payment link was a success to events; a Cancelled send money a failure to ``wait()`` only; a Transferred
payment a success to ``wait()`` only). Each status the spec names and each fixture K2 sent is checked here
against an expectation written independently of the table, then run through all three readers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from k2connect_cli.summary import resource_fields
from k2connect_ext._exceptions import K2PaymentFailedError
from k2connect_ext._facade import K2
from k2connect_ext._outcomes import STATUSES, State, Statuses, outcome_of, state_of, status_of
from k2connect_ext.webhooks._events import EventKind, parse_event
from tests.fakes import FakeK2, ok
from tests.fixtures import FIXTURES_DIR, SKIP_REASON, SPEC_PATH, fixtures_present

BASE = "https://sandbox.kopokopo.com"
RID = "c9f1a2b3-0000-4d5e-8f90-123456789abc"

S, F, P = State.SUCCEEDED, State.FAILED, State.PENDING

# Where each kind is read (the GET a Location names) and its attributes schema in the spec.
PATHS = {
    "incoming_payment": "/api/v2/incoming_payments",
    "payment": "/api/v1/payments",
    "settlement_transfer": "/api/v1/settlement_transfers",
    "polling": "/api/v2/polling",
    "transaction_sms_notification": "/api/v1/transaction_sms_notifications",
    "send_money": "/api/v2/send_money",
    "reversal": "/api/v2/reversals",
    "payment_link": "/api/v2/payment_links",
}
SCHEMAS = {
    "incoming_payment": "IncomingPaymentAttributes",
    "payment": "PaymentAttributes",
    "settlement_transfer": "SettlementTransferAttributes",
    "polling": "PollingAttributes",
    "transaction_sms_notification": "TransactionSmsNotificationAttributes",
    "send_money": "SendMoneyAttributes",
    "reversal": "ReversalAttributes",
    "payment_link": "PaymentLinkDetails",  # the link's own status decides, not the outer "Processed"
}

# What a status word means, written from K2's API guide and not from the table under test.
MEANING: dict[str, State] = {
    "success": S,
    "processed": S,
    "transferred": S,
    "paid": S,
    "complete": S,
    "completed": S,
    "failed": F,
    "cancelled": F,
    "canceled": F,
    "expired": F,
    "rejected": F,
    "declined": F,
    "pending": P,
    "scheduled": P,
    "received": P,
    "active": P,
}


def expected(status: str) -> State:
    """The independent expectation: the word's documented meaning."""
    return MEANING[status.strip().casefold()]


# ---------------------------------------------------------------------------------- bodies and readers
def result_body(kind: str, status: str, rid: str = RID) -> dict[str, Any]:
    """The smallest result body of ``kind`` whose deciding status is ``status``."""
    attributes: dict[str, Any] = {"status": status}
    if kind == "payment_link":
        attributes = {"status": "Processed", "payment_link": {"status": status}}
    return {"data": {"id": rid, "type": kind, "attributes": attributes}}


def event_state(body: dict[str, Any]) -> State:
    event = parse_event(json.dumps(body).encode())
    assert not (event.is_success and event.is_failure)
    return S if event.is_success else F if event.is_failure else P


def cli_state(kind: str, body: dict[str, Any]) -> State:
    return State(resource_fields(kind, body)["state"])


def wait_state(kind: str, body: dict[str, Any]) -> State:
    """What ``K2.wait_for`` makes of ``body``: it returns it (success), raises (failure) or reads again.

    The second read answers a success with another id, so a first read taken as pending is told apart
    from one taken as final without any clock.
    """
    success_word = sorted(STATUSES[kind].success)[0]
    server = FakeK2(ok(body), default=ok(result_body(kind, success_word, rid="second-read")))
    k2 = K2(
        "id", "secret", base_url=BASE, transport=httpx.MockTransport(server), sleep=lambda _: None, environ={}
    )
    with k2:
        try:
            model = k2.wait_for(f"{BASE}{PATHS[kind]}/{RID}", timeout=30)
        except K2PaymentFailedError:
            return F
    return S if model.data.id == body["data"]["id"] else P


def assert_everyone_agrees(kind: str, body: dict[str, Any], state: State) -> None:
    assert outcome_of(kind, body).state is state, "outcome_of"
    assert event_state(body) is state, "K2Event.is_success / is_failure"
    assert cli_state(kind, body) is state, "the CLI's state"
    assert wait_state(kind, body) is state, "wait()"


# ---------------------------------------------------------------------------------- the known disagreements
def test_unpaid_payment_link_is_not_a_success() -> None:
    """The outer "Processed" only says the link exists; events used to call it a success."""
    body = {
        "data": {
            "id": RID,
            "type": "payment_link",
            "attributes": {"status": "Processed", "payment_link": {"status": "Active"}},
        }
    }
    event = parse_event(json.dumps(body))
    assert not event.is_success
    assert not event.is_failure
    assert_everyone_agrees("payment_link", body, P)


def test_cancelled_send_money_is_a_failure_to_events_too() -> None:
    """wait() raised K2PaymentFailedError while the event said is_failure == False."""
    body = result_body("send_money", "Cancelled")
    assert parse_event(json.dumps(body)).is_failure
    assert_everyone_agrees("send_money", body, F)


def test_transferred_payment_is_a_success_to_events_too() -> None:
    """wait() returned it as done while the event said is_success == False."""
    body = result_body("payment", "Transferred")
    assert parse_event(json.dumps(body)).is_success
    assert_everyone_agrees("payment", body, S)


# ---------------------------------------------------------------------------------- the table itself
def test_table_covers_every_result_kind_events_know() -> None:
    """Every callback type events parse has a row, and no status has two meanings in a row."""
    from k2connect_ext.webhooks._events import ResultType

    assert {member.value for member in ResultType} == set(STATUSES)
    for kind, row in STATUSES.items():
        for status in row.success | row.failure | row.pending:
            assert status == status.casefold(), (kind, status)


def test_a_status_with_two_meanings_is_refused() -> None:
    """The table cannot be edited into saying success and failure for one word."""
    with pytest.raises(ValueError, match="two meanings"):
        Statuses(success=frozenset({"done"}), failure=frozenset({"done"}))


@pytest.mark.parametrize("status", ["Queued", "", None, "  "])
def test_unknown_status_is_pending(status: str | None) -> None:
    """A new or missing status never ends a wait early."""
    assert state_of("send_money", status) is P
    assert state_of("no_such_kind", "Success") is P


def test_status_is_read_case_and_space_insensitively() -> None:
    """K2 writes Active and active; both mean the same."""
    assert state_of("payment_link", " ACTIVE ") is P
    assert state_of("incoming_payment", "sUcCeSs") is S


def test_webhooks_are_facts_not_outcomes() -> None:
    """A webhook reports something that happened: neither a success nor a failure of a request."""
    body = {
        "topic": "buygoods_transaction_received",
        "id": "evt-1",
        "created_at": "2021-01-01T00:00:00+03:00",
        "event": {"type": "Buygoods Transaction", "resource": {"status": "Received"}},
    }
    event = parse_event(json.dumps(body))
    assert event.kind is EventKind.WEBHOOK
    assert not event.is_success
    assert not event.is_failure


# ---------------------------------------------------------------------------------- against the spec
def _spec_statuses() -> Iterator[tuple[str, str]]:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    schemas = spec["components"]["schemas"]
    for kind, name in SCHEMAS.items():
        schema = schemas[name]
        texts = []
        status = schema.get("properties", {}).get("status", {})
        texts.append(status.get("description", ""))
        words = set(status.get("enum", [])) | set(status.get("examples", []))
        if kind == "payment_link":
            # The details schema names the link's statuses in parentheses: "(Active/active, Cancelled, ...)".
            texts.extend(re.findall(r"\(([^)]*)\)", schema.get("description", "")))
        for text in texts:
            text = re.sub(r"\(more may appear\)|Seen:", "", text)
            words |= set(re.findall(r"\b[A-Z][a-z]+\b", text))
        for word in sorted(words):
            yield kind, word


SPEC_STATUSES = sorted(set(_spec_statuses()))


def test_the_spec_names_statuses_for_every_kind() -> None:
    """The reading of the spec found something for each kind (else the checks below would be vacuous)."""
    assert {kind for kind, _ in SPEC_STATUSES} == set(SCHEMAS)
    assert len(SPEC_STATUSES) >= 20


@pytest.mark.parametrize(("kind", "status"), SPEC_STATUSES, ids=[f"{k}-{s}" for k, s in SPEC_STATUSES])
def test_every_status_the_spec_names_has_its_meaning(kind: str, status: str) -> None:
    """Listed in the table (not pending by default) with its documented meaning, read alike by everyone."""
    row = STATUSES[kind]
    assert status.casefold() in row.success | row.failure | row.pending, f"{kind}: {status} not in the table"
    state = expected(status)
    assert state_of(kind, status) is state
    assert_everyone_agrees(kind, result_body(kind, status), state)


@pytest.mark.parametrize("kind", ["payment", "settlement_transfer", "send_money"])
def test_transfer_batch_status_transferred_ends_a_money_out_request(kind: str) -> None:
    """The spec's TransferBatch says Transferred; as the resource's own status it means done."""
    assert_everyone_agrees(kind, result_body(kind, "Transferred"), S)


# ---------------------------------------------------------------------------------- against every fixture
# Expectations per fixture, from its name and content. A new fixture with a status fails
# test_every_fixture_with_a_status_is_classified until it is added here.
FIXTURE_STATES: dict[str, State] = {
    "get_incoming_payment_pending.json": P,
    "get_incoming_payment_success.json": S,
    "get_payment_link_active_node.json": P,
    "get_payment_link_active_ruby.json": P,
    "get_polling_success.json": S,
    "get_reversal_processed_ruby.json": S,
    "get_reversal_received.json": P,
    "get_send_money_processed.json": S,
    "get_send_money_scheduled.json": P,
    "get_transaction_sms_notification_success.json": S,
    "result_incoming_payment_failed.json": F,
    "result_incoming_payment_success.json": S,
    "result_payment_link_paid.json": S,
    "result_payment_processed_v1.json": S,
    "result_polling_success.json": S,
    "result_reversal_processed.json": S,
    "result_send_money_processed.json": S,
    "result_settlement_transfer_processed_v1.json": S,
}
# 2019 shapes (no data envelope; events do not parse them): only the table's reading of their status.
LEGACY: dict[str, tuple[str, tuple[str, ...], State]] = {
    "legacy2019_get_incoming_payment_status.json": ("incoming_payment", ("payment_request", "status"), S),
    "legacy2019_get_payment_status.json": ("payment", ("status",), P),
    "legacy2019_get_transfer_status.json": ("settlement_transfer", ("status",), P),
    "legacy2019_result_payment_request_failed.json": ("incoming_payment", ("status",), F),
    "legacy2019_result_payment_request_success.json": ("incoming_payment", ("status",), S),
}


def _fixtures() -> list[Path]:
    if not fixtures_present():
        return []
    return sorted(p for p in FIXTURES_DIR.glob("*.json") if not p.name.endswith(".signature.json"))


needs_fixtures = pytest.mark.skipif(not fixtures_present(), reason=SKIP_REASON)


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES_DIR / name).read_text())
    return loaded


def _kind(body: dict[str, Any]) -> str:
    kind = str(body["data"]["type"])
    return "reversal" if kind == "reversals" else kind


@needs_fixtures
def test_every_fixture_with_a_status_is_classified() -> None:
    """No fixture carrying a result status escapes the checks below."""
    with_status = set()
    for path in _fixtures():
        body = json.loads(path.read_text())
        data = body.get("data") if isinstance(body, dict) else None
        current = isinstance(data, dict) and isinstance(data.get("attributes"), dict)
        legacy = path.name.startswith("legacy2019_") and ("status" in body or "payment_request" in body)
        if current or legacy:
            with_status.add(path.name)
    assert with_status == set(FIXTURE_STATES) | set(LEGACY)


@needs_fixtures
@pytest.mark.parametrize("name", sorted(FIXTURE_STATES))
def test_fixture_outcome_is_read_alike_everywhere(name: str) -> None:
    """Each result K2 sent means the same to outcome_of, events, the CLI and wait()."""
    body = _load(name)
    assert_everyone_agrees(_kind(body), body, FIXTURE_STATES[name])


@needs_fixtures
@pytest.mark.parametrize("name", sorted(LEGACY))
def test_legacy_fixture_status_has_its_meaning(name: str) -> None:
    """The 2019 statuses (Success, Scheduled, Pending, Failed) still mean what they meant."""
    kind, path, state = LEGACY[name]
    node: Any = _load(name)
    for key in path:
        node = node[key]
    assert state_of(kind, node) is state


@needs_fixtures
@pytest.mark.parametrize("name", [p.name for p in _fixtures() if p.name.startswith("webhook_")])
def test_webhook_fixtures_are_neither_success_nor_failure(name: str) -> None:
    """Webhooks report facts; only results have an outcome."""
    event = parse_event((FIXTURES_DIR / name).read_bytes())
    assert not event.is_success
    assert not event.is_failure


# The example shops show what the intents' ledger settled by this rule: tests/examples/test_shop_order_view.py


def test_a_resource_kind_without_a_row_fails_at_import() -> None:
    """Every kind of the registry has a row (a meaning of its statuses, or none for a static resource)."""
    from typing import get_args

    from k2connect_client.registry import ResourceKind

    from k2connect_ext import _outcomes

    assert set(STATUSES) | _outcomes._STATIC == set(get_args(ResourceKind))
    kinds = [kind for kind in get_args(ResourceKind) if kind != "reversal"]
    with pytest.raises(RuntimeError, match=r"without a row: \['reversal'\]"):
        _outcomes._every_kind_has_a_row(kinds)
    with pytest.raises(RuntimeError, match=r"rows for no kind: \['refund'\]"):
        _outcomes._every_kind_has_a_row([*get_args(ResourceKind), "refund"])


# ----------------------------------------------------------------------------------------------------
# ``outcomes`` on odd input: whatever a body or a caller holds, the answer is a state, never an error.


def link_body(link: object, status: str = "Processed") -> dict[str, Any]:
    return {"data": {"attributes": {"status": status, "payment_link": link}}}


@pytest.mark.parametrize("link", [{}, {"status": None}, {"status": 3}, {"payment_link_status": ["Paid"]}])
def test_a_payment_link_without_its_own_status_falls_back_to_the_outer_one(link: object) -> None:
    """A link whose own status is missing or not text is judged by the outer status ("Processed": the
    link exists), so it stays pending rather than passing as paid or failing on the odd value."""
    assert status_of("payment_link", link_body(link)) == "Processed"
    assert outcome_of("payment_link", link_body(link)).state is State.PENDING


@pytest.mark.parametrize("kind", [None, 42, ("payment",)])
def test_a_kind_that_is_not_a_string_is_pending(kind: Any) -> None:
    """A caller's mistake in ``kind`` reads as an unknown kind (pending), not a TypeError."""
    assert state_of(kind, "Success") is State.PENDING
