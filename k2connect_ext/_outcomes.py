"""When is a K2 resource finished, and did it succeed? The one rule, used everywhere.

K2 reports progress in free-text statuses that differ per resource and may grow new values. ``STATUSES``
is the single table of what each status means for each kind of resource: ``wait()`` (``polling``),
``K2Event.is_success`` / ``is_failure`` (``events``), the CLI's ``state`` column and the example apps all
read it through ``outcome_of`` / ``state_of``, so they cannot disagree. Anything not in the table counts as
still pending, so a new intermediate status never ends a wait early; only the overall deadline does.

Payment links have two statuses: the outer one says the link exists ("Processed"), the link's own
(``payment_link.status`` in callbacks, ``payment_link_status`` in GETs) says whether it was paid. Only the
link's own status decides; a link that exists but is unpaid is pending, not a success.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, get_args

import attrs
from k2connect_client.registry import ResourceKind

__all__ = ["STATUSES", "Outcome", "State", "Statuses", "outcome_of", "state_of", "status_of"]


class State(enum.Enum):
    """What a K2 resource's status means: not finished yet, succeeded, or failed.

    K2's statuses are free text that differ per resource (``"Success"`` for an STK push, ``"Processed"`` or
    ``"Transferred"`` for money out...); :func:`state_of` and :func:`outcome_of` read them into one of these,
    by the one table every part of the SDK uses. A status the table does not know is ``PENDING``, so a
    new intermediate status never ends a wait early.
    """

    PENDING = "pending"
    """Not finished: K2 may still report success or failure (also any status the SDK does not know)."""
    SUCCEEDED = "succeeded"
    """Finished well: the payment was made, the money moved, the link was paid."""
    FAILED = "failed"
    """Finished badly: declined, cancelled, expired, or failed; nothing more will happen to it."""


@attrs.frozen
class Outcome:
    """Where a K2 resource stands, read from its body (a GET's or a callback's) by :func:`outcome_of`.

    Attributes:
        state: what its status means (:class:`State`).
        status: K2's own status, as K2 wrote it (``"Success"``, ``"Pending"``...), or None when the body has
            none.
        reason: for a failed resource, why: K2's errors, or a line naming the status; None otherwise.
    """

    state: State
    status: str | None
    reason: str | None = None

    @property
    def terminal(self) -> bool:
        """Whether the resource is finished (succeeded or failed): waiting longer changes nothing."""
        return self.state is not State.PENDING


@attrs.frozen
class Statuses:
    """The lower-cased statuses of one kind of resource: which mean success, failure, or not yet.

    ``pending`` lists the known intermediate values; an unknown value is pending too (``state``), but
    listing the known ones lets a test prove that every status the spec names has exactly one meaning.
    """

    success: frozenset[str]
    failure: frozenset[str]
    pending: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        overlap = (
            (self.success & self.failure) | (self.success & self.pending) | (self.failure & self.pending)
        )
        if overlap:
            raise ValueError(f"statuses with two meanings: {sorted(overlap)}")

    def state(self, status: str | None) -> State:
        """What ``status`` means here (case and spaces ignored; an unknown one is pending)."""
        lowered = status.strip().casefold() if isinstance(status, str) else ""
        if lowered in self.success:
            return State.SUCCEEDED
        if lowered in self.failure:
            return State.FAILED
        return State.PENDING


# Values not yet sampled from K2 but named in its guides or the official SDKs are included, so a failure is
# reported as one rather than waited out to the deadline. Sources: the status descriptions in
# openapi/k2connect.yaml and the statuses in K2's own sample payloads (Pending, Success, Failed for STK;
# Scheduled, Processed, Transferred for money out; Received, Scheduled, Processed for reversals; Active and
# Paid for a payment link's own status). tests/unit/test_outcomes.py checks the table against the spec
# and, where present, the samples.
_FAILED: Final = frozenset(
    {"failed", "failure", "rejected", "cancelled", "canceled", "declined", "expired", "error"}
)
_DONE: Final = frozenset({"complete", "completed"})
_MONEY_OUT: Final = Statuses(
    success=frozenset({"processed", "transferred"}) | _DONE,
    failure=_FAILED,
    pending=frozenset({"scheduled", "pending", "processing"}),
)

# One row per resource kind of the registry (generated from the spec): what its statuses mean, or ``None``
# for a resource with no lifecycle, whose one read is its outcome. The spec cannot say what a status means,
# so this is the one hand-written table; a kind the spec gains without a row here fails at import.
_MEANINGS: Final[Mapping[ResourceKind, Statuses | None]] = {
    # "Processed" is K2's word for done elsewhere; taken as success here rather than waited out.
    "incoming_payment": Statuses(frozenset({"success", "processed"}), _FAILED, frozenset({"pending"})),
    "polling": Statuses(frozenset({"success", "processed"}) | _DONE, _FAILED, frozenset({"pending"})),
    "transaction_sms_notification": Statuses(
        frozenset({"success", "sent", "delivered", "processed"}), _FAILED, frozenset({"pending"})
    ),
    "payment": _MONEY_OUT,
    "settlement_transfer": _MONEY_OUT,
    "send_money": _MONEY_OUT,
    # A reversal that went through ends "Processed" (its bulk payment "Transferred"), or "Reversed".
    "reversal": Statuses(
        frozenset({"processed", "reversed"}) | _DONE,
        _FAILED,
        frozenset({"received", "scheduled", "pending", "processing"}),
    ),
    # The link's own status decides (see the module docstring): "Processed" outside, "Active" inside
    # is a link waiting to be paid.
    "payment_link": Statuses(frozenset({"paid"}), _FAILED, frozenset({"active", "processed"})),
    "webhook_subscription": None,
    "recipient": None,
    "merchant_account": None,
}


def _every_kind_has_a_row(kinds: Iterable[str]) -> None:
    missing = sorted(set(get_args(ResourceKind)) - set(kinds))
    unknown = sorted(set(kinds) - set(get_args(ResourceKind)))
    if missing or unknown:
        raise RuntimeError(
            f"k2connect_ext._outcomes: resource kinds without a row: {missing}; rows for no kind: {unknown} "
            "(a spec change added or renamed a resource: say what its statuses mean)"
        )


_every_kind_has_a_row(list(_MEANINGS))
STATUSES: Final[Mapping[str, Statuses]] = MappingProxyType(
    {kind: meaning for kind, meaning in _MEANINGS.items() if meaning is not None}
)
# Resources with no lifecycle: reading them once is the outcome.
_STATIC: Final = frozenset(kind for kind, meaning in _MEANINGS.items() if meaning is None)


def state_of(kind: str, status: str | None) -> State:
    """What a status means for a resource of one kind.

    Args:
        kind: the resource's kind (``"incoming_payment"``, ``"send_money"``: ``Created.kind``).
        status: K2's status for it, any case (``"Success"``), or None.

    Returns:
        ``SUCCEEDED`` or ``FAILED`` for a status the table knows for that kind, else ``PENDING`` (an unknown
            kind or status included). A resource without a lifecycle (a recipient, a webhook subscription) is
            ``SUCCEEDED`` once read.
    """
    if not isinstance(kind, str):  # a caller's mistake is "unknown", never a TypeError
        return State.PENDING
    if kind in _STATIC:
        return State.SUCCEEDED
    table = STATUSES.get(kind)
    return table.state(status) if table is not None else State.PENDING


def _errors_text(errors: Any) -> str | None:
    if errors in (None, "", [], {}):
        return None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e) for e in errors)
    return str(errors)


def _attributes(body: Mapping[str, Any]) -> Mapping[str, Any]:
    data = body.get("data") if isinstance(body, Mapping) else None
    attributes = data.get("attributes") if isinstance(data, Mapping) else None
    return attributes if isinstance(attributes, Mapping) else {}


def status_of(kind: str, body: Mapping[str, Any]) -> str | None:
    """The status that decides the outcome of a resource body (a GET or a callback).

    Args:
        kind: the resource's kind.
        body: the resource's JSON body.

    Returns:
        ``data.attributes.status`` (a payment link's own status for a link), or None when there is none.
    """
    attributes = _attributes(body)
    status = attributes.get("status")
    if kind == "payment_link":
        link = attributes.get("payment_link")
        if isinstance(link, Mapping):
            inner = link.get("status") or link.get("payment_link_status")
            if isinstance(inner, str):
                return inner
    return status if isinstance(status, str) else None


def outcome_of(kind: str, body: Mapping[str, Any]) -> Outcome:
    """Where a resource stands, from its body: what its status means, and why it failed if it did.

    ``wait()``, ``K2Event.is_success`` / ``is_failure`` and the intents all decide by this.

    Args:
        kind: the resource's kind (``"incoming_payment"``, ``"send_money"``: ``Created.kind``).
        body: the resource's JSON body: a GET's (``resource.to_dict()``) or a callback's.

    Returns:
        The state, K2's status, and for a failure the reason (K2's errors, or a line naming the status).
    """
    status = status_of(kind, body)
    state = state_of(kind, status)
    if state is not State.FAILED:
        return Outcome(state, status)
    attributes = _attributes(body)
    reason = _errors_text(attributes.get("errors"))
    event = attributes.get("event")
    if kind == "incoming_payment" and isinstance(event, Mapping):
        reason = _errors_text(event.get("errors")) or reason
    return Outcome(State.FAILED, status, reason or f"{kind} ended {status}")
