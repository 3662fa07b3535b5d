"""``k2.intents``: every money-moving create recorded in a ledger before it is sent, and sent at most once.

K2 has no idempotency keys, so the SDK keeps them: ``k2.intents.send_money(key="payroll-2026-12/emp-17",
...)`` records an :class:`~k2connect_ext.Intent` under the caller's key (``_ledger``), moves it to
``sending`` with one compare-and-set that only one process can win, sends it, and stores what K2 answered
(``_intent``'s state machine). The same key again returns the same intent and never sends again; the
same key with another request is a ``K2InputError`` naming ``key``. Each intent is tagged where K2's
answer carries it back (``_intent_tag``), so a callback finds it even when its Location was never stored.

What one call does, and what it means for the money:

1. the arguments are checked by building the request: bad input is a ``K2InputError`` and nothing is
   recorded (a fifth metadata pair included: one is the intent's tag);
2. the arguments, normalised to JSON, are recorded under ``key``: a ledger that cannot be written is a
   ``K2StoreUnavailableError``, and nothing is sent;
3. an intent already recorded under ``key`` is returned as it is, except one still ``recorded`` (nothing
   sent yet: a crash came first, or its request never left), which is sent now;
4. ``recorded -> sending`` (losing that compare-and-set means another process is sending it: its intent
   is returned), then the POST, from the request as recorded, tagged with the intent's id;
5. the answer is stored: 201 is ``sent`` with its Location; a 4xx is ``refused`` (K2 refused this
   request and did nothing: a new attempt needs a new key); an ambiguous outcome is ``ambiguous`` (with
   its Location when it came with one). Those are returned, not raised: the intent says what happened. A
   request K2 certainly did not process for a reason that will pass (``K2ConnectionError``: it never
   left; a failure before the POST was handed to the network, such as a token that could not be had; 401
   or 403, credentials or a token K2 would not take; 429, a rate limit) goes back to ``recorded`` and the
   error is raised: call again (or reconcile) to send it, under the same key. Any other failure
   after the POST left makes it ``ambiguous`` and is raised (it is a bug); an interrupt
   (``KeyboardInterrupt``, a cancelled task) leaves it ``sending``, which reconciliation makes
   ``ambiguous``. Nothing ``ambiguous`` is ever sent again automatically.

If the ledger fails *after* the POST (storing its answer), a ``K2StoreUnavailableError`` says so with
the Location when there was one; the intent stays ``sending`` and reconciliation settles it (from its
tagged callback, or for a person past the horizon).

``wait()`` follows an intent's Location and settles it; ``reconcile()`` moves every unsettled intent on;
``resolve()`` records a person's decision on an ``unresolved`` one; ``run_batch()`` sends many, with bounded
concurrency, resumable. :class:`Intents` is the blocking API; ``AsyncIntents`` (``_async_intents``) its
asyncio twin.
"""

from __future__ import annotations

import builtins
import concurrent.futures
import datetime as dt
import enum
import functools
import inspect
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol, TypeVar, get_args

import attrs
from k2connect_client.models.settlement_destination_type import SettlementDestinationType
from k2connect_client.registry import OPERATIONS

from k2connect_ext import _call
from k2connect_ext import _operations as ops
from k2connect_ext._docstrings import Docstring
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConnectionError,
    K2Error,
    K2InputError,
    K2IntentConflictError,
    K2RateLimitError,
    K2StoreUnavailableError,
)
from k2connect_ext._intent import Intent, IntentState, States, canonical_json, check_key
from k2connect_ext._intent_poll import DEFAULT_POLL_WINDOW, settle_from_polling
from k2connect_ext._intent_sender import Sender
from k2connect_ext._intent_settle import SETTLEABLE, settle
from k2connect_ext._intent_tag import tag_arguments
from k2connect_ext._ledger import Ledger
from k2connect_ext._ledger_schema import DEFAULT_LIST_LIMIT
from k2connect_ext._sealed import sealed

__all__ = [
    "DEFAULT_SENDING_GRACE",
    "MONEY_OPERATIONS",
    "BatchReport",
    "BatchRow",
    "Intents",
    "ReconcileReport",
    "RowProblem",
]

R_co = TypeVar("R_co", covariant=True)
Builder = Callable[..., ops.Prepared[Any]]

DEFAULT_SENDING_GRACE: Final = 60.0
"""Seconds a ``sending`` intent may be in flight in another process before reconciliation calls it
``ambiguous``: a crash after the POST left, or before its answer was stored."""
PAGE = 500
_PLACEHOLDER_ID = "0" * 32  # tags a request when it is only checked, before the intent (and its id) exists


# ----------------------------------------------------------------------------- the money-moving creates
def _money_builders() -> tuple[dict[str, Builder], dict[str, str]]:
    """The builders whose create moves money, by name, and the resource kind each creates: read from the
    builders' return annotations (``Prepared[SendMoneyResult]``) and the registry's ``moves_money``, so a
    create the spec marks as moving money gets an intent method without a list to edit here."""
    kinds_of_model: dict[str, set[str]] = {}
    for op in OPERATIONS.values():
        if op.creates and op.moves_money and op.model is not None:
            kinds_of_model.setdefault(op.model.__name__, set()).add(str(op.kind))
    found: dict[str, Builder] = {}
    kinds: dict[str, str] = {}
    for name, value in sorted(vars(ops).items()):
        if not inspect.isfunction(value) or value.__module__ != ops.__name__:
            continue
        annotation = str(inspect.signature(value).return_annotation)
        model = annotation[len("Prepared[") : -1] if annotation.startswith("Prepared[") else ""
        if model in kinds_of_model:
            # One kind per builder (stk_push's v1 and v2 both create an incoming payment): where K2
            # echoes the intent's tag is read from it, without building the request twice.
            (kinds[name],) = kinds_of_model[model]
            found[name] = value
    return found, kinds


