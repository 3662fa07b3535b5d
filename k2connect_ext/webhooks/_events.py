"""Turn a K2 webhook or callback body into a typed event.

K2 POSTs three kinds of JSON body to a receiver:

* **webhooks** in K2's envelope ``{"topic", "id", "created_at", "event": {"type", "resource"}, "_links"}``,
  one generated model per ``topic``;
* **Daraja webhooks**: the flat Safaricom C2B body (``TransactionType``, ``TransID``, ``MSISDN``, ...) sent
  instead to buy-goods/B2B subscriptions that set ``enable_daraja_payload``. They carry no topic, so they are
  recognised by the presence of ``TransactionType``, as the official SDKs do;
* **results** ``{"data": {"id", "type", "attributes"}}`` POSTed to a request's ``callback_url`` (also the
  body of ``GET <Location>``), one generated model per ``data.type``.

The generated client has the models but no dispatcher: openapi-python-client ignores top-level ``webhooks``
and discriminators. Its ``from_dict`` also checks almost nothing (a wrong scalar type is stored as-is; a list
of pairs passes for an object), so :func:`parse_event` first checks the body against its kind's rules
(``_payload_check``, over the tables generated from the spec) and names the offending field; the facts
themselves are read from the body by ``_field_values``. A body of a kind this module does not know (a new
topic, a new ``data.type``, any other JSON object) becomes an ``EventKind.UNKNOWN`` event that keeps the
data: K2 adds topics over time, and a receiver that crashed on them would make K2 redeliver forever.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, NoReturn, Protocol, Self, TypeAlias, TypeVar

import attrs
from k2connect_client import registry
from k2connect_client.models import (
    DarajaTransactionWebhook,
    SettlementBankAccountDestination,
    SettlementMobileWalletDestination,
)
from k2connect_client.registry import ResultType

from k2connect_ext._exceptions import WebhookPayloadError
from k2connect_ext._intent import Intent
from k2connect_ext._outcomes import State, outcome_of
from k2connect_ext._result_fields import amount_at, phone_at, text_at
from k2connect_ext._sealed import sealed
from k2connect_ext._topics import WebhookTopic
from k2connect_ext.webhooks._dedup import event_id_problem
from k2connect_ext.webhooks._field_values import (
    amount_of,
    daraja_time,
    dig,
    iso_time,
    last_segment,
    phone_of,
    str_or_none,
)
from k2connect_ext.webhooks._payload_check import (
    DARAJA_CHECKS,
    OBJECT,
    RESULT_CHECKS,
    WEBHOOK_CHECKS,
    check,
    check_slow,
    json_type,
    rule,
)
from k2connect_ext.webhooks._signatures import ApiKeys, RawBody, verify_signature

__all__ = [
    "EventKind",
    "K2Event",
    "K2Model",
    "ResultModel",
    "ResultType",
    "UnknownEvent",
    "WebhookModel",
    "WebhookTopic",
    "construct_event",
    "parse_event",
]


class EventKind(StrEnum):
    """Which family a body belongs to: ``K2Event.kind``."""

    WEBHOOK = "webhook"
    """A webhook you subscribed to (``subscribe_webhook``): ``topic`` is a :class:`WebhookTopic`."""
    RESULT = "result"
    """The result of a create, posted to its ``callback_url``: ``topic`` is a :class:`ResultType`."""
    DARAJA = "daraja"
    """A webhook in Safaricom's Daraja format (``enable_daraja_payload=True``)."""
    UNKNOWN = "unknown"
    """A JSON object of no known kind, kept whole (``model`` is an :class:`UnknownEvent`)."""


