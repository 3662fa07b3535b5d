"""Settling STK push intents from transaction polling: the money K2 says arrived, matched one to one.

An STK push intent whose Location was lost (a crash mid-POST, a cut connection: ``ambiguous`` without a
Location, or ``unresolved`` after the horizon) can only be settled by its callback. When that callback never
came, K2's transaction polling (``poll_transactions``; its result arrives by callback, or by a GET of its
Location) still lists the payments the till received: each with the payer's phone, the amount, the till,
the time and the M-PESA reference, but nothing that names the STK push. So the match is by those terms,
and it is made only where it cannot be wrong:

- the payment was received (``status`` "Received"), to the intent's till, from the intent's phone, for
  its amount and currency, no earlier than a minute before the intent was recorded and at most ``window``
  seconds after (an STK prompt lives about a minute; a later payment is not this push's);
- one to one: the intent fits exactly one payment of the result, and that payment fits exactly one STK
  push intent of the ledger, counting those already settled (so a payment another intent was settled with,
  by callback, is never taken twice, and two open intents for the same phone and amount settle nothing);
- a payment whose M-PESA reference an intent already carries is taken by that intent.

A match moves the intent to ``succeeded`` with the payment's reference, the polled transaction kept as its
result (``matched_by: polling``). Polling never fails an intent: a push that was not paid is simply absent
from the list, as is one paid outside the polled window. Unmatched intents stay for their callback or for
a person (``resolve``). Settling twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from k2connect_ext._exceptions import K2InputError, K2IntentConflictError
from k2connect_ext._intent import Intent, IntentState
from k2connect_ext._ledger import AsyncLedger, Ledger
from k2connect_ext._validation import validate_amount, validate_phone

__all__ = [
    "DEFAULT_POLL_WINDOW",
    "OPEN",
    "PolledPayment",
    "asettle_from_polling",
    "check_window",
    "pairs",
    "polled_payments",
    "settle_from_polling",
]

DEFAULT_POLL_WINDOW: Final = 300.0
"""Seconds after an STK push intent was recorded in which a polled payment can be its payment."""
_SKEW: Final = 60.0  # K2's clock and ours may differ by this much
_OPERATION: Final = "stk_push"
OPEN: Final = frozenset({IntentState.SENT, IntentState.AMBIGUOUS, IntentState.UNRESOLVED})
"""The STK push intents a polled payment may settle."""
_CONSIDERED: Final = OPEN | {IntentState.SUCCEEDED}
_PAGE: Final = 500


@attrs.frozen
class PolledPayment:
    """One payment a polling result lists: what it can be matched on, and the transaction as K2 sent it."""

    reference: str
    amount: Decimal
    currency: str
    phone: str
    till: str
    at: float
    resource: Mapping[str, Any]


@attrs.frozen
class _Terms:
    """What an STK push intent asked for, in the form polled payments are compared in."""

    amount: Decimal
    currency: str
    phone: str
    till: str


def check_window(window: float) -> float:
    """``window`` as seconds, or K2InputError naming it."""
    if isinstance(window, bool) or not isinstance(window, int | float) or not 0 < window < float("inf"):
        raise K2InputError("window must be a positive number of seconds", field="window")
    return float(window)


def result_body(result: object) -> Mapping[str, Any]:
    """A polling result as JSON data: a generated model (``to_dict()``) or the body itself.

    Raises:
        K2InputError: something else.
    """
    to_dict = getattr(result, "to_dict", None)
    body = to_dict() if callable(to_dict) else result
    if not isinstance(body, Mapping):
        raise K2InputError("result must be a polling result (a model or its JSON body)", field="result")
    return body


def polled_payments(body: Mapping[str, Any]) -> tuple[PolledPayment, ...]:
    """The received payments a polling result lists; entries this SDK cannot read are left out."""
    attributes = _mapping(_mapping(body.get("data")).get("attributes"))
    transactions = attributes.get("transactions")
    found: list[PolledPayment] = []
    for item in transactions if isinstance(transactions, list) else []:
        payment = _payment(_mapping(_mapping(item).get("resource")))
        if payment is not None:
            found.append(payment)
    return tuple(found)


def polled_since(body: Mapping[str, Any], window: float) -> float | None:
    """The earliest creation time of an intent the result's payments may belong to (None: unknown)."""
    attributes = _mapping(_mapping(body.get("data")).get("attributes"))
    start = _epoch(attributes.get("from_time"))
    return None if start is None else start - window - _SKEW