_MONEY_BUILDERS, _KINDS = _money_builders()
MONEY_OPERATIONS: Final[Mapping[str, Builder]] = _MONEY_BUILDERS
"""Builder name -> builder, for every create that moves money: the operations an intent can be."""


# Each intent method's signature: the builder's, plus ``key``. Written out because no type can add a
# keyword parameter to a ParamSpec; ``tests/unit/test_intents.py`` pins each one to its builder's, and the
# set of them to MONEY_OPERATIONS. ``R_co`` is ``Intent`` (blocking) or ``Awaitable[Intent]`` (asyncio).
class SendMoneyIntent(Protocol[R_co]):
    def __call__(
        self,
        *,
        key: str,
        callback_url: str,
        destinations: Sequence[ops.Destination] = (),
        source_identifier: str | None = None,
        currency: str = "KES",
        metadata: Mapping[str, Any] | None = None,
    ) -> R_co: ...


class StkPushIntent(Protocol[R_co]):
    def __call__(
        self,
        *,
        key: str,
        phone_number: str,
        amount: Decimal | int | str | float,
        till_number: str,
        callback_url: str,
        currency: str = "KES",
        first_name: str | None = None,
        middle_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        payment_channel: str = "M-PESA STK Push",
        version: ops.Version = "v2",
    ) -> R_co: ...


