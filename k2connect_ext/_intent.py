"""A payment intent and its one state machine: what the ledger records before a money-moving create is sent.

K2 has no idempotency keys, so the SDK records every money-moving create durably *before* sending it, as an
:class:`Intent` keyed by the caller's idempotency key, and moves it through the states of
:class:`IntentState`. Every move is checked against :data:`TRANSITIONS`, here and nowhere else
(:func:`check_transition`); the ledgers (``_ledger``, ``_ledger_postgres``) then make it one atomic
compare-and-set on the old state, so two processes can never both send one intent::

    recorded ──> sending ──> sent ──> succeeded | failed
                    │  │
                    │  ├──> refused                 (K2 answered 4xx: nothing happened)
                    │  ├──> succeeded | failed      (a verified callback came before the Location was stored)
                    │  └──> recorded                (the request certainly never left: no connection)
                    └──> ambiguous ──> sent | succeeded | failed
                             └──> unresolved ──> succeeded | failed | recorded (a person: "not sent")

Only ``recorded -> sending`` sends, so an ``ambiguous`` or ``unresolved`` intent is never sent again
automatically. An intent becomes ``recorded`` again only when its request certainly never reached K2 (the
sender saw it fail before it left: the SDK raises ``K2ConnectionError`` for a POST only then), or when a
person resolves an ``unresolved`` one as "not sent".
"""

from __future__ import annotations

import builtins
import enum
import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from k2connect_ext._exceptions import K2InputError, K2IntentConflictError
from k2connect_ext._store_support import redact

__all__ = [
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Intent",
    "IntentState",
    "canonical_json",
    "check_transition",
    "fingerprint",
    "json_object",
]


class IntentState(enum.StrEnum):
    """Where an intent is on its way from recorded to settled; what each state means for its operator."""

    RECORDED = "recorded"
    """Durable, nothing sent: the next send (or reconciliation) sends it."""
    SENDING = "sending"
    """Written just before the request leaves. Found so after a crash, the request may have reached K2."""
    SENT = "sent"
    """K2 accepted it (201) and its Location is stored: the outcome is read from there or its callback."""
    SUCCEEDED = "succeeded"
    """Done: the money moved. Terminal."""
    FAILED = "failed"
    """K2 processed it and it failed (a failed result, a failed callback). Terminal."""
    REFUSED = "refused"
    """K2 refused the request (4xx): nothing happened. Terminal; a new attempt needs a new key."""
    AMBIGUOUS = "ambiguous"
    """It may have reached K2 and no definite answer came (or it was found ``sending`` after a crash).
    Never sent again automatically: reconciliation settles it from a Location or callback."""
    UNRESOLVED = "unresolved"
    """Still ambiguous past the reconciliation horizon: a person decides whether it was sent."""

    @property
    def is_terminal(self) -> bool:
        """Whether no move leaves this state (succeeded, failed, refused)."""
        return self in TERMINAL_STATES

    @property
    def next_states(self) -> frozenset[IntentState]:
        """The states an intent in this state may move to (empty for a terminal state)."""
        return TRANSITIONS[self]


_S = IntentState

TRANSITIONS: Final[Mapping[IntentState, frozenset[IntentState]]] = MappingProxyType(
    {
        # Only this move sends: the one compare-and-set that two processes can never both win.
        _S.RECORDED: frozenset({_S.SENDING}),
        # The answer to the request: 201 with its Location; 4xx; anything else (5xx, cut, timeout). A
        # verified callback may also settle it before the sender stored the Location (the sender crashed
        # after the 201, or the callback was faster than the ledger write). Back to recorded only when the
        # request certainly never left (no connection, a token that could not be had): the SDK raises
        # K2ConnectionError for a POST only when nothing can have been processed.
        _S.SENDING: frozenset({_S.SENT, _S.REFUSED, _S.AMBIGUOUS, _S.SUCCEEDED, _S.FAILED, _S.RECORDED}),
        _S.SENT: frozenset({_S.SUCCEEDED, _S.FAILED}),
        # A Location learnt later, a callback or a match found by reconciliation; or past the horizon.
        _S.AMBIGUOUS: frozenset({_S.SENT, _S.SUCCEEDED, _S.FAILED, _S.UNRESOLVED}),
        # A late callback; or a person's decision that it was not sent, which allows a new attempt.
        _S.UNRESOLVED: frozenset({_S.SUCCEEDED, _S.FAILED, _S.RECORDED}),
        _S.SUCCEEDED: frozenset(),
        _S.FAILED: frozenset(),
        _S.REFUSED: frozenset(),
    }
)
"""Each state -> the states it may move to: the state machine's one table. Every other move is refused."""

TERMINAL_STATES: Final = frozenset(state for state, allowed in TRANSITIONS.items() if not allowed)
"""The states no move leaves: succeeded, failed, refused."""