def pairs(
    intents: Iterable[Intent], payments: Sequence[PolledPayment], window: float
) -> list[tuple[Intent, PolledPayment]]:
    """The open intents each matched to one payment, one to one (see the module docstring)."""
    considered = [(intent, _terms(intent)) for intent in intents if intent.operation == _OPERATION]
    taken = {intent.reference for intent, _ in considered if intent.reference}
    free = [payment for payment in payments if payment.reference not in taken]
    fitting: dict[str, list[Intent]] = {payment.reference: [] for payment in free}
    candidates: list[tuple[Intent, list[PolledPayment]]] = []
    for intent, terms in considered:
        if terms is None:
            continue
        fits = [payment for payment in free if _fits(intent, terms, payment, window)]
        for payment in fits:
            fitting[payment.reference].append(intent)
        if intent.state in OPEN:
            candidates.append((intent, fits))
    return [
        (intent, fits[0])
        for intent, fits in candidates
        if len(fits) == 1 and len(fitting[fits[0].reference]) == 1
    ]


def settle_from_polling(
    ledger: Ledger, result: object, *, window: float = DEFAULT_POLL_WINDOW
) -> list[Intent]:
    """Settle the STK push intents a polling result's payments match; the intents it settled."""
    window = check_window(window)
    body = result_body(result)
    payments = polled_payments(body)
    if not payments:
        return []
    since = polled_since(body, window)
    intents: list[Intent] = []
    after: Intent | None = None
    while page := ledger.list(_CONSIDERED, limit=_PAGE, after=after, since=since):
        intents.extend(page)
        after = page[-1]
    settled: list[Intent] = []
    for intent, payment in pairs(intents, payments, window):
        try:
            settled.append(
                ledger.transition(intent.id, IntentState.SUCCEEDED, expect=OPEN, **_fields(payment))
            )
        except K2IntentConflictError:  # settled meanwhile (its callback, another process): left as it is
            continue
    return settled


async def asettle_from_polling(
    ledger: AsyncLedger, result: object, *, window: float = DEFAULT_POLL_WINDOW
) -> list[Intent]:
    """The asyncio twin of :func:`settle_from_polling`."""
    window = check_window(window)
    body = result_body(result)
    payments = polled_payments(body)
    if not payments:
        return []
    since = polled_since(body, window)
    intents: list[Intent] = []
    after: Intent | None = None
    while page := await ledger.list(_CONSIDERED, limit=_PAGE, after=after, since=since):
        intents.extend(page)
        after = page[-1]
    settled: list[Intent] = []
    for intent, payment in pairs(intents, payments, window):
        try:
            moved = await ledger.transition(intent.id, IntentState.SUCCEEDED, expect=OPEN, **_fields(payment))
        except K2IntentConflictError:
            continue
        settled.append(moved)
    return settled


# ------------------------------------------------------------------------------------------ internals
def _fields(payment: PolledPayment) -> dict[str, Any]:
    return {
        "reference": payment.reference,
        "result": {"matched_by": "polling", "transaction": dict(payment.resource)},
    }


def _fits(intent: Intent, terms: _Terms, payment: PolledPayment, window: float) -> bool:
    return (
        terms.phone == payment.phone
        and terms.amount == payment.amount
        and terms.currency == payment.currency
        and terms.till == payment.till
        and intent.created_at - _SKEW <= payment.at <= intent.created_at + window
    )


def _terms(intent: Intent) -> _Terms | None:
    """What the intent asked for, normalised as the builder normalises it; None if it cannot be read."""
    request = intent.request
    try:
        return _Terms(
            amount=_amount(request.get("amount")),
            currency=str(request.get("currency", "KES")).upper(),
            phone=validate_phone(request.get("phone_number")),
            till=_till(request.get("till_number")),
        )
    except K2InputError:
        return None


def _payment(resource: Mapping[str, Any]) -> PolledPayment | None:
    if str(resource.get("status", "")).lower() != "received":
        return None
    reference = resource.get("reference")
    at = _epoch(resource.get("origination_time"))
    if not isinstance(reference, str) or not reference or at is None:
        return None
    try:
        return PolledPayment(
            reference=reference,
            amount=_amount(resource.get("amount")),
            currency=str(resource.get("currency", "KES")).upper(),
            phone=validate_phone(resource.get("sender_phone_number")),
            till=_till(resource.get("till_number")),
            at=at,
            resource=resource,
        )
    except K2InputError:
        return None


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise K2InputError("amount is required", field="amount")
    return validate_amount(value)


def _till(value: object) -> str:
    """A till as compared: webhooks carry "514459", STK results and polling the K-prefixed "K514459"."""
    if not isinstance(value, str) or not value.strip():
        raise K2InputError("till_number is required", field="till_number")
    text = value.strip().upper()
    return text[1:] if text.startswith("K") else text


def _epoch(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:  # K2 sends offsets; a bare time is read as UTC rather than guessed
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