@attrs.frozen
class UnknownEvent:
    """The model of a body of no known kind: the decoded JSON object, kept whole.

    Attributes:
        data: the decoded JSON object.
    """

    data: dict[str, Any]

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The same constructor as the generated models have, so every ``K2Model`` round-trips alike.

        Args:
            src_dict: the decoded JSON object.

        Returns:
            The model, holding a copy of it.
        """
        return cls(_copy_object(dict(src_dict)))

    def to_dict(self) -> dict[str, Any]:
        """The body as a dict, as the generated models give theirs.

        Returns:
            A copy of the data.
        """
        return _copy_object(self.data)


# The models of each topic and callback type come from the operation registry, generated from the spec.
WebhookModel: TypeAlias = registry.WebhookModel
ResultModel: TypeAlias = registry.CallbackModel
K2Model = WebhookModel | ResultModel | DarajaTransactionWebhook | UnknownEvent

_WEBHOOK_MODELS: Final = registry.WEBHOOK_MODELS
_RESULT_MODELS: Final = registry.CALLBACK_MODELS


# K2 says "reversal" in callbacks but "reversals" in some GET bodies (the spec's ReversalData `type`): one
# topic for both.
_RESULT_TYPE_ALIASES: Final[Mapping[str, ResultType]] = {
    **{member.value: member for member in ResultType},
    "reversals": ResultType.REVERSAL,
}


@attrs.frozen(repr=False)
class K2Event:
    """A verified or parsed K2 body: the typed model plus the facts every receiver needs.

    ``model`` is the generated model (``isinstance``/``match`` on it, or on ``topic``); ``raw`` is the decoded
    JSON object. The convenience fields are ``None`` when the body has no such fact. Events are made by
    :func:`parse_event` and :func:`construct_event` (and the receivers), not by hand.

    Attributes:
        kind: the body's family (:class:`EventKind`).
        factory: what builds ``model`` on first use (given by :func:`parse_event`).
        raw: the decoded JSON object.
        id: the webhook event id, ``data.id`` for results, ``TransID`` for Daraja bodies.
        topic: a :class:`WebhookTopic`, a :class:`ResultType` (``reversals`` is folded into ``reversal``),
            ``"daraja:<TransactionType>"``, or for unknown bodies their ``topic``/``data.type`` if any.
        created_at: an aware datetime (``created_at``, ``initiation_time`` or ``TransTime``).
        resource_id: what the body reports on: the transaction (``event.resource.id``; for
            ``customer_created``, the last segment of ``_links.resource``), ``data.id`` for results (the last
            segment of the ``Location`` you got when creating it), ``TransID`` for Daraja.
        amount: the amount, an exact ``Decimal``.
        currency: the amount's currency (``"KES"``).
        phone: the sender's, subscriber's or MSISDN's phone number.
        status: K2's status (``"Success"``, ``"Failed"``...); :attr:`is_success` says what it means.
        reference: the M-PESA code of the money movement reported.
        intent: the payment :class:`~k2connect_ext.Intent` this result belongs to, as the receiver left it
            after settling it from this very callback (``succeeded`` or ``failed`` for a final result), when
            the receiver was given a ``ledger=`` and the result carries an intent's tag that this ledger
            knows. ``None`` otherwise: webhooks, untagged results, no ledger, an id the ledger does not know,
            and events from :func:`parse_event` / :func:`construct_event`, which never read a ledger. It is
            not part of the event's equality: two events of the same body are equal whatever their intent.
    """

    kind: EventKind
    _factory: Callable[[], K2Model] = attrs.field(alias="factory", eq=False)
    raw: dict[str, Any]
    id: str | None = attrs.field(default=None, kw_only=True)
    topic: str | None = attrs.field(default=None, kw_only=True)
    created_at: datetime | None = attrs.field(default=None, kw_only=True)
    resource_id: str | None = attrs.field(default=None, kw_only=True)
    amount: Decimal | None = attrs.field(default=None, kw_only=True)
    currency: str | None = attrs.field(default=None, kw_only=True)
    phone: str | None = attrs.field(default=None, kw_only=True)
    status: str | None = attrs.field(default=None, kw_only=True)
    reference: str | None = attrs.field(default=None, kw_only=True)
    intent: Intent | None = attrs.field(default=None, kw_only=True, eq=False)
    _model: K2Model | None = attrs.field(default=None, init=False, eq=False)

    def __repr__(self) -> str:
        # Bodies hold names and phone numbers: keep them out of logs that print events.
        return f"K2Event(kind={self.kind.value!r}, topic={self.topic!r}, id={self.id!r})"

    @property
    def model(self) -> K2Model:
        """The generated model of the body, built on first use and kept.

        Parsing checks every field the convenience properties read, so most receivers never need the
        model; building it costs more than verifying and parsing together. A body that passes those
        checks but still breaks its model raises :class:`WebhookPayloadError` here.
        """
        model = self._model
        if model is None:
            model = self._factory()
            object.__setattr__(self, "_model", model)  # frozen for users; a cache is not state
        return model

    @property
    def is_success(self) -> bool:
        """A result that succeeded, by the same table ``wait()`` and the CLI use (``outcomes.STATUSES``).

        A payment link succeeds when paid, not when it exists. Always False for webhooks, which report facts.
        """
        return self._state() is State.SUCCEEDED

    @property
    def is_failure(self) -> bool:
        """A result that failed (Failed, Cancelled, Expired...). Neither hint: pending or unknown."""
        return self._state() is State.FAILED

    def _state(self) -> State | None:
        if self.kind is not EventKind.RESULT or self.topic is None:
            return None
        return outcome_of(self.topic, self.raw).state

    @property
    def dedup_key(self) -> str | None:
        """A key that is the same for redeliveries of this body and different for anything else.

        Webhooks use the event id, Daraja bodies the M-PESA code. Results add their status to ``data.id``,
        so a later status of the same request is never mistaken for a redelivery. Unknown bodies (and blank
        ids) have no key: nothing safe to deduplicate on.
        """
        if self.id is None or not self.id.strip() or self.kind is EventKind.UNKNOWN:
            return None
        if self.kind is EventKind.RESULT:
            return f"result:{self.topic}:{self.id}:{self.status}"
        return f"{self.kind.value}:{self.id}"

    def to_dict(self) -> dict[str, Any]:
        """The body as decoded (the hash view of the Ruby SDK's K2ProcessResult).

        Returns:
            A copy of ``raw``: changing it changes nothing here.
        """
        return _copy_object(self.raw)


@sealed
def parse_event(body: RawBody | str | Mapping[str, Any]) -> K2Event:
    """Parse a webhook or callback body into a :class:`K2Event`. Does NOT check the signature.

    Args:
        body: the raw request bytes (preferred), the text, or an already decoded JSON object.

    Returns:
        The event: its ``kind``, ``topic``, typed ``model`` and the facts every receiver needs.

    Raises:
        WebhookPayloadError: the bytes are not UTF-8 JSON, the top level is not an object, or a body of a
            known kind breaks its schema; ``field`` names the culprit (``"event.resource"``,
            ``"data.attributes.status"``...) when there is one.
        TypeError: ``body`` is none of the accepted Python types (a programming error).
    """
    raw = _decode(body)
    topic = raw.get("topic")
    if isinstance(topic, str) and topic in _WEBHOOK_MODELS:
        return _storable(_parse_webhook(raw, WebhookTopic(topic)), "id")
    # Results before Daraja: every schema allows extra top-level keys, and a known data.type (a nested key and
    # value) is a surer sign than the presence of one key; a result with a stray TransactionType is a result.
    data = raw.get("data")
    result_type = data.get("type") if isinstance(data, dict) else None
    if isinstance(result_type, str) and result_type in _RESULT_TYPE_ALIASES:
        return _storable(_parse_result(raw, _RESULT_TYPE_ALIASES[result_type]), "data.id")
    if "TransactionType" in raw:
        return _storable(_parse_daraja(raw), "TransID")
    return _unknown(raw)


def _storable(event: K2Event, id_field: str) -> K2Event:
    """``event``, unless its dedup key is one no deduplicator can store (see :func:`check_event_id`).

    Such a body (an id, or a result's status, holding a lone surrogate escape such as ``"\\ud800"``) is a
    payload error, answered 400 once, rather than a deduplicator failure answered 500 on every redelivery.
    """
    key = event.dedup_key
    problem = None if key is None else event_id_problem(key)
    if problem is None:
        return event
    # A key exists, so the id is a non-blank str: the key is unusable through one of its parts' text.
    field = id_field if event_id_problem(event.id) is not None else "data.attributes.status"
    raise WebhookPayloadError(f"{field} cannot serve as an event id: it {problem}", field=field)


@sealed
def construct_event(body: RawBody, signature: str | bytes | None, api_key: ApiKeys) -> K2Event:
    """Verify ``signature`` over the raw ``body``, then parse it (stripe's ``construct_event``).

    The one call most apps need: ``event = construct_event(await request.body(),
    request.headers.get(SIGNATURE_HEADER), API_KEY)``.

    Args:
        body: the request's raw body, the exact bytes K2 sent (``await request.body()``, Flask's
            ``request.get_data()``, Django's ``request.body``), never re-serialised JSON.
        signature: the ``X-KopoKopo-Signature`` header's value, or None when it is missing.
        api_key: the application's API key; several during a key rotation (a body signed with any passes);
            or a ``K2`` / ``AsyncK2`` client, whose ``api_key`` is used.

    Returns:
        The parsed event (see :func:`parse_event`).

    Raises:
        WebhookSignatureError: missing, malformed or wrong signature, or no key (checked first, so an
            unsigned body is never parsed).
        WebhookPayloadError: a correctly signed body that is malformed.
    """
    verify_signature(body, signature, api_key)
    return parse_event(body)


# --------------------------------------------------------------------------------------------- decoding


def _decode(body: object) -> dict[str, Any]:
    if isinstance(body, Mapping):
        value: object = _copy_json(body)
    else:
        if isinstance(body, bytes | bytearray | memoryview):
            try:
                text = bytes(body).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise WebhookPayloadError(f"body is not valid UTF-8 (bad byte at {exc.start})") from None
        elif isinstance(body, str):
            text = body
        else:
            raise TypeError(f"body must be bytes, str or a mapping, not {type(body).__name__}")
        try:
            value = _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            raise WebhookPayloadError(
                f"body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        except RecursionError:
            raise WebhookPayloadError("body is not valid JSON: nested too deeply") from None
        except ValueError as exc:  # e.g. an integer literal longer than Python's digit limit
            raise WebhookPayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise WebhookPayloadError(f"body must be a JSON object, got {json_type(value)}")
    return value


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity, which are not JSON and would make amounts meaningless.
    raise ValueError(f"{name} is not a JSON value")


_MAX_DEPTH: Final = 10_000
# One decoder for every body: json.loads with an option builds a new JSONDecoder per call.
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)


def _copy_object(value: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = _copy_json(value)
    return copied


def _copy_json(value: object) -> Any:
    """Deep-copy JSON-like data into dicts and lists, without recursion.

    ``copy.deepcopy`` recurses two or three frames per level, so it overflows the stack on bodies that
    ``json.loads`` accepted; an explicit stack does not. The depth cap also stops a cyclic Mapping.
    """
    holder: list[Any] = [None]
    stack: list[tuple[object, Any, Any, int]] = [(value, holder, 0, 0)]
    while stack:
        source, target, slot, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise WebhookPayloadError("body is nested too deeply")
        if isinstance(source, Mapping):
            copied: dict[str, Any] = {}
            target[slot] = copied
            for key, item in source.items():
                if not isinstance(key, str):
                    raise WebhookPayloadError(f"object keys must be strings, got {type(key).__name__}")
                copied[key] = None  # placeholder now, so the copy keeps the key order
                stack.append((item, copied, key, depth + 1))
        elif isinstance(source, list | tuple):
            items: list[Any] = [None] * len(source)
            target[slot] = items
            stack.extend((item, items, index, depth + 1) for index, item in enumerate(source))
        else:
            target[slot] = source
    return holder[0]


class _FromDict(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


_M = TypeVar("_M", bound=_FromDict)
F = TypeVar("F")  # a fact read from a body: str, Decimal


def _build(model: type[_M], raw: dict[str, Any], what: str) -> _M:
    try:
        return model.from_dict(raw)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # What the payload rules do not cover. The message names the model, not the value: values are
        # customer data, and this text goes into logs and the 400 answer.
        detail = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else type(exc).__name__
    # Raised here, outside the except block, so the parser's exception (which may quote the body) is not
    # kept as its context.
    raise WebhookPayloadError(f"{what} does not match {model.__name__}: {detail}")


# ----------------------------------------------------------------------------------------------- kinds


def _parse_webhook(raw: dict[str, Any], topic: WebhookTopic) -> K2Event:
    check(raw, WEBHOOK_CHECKS[topic])
    if topic is WebhookTopic.SETTLEMENT_TRANSFER_COMPLETED:
        _check_settlement_destination(raw)
    resource: dict[str, Any] = raw["event"]["resource"]
    return K2Event(
        EventKind.WEBHOOK,
        functools.partial(_build, _WEBHOOK_MODELS[topic], raw, f"{topic.value} webhook"),
        raw,
        id=raw["id"],
        topic=topic,
        created_at=iso_time(raw["created_at"]),
        resource_id=str_or_none(resource.get("id")) or last_segment(dig(raw, "_links", "resource")),
        amount=amount_of(resource.get("amount")),
        currency=str_or_none(resource.get("currency")),
        phone=phone_of(resource.get("sender_phone_number", resource.get("phone_number"))),
        status=str_or_none(resource.get("status")),
        reference=str_or_none(resource.get("reference")),
    )


def _check_settlement_destination(raw: dict[str, Any]) -> None:
    # The generated oneOf falls back to SettlementOtherDestination when a "Bank Account" or "Mobile Wallet"
    # destination fails to parse, so a broken known destination would pass silently as an unknown one.
    destination = dig(raw, "event", "resource", "destination")
    known = {
        "Bank Account": SettlementBankAccountDestination,
        "Mobile Wallet": SettlementMobileWalletDestination,
    }
    if isinstance(destination, dict) and destination.get("type") in known:
        field = "event.resource.destination.resource"
        check_slow(raw, (rule(field, OBJECT, required=True),))
        _build(known[destination["type"]], destination, "event.resource.destination")


def _parse_result(raw: dict[str, Any], result_type: ResultType) -> K2Event:
    check(raw, RESULT_CHECKS[result_type])
    data: dict[str, Any] = raw["data"]
    attributes: dict[str, Any] = data["attributes"]
    created_at: object = attributes.get("created_at")
    if result_type is ResultType.INCOMING_PAYMENT:
        created_at = attributes.get("initiation_time")
    # Where the facts live is the spec's (x-k2connect-fields), read as the result models read them, so a
    # callback and the GET of the same resource report the same reference, amount and phone.
    fields = registry.RESULT_FIELDS.get(result_type.value)
    if fields is None:  # polling, SMS notification: no money movement, and no timestamp of their own
        created_at = None  # (a created_at there is an extra property of any type: not trusted)
        fields = {}
    return K2Event(
        EventKind.RESULT,
        functools.partial(_build, _RESULT_MODELS[result_type], raw, f"{result_type.value} result"),
        raw,
        id=data["id"],
        topic=result_type,
        created_at=iso_time(created_at) if isinstance(created_at, str) else None,
        resource_id=data["id"],
        amount=_fact(raw, fields.get("amount"), amount_at),
        currency=_fact(raw, fields.get("currency"), text_at),
        phone=_fact(raw, fields.get("phone"), phone_at),
        status=attributes["status"],
        reference=_fact(raw, fields.get("reference"), text_at),
    )


def _fact(raw: dict[str, Any], path: str | None, read: Callable[[dict[str, Any], str], F]) -> F | None:
    """The fact at ``path`` (None where the spec says K2 sends none)."""
    return None if path is None else read(raw, path)


def _parse_daraja(raw: dict[str, Any]) -> K2Event:
    check(raw, DARAJA_CHECKS)
    return K2Event(
        EventKind.DARAJA,
        functools.partial(_build, DarajaTransactionWebhook, raw, "Daraja webhook"),
        raw,
        id=raw["TransID"],
        topic=f"daraja:{raw['TransactionType']}",
        created_at=daraja_time(raw["TransTime"]),
        resource_id=raw["TransID"],
        amount=amount_of(raw["TransAmount"]),
        # Daraja bodies name no currency; M-PESA is KES, but the SDK reports only what K2 sent.
        currency=None,
        phone=phone_of(raw.get("MSISDN")),
        reference=raw["TransID"],  # TransID is the M-PESA transaction code
    )


def _unknown(raw: dict[str, Any]) -> K2Event:
    data = raw.get("data")
    inner = data if isinstance(data, dict) else {}
    return K2Event(
        EventKind.UNKNOWN,
        functools.partial(UnknownEvent, raw),
        raw,
        id=str_or_none(raw.get("id")) or str_or_none(inner.get("id")),
        topic=str_or_none(raw.get("topic")) or str_or_none(inner.get("type")),
    )