def check_transition(old: IntentState, new: IntentState) -> None:
    """Refuse a move the state machine does not allow.

    Raises:
        K2IntentConflictError: ``new`` is not in ``TRANSITIONS[old]`` (its ``state`` is ``old``, its ``to``
            is ``new``).
    """
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(TRANSITIONS[old])) or "none: it is final"
        raise K2IntentConflictError(
            f"an intent cannot move from {old.value!r} to {new.value!r} (allowed from {old.value!r}: "
            f"{allowed})",
            state=old.value,
            to=new.value,
        )


def canonical_json(value: object, *, field: str) -> str:
    """``value`` as canonical JSON text: sorted keys, no spaces, ASCII only (so lone surrogates and NUL are
    escaped, and every store holds it as text); the same value always gives the same text.

    Raises:
        K2InputError: ``value`` is not JSON (a set, a Decimal, NaN, a non-str key...); ``field`` is named.
    """
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise K2InputError(f"{field} must be plain JSON data: {exc}", field=field) from None


def json_object(value: object, *, field: str) -> tuple[dict[str, Any], str]:
    """A JSON object as it will be read back from a ledger (tuples as lists, and so on), and its canonical
    text.

    Raises:
        K2InputError: ``value`` is not a mapping of JSON data.
    """
    if not isinstance(value, Mapping):
        raise K2InputError(f"{field} must be a JSON object, not {type(value).__name__}", field=field)
    text = canonical_json(dict(value), field=field)
    loaded: dict[str, Any] = json.loads(text)
    return loaded, text


def fingerprint(operation: str, request_json: str) -> str:
    """The sha256 (hex) of the canonical JSON of ``{"operation": ..., "request": ...}``.

    ``request_json`` is the request's canonical text (:func:`json_object`); two requests have the same
    fingerprint exactly when they are the same create with the same arguments.
    """
    text = '{"operation":' + canonical_json(operation, field="operation") + ',"request":' + request_json + "}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@attrs.frozen(repr=False)
class Intent:
    """One money-moving create, recorded before it is sent, as a ledger holds it.

    Attributes:
        id: the intent's own id (a uuid4, hex).
        key: the caller's idempotency key (``"payroll-2026-12/emp-17"``): one intent per key.
        operation: the create's builder name (``"send_money"``).
        request: the create's arguments, normalised, as a JSON object.
        fingerprint: the sha256 (hex) of the canonical JSON of operation and request; the same key with
            another fingerprint is a different request, which the ledger refuses.
        state: where the intent is (:class:`IntentState`).
        location: the resource's Location once K2 answered 201 (or learnt later).
        result: the final resource body (a JSON object), once settled.
        reference: the M-PESA reference, once known.
        attempts: how many times it went to ``sending``.
        created_at: when it was recorded, in UTC epoch seconds.
        updated_at: when it last moved, in UTC epoch seconds.
        last_error: the last failure, one line, never a secret.
        note: a person's resolution note.
    """

    id: str
    key: str
    operation: str
    request: dict[str, Any] = attrs.field(hash=False)
    fingerprint: str
    state: IntentState
    location: str | None
    result: dict[str, Any] | None = attrs.field(hash=False)
    reference: str | None
    attempts: int
    created_at: float
    updated_at: float
    last_error: str | None
    note: str | None

    @property
    def is_terminal(self) -> bool:
        """Whether the intent is settled for good (succeeded, failed, refused)."""
        return self.state.is_terminal

    def __repr__(self) -> str:
        # Short on purpose: the request (phone numbers, amounts) and the result stay out of logs.
        return (
            f"Intent(id={self.id!r}, key={self.key!r}, operation={self.operation!r}, "
            f"state={self.state.value!r})"
        )


# ----------------------------------------------- what a record and a move may carry (every ledger's checks)

States = IntentState | Collection[IntentState]
"""One state, or several (``expect=``, ``states=``)."""

_KEY_MAX = 255
_TEXT_MAX = 2048
_NOTE_MAX = 1000
_OPERATION = re.compile(r"[a-z][a-z0-9_]{0,63}")
_INTENT_ID = re.compile(r"[0-9a-f]{32}")


def check_key(key: object) -> str:
    if not isinstance(key, str):
        raise K2InputError(f"key must be a str, not {type(key).__name__}", field="key")
    if not key.strip() or len(key) > _KEY_MAX:
        raise K2InputError(f"key must be a non-blank str of at most {_KEY_MAX} characters", field="key")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in key):
        raise K2InputError("key must hold no control character and only valid Unicode", field="key")
    return key


def check_intent_id(intent_id: object) -> str:
    if not isinstance(intent_id, str) or not _INTENT_ID.fullmatch(intent_id):
        raise K2InputError("intent_id must be an intent's id (32 hex digits)", field="intent_id")
    return intent_id


