"""The intent and its one state machine (``_intent``): the transition table, enforced by one function, and the
checks every ledger applies to what a record or a move carries. The ledgers themselves are tested against
real stores in tests/unit/test_ledger.py (SQLite) and tests/stores/test_ledger_stores.py (both)."""

from __future__ import annotations

import decimal
import itertools
import math
from typing import Any

import attrs
import pytest

from k2connect_ext import Intent, IntentState, K2InputError, K2IntentConflictError
from k2connect_ext._intent import (
    TERMINAL_STATES,
    TRANSITIONS,
    canonical_json,
    check_limit,
    check_transition,
    fingerprint,
    new_intent,
    prepare_move,
    state_values,
)

S = IntentState
ALL_PAIRS = list(itertools.product(IntentState, IntentState))
REQUEST: dict[str, Any] = {
    "destinations": [{"phone_number": "+254712345678", "amount": {"currency": "KES", "value": "100.00"}}],
    "callback_url": "https://example.com/k2/payout",
}


def _move(to: IntentState, expect: Any = S.RECORDED, **fields: Any) -> Any:
    values: dict[str, Any] = {"location": None, "result": None, "reference": None, "last_error": None}
    values["note"] = None
    return prepare_move("0" * 32, to, expect, 5.0, **{**values, **fields})


def test_the_table_is_the_documented_state_machine() -> None:
    """Pinned whole, as issue 19 draws it (plus a verified callback settling a ``sending`` intent)."""
    assert dict(TRANSITIONS) == {
        S.RECORDED: {S.SENDING},
        S.SENDING: {S.SENT, S.REFUSED, S.AMBIGUOUS, S.SUCCEEDED, S.FAILED, S.RECORDED},
        S.SENT: {S.SUCCEEDED, S.FAILED},
        S.AMBIGUOUS: {S.SENT, S.SUCCEEDED, S.FAILED, S.UNRESOLVED},
        S.UNRESOLVED: {S.SUCCEEDED, S.FAILED, S.RECORDED},
        S.SUCCEEDED: set(),
        S.FAILED: set(),
        S.REFUSED: set(),
    }
    assert set(TRANSITIONS) == set(IntentState)


@pytest.mark.parametrize(("old", "new"), ALL_PAIRS, ids=[f"{o.value}->{n.value}" for o, n in ALL_PAIRS])
def test_check_transition_allows_exactly_the_table(old: IntentState, new: IntentState) -> None:
    """All 64 moves: allowed when the table lists it, else a K2IntentConflictError naming both states."""
    if new in TRANSITIONS[old]:
        check_transition(old, new)
        assert new in old.next_states
    else:
        with pytest.raises(K2IntentConflictError) as caught:
            check_transition(old, new)
        assert (caught.value.state, caught.value.to) == (old.value, new.value)
        assert caught.value.intent_id is None and caught.value.key is None


def test_only_a_recorded_intent_is_ever_sent() -> None:
    """``sending`` is reached from ``recorded`` alone: an ambiguous or unresolved intent is never resent
    automatically. Another attempt is allowed only by a person's "not sent" (unresolved -> recorded), or by
    the sender itself when its request certainly never left (sending -> recorded)."""
    assert [old for old, allowed in TRANSITIONS.items() if S.SENDING in allowed] == [S.RECORDED]
    assert [old for old, allowed in TRANSITIONS.items() if S.RECORDED in allowed] == [S.SENDING, S.UNRESOLVED]


def test_a_request_that_never_left_goes_back_to_recorded() -> None:
    """The SDK raises K2ConnectionError for a POST only when nothing can have been processed (and knows when
    the POST never reached the network at all): the sender then puts the intent back, to be sent later."""
    check_transition(S.SENDING, S.RECORDED)
    assert _move(S.RECORDED, expect=S.SENDING, last_error="connection refused").attempts == 0


def test_terminal_states_are_those_no_move_leaves() -> None:
    assert frozenset({S.SUCCEEDED, S.FAILED, S.REFUSED}) == TERMINAL_STATES
    assert [state for state in IntentState if state.is_terminal] == [S.SUCCEEDED, S.FAILED, S.REFUSED]
    with pytest.raises(K2IntentConflictError, match="none: it is final"):
        check_transition(S.SUCCEEDED, S.SENDING)


def test_the_conflict_error_says_what_is_allowed() -> None:
    with pytest.raises(
        K2IntentConflictError, match=r"from 'recorded' to 'sent' \(allowed from 'recorded': sending\)"
    ):
        check_transition(S.RECORDED, S.SENT)


def test_a_new_intent_is_recorded_with_its_request_as_it_will_be_read_back() -> None:
    intent, text = new_intent("payroll/emp-17", "send_money", {**REQUEST, "pair": (1, 2)}, 1234.5)
    assert intent.state is S.RECORDED and intent.attempts == 0 and not intent.is_terminal
    assert (intent.created_at, intent.updated_at) == (1234.5, 1234.5)
    assert len(intent.id) == 32 and int(intent.id, 16) >= 0
    assert intent.request["pair"] == [1, 2]  # as JSON reads it back from any store
    assert intent.fingerprint == fingerprint("send_money", text)
    assert (intent.location, intent.result, intent.reference, intent.last_error, intent.note) == (None,) * 5


def test_the_fingerprint_is_the_request_not_its_spelling() -> None:
    """Key order and tuples-or-lists do not matter; the operation and every value do."""
    one = new_intent("k", "send_money", {"a": 1, "b": [1, 2]}, 0)[0].fingerprint
    assert new_intent("k", "send_money", {"b": (1, 2), "a": 1}, 0)[0].fingerprint == one
    assert new_intent("k", "send_money", {"a": 1, "b": [2, 1]}, 0)[0].fingerprint != one
    assert new_intent("k", "stk_push", {"a": 1, "b": [1, 2]}, 0)[0].fingerprint != one
    assert len(one) == 64 and int(one, 16) >= 0


