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
of pairs passes for an object), so :func:`parse_event` first checks the body against its kind's rules and
names the offending field. The rules (``_payload_rules``, generated from the spec by
``scripts/generate_payload_rules.py``) give the JSON types and presence of every field the schemas type: the
envelope, every nested object the model walks into, every field the convenience properties read. A body of a
kind this module does not know (a new topic, a new ``data.type``, any other JSON object) becomes an
``EventKind.UNKNOWN`` event that keeps the data: K2 adds topics over time, and a receiver that crashed on them
would make K2 redeliver forever.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final, NoReturn, Protocol, Self, TypeAlias, TypeVar

import attrs
from k2connect_client import registry
from k2connect_client.models import (
    DarajaTransactionWebhook,
    SettlementBankAccountDestination,
    SettlementMobileWalletDestination,
)

from k2connect_ext._exceptions import WebhookPayloadError
from k2connect_ext._outcomes import State, outcome_of
from k2connect_ext._sealed import sealed
from k2connect_ext._topics import WebhookTopic
from k2connect_ext.webhooks._dedup import event_id_problem
from k2connect_ext.webhooks._payload_rules import DARAJA_RULES, RESULT_RULES, WEBHOOK_RULES
from k2connect_ext.webhooks._payload_rules import Rule as SpecRule
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
    """Which family a body belongs to."""

    WEBHOOK = "webhook"
    RESULT = "result"
    DARAJA = "daraja"
    UNKNOWN = "unknown"


class ResultType(StrEnum):
    """The ``data.type`` of every callback result; an event's ``topic`` for results."""

    INCOMING_PAYMENT = "incoming_payment"
    PAYMENT = "payment"
    SETTLEMENT_TRANSFER = "settlement_transfer"
    POLLING = "polling"
    TRANSACTION_SMS_NOTIFICATION = "transaction_sms_notification"
    SEND_MONEY = "send_money"
    REVERSAL = "reversal"
    PAYMENT_LINK = "payment_link"


@attrs.frozen
class UnknownEvent:
    """The model of a body of no known kind: the decoded JSON object, kept whole."""

    data: dict[str, Any]

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The same constructor as the generated models have, so every ``K2Model`` round-trips alike."""
        return cls(_copy_object(dict(src_dict)))

    def to_dict(self) -> dict[str, Any]:
        """A copy of the data."""
        return _copy_object(self.data)


# The models of each topic and callback type come from the operation registry, generated from the spec.
WebhookModel: TypeAlias = registry.WebhookModel
ResultModel: TypeAlias = registry.CallbackModel
K2Model = WebhookModel | ResultModel | DarajaTransactionWebhook | UnknownEvent

_WEBHOOK_MODELS: Final = registry.WEBHOOK_MODELS
_RESULT_MODELS: Final = registry.CALLBACK_MODELS


def _same_names(enum: type[StrEnum], generated: Iterable[str], what: str) -> None:
    # The public enums are written out (IDEs and type checkers see their members); the spec decides the
    # values, so a topic or result type the spec gains or loses fails here, at import, not in a handler.
    if {member.value for member in enum} != set(generated):
        raise RuntimeError(f"{enum.__name__} differs from the spec's {what}: update the enum")


_same_names(ResultType, registry.CALLBACK_MODELS, "callback result types")
_same_names(WebhookTopic, registry.WEBHOOK_TOPICS, "webhook topics")
# K2 says "reversal" in callbacks but "reversals" in some GET bodies (the spec's ReversalData `type`): one
# topic for both.
_RESULT_TYPE_ALIASES: Final[Mapping[str, ResultType]] = {
    **{member.value: member for member in ResultType},
    "reversals": ResultType.REVERSAL,
}

# K2 is in Kenya and its timestamps carry +03:00; Daraja's TransTime and any naive timestamp are Nairobi time
# (East Africa Time has no daylight saving, so a fixed offset is exact).
_NAIROBI: Final = timezone(timedelta(hours=3), "EAT")


@attrs.frozen(repr=False)
class K2Event:
    """A verified or parsed K2 body: the typed model plus the facts every receiver needs.

    ``model`` is the generated model (``isinstance``/``match`` on it, or on ``topic``); ``raw`` is the decoded
    JSON object. The convenience fields are ``None`` when the body has no such fact:

    * ``id``: the webhook event id, ``data.id`` for results, ``TransID`` for Daraja bodies.
    * ``topic``: a :class:`WebhookTopic`, a :class:`ResultType` (``reversals`` is folded into ``reversal``),
      ``"daraja:<TransactionType>"``, or for unknown bodies their ``topic``/``data.type`` if any.
    * ``created_at``: aware datetime (``created_at``, ``initiation_time`` or ``TransTime``).
    * ``resource_id``: what the body reports on: the transaction (``event.resource.id``; for
      ``customer_created``, the last segment of ``_links.resource``), ``data.id`` for results (the last
      segment of the ``Location`` you got when creating it), ``TransID`` for Daraja.
    * ``amount`` (exact ``Decimal``), ``currency``, ``phone`` (sender / subscriber / MSISDN), ``status``,
      ``reference`` (the M-PESA code of the money movement reported).
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
        """A copy of the body as decoded (the hash view of the Ruby SDK's K2ProcessResult)."""
        return _copy_object(self.raw)


