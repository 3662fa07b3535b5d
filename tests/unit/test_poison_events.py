"""Poison events: a signed body whose id cannot be stored is a 400, never a 500 that K2 redelivers forever.

Before the fix, a callback whose ``data.id`` held a lone surrogate escape (``"\\ud800"``, valid JSON but not
Unicode) parsed; ``SQLiteDeduplicator.claim`` then raised on it, the receiver answered 500, and K2 redelivered
the same body to the same 500 for ever. The in-memory deduplicator accepted the same id: two rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext._exceptions import K2InputError, WebhookPayloadError
from k2connect_ext.webhooks._dedup import MemoryDeduplicator, SQLiteDeduplicator, check_event_id
from k2connect_ext.webhooks._events import construct_event, parse_event
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature

KEY = "poison-test-api-key"

RESULT = {"data": {"id": "r-1", "type": "polling", "attributes": {"status": "Success"}}}
WEBHOOK = {
    "topic": "customer_created",
    "id": "w-1",
    "created_at": "2026-03-01T12:00:00+03:00",
    "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
}
DARAJA = {
    "TransactionType": "Pay Bill",
    "TransID": "AB12CD34EF",
    "TransTime": "20260101120000",
    "TransAmount": "10",
    "BusinessShortCode": "1",
}


def _with(body: dict[str, Any], field: str, value: object) -> bytes:
    """``body`` with the dotted ``field`` set to ``value``, as ASCII JSON (surrogates travel as escapes)."""
    copy = json.loads(json.dumps(body))
    node = copy
    *parents, last = field.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    return json.dumps(copy).encode()


def _signed(body: bytes) -> dict[str, str]:
    return {SIGNATURE_HEADER: compute_signature(body, KEY), "Content-Type": "application/json"}


# (body, field holding the id or a part of the dedup key)
POISON_PLACES = [
    pytest.param(RESULT, "data.id", id="result-id"),
    pytest.param(RESULT, "data.attributes.status", id="result-status"),
    pytest.param(WEBHOOK, "id", id="webhook-id"),
    pytest.param(DARAJA, "TransID", id="daraja-transid"),
]
POISON_IDS = [
    pytest.param("\ud800", id="lone-high-surrogate"),
    pytest.param("ab\udfff", id="lone-low-surrogate"),
    pytest.param("\udc00\ud800", id="reversed-pair"),
]


@pytest.mark.parametrize(("body", "field"), POISON_PLACES)
@pytest.mark.parametrize("bad", POISON_IDS)
def test_parse_refuses_an_unstorable_id_naming_the_field(body: dict[str, Any], field: str, bad: str) -> None:
    """parse_event and construct_event raise WebhookPayloadError whose field names the culprit."""
    raw = _with(body, field, bad)
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(raw)
    assert caught.value.field == field
    with pytest.raises(WebhookPayloadError):
        construct_event(raw, _signed(raw)[SIGNATURE_HEADER], KEY)


@pytest.mark.parametrize(("body", "field"), POISON_PLACES)
@pytest.mark.parametrize("odd", ["Wanjikũ-\U0001f600", "a\x00b", "x" * 5000], ids=["emoji", "nul", "long"])
def test_odd_but_valid_ids_still_parse(body: dict[str, Any], field: str, odd: str) -> None:
    """Valid Unicode is an id the spec allows, however odd (NUL, 5000 characters): parsed, and storable."""
    event = parse_event(_with(body, field, odd))
    assert event.dedup_key is not None
    check_event_id(event.dedup_key)


@pytest.mark.parametrize(("body", "field"), POISON_PLACES)
def test_sqlite_receiver_answers_400_to_every_redelivery(
    tmp_path: Path, body: dict[str, Any], field: str
) -> None:
    """The poison body is 400 each time it comes (K2 stops), and the handler never sees it."""
    seen: list[Any] = []
    with SQLiteDeduplicator(tmp_path / "dedup.db") as dedup:
        receiver = WebhookReceiver(KEY, seen.append, deduplicator=dedup)
        raw = _with(body, field, "\ud800")
        for _ in range(3):
            answer = receiver.handle(raw, _signed(raw))
            assert answer.status == 400, answer.body
            assert field in json.loads(answer.body)["error"]
    assert seen == []


@pytest.mark.parametrize(("body", "field"), POISON_PLACES)
async def test_async_sqlite_receiver_answers_400(tmp_path: Path, body: dict[str, Any], field: str) -> None:
    """The async receiver gives the same 400."""
    seen: list[Any] = []
    with SQLiteDeduplicator(tmp_path / "dedup.db") as dedup:
        receiver = AsyncWebhookReceiver(KEY, seen.append, deduplicator=dedup)
        raw = _with(body, field, "\ud800")
        answer = await receiver.handle(raw, _signed(raw))
    assert answer.status == 400 and seen == []


# --------------------------------------------------------------------- one rule for every deduplicator

BAD_IDS = ["", "   ", "\ud800", "a\udc00", "\udfff\ud800"]
GOOD_IDS = ["a", "a\x00b", "x" * 5000, "é" * 2000, "\U0001f600", "result:polling:r-1:Success"]


def _deduplicators(tmp_path: Path) -> list[Any]:
    return [MemoryDeduplicator(), SQLiteDeduplicator(tmp_path / "rule.db")]


@pytest.mark.parametrize("bad", BAD_IDS, ids=range(len(BAD_IDS)))
def test_every_deduplicator_refuses_the_same_ids(tmp_path: Path, bad: str) -> None:
    """claim, release and contains refuse an unusable id alike in every deduplicator, with a K2 error."""
    with pytest.raises(K2InputError):
        check_event_id(bad)
    for dedup in _deduplicators(tmp_path):
        for method in (dedup.claim, dedup.release, dedup.contains):
            with pytest.raises(K2InputError):
                method(bad)


@pytest.mark.parametrize("good", GOOD_IDS, ids=range(len(GOOD_IDS)))
def test_every_deduplicator_accepts_the_same_ids(tmp_path: Path, good: str) -> None:
    """An id the rule accepts is claimed once, then seen as a duplicate, by every deduplicator."""
    check_event_id(good)
    for dedup in _deduplicators(tmp_path):
        assert dedup.claim(good)  # won: a NEW claim is true
        assert not dedup.claim(good)
        assert dedup.contains(good)


def test_a_non_str_id_is_refused_alike(tmp_path: Path) -> None:
    """A non-str id (a programming error) is the same K2 error everywhere, never a database error."""
    for dedup in _deduplicators(tmp_path):
        with pytest.raises(K2InputError):
            dedup.claim(5)
