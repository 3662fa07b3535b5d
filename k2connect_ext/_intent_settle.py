"""Settling an intent from what K2 says of its resource: a GET of its Location, or a verified callback.

One rule for every way an outcome arrives (``wait()``, reconciliation's GET, a callback, polling): the
resource body's outcome (``outcome_of``, the one table of what statuses mean) moves the intent to
``succeeded`` or ``failed``, with the body and the M-PESA reference kept; a body still pending changes
nothing. An intent already settled stays as it is (a second callback, a GET after the callback), and a move
another process made first is read back rather than raised: settling is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from k2connect_ext._exceptions import K2IntentConflictError, WebhookPayloadError
from k2connect_ext._intent import Intent, IntentState
from k2connect_ext._ledger import AsyncLedger, Ledger
from k2connect_ext._outcomes import State, outcome_of
from k2connect_ext.webhooks._events import parse_event

__all__ = ["SETTLEABLE", "asettle", "settle", "verdict_of"]

SETTLEABLE: Final = frozenset(
    {IntentState.SENDING, IntentState.SENT, IntentState.AMBIGUOUS, IntentState.UNRESOLVED}
)
"""The states an outcome from K2 may settle: anything sent or possibly sent, not yet settled."""


def verdict_of(body: Mapping[str, Any]) -> tuple[IntentState, dict[str, Any]] | None:
    """The state a resource body settles an intent in, with the fields to keep; ``None`` while pending.

    Raises:
        WebhookPayloadError: the body is not a K2 result this SDK can read.
    """
    event = parse_event(body)
    kind = str(event.topic)
    outcome = outcome_of(kind, body)
    if outcome.state is State.PENDING:
        return None
    fields: dict[str, Any] = {"result": dict(body), "reference": event.reference}
    if outcome.state is State.SUCCEEDED:
        return IntentState.SUCCEEDED, fields
    return IntentState.FAILED, {**fields, "last_error": outcome.reason}


def settle(ledger: Ledger, intent: Intent, body: Mapping[str, Any]) -> Intent:
    """Settle ``intent`` from a resource body (see the module docstring); returns the intent as it now is."""
    if intent.state not in SETTLEABLE:
        return intent
    verdict = _verdict_or_none(body)
    if verdict is None:
        return intent
    state, fields = verdict
    try:
        return ledger.transition(intent.id, state, expect=SETTLEABLE, **fields)
    except K2IntentConflictError:  # settled (or resolved) by another process first: read what it did
        return ledger.get_by_id(intent.id) or intent


async def asettle(ledger: AsyncLedger, intent: Intent, body: Mapping[str, Any]) -> Intent:
    """The asyncio twin of :func:`settle`."""
    if intent.state not in SETTLEABLE:
        return intent
    verdict = _verdict_or_none(body)
    if verdict is None:
        return intent
    state, fields = verdict
    try:
        return await ledger.transition(intent.id, state, expect=SETTLEABLE, **fields)
    except K2IntentConflictError:
        return await ledger.get_by_id(intent.id) or intent


def _verdict_or_none(body: Mapping[str, Any]) -> tuple[IntentState, dict[str, Any]] | None:
    try:
        return verdict_of(body)
    except WebhookPayloadError:  # not a result we can read: it settles nothing, the intent waits
        return None