@sealed
def parse_event(body: RawBody | str | Mapping[str, Any]) -> K2Event:
    """Parse a webhook or callback body into a :class:`K2Event`. Does NOT check the signature.

    Args:
        body: the raw request bytes (preferred), the text, or an already decoded JSON object.

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
        raise WebhookPayloadError(f"body must be a JSON object, got {_json_type(value)}")
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


# ------------------------------------------------------------------------------------------- validation

# JSON type names, as in the schema and in error messages.
_OBJ, _ARR, _STR, _NUM, _BOOL, _NULL = "object", "array", "string", "number", "boolean", "null"
_Rule = tuple[str, frozenset[str], bool]


def _rule(path: str, *types: str, required: bool = False) -> _Rule:
    return path, frozenset(types), required


_EXACT_TYPES: dict[type, str] = {
    str: _STR,
    int: _NUM,
    float: _NUM,
    bool: _BOOL,  # checked by exact type, so True is never taken for a number
    type(None): _NULL,
    dict: _OBJ,
    list: _ARR,
}


def _json_type(value: object) -> str:
    exact = _EXACT_TYPES.get(type(value))
    if exact is not None:
        return exact
    # Subclasses (an IntEnum, a str subclass) are named like their base; bool cannot be subclassed.
    if isinstance(value, int | float):
        return _NUM
    if isinstance(value, str):
        return _STR
    if isinstance(value, dict):
        return _OBJ
    if isinstance(value, list):
        return _ARR
    return type(value).__name__


_Place = tuple[str | int, ...]


@functools.cache
def _segments(path: str) -> tuple[tuple[str, bool], ...]:
    """``"a.b[].c"`` -> ``(("a", False), ("b", True), ("c", False))``, parsed once per rule."""
    return tuple((segment.removesuffix("[]"), segment.endswith("[]")) for segment in path.split("."))


def _where(place: _Place) -> str:
    """``("a", "b", 0, "c")`` -> ``"a.b[0].c"``; built only for an error message."""
    text = ""
    for part in place:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _places(root: dict[str, Any], path: str) -> list[tuple[_Place, bool, object]]:
    """``(place, present, value)`` for every place ``path`` names in ``root``.

    ``a.b[]`` means each item of the array ``a.b``. Places under a parent that is absent, null or of the
    wrong type are skipped: the parent's own rule reports that, and rules are checked parents first.
    Places are tuples; strings are only made for error messages (this is the hot path of parsing).
    """
    segments = _segments(path)
    last_position = len(segments) - 1
    if not _has_arrays(path):  # most rules: a plain walk down nested objects
        node: object = root
        for position, (key, _) in enumerate(segments):
            if not isinstance(node, dict):
                return []
            if key not in node:
                keys = tuple(k for k, _ in segments[: position + 1])
                return [(keys, False, None)] if position == last_position else []
            node = node[key]
        return [(tuple(k for k, _ in segments), True, node)]
    nodes: list[tuple[_Place, object]] = [((), root)]
    missing: list[tuple[_Place, bool, object]] = []
    for position, (key, each) in enumerate(segments):
        found: list[tuple[_Place, object]] = []
        for place, parent in nodes:
            if not isinstance(parent, dict):
                continue
            if key not in parent:
                if position == last_position and not each:
                    missing.append(((*place, key), False, None))
                continue
            value = parent[key]
            if each:  # a null or mistyped array has no items here: its own rule reports it
                items = value if isinstance(value, list) else ()
                found.extend(((*place, key, index), item) for index, item in enumerate(items))
            else:
                found.append(((*place, key), value))
        nodes = found
    return missing + [(place, True, value) for place, value in nodes]


@functools.cache
def _has_arrays(path: str) -> bool:
    return "[]" in path


def _check_slow(raw: dict[str, Any], rules: tuple[_Rule, ...]) -> None:
    for path, allowed, required in rules:
        for place, present, value in _places(raw, path):
            if not present:
                if required:
                    where = _where(place)
                    raise WebhookPayloadError(f"{where} is required", field=where)
                continue
            actual = _json_type(value)
            if actual not in allowed:
                where = _where(place)
                expected = " or ".join(sorted(allowed))
                raise WebhookPayloadError(f"{where} must be {expected}, got {actual}", field=where)


# The exact Python types json.loads produces for each JSON type: the fast path accepts a value whose type is
# one of these and leaves anything else (a subclass, a wrong type) to the slow path, which names the error.
_PY_TYPES: Final[Mapping[str, tuple[type, ...]]] = {
    _STR: (str,),
    _NUM: (int, float),
    _BOOL: (bool,),
    _NULL: (type(None),),
    _OBJ: (dict,),
    _ARR: (list,),
}


class _Absent:
    """What the fast path finds for a missing key: its type is accepted where the key is optional."""


_ABSENT: Final = _Absent()
# A compiled rule: its key in the parent object, whether it is about each item of the array at that key,
# the Python types accepted at once (with _Absent when the key is optional), and the rule, for the slow path.
_Leaf = tuple[str, bool, frozenset[type], _Rule]
# A compiled table: the rules grouped by parent path, so a parent is looked up once per body however many
# fields it has. A group holds the parent's keys when the path is plain objects (most are, and they take the
# quick walk), else None and its segments as _segments splits them; then its rules. Groups keep the order in
# which parents first appear in the table, so parents are still checked before their children.
_Compiled = tuple[tuple[str, ...] | None, tuple[tuple[str, bool], ...], tuple[_Leaf, ...]]


def _compile(rules: tuple[_Rule, ...]) -> tuple[_Compiled, ...]:
    groups: dict[tuple[tuple[str, bool], ...], list[_Leaf]] = {}
    for rule in rules:
        path, allowed, required = rule
        *parents, (leaf, each) = _segments(path)
        fast = {kind for name in allowed for kind in _PY_TYPES.get(name, ())}
        if not required:
            fast.add(_Absent)
        groups.setdefault(tuple(parents), []).append((leaf, each, frozenset(fast), rule))
    return tuple(
        (
            None if any(each for _, each in parents) else tuple(key for key, _ in parents),
            parents,
            tuple(leaves),
        )
        for parents, leaves in groups.items()
    )


def _check(raw: dict[str, Any], rules: tuple[_Compiled, ...]) -> None:
    """Check ``raw`` against compiled rules; the common case (present values of the right types) costs one
    lookup per parent and one per field. Anything else is handed to :func:`_check_slow`, which names the
    culprit."""
    for keys, segments, leaves in rules:
        parents: list[dict[str, Any]] | tuple[dict[str, Any], ...]
        if keys is None:
            parents = _objects_at(raw, segments)
        else:
            node: object = raw
            for key in keys:
                node = node.get(key) if isinstance(node, dict) else None
            # Only an object has fields: an absent, null or mistyped parent is its own rule's business.
            if not isinstance(node, dict):
                continue
            parents = (node,)
        for parent in parents:
            for key, each, fast, rule in leaves:
                value = parent.get(key, _ABSENT)
                if each:  # each item of the array at key; an absent or mistyped array is key's own rule's
                    if type(value) is list and any(type(item) not in fast for item in value):
                        _check_slow(raw, (rule,))
                elif type(value) not in fast:
                    _check_slow(raw, (rule,))


def _objects_at(raw: dict[str, Any], segments: tuple[tuple[str, bool], ...]) -> list[dict[str, Any]]:
    """The objects a parent path through arrays names (``a.b[]``: each object item of the array ``a.b``)."""
    nodes: list[object] = [raw]
    for key, each in segments:
        values = [node.get(key) for node in nodes if isinstance(node, dict)]
        nodes = [item for value in values if isinstance(value, list) for item in value] if each else values
    return [node for node in nodes if isinstance(node, dict)]


# The tables are generated from openapi/k2connect.yaml by scripts/generate_payload_rules.py: every type and
# presence the schemas state, for the envelope, every nested object or array (whose from_dict would otherwise
# fail with an anonymous TypeError, or silently turn a list of pairs into an object) and every field the
# convenience properties read. Derived, not hand-picked, they are never stricter than the schemas (the
# property test feeds them schema-valid bodies drawn from the spec) and never miss a field the spec types.
def _compile_table(rules: tuple[SpecRule, ...]) -> tuple[_Compiled, ...]:
    return _compile(tuple(_rule(path, *types, required=required) for path, types, required in rules))


# Indexed by every member, so a topic or type the spec lost fails at import, not on a live webhook.
_WEBHOOK_RULES_COMPILED: Final = {topic: _compile_table(WEBHOOK_RULES[topic]) for topic in WebhookTopic}
_RESULT_RULES_COMPILED: Final = {kind: _compile_table(RESULT_RULES[kind]) for kind in ResultType}
_DARAJA_RULES_COMPILED: Final = _compile_table(DARAJA_RULES)


class _FromDict(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


_M = TypeVar("_M", bound=_FromDict)


def _build(model: type[_M], raw: dict[str, Any], what: str) -> _M:
    try:
        return model.from_dict(raw)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # What the rules above do not cover. The message names the model, not the value: values are
        # customer data, and this text goes into logs and the 400 answer.
        detail = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else type(exc).__name__
    # Raised here, outside the except block, so the parser's exception (which may quote the body) is not
    # kept as its context.
    raise WebhookPayloadError(f"{what} does not match {model.__name__}: {detail}")


# ----------------------------------------------------------------------------------------------- kinds


def _parse_webhook(raw: dict[str, Any], topic: WebhookTopic) -> K2Event:
    _check(raw, _WEBHOOK_RULES_COMPILED[topic])
    if topic is WebhookTopic.SETTLEMENT_TRANSFER_COMPLETED:
        _check_settlement_destination(raw)
    resource: dict[str, Any] = raw["event"]["resource"]
    return K2Event(
        EventKind.WEBHOOK,
        functools.partial(_build, _WEBHOOK_MODELS[topic], raw, f"{topic.value} webhook"),
        raw,
        id=raw["id"],
        topic=topic,
        created_at=_iso_time(raw["created_at"]),
        resource_id=_str_or_none(resource.get("id")) or _last_segment(_dig(raw, "_links", "resource")),
        amount=_decimal(resource.get("amount")),
        currency=_str_or_none(resource.get("currency")),
        phone=_phone(resource.get("sender_phone_number", resource.get("phone_number"))),
        status=_str_or_none(resource.get("status")),
        reference=_str_or_none(resource.get("reference")),
    )


def _check_settlement_destination(raw: dict[str, Any]) -> None:
    # The generated oneOf falls back to SettlementOtherDestination when a "Bank Account" or "Mobile Wallet"
    # destination fails to parse, so a broken known destination would pass silently as an unknown one.
    destination = _dig(raw, "event", "resource", "destination")
    known = {
        "Bank Account": SettlementBankAccountDestination,
        "Mobile Wallet": SettlementMobileWalletDestination,
    }
    if isinstance(destination, dict) and destination.get("type") in known:
        field = "event.resource.destination.resource"
        _check_slow(raw, (_rule(field, _OBJ, required=True),))
        _build(known[destination["type"]], destination, "event.resource.destination")


def _parse_result(raw: dict[str, Any], result_type: ResultType) -> K2Event:
    _check(raw, _RESULT_RULES_COMPILED[result_type])
    data: dict[str, Any] = raw["data"]
    attributes: dict[str, Any] = data["attributes"]
    created_at: object = attributes.get("created_at")
    amount: object = None
    currency: object = None
    phone: object = None
    reference: object = None
    match result_type:
        case ResultType.INCOMING_PAYMENT:
            created_at = attributes.get("initiation_time")
            paid = _dig(attributes, "event", "resource")  # null until the customer pays
            amount, currency, phone, reference = (
                _dig(paid, key) for key in ("amount", "currency", "sender_phone_number", "reference")
            )
        case ResultType.PAYMENT | ResultType.SETTLEMENT_TRANSFER:
            amount, currency = _dig(attributes, "amount", "value"), _dig(attributes, "amount", "currency")
            reference = _dig(_single_disbursement(attributes), "transaction_reference")
        case ResultType.SEND_MONEY:
            currency = attributes.get("currency")
            disbursement = _single_disbursement(attributes)
            phone, reference = _dig(disbursement, "phone_number"), _dig(disbursement, "transaction_reference")
        case ResultType.REVERSAL:
            # The reversal's own payment; the reversed transaction is attributes.transaction_reference.
            amount = _dig(attributes, "reversal_bulk_payment", "amount")
            reference = _dig(attributes, "reversal_bulk_payment", "transaction_reference")
        case ResultType.PAYMENT_LINK:
            amount, currency = attributes.get("amount"), attributes.get("currency")
            phone = _dig(attributes, "payment_link", "sender_phone_number")
            reference = _dig(attributes, "payment_link", "transaction_reference")
        case _:  # polling, SMS notification: no money movement, and no timestamp of their own
            created_at = None  # (a created_at there is an extra property of any type: not trusted)
    return K2Event(
        EventKind.RESULT,
        functools.partial(_build, _RESULT_MODELS[result_type], raw, f"{result_type.value} result"),
        raw,
        id=data["id"],
        topic=result_type,
        created_at=_iso_time(created_at) if isinstance(created_at, str) else None,
        resource_id=data["id"],
        amount=_decimal(amount),
        currency=_str_or_none(currency),
        phone=_phone(phone),
        status=attributes["status"],
        reference=_str_or_none(reference),
    )


def _single_disbursement(attributes: dict[str, Any]) -> object:
    # One recipient is the common case; with several there is no single reference or phone to report.
    batches = attributes.get("transfer_batches")
    if not isinstance(batches, list):
        return None
    disbursements = [item for batch in batches for item in batch.get("disbursements", ())]
    return disbursements[0] if len(disbursements) == 1 else None


def _parse_daraja(raw: dict[str, Any]) -> K2Event:
    _check(raw, _DARAJA_RULES_COMPILED)
    return K2Event(
        EventKind.DARAJA,
        functools.partial(_build, DarajaTransactionWebhook, raw, "Daraja webhook"),
        raw,
        id=raw["TransID"],
        topic=f"daraja:{raw['TransactionType']}",
        created_at=_daraja_time(raw["TransTime"]),
        resource_id=raw["TransID"],
        amount=_decimal(raw["TransAmount"]),
        # Daraja bodies name no currency; M-PESA is KES, but the SDK reports only what K2 sent.
        currency=None,
        phone=_phone(raw.get("MSISDN")),
        reference=raw["TransID"],  # TransID is the M-PESA transaction code
    )


def _unknown(raw: dict[str, Any]) -> K2Event:
    data = raw.get("data")
    inner = data if isinstance(data, dict) else {}
    return K2Event(
        EventKind.UNKNOWN,
        functools.partial(UnknownEvent, raw),
        raw,
        id=_str_or_none(raw.get("id")) or _str_or_none(inner.get("id")),
        topic=_str_or_none(raw.get("topic")) or _str_or_none(inner.get("type")),
    )


# ------------------------------------------------------------------------------------------- extraction


def _dig(node: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _last_segment(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    return url.rstrip("/").rsplit("/", 1)[-1] or None


def _decimal(value: object) -> Decimal | None:
    """An exact Decimal from K2's string or JSON-number amounts; None when there is no usable amount."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        # str() first: Decimal(0.1) would carry the float's binary error, Decimal("0.1") does not.
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _phone(value: object) -> str | None:
    # One payment-link sample sends the phone as a JSON number (254716230902).
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str_or_none(value)


def _iso_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None  # the schema only says "string": an odd timestamp is not worth refusing the event
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_NAIROBI)


def _daraja_time(text: str) -> datetime | None:
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=_NAIROBI)
    except ValueError:
        return None