class CreatePaymentIntent(Protocol[R_co]):
    def __call__(
        self,
        *,
        key: str,
        destination_type: ops.RecipientType,
        destination_reference: str,
        amount: Decimal | int | str | float,
        description: str,
        callback_url: str,
        currency: str = "KES",
        category: str | None = None,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> R_co: ...


class SettleFundsIntent(Protocol[R_co]):
    def __call__(
        self,
        *,
        key: str,
        callback_url: str,
        amount: Decimal | int | str | float | None = None,
        currency: str = "KES",
        destination_type: SettlementDestinationType | None = None,
        destination_reference: str | None = None,
    ) -> R_co: ...


class ReverseTransactionIntent(Protocol[R_co]):
    def __call__(
        self,
        *,
        key: str,
        transaction_reference: str,
        reason: str,
        callback_url: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> R_co: ...


class CreatePaymentLinkIntent(Protocol[R_co]):
    def __call__(
        self,
        *,
        key: str,
        till_number: str,
        amount: Decimal | int | str | float,
        callback_url: str,
        currency: str = "KES",
        payment_reference: str | None = None,
        note: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> R_co: ...


def intent_signature(builder: Builder, returns: str) -> inspect.Signature:
    """The builder's parameters with ``key`` first (keyword-only), after ``self``: what ``help()`` shows."""
    signature = inspect.signature(builder)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    key = inspect.Parameter("key", inspect.Parameter.KEYWORD_ONLY, annotation="str")
    return signature.replace(
        parameters=[this, key, *signature.parameters.values()], return_annotation=returns
    )


def describe(method: Callable[..., Any], name: str, owner: str, returns: str) -> None:
    """Name a generated intent method after its builder, with the builder's documentation and signature.

    Args:
        method: the generated method, changed in place.
        name: the builder's name (a key of ``MONEY_OPERATIONS``).
        owner: ``"Intents"`` or ``"AsyncIntents"``.
        returns: the return annotation ``help()`` shows (``"Intent"``).
    """
    builder = MONEY_OPERATIONS[name]
    method.__name__ = name
    method.__qualname__ = f"{owner}.{name}"
    method.__doc__ = intent_doc(builder, name)
    method.__dict__["__signature__"] = intent_signature(builder, returns)


_KEY = (
    'key: your idempotency key for this payment (``"payroll-2026-12/emp-17"``): one intent per key, at\n'
    "    most 255 characters. The same key with the same arguments returns the same intent and never sends\n"
    "    again; with other arguments it is refused."
)
_INTENT_RETURNS = (
    "The :class:`~k2connect_ext.Intent` as the send left it: ``sent`` (K2 accepted it: ``wait(key)``\n"
    "    or its callback settles it), ``refused`` (K2 refused it and did nothing: a new attempt needs a new\n"
    "    key) or ``ambiguous`` (it may have reached K2: ``reconcile()`` settles it; it is never sent\n"
    "    again). For a key already recorded, that intent as it is now."
)
_INTENT_RAISES = (
    'K2InputError: the key is no key, or is recorded for another request (``field`` is ``"key"``);\n'
    "    nothing was sent.",
    "K2StoreUnavailableError: the ledger could not be written, and nothing was sent; or K2's answer could\n"
    "    not be stored: the intent stays ``sending``, the message holds K2's Location, and ``reconcile()``\n"
    "    settles it.",
    "K2ConnectionError: K2 could not be reached and nothing was sent (``K2TimeoutError`` if a timeout\n"
    "    fired first): the intent is ``recorded`` again; call again with the same key, or ``reconcile()``.",
    "K2AuthError: K2 refused the credentials or the token (401, 403): the intent is ``recorded`` again.",
    "K2RateLimitError: too many requests (429): the intent is ``recorded`` again.",
    "K2ConfigError: the client was closed.",
)


def intent_doc(builder: Builder, name: str) -> str:
    """The docstring of an intent method: its builder's arguments plus ``key``, and what an intent means.

    Args:
        builder: the create's builder in ``_operations``.
        name: its name.

    Returns:
        The docstring: what is recorded and sent, ``key`` and the builder's ``Args:``, the intent it
            returns, and what recording and sending raise.
    """
    sent = Docstring.parse(builder.__doc__)
    summary = sent.text.split("\n\n")[0]  # its first paragraph: the rest is about the facade's handle
    text = (
        f"Record a ``{name}`` intent under ``key``, then send it at most once; the arguments are\n"
        f"``K2.{name}``'s, checked before anything is recorded.\n\n"
        "A request that certainly never reached K2 goes back to ``recorded`` and its error is raised: call\n"
        "again with the same key. Every other answer is stored and returned in the intent, not raised.\n\n"
        f"What is sent: {summary}"
    )
    doc = Docstring(text).with_section("Args", [_KEY, *sent.entries("Args")])
    doc = doc.with_section("Returns", [_INTENT_RETURNS])
    return doc.with_section("Raises", [*sent.entries("Raises"), *_INTENT_RAISES]).render()


# ----------------------------------------------------------------------------- the request, as recorded
_MODEL_PARAMETERS: Final[Mapping[str, tuple[type[Any], ...]]] = {"destinations": get_args(ops.Destination)}
"""Builder parameters that take generated models (recorded as their ``to_dict()``), and those models."""


def plain(value: object, field: str) -> Any:
    """``value`` as JSON data: Decimal as its text, a datetime in ISO 8601, a generated model as its
    ``to_dict()``, a mapping as an object, a list or tuple as a list.

    Raises:
        K2InputError: something no ledger could record (``field`` names the argument).
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    to_dict = getattr(value, "to_dict", None)
    if attrs.has(type(value)) and callable(to_dict):  # a generated model
        return plain(to_dict(), field)
    if isinstance(value, Mapping):
        return {name: plain(item, field) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item, field) for item in value]
    raise K2InputError(f"{field}: a {type(value).__name__} cannot be recorded in a ledger", field=field)


@functools.cache
def _recorded_defaults(name: str) -> dict[str, Any]:
    """The builder's parameters that have a default, and the default as a request records it."""
    parameters = inspect.signature(MONEY_OPERATIONS[name]).parameters.values()
    empty = inspect.Parameter.empty
    return {p.name: plain(p.default, p.name) for p in parameters if p.default is not empty}


def request_of(name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of a create as its intent records them: JSON data, and an argument given with its
    default value left out (so the same call, spelt either way, is the same request)."""
    defaults = _recorded_defaults(name)
    request: dict[str, Any] = {}
    for field, value in arguments.items():
        recorded = plain(value, field)
        if field not in defaults or recorded != defaults[field]:
            request[field] = recorded
    canonical_json(request, field="request")  # refused here, before the ledger, with the same message
    return request


def arguments_of(request: Mapping[str, Any]) -> dict[str, Any]:
    """The builder's arguments back from a recorded request (generated models rebuilt from their dicts).

    Raises:
        K2InputError: a recorded value the builder cannot take (a ledger edited by hand).
    """
    arguments = dict(request)
    for field, models in _MODEL_PARAMETERS.items():
        if isinstance(arguments.get(field), list):
            arguments[field] = [
                _model_of(item, models, f"{field}[{i}]") for i, item in enumerate(arguments[field])
            ]
    return arguments


def _model_of(value: object, models: tuple[type[Any], ...], field: str) -> Any:
    if isinstance(value, Mapping):
        for model in models:
            try:
                return model.from_dict(value)
            except (KeyError, TypeError, ValueError):
                continue
    raise K2InputError(f"{field}: the recorded value is none of {len(models)} destination kinds", field=field)


def prepare(name: str, arguments: Mapping[str, Any], intent_id: str) -> ops.Prepared[Any]:
    """The create's request, checked and tagged with the intent's id where K2 echoes it.

    Raises:
        K2InputError: bad arguments, or metadata with no room left for the tag.
        TypeError: an argument the builder does not take.
    """
    builder = MONEY_OPERATIONS.get(name)
    if builder is None:  # a ledger shared with code that records other operations
        raise K2InputError(f"{name!r} is not a create an intent can send", field="operation")
    return builder(**tag_arguments(_KINDS[name], arguments, intent_id))


def checked_request(name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Step 1 of a send, no I/O: the request to record, once the arguments built a valid, taggable request.

    Raises:
        K2InputError: bad arguments (``field`` names one).
        TypeError: an argument the builder does not take, as Python says for a call.
    """
    prepare(name, arguments, _PLACEHOLDER_ID)
    return request_of(name, arguments)


# ----------------------------------------------------------------------------- what an answer means
NOT_SENT: Final = (K2ConnectionError, K2AuthError, K2RateLimitError)
"""Errors after which K2 certainly did not process the request, and it may be sent again later: no
connection (the SDK raises K2ConnectionError for a POST only then), credentials or a token K2 would not
take (401/403), and a rate limit (429, which the SDK's money-safety rules count as "not processed")."""


@attrs.frozen
class Verdict:
    """Where a failed send leaves its intent, and whether the error is raised to the caller."""

    to: IntentState
    location: str | None
    last_error: str
    raise_it: bool


def verdict_of_failure(exc: Exception, *, left: bool) -> Verdict:
    """What a send that raised ``exc`` means; ``left`` says whether the POST was handed to the network."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, NOT_SENT) or not left:
        return Verdict(IntentState.RECORDED, None, f"not sent: {text}", raise_it=True)
    if isinstance(exc, K2APIError) and 400 <= exc.status_code < 500:
        return Verdict(IntentState.REFUSED, None, text, raise_it=False)
    if isinstance(exc, K2AmbiguousOutcomeError):
        return Verdict(IntentState.AMBIGUOUS, exc.location, text, raise_it=False)
    return Verdict(IntentState.AMBIGUOUS, None, text, raise_it=True)


def unstored(intent: Intent, to: IntentState, location: str | None, exc: K2StoreUnavailableError) -> K2Error:
    """The error for an answer the ledger could not store: the request was sent, its intent is left
    ``sending`` (reconciliation settles it), and the Location is in the message so it is not lost."""
    where = f"; K2's Location for it: {location}" if location else ""
    return K2StoreUnavailableError(
        f"intent {intent.id} (key {intent.key!r}) was sent, but its outcome ({to.value}) could not be "
        f"stored: {exc}{where}. It stays 'sending'; reconcile() settles it from its callback or its tag"
    )


STALE_SENDING = "found sending: the process may have crashed after sending (or before storing K2's answer)"


def past_horizon(horizon: float) -> str:
    return (
        f"no outcome within the reconciliation horizon ({horizon:g} s): no Location and no callback came; "
        "a person decides whether it was sent (resolve)"
    )


def resolution(state: IntentState, sent: object, note: object) -> tuple[IntentState, str]:
    """The move and note of a person's decision on an intent found in ``state``.

    Raises:
        K2InputError: ``sent`` is not a bool, or ``note`` is blank.
        K2IntentConflictError: the intent is not ``unresolved``.
    """
    if not isinstance(sent, bool):
        raise K2InputError("sent must be True or False", field="sent")
    if not isinstance(note, str) or not note.strip():
        raise K2InputError("note must say why (who decided, what they checked)", field="note")
    to = IntentState.SUCCEEDED if sent else IntentState.RECORDED
    if state is not IntentState.UNRESOLVED:
        raise K2IntentConflictError(
            f"only an unresolved intent is resolved by a person; this one is {state.value!r}",
            state=state.value,
            to=to.value,
        )
    return to, f"resolved by a person as {'sent' if sent else 'not sent'}: {note}"


def check_seconds(value: object, field: str) -> float:
    """A finite number of seconds, zero or more, or K2InputError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise K2InputError(f"{field} must be a finite number of seconds, zero or more", field=field)
    return float(value)


# ----------------------------------------------------------------------------- reports
Move = tuple[IntentState, IntentState]


@attrs.frozen
class ReconcileReport:
    """What one ``reconcile()`` pass did.

    Attributes:
        moves: how many intents made each move (``(IntentState.SENT, IntentState.SUCCEEDED): 3``); an
            intent sent by the pass counts once, from ``recorded`` to where its answer left it.
        intents: every intent the pass moved, as it is now, in the order it was moved.
        errors: ``(key, message)`` for each intent that could not be checked or sent this time (K2 could
            not be reached, a Location that no longer reads); each is left as it was, for the next pass.
    """

    moves: Mapping[Move, int] = attrs.field(hash=False)
    intents: tuple[Intent, ...]
    errors: tuple[tuple[str, str], ...]

    def count(self, old: IntentState, new: IntentState) -> int:
        """How many intents made one move.

        Args:
            old: the state they were in.
            new: the state they moved to.

        Returns:
            How many intents moved from ``old`` to ``new`` (0 if none did).
        """
        return self.moves.get((old, new), 0)


class ReconcileTally:
    """A pass's moves and errors, as they happen."""

    def __init__(self) -> None:
        self.moves: Counter[Move] = Counter()
        self.intents: builtins.list[Intent] = []
        self.errors: builtins.list[tuple[str, str]] = []

    def moved(self, before: Intent, after: Intent) -> None:
        if after.state is not before.state:
            self.moves[(before.state, after.state)] += 1
            self.intents.append(after)

    def failed(self, intent: Intent, exc: K2Error) -> None:
        self.errors.append((intent.key, f"{type(exc).__name__}: {exc}"))

    def report(self) -> ReconcileReport:
        return ReconcileReport(dict(self.moves), tuple(self.intents), tuple(self.errors))


def pages(read: Callable[[Intent | None], builtins.list[Intent]]) -> Iterator[Intent]:
    """Every intent a paged ``list`` call reads, page after page (oldest first)."""
    after: Intent | None = None
    while True:
        page = read(after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1]


@attrs.frozen
class BatchRow:
    """One create of a batch, as ``k2.intents.<operation>(key=..., **arguments)`` takes it.

    Attributes:
        key: the row's idempotency key (unique in the batch).
        operation: the create: ``"send_money"``, ``"stk_push"``, ``"create_payment"``, ``"settle_funds"``,
            ``"reverse_transaction"`` or ``"create_payment_link"``.
        arguments: its keyword arguments, as ``K2.<operation>`` takes them.
    """

    key: str
    operation: str
    arguments: Mapping[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class RowProblem:
    """Why one row of a batch was refused, or not sent this time.

    Attributes:
        index: the row's position in the batch, from 0.
        key: the row's key, or None when it is no usable key.
        field: the argument at fault (``"key"``, ``"amount"``...), or None.
        message: what is wrong.
    """

    index: int
    key: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"rows[{self.index}]" + ("" if self.key is None else f" (key {self.key!r})")
        return f"{where}: {self.message}"


@attrs.frozen
class BatchReport:
    """What ``run_batch`` did.

    Attributes:
        intents: one entry per row, in row order: the row's intent as the run left it, or ``None`` for a row
            not started (the run was stopped) or whose key is taken by another request (see ``problems``).
        counts: how many rows' intents are in each state.
        problems: rows not sent this time: K2 could not be reached (the intent is ``recorded``: the next
            run sends it), or the key is already recorded for another request.
        stopped: the ``stop`` event ended the run before every row was started.
        from_earlier_runs: rows whose intent was already in the ledger when this run reached them (an
            earlier run recorded it, or another worker running the same rows): after a crash or Ctrl-C,
            the rows carried over. None of them is sent twice; one still ``recorded`` is sent now.
    """

    intents: tuple[Intent | None, ...]
    counts: Mapping[IntentState, int] = attrs.field(hash=False)
    problems: tuple[RowProblem, ...]
    stopped: bool
    from_earlier_runs: int = 0

    @property
    def not_started(self) -> int:
        """Rows the run did not start (``stopped``), or could not record."""
        return sum(1 for intent in self.intents if intent is None)


def check_rows(rows: Sequence[object]) -> tuple[RowProblem, ...]:
    """Every problem of every row, no I/O: a key that is not a key or is used twice, an unknown operation,
    arguments the create refuses (including a fifth metadata pair: one is the intent's tag)."""
    problems: builtins.list[RowProblem] = []
    first_row: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, BatchRow):
            problems.append(
                RowProblem(index, None, None, f"a row must be a BatchRow, not {type(row).__name__}")
            )
            continue
        try:
            key: str | None = check_key(row.key)
        except K2InputError as exc:
            key = None
            problems.append(RowProblem(index, None, "key", str(exc)))
        if key is not None and key in first_row:
            problems.append(RowProblem(index, key, "key", f"the key is also rows[{first_row[key]}]'s"))
        elif key is not None:
            first_row[key] = index
        problems.extend(_argument_problems(index, key, row))
    return tuple(problems)


def _argument_problems(index: int, key: str | None, row: BatchRow) -> builtins.list[RowProblem]:
    if not isinstance(row.operation, str) or row.operation not in MONEY_OPERATIONS:
        known = ", ".join(MONEY_OPERATIONS)
        return [
            RowProblem(index, key, "operation", f"operation must be one of {known}, not {row.operation!r}")
        ]
    if not isinstance(row.arguments, Mapping):
        return [RowProblem(index, key, "arguments", "arguments must be a mapping of keyword arguments")]
    try:
        checked_request(row.operation, row.arguments)
    except K2InputError as exc:
        return [RowProblem(index, key, exc.field, str(exc))]
    except TypeError as exc:  # an argument the create does not take
        return [RowProblem(index, key, "arguments", str(exc))]
    return []


def refuse_rows(problems: Sequence[RowProblem], total: int) -> K2InputError:
    listing = "\n".join(f"  {problem}" for problem in problems)
    return K2InputError(
        f"{len(problems)} problem(s) in {total} row(s); nothing was recorded or sent:\n{listing}",
        field="rows",
    )


def check_concurrency(concurrency: object) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise K2InputError("concurrency must be a positive int", field="concurrency")
    return concurrency


@attrs.frozen
class RowDone:
    """One row of a batch, done: its intent (None when its key is another request's), what went wrong, and
    whether its intent was already in the ledger (an earlier run's, or another worker's)."""

    intent: Intent | None
    problem: RowProblem | None
    earlier: bool = False


def batch_report(
    intents: Sequence[Intent | None], problems: Iterable[RowProblem], *, stopped: bool, from_earlier_runs: int
) -> BatchReport:
    counts = Counter(intent.state for intent in intents if intent is not None)
    ordered = tuple(sorted(problems, key=lambda problem: problem.index))
    return BatchReport(tuple(intents), dict(counts), ordered, stopped, from_earlier_runs)


# ----------------------------------------------------------------------------- the blocking API
class Intents:
    """``k2.intents``: exactly-once money-moving creates over a :class:`~k2connect_ext.Ledger` (see the
    module docstring of ``k2connect_ext._intents`` for what each step means).

    One method per money-moving create (``send_money``, ``stk_push``, ``create_payment``, ``settle_funds``,
    ``reverse_transaction``, ``create_payment_link``), each taking ``K2``'s arguments plus ``key``, and
    returning the :class:`~k2connect_ext.Intent` as the send left it. Thread-safe. Reach it as
    ``k2.intents`` on a client given the ``ledger`` option.

    Args:
        k2: the client that sends.
        ledger: where the intents are recorded.
    """

    send_money: SendMoneyIntent[Intent]
    stk_push: StkPushIntent[Intent]
    create_payment: CreatePaymentIntent[Intent]
    settle_funds: SettleFundsIntent[Intent]
    reverse_transaction: ReverseTransactionIntent[Intent]
    create_payment_link: CreatePaymentLinkIntent[Intent]

    def __init__(self, k2: Sender, ledger: Ledger) -> None:
        self._k2 = k2
        self._ledger = ledger

    @property
    def ledger(self) -> Ledger:
        """Where the intents are recorded."""
        return self._ledger

    def __repr__(self) -> str:
        return f"Intents({self._ledger!r})"

    # ------------------------------------------------------------------ reading
    @sealed
    def get(self, key: str) -> Intent | None:
        """The intent recorded under ``key``.

        Args:
            key: the idempotency key it was recorded under.

        Returns:
            The intent as the ledger holds it now, or None if no intent has this key.

        Raises:
            K2StoreUnavailableError: the ledger could not be read.
        """
        return self._ledger.get(key)

    @sealed
    def list(self, states: States | None = None, *, limit: int = DEFAULT_LIST_LIMIT) -> builtins.list[Intent]:
        """The intents recorded, oldest first: to review the ``ambiguous`` and ``unresolved`` ones.

        Args:
            states: only intents in this state (an :class:`~k2connect_ext.IntentState`) or these states;
                every state if None.
            limit: the most intents returned (1000 by default).

        Returns:
            Up to ``limit`` intents, oldest first.

        Raises:
            K2InputError: an unknown state, or a ``limit`` below 1.
            K2StoreUnavailableError: the ledger could not be read.
        """
        return self._ledger.list(states, limit=limit)

    @sealed
    def wait(self, key: str, *, timeout: float | None = None) -> Intent:
        """Follow the intent's Location until K2's resource is final, and settle the intent from it.

        A failed payment settles ``failed`` (nothing is raised: the intent says it). An intent with nothing
        to follow (settled already, or without a Location: ``recorded``, ``ambiguous`` without one,
        ``unresolved``) is returned as it is.

        Args:
            key: the idempotency key it was recorded under.
            timeout: the most seconds to wait; the client's ``PollSettings.timeout`` if None.

        Returns:
            The intent: ``succeeded`` or ``failed`` once K2's resource is final, else as it was.

        Raises:
            K2InputError: no intent has this key.
            K2PollTimeoutError: K2's resource was not final within ``timeout``; the intent is unchanged.
            K2StoreUnavailableError: the ledger could not be read or written.
        """
        intent = self._existing(key)
        if intent.state not in SETTLEABLE or intent.location is None:
            return intent
        resource = self._k2.wait_for(intent.location, timeout=timeout, raise_on_failure=False)
        return settle(self._ledger, intent, resource.to_dict())

    @sealed
    def settle_from_polling(
        self, result: object, *, window: float = DEFAULT_POLL_WINDOW
    ) -> builtins.list[Intent]:
        """Settle STK push intents from a transaction polling result: each payment K2 lists that matches
        exactly one open STK push intent (phone, amount, currency, till, and paid within ``window``
        seconds of the intent), and no other, settles it ``succeeded`` with the payment's M-PESA reference.

        For the pushes whose callback never came and whose Location was lost (``ambiguous`` or
        ``unresolved``): poll the till (``k2.poll_transactions(...)``), then pass the result here, from
        ``wait()`` on the poll or from its callback (the webhook receivers given ``ledger=`` do it for
        you). Polling never fails an intent: an unpaid push is absent from the list. Rules in
        ``k2connect_ext/_intent_poll.py``.

        Args:
            result: the polling result: the model ``wait()`` returns, or the callback's JSON body.
            window: seconds after an intent was recorded in which a payment can be its payment.

        Returns:
            The intents it settled (none when nothing matched one to one).

        Raises:
            K2InputError: ``result`` is not a polling result, or ``window`` is not a positive number.
            K2StoreUnavailableError: the ledger failed.
        """
        return settle_from_polling(self._ledger, result, window=window)

    # ------------------------------------------------------------------ sending
    def _send(self, name: str, key: str, arguments: Mapping[str, Any]) -> Intent:
        intent, _ = self._ledger.record(key, name, checked_request(name, arguments))
        return self._send_if_recorded(intent)

    def _send_if_recorded(self, intent: Intent) -> Intent:
        """Send ``intent`` if nothing has yet (it is ``recorded``); any other state is returned as it is."""
        if intent.state is not IntentState.RECORDED:
            return intent
        return self._send_recorded(intent)

    def _send_recorded(self, intent: Intent) -> Intent:
        """Send a ``recorded`` intent from its recorded request (steps 4 and 5 of the module docstring)."""
        prepared = prepare(intent.operation, arguments_of(intent.request), intent.id)
        try:
            sending = self._ledger.transition(intent.id, IntentState.SENDING, expect=IntentState.RECORDED)
        except K2IntentConflictError:  # another process or thread is sending it (or did)
            return self._ledger.get_by_id(intent.id) or intent
        with _call.scope(intent.operation) as call:
            try:
                created = self._k2._create(prepared, intent.operation)
            except Exception as exc:
                verdict = verdict_of_failure(exc, left=call.request is not None)
                after = self._answer(
                    sending, verdict.to, location=verdict.location, last_error=verdict.last_error
                )
                if verdict.raise_it:
                    raise
                return after
        return self._answer(sending, IntentState.SENT, location=created.location)

    def _answer(
        self, intent: Intent, to: IntentState, *, location: str | None, last_error: str | None = None
    ) -> Intent:
        """Store K2's answer to a ``sending`` intent; a callback that settled it first is read back."""
        try:
            return self._ledger.transition(
                intent.id, to, expect=IntentState.SENDING, location=location, last_error=last_error
            )
        except K2IntentConflictError:
            return self._ledger.get_by_id(intent.id) or intent
        except K2StoreUnavailableError as exc:
            raise unstored(intent, to, location, exc) from None

    def _existing(self, key: str) -> Intent:
        intent = self._ledger.get(key)
        if intent is None:
            raise K2InputError(f"no intent is recorded under the key {key!r}", field="key")
        return intent

    # ------------------------------------------------------------------ reconciling
    @sealed
    def reconcile(
        self,
        *,
        horizon: float = 3600.0,
        sending_grace: float = DEFAULT_SENDING_GRACE,
        now: float | None = None,
    ) -> ReconcileReport:
        """Move every unsettled intent on, once; run it after a crash, and from time to time.

        * ``sent``: its Location is read, and a final resource settles it;
        * ``ambiguous`` with a Location: read; a final resource settles it, a pending one makes it ``sent``
          (K2 has it);
        * ``ambiguous`` without a Location: only its callback (tagged with the intent's id) can settle it,
          or for an STK push a transaction polling result (:meth:`settle_from_polling`); ``horizon`` seconds
          after it became ambiguous, it becomes ``unresolved`` with the reason, for a person to ``resolve``;
        * ``sending`` for longer than ``sending_grace`` seconds: the process that was sending it crashed or
          hung; it becomes ``ambiguous`` (a younger one may be in flight in another process);
        * ``recorded``: sent (as ``send_money`` and the others send).

        ``ambiguous`` and ``unresolved`` intents are never sent again. An intent that cannot be checked this
        time (K2 unreachable) is listed in the report's ``errors`` and left as it was.

        Args:
            horizon: seconds an ``ambiguous`` intent without a Location waits for its callback before it
                becomes ``unresolved`` (an hour by default).
            sending_grace: seconds a ``sending`` intent may be in flight in another process before it is
                called ``ambiguous`` (60 by default).
            now: the time the ages are measured at, in epoch seconds; the clock's if None.

        Returns:
            What the pass did: the moves, the intents it moved, and the errors it met.

        Raises:
            K2InputError: a ``horizon``, ``sending_grace`` or ``now`` that is not a finite number of seconds,
                zero or more.
            K2StoreUnavailableError: the ledger failed; the pass stopped there (run it again).
        """
        horizon = check_seconds(horizon, "horizon")
        sending_grace = check_seconds(sending_grace, "sending_grace")
        at = time.time() if now is None else check_seconds(now, "now")
        tally = ReconcileTally()
        for intent in self._every(IntentState.SENT):
            self._checked(tally, intent, self._read_sent)
        for intent in self._every(IntentState.AMBIGUOUS):
            if intent.location is not None:
                self._checked(tally, intent, self._read_ambiguous)
            elif at - intent.updated_at >= horizon:
                tally.moved(intent, self._move(intent, IntentState.UNRESOLVED, past_horizon(horizon)))
        for intent in self._every(IntentState.SENDING):
            if at - intent.updated_at >= sending_grace:
                tally.moved(intent, self._move(intent, IntentState.AMBIGUOUS, STALE_SENDING))
        for intent in self._every(IntentState.RECORDED):
            self._checked(tally, intent, self._send_recorded)
        return tally.report()

    def _every(self, state: IntentState) -> Iterator[Intent]:
        return pages(lambda after: self._ledger.list(state, limit=PAGE, after=after))

    def _checked(self, tally: ReconcileTally, intent: Intent, step: Callable[[Intent], Intent]) -> None:
        try:
            tally.moved(intent, step(intent))
        except K2StoreUnavailableError:
            raise
        except K2Error as exc:
            tally.failed(intent, exc)
            # A send that never left is back to recorded (with its error): no move to count.
            tally.moved(intent, self._ledger.get_by_id(intent.id) or intent)

    def _read_sent(self, intent: Intent) -> Intent:
        assert intent.location is not None  # a sent intent always has its Location
        return settle(self._ledger, intent, self._k2.get(intent.location).to_dict())

    def _read_ambiguous(self, intent: Intent) -> Intent:
        after = self._read_sent(intent)
        if after.state is IntentState.AMBIGUOUS:  # K2 has it, still pending: follow it as sent
            return self._move(after, IntentState.SENT, None)
        return after

    def _move(self, intent: Intent, to: IntentState, reason: str | None) -> Intent:
        try:
            return self._ledger.transition(intent.id, to, expect=intent.state, last_error=reason)
        except K2IntentConflictError:  # moved by another process (a callback, another reconciler) first
            return self._ledger.get_by_id(intent.id) or intent

    @sealed
    def resolve(self, key: str, *, sent: bool, note: str) -> Intent:
        """A person's decision on an ``unresolved`` intent, recorded with ``note``.

        ``sent=True``: it reached K2 and took effect, so it becomes ``succeeded``. ``sent=False``: it never
        did, so it becomes ``recorded`` and the next call with its key (or ``reconcile()``) sends it.

        Args:
            key: the idempotency key it was recorded under.
            sent: whether the payment reached K2 and took effect (check K2's dashboard or statement first).
            note: who decided and what they checked; kept with the intent.

        Returns:
            The intent, ``succeeded`` or ``recorded``.

        Raises:
            K2InputError: no intent has this key, or ``note`` is blank.
            K2IntentConflictError: the intent is not ``unresolved`` (nothing changed).
        """
        intent = self._existing(key)
        to, text = resolution(intent.state, sent, note)
        return self._ledger.transition(intent.id, to, expect=IntentState.UNRESOLVED, note=text)

    # ------------------------------------------------------------------ batches
    @sealed
    def check_rows(self, rows: Sequence[BatchRow]) -> tuple[RowProblem, ...]:
        """Every problem of every row, found without sending or recording anything (see ``run_batch``).

        Args:
            rows: the batch's rows.

        Returns:
            Each problem, with its row's index, key and field; empty when every row is good.
        """
        return check_rows(rows)

    @sealed
    def run_batch(
        self,
        rows: Iterable[BatchRow],
        *,
        concurrency: int = 4,
        stop: threading.Event | None = None,
        on_progress: Callable[[Intent], object] | None = None,
    ) -> BatchReport:
        """Send many creates, each once, ``concurrency`` at a time (threads); run it again to carry on.

        Every row is checked first: if any is bad, a ``K2InputError`` (``field="rows"``) lists every problem
        with its row index, and nothing is recorded or sent (``check_rows`` gives the same list as data).
        Then each row is sent as ``k2.intents.<operation>(key=..., **arguments)`` sends it: a row whose key
        is already recorded is not sent again. ``on_progress(intent)`` is called, in this thread, after each
        row that has an intent (a row whose key another request holds has none: see the report's
        ``problems``). Once ``stop`` is set no new row starts; those running finish, and the report says
        ``stopped``. Running the same rows again (after a stop, a crash, Ctrl-C) sends only what was never
        sent.

        Args:
            rows: the creates to send, one :class:`BatchRow` each (its key, operation and arguments).
            concurrency: how many rows are sent at once (4 by default).
            stop: an event that, once set, starts no new row.
            on_progress: called with each row's intent as it is done.

        Returns:
            What the run did: each row's intent, the counts per state, the rows not sent this time, and
                whether it was stopped.

        Raises:
            K2InputError: bad rows (nothing recorded), or a ``concurrency`` below 1.
            K2StoreUnavailableError: the ledger failed; no new row started after it (run again later).
        """
        batch = builtins.list(rows)
        problems = check_rows(batch)
        if problems:
            raise refuse_rows(problems, len(batch))
        workers = check_concurrency(concurrency)
        results: builtins.list[Intent | None] = [None] * len(batch)
        found: builtins.list[RowProblem] = []
        earlier = 0
        started = 0
        failure: BaseException | None = None
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            running: dict[concurrent.futures.Future[RowDone], int] = {}
            while True:
                while failure is None and started < len(batch) and len(running) < workers:
                    if stop is not None and stop.is_set():
                        break
                    running[pool.submit(self._batch_row, started, batch[started])] = started
                    started += 1
                if not running:
                    break
                done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in sorted(done, key=running.__getitem__):
                    index = running.pop(future)
                    try:
                        row_done = future.result()
                    except Exception as exc:  # the ledger failed (or a bug): finish what runs, then raise it
                        failure = failure or exc
                        continue
                    results[index] = intent = row_done.intent
                    found.extend([row_done.problem] if row_done.problem is not None else [])
                    earlier += row_done.earlier
                    if on_progress is not None and intent is not None:
                        on_progress(intent)
        if failure is not None:
            raise failure
        return batch_report(results, found, stopped=started < len(batch), from_earlier_runs=earlier)

    def _batch_row(self, index: int, row: BatchRow) -> RowDone:
        try:
            request = checked_request(row.operation, row.arguments)
            intent, recorded_now = self._ledger.record(row.key, row.operation, request)
        except K2InputError as exc:  # the key is recorded for another request
            return RowDone(None, RowProblem(index, row.key, exc.field, str(exc)))
        try:
            return RowDone(self._send_if_recorded(intent), None, earlier=not recorded_now)
        except NOT_SENT as exc:  # never processed: the intent is back to recorded, for the next run
            problem = RowProblem(index, row.key, None, f"not sent: {exc}")
            return RowDone(self._ledger.get(row.key), problem, earlier=not recorded_now)


def _intent_method(name: str) -> Callable[..., Intent]:
    def method(self: Intents, /, *, key: str, **arguments: Any) -> Intent:
        return self._send(name, key, arguments)

    describe(method, name, "Intents", "Intent")
    return sealed(method)


for _name in MONEY_OPERATIONS:  # one method per money-moving create, each with its builder's signature
    setattr(Intents, _name, _intent_method(_name))