def test_canonical_json_is_ascii_sorted_and_compact() -> None:
    assert (
        canonical_json({"b": "é\x00", "a": [1.5, None]}, field="request")
        == '{"a":[1.5,null],"b":"\\u00e9\\u0000"}'
    )
    assert canonical_json({"lone": "\ud800"}, field="request") == '{"lone":"\\ud800"}'


@pytest.mark.parametrize(
    "request_",
    [["not", "an", "object"], "text", None, {"amount": decimal.Decimal("1.00")}, {"x": math.nan}, {"s": {1}}],
    ids=["list", "str", "none", "decimal", "nan", "set"],
)
def test_a_request_that_is_not_a_json_object_is_refused(request_: Any) -> None:
    with pytest.raises(K2InputError) as caught:
        new_intent("k", "send_money", request_, 0)
    assert caught.value.field == "request"


@pytest.mark.parametrize(
    "key", ["", "   ", "x" * 256, "line\nbreak", "nul\x00", "half-\ud800", 17, None], ids=repr
)
def test_a_key_no_store_could_hold_is_refused(key: Any) -> None:
    with pytest.raises(K2InputError) as caught:
        new_intent(key, "send_money", {}, 0)
    assert caught.value.field == "key"


def test_a_long_unicode_key_is_accepted() -> None:
    assert new_intent("ü" * 255, "send_money", {}, 0)[0].key == "ü" * 255


@pytest.mark.parametrize("operation", ["", "Send", "send money", "x" * 65, None, "1st"])
def test_an_operation_that_is_not_a_builder_name_is_refused(operation: Any) -> None:
    with pytest.raises(K2InputError) as caught:
        new_intent("k", operation, {}, 0)
    assert caught.value.field == "operation"


def test_the_repr_is_short_and_leaves_the_request_out() -> None:
    intent = new_intent("payroll/emp-17", "send_money", REQUEST, 0)[0]
    text = repr(intent)
    assert text == f"Intent(id={intent.id!r}, key='payroll/emp-17', operation='send_money', state='recorded')"
    assert "254712345678" not in text and "100.00" not in text


def test_an_intent_is_frozen_and_compares_by_value() -> None:
    intent = new_intent("k", "send_money", REQUEST, 0)[0]
    field = "state"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(intent, field, S.SENT)
    assert intent == Intent(**attrs.asdict(intent, recurse=False))
    assert intent != attrs.evolve(intent, state=S.SENDING)


def test_a_move_checks_every_expected_state_against_the_table() -> None:
    """One expected state that cannot move to the target refuses the whole move, before any store is asked."""
    assert _move(S.SUCCEEDED, expect=[S.SENT, S.AMBIGUOUS]).expect == ("sent", "ambiguous")
    with pytest.raises(K2IntentConflictError) as caught:
        _move(S.SUCCEEDED, expect=[S.SENT, S.RECORDED])
    assert (caught.value.state, caught.value.to) == ("recorded", "succeeded")


def test_a_move_to_sending_counts_an_attempt() -> None:
    assert _move(S.SENDING).attempts == 1
    assert _move(S.SENT, expect=S.SENDING, location="https://x.test/l/1").attempts == 0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"to": "sideways"}, "to"),
        ({"expect": "nowhere"}, "expect"),
        ({"expect": []}, "expect"),
        ({"expect": [3]}, "expect"),
        ({"location": ""}, "location"),
        ({"location": "https://x.test/\x00"}, "location"),
        ({"reference": "x" * 2049}, "reference"),
        ({"result": ["not", "an", "object"]}, "result"),
        ({"last_error": 5}, "last_error"),
        ({"intent_id": "not-an-id"}, "intent_id"),
        ({"intent_id": "A" * 32}, "intent_id"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_a_move_with_arguments_no_store_could_hold_is_refused(arguments: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {
        "intent_id": "0" * 32,
        "to": S.SENDING,
        "expect": S.RECORDED,
        "location": None,
        "result": None,
        "reference": None,
        "last_error": None,
        "note": None,
        **arguments,
    }
    intent_id, to, expect = values.pop("intent_id"), values.pop("to"), values.pop("expect")
    with pytest.raises(K2InputError) as caught:
        prepare_move(intent_id, to, expect, 0.0, **values)
    assert caught.value.field == field


def test_free_text_is_made_storable_never_refused() -> None:
    """An error message or a note is always recordable: NUL and broken Unicode replaced, a URL's password
    masked, a long one cut."""
    move = _move(
        S.SENDING,
        last_error="cut at \x00 by half-\ud800 via https://user:s3cret@proxy.test/x",
        note="n" * 5000,
    )
    assert move.last_error == "cut at \\0 by half-? via https://***@proxy.test/x"
    assert move.note is not None and len(move.note) == 1000 and move.note.endswith("…")


def test_state_values_accept_one_state_or_several_in_table_order() -> None:
    assert state_values(S.SENT, "states") == ("sent",)
    plain: Any = "sent"  # a state's value works as the state
    assert state_values(plain, "states") == ("sent",)
    assert state_values({S.UNRESOLVED, S.RECORDED, S.RECORDED}, "states") == ("recorded", "unresolved")


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "10"])
def test_a_limit_must_be_a_positive_int(limit: Any) -> None:
    with pytest.raises(K2InputError) as caught:
        check_limit(limit)
    assert caught.value.field == "limit"
    assert check_limit(1) == 1
