"""When is a K2 resource finished, and did it succeed?

K2 reports progress in free-text statuses that differ per resource and may grow new values. This module
turns a parsed resource into one of three states. Anything unrecognised counts as still pending, so a new
intermediate status never ends a wait early; only the overall deadline does.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["Outcome", "State", "classify"]


class State(enum.Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.frozen
class Outcome:
    state: State
    status: str | None
    reason: str | None = None

    @property
    def terminal(self) -> bool:
        return self.state is not State.PENDING


# Lower-cased status values per kind. The failure sets include values not yet sampled from K2 but named in
# its guides or the official SDKs, so a failure is reported as one rather than waited out to the deadline.
_SUCCESS: dict[str, frozenset[str]] = {
    "incoming_payment": frozenset({"success"}),
    "payment": frozenset({"processed", "transferred", "complete", "completed"}),
    "settlement_transfer": frozenset({"processed", "transferred", "complete", "completed"}),
    "send_money": frozenset({"processed", "transferred", "complete", "completed"}),
    "reversal": frozenset({"processed", "reversed", "complete", "completed"}),
    "polling": frozenset({"success", "processed", "complete", "completed"}),
    "transaction_sms_notification": frozenset({"success", "sent", "delivered", "processed"}),
    "payment_link": frozenset({"paid"}),
}
_FAILURE = frozenset(
    {"failed", "failure", "rejected", "cancelled", "canceled", "declined", "expired", "error"}
)
# Resources with no lifecycle: reading them once is the outcome.
_STATIC = frozenset({"webhook_subscription", "recipient", "merchant_account"})


def _errors_text(errors: Any) -> str | None:
    if errors in (None, "", [], {}):
        return None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e) for e in errors)
    return str(errors)


def classify(kind: str, body: dict[str, Any]) -> Outcome:
    """Classify a resource body (the JSON of a GET or callback, as a dict) of the given kind."""
    attributes: dict[str, Any] = (body.get("data") or {}).get("attributes") or {}
    status = attributes.get("status")
    status_text = status if isinstance(status, str) else None
    if kind in _STATIC:
        return Outcome(State.SUCCEEDED, status_text)
    if kind == "payment_link":
        # The outer status says the link exists ("Processed"); the link's own status says if it was paid.
        link = attributes.get("payment_link") or {}
        link_status = link.get("status") or link.get("payment_link_status")
        status_text = link_status if isinstance(link_status, str) else status_text
    lowered = (status_text or "").strip().lower()
    reason = _errors_text(attributes.get("errors"))
    if kind == "incoming_payment":
        reason = _errors_text((attributes.get("event") or {}).get("errors")) or reason
    if lowered in _SUCCESS.get(kind, frozenset()):
        return Outcome(State.SUCCEEDED, status_text)
    if lowered in _FAILURE:
        return Outcome(State.FAILED, status_text, reason or f"{kind} ended {status_text}")
    return Outcome(State.PENDING, status_text)