def _check_text(value: str | None, field: str) -> str | None:
    """A K2 value (Location, reference) as given, or K2InputError for one no store could hold."""
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > _TEXT_MAX:
        raise K2InputError(f"{field} must be a non-empty str of at most {_TEXT_MAX} characters", field=field)
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise K2InputError(f"{field} must hold no control character and only valid Unicode", field=field)
    return value


def _clean_text(value: str | None, field: str) -> str | None:
    """A free-text line (an error, a note) made storable: credentials in URLs masked, NUL and invalid
    Unicode replaced, cut to a bounded length. Never refused: an error message must always be recordable."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise K2InputError(f"{field} must be a str, not {type(value).__name__}", field=field)
    text = redact(value).replace("\x00", "\\0").encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= _NOTE_MAX else text[: _NOTE_MAX - 1] + "…"


def _state(value: object, field: str) -> IntentState:
    try:
        return IntentState(value if isinstance(value, str) else repr(value))
    except ValueError:
        raise K2InputError(f"{field} must be an IntentState, not {value!r}", field=field) from None


def state_values(states: States, field: str) -> tuple[str, ...]:
    """One state or several as their distinct values, in the table's order (K2InputError if none)."""
    given = [states] if isinstance(states, str) else builtins.list(states)
    chosen = {_state(state, field) for state in given}
    if not chosen:
        raise K2InputError(f"{field} must name at least one state", field=field)
    return tuple(state.value for state in IntentState if state in chosen)


def new_intent(key: str, operation: str, request: Mapping[str, Any], now: float) -> tuple[Intent, str]:
    """A fresh ``recorded`` intent for ``record`` (with the request's canonical JSON to store), after
    checking every argument.

    Raises:
        K2InputError: a key, operation or request no ledger could store (``field`` names it).
    """
    key = check_key(key)
    if not isinstance(operation, str) or not _OPERATION.fullmatch(operation):
        raise K2InputError("operation must be a builder's name, such as 'send_money'", field="operation")
    body, text = json_object(request, field="request")
    intent = Intent(
        id=uuid.uuid4().hex,
        key=key,
        operation=operation,
        request=body,
        fingerprint=fingerprint(operation, text),
        state=IntentState.RECORDED,
        location=None,
        result=None,
        reference=None,
        attempts=0,
        created_at=now,
        updated_at=now,
        last_error=None,
        note=None,
    )
    return intent, text


def same_request(existing: Intent, new: Intent) -> tuple[Intent, bool]:
    """``record``'s answer when ``new.key`` is taken: the existing intent, or K2InputError for another
    request under the same key."""
    if existing.fingerprint != new.fingerprint:
        raise K2InputError(
            f"the key {new.key!r} was already used for a different request (intent {existing.id}, "
            f"{existing.operation}): use a new key for a new payment",
            field="key",
        )
    return existing, False


@attrs.frozen
class Move:
    """A transition's checked arguments, as the stores write them."""

    intent_id: str
    to: str
    expect: tuple[str, ...]
    location: str | None
    result: str | None
    reference: str | None
    last_error: str | None
    note: str | None
    attempts: int  # 1 when the move is to ``sending`` (another attempt), else 0
    now: float


def prepare_move(
    intent_id: str,
    to: IntentState,
    expect: States,
    now: float,
    *,
    location: str | None,
    result: Mapping[str, Any] | None,
    reference: str | None,
    last_error: str | None,
    note: str | None,
) -> Move:
    """Check a transition's arguments, and each expected state against the state machine.

    Raises:
        K2InputError: an argument no ledger could store.
        K2IntentConflictError: a move from one of the expected states that the state machine refuses.
    """
    target = _state(to, "to")
    expected = state_values(expect, "expect")
    for old in expected:
        check_transition(IntentState(old), target)
    return Move(
        intent_id=check_intent_id(intent_id),
        to=target.value,
        expect=expected,
        location=_check_text(location, "location"),
        result=None if result is None else json_object(result, field="result")[1],
        reference=_check_text(reference, "reference"),
        last_error=_clean_text(last_error, "last_error"),
        note=_clean_text(note, "note"),
        attempts=1 if target is IntentState.SENDING else 0,
        now=now,
    )


def conflict(move: Move, found: tuple[str, str] | None) -> Exception:
    """What a compare-and-set that changed nothing raises: ``found`` is the intent's (state, key) as the
    store read it then, or None when there is no such intent."""
    if found is None:
        return K2InputError(f"no intent has the id {move.intent_id}", field="intent_id")
    state, key = found
    return K2IntentConflictError(
        f"intent {move.intent_id} (key {key!r}) is {state!r}, not {' or '.join(map(repr, move.expect))}: "
        f"it cannot move to {move.to!r} (another process or thread moved it first)",
        intent_id=move.intent_id,
        key=key,
        state=state,
        to=move.to,
    )


def check_limit(limit: int) -> int:
    """``list``'s limit, or K2InputError unless it is a positive int."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise K2InputError("limit must be a positive int", field="limit")
    return limit
