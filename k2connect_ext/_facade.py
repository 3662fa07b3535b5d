"""``K2`` and ``AsyncK2``: one method per thing a merchant does with K2 Connect.

Each create method validates its inputs before anything is sent (``_operations``), calls the generated
operation through the configured client (``_client``), reads the ``Location`` of the 201 and returns a
typed handle with the location, the resource id and ``wait()`` (``_polling``). The sync and async facades are
generated from the same builders, so they take the same arguments and reject the same inputs, and each
method carries its builder's signature (``help(K2.stk_push)`` shows the real parameters).

    with K2() as k2:                                   # credentials from K2_CLIENT_ID / K2_CLIENT_SECRET
        payment = k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000",
                              callback_url="https://example.com/k2/result")
        result = payment.wait()                         # IncomingPaymentResult, or K2PaymentFailedError
"""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, Final, Generic, ParamSpec, Self, TypeVar, Unpack, overload

import attrs
import httpx
from k2connect_client import AuthenticatedClient, Client
from k2connect_client.api.oauth import get_token_info, introspect_access_token, revoke_access_token
from k2connect_client.api.v2 import v2_cancel_payment_link
from k2connect_client.models import (
    IntrospectResponse,
    PaymentLinkCancelResponse,
    TokenActionRequest,
    TokenInfoResponse,
)
from k2connect_client.types import Response

from k2connect_ext import _call
from k2connect_ext import _operations as ops
from k2connect_ext._client import abuild, build
from k2connect_ext._docstrings import Docstring
from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2UnexpectedResponseError
from k2connect_ext._invoke import async_invoke, invoke
from k2connect_ext._locations import Resource, aread, location_from_headers, parse_location, read
from k2connect_ext._polling import PollSettings, async_wait_for, wait_for
from k2connect_ext._sealed import asealed, sealed
from k2connect_ext._settings import HttpBackend, K2Options, K2Settings, takes_options
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken
from k2connect_ext._translate import ambiguous_outcome_error
from k2connect_ext._validation import validate_resource_id

if TYPE_CHECKING:
    from k2connect_ext._async_intents import AsyncIntents
    from k2connect_ext._intents import Intents
    from k2connect_ext._ledger import Ledger
    from k2connect_ext.webhooks._events import K2Event
    from k2connect_ext.webhooks._signatures import RawBody

__all__ = ["K2", "AsyncCreated", "AsyncK2", "Created"]

T = TypeVar("T")
P = ParamSpec("P")


@attrs.frozen
class Created(Generic[T]):
    """What a create returns: where the resource lives, its id, and a way to wait for its outcome.

    ``T`` is the resource's model (``IncomingPaymentResult`` for an STK push): what ``fetch()`` and
    ``wait()`` return, and what ``K2.get(created)`` / ``K2.wait_for(created)`` return for it. Made by the
    create methods of :class:`K2`, not by hand.

    Attributes:
        location: the resource's URL at K2 (the ``Location`` K2 answered with): keep it to read the
            resource later (``K2.get(location)``), from any process.
        id: the resource's id, the last part of ``location``.
        kind: what K2 created: ``"incoming_payment"``, ``"send_money"``, ``"payment_link"``...
        k2: the client that made it, which ``fetch()`` and ``wait()`` use (kept out of ``repr``).
    """

    location: str
    id: str
    kind: str
    _k2: K2 = attrs.field(repr=False, alias="k2")

    def fetch(self) -> T:
        """Read the resource once, whatever its state.

        Returns:
            The resource's model, as K2 holds it now (its status may still be pending).

        Raises:
            K2NotFoundError: K2 has no such resource.
            K2APIError: another error status (K2AuthError: the credentials or token were refused).
            K2ConnectionError: K2 could not be reached (``K2TimeoutError`` if a timeout fired).
            K2UnexpectedResponseError: K2 answered with a body that is not the resource.
        """
        return self._k2.get(self)

    def wait(self, *, timeout: float | None = None, raise_on_failure: bool = True) -> T:
        """Read the resource until K2 reports it finished: succeeded, or failed (see ``K2.wait_for``).

        Args:
            timeout: the most seconds to wait, every read included; the client's ``PollSettings.timeout``
                (120 s by default) if None.
            raise_on_failure: raise ``K2PaymentFailedError`` for a failed resource (default); False returns
                it like a successful one (read its status, or ``outcome_of``).

        Returns:
            The finished resource's model (an ``IncomingPaymentResult`` for an STK push).

        Raises:
            K2PaymentFailedError: it failed (a declined or cancelled payment...); the resource, its
                ``status`` and ``reason`` are attached.
            K2PollTimeoutError: it was not finished within ``timeout``; the last resource read is attached.
                Nothing was cancelled: wait again, or let its callback settle it.
            K2APIError: K2 refused a read with a status that waiting cannot cure (401, 403, 404).
        """
        return self._k2.wait_for(self, timeout=timeout, raise_on_failure=raise_on_failure)


@attrs.frozen
class AsyncCreated(Generic[T]):
    """The asyncio twin of :class:`Created`: what the create methods of :class:`AsyncK2` return.

    Attributes:
        location: the resource's URL at K2 (the ``Location`` K2 answered with): keep it to read the
            resource later (``AsyncK2.get(location)``), from any process.
        id: the resource's id, the last part of ``location``.
        kind: what K2 created: ``"incoming_payment"``, ``"send_money"``, ``"payment_link"``...
        k2: the client that made it, which ``fetch()`` and ``wait()`` use (kept out of ``repr``).
    """

    location: str
    id: str
    kind: str
    _k2: AsyncK2 = attrs.field(repr=False, alias="k2")

    async def fetch(self) -> T:
        """Read the resource once, whatever its state.

        Returns:
            The resource's model, as K2 holds it now (its status may still be pending).

        Raises:
            K2NotFoundError: K2 has no such resource.
            K2APIError: another error status (K2AuthError: the credentials or token were refused).
            K2ConnectionError: K2 could not be reached (``K2TimeoutError`` if a timeout fired).
            K2UnexpectedResponseError: K2 answered with a body that is not the resource.
        """
        return await self._k2.get(self)

    async def wait(self, *, timeout: float | None = None, raise_on_failure: bool = True) -> T:
        """Read the resource until K2 reports it finished: succeeded, or failed (see ``AsyncK2.wait_for``).

        Args:
            timeout: the most seconds to wait, every read included; the client's ``PollSettings.timeout``
                (120 s by default) if None.
            raise_on_failure: raise ``K2PaymentFailedError`` for a failed resource (default); False returns
                it like a successful one (read its status, or ``outcome_of``).

        Returns:
            The finished resource's model (an ``IncomingPaymentResult`` for an STK push).

        Raises:
            K2PaymentFailedError: it failed (a declined or cancelled payment...); the resource, its
                ``status`` and ``reason`` are attached.
            K2PollTimeoutError: it was not finished within ``timeout``; the last resource read is attached.
                Nothing was cancelled: wait again, or let its callback settle it.
            K2APIError: K2 refused a read with a status that waiting cannot cure (401, 403, 404).
        """
        return await self._k2.wait_for(self, timeout=timeout, raise_on_failure=raise_on_failure)


def _handle_parts(response: Response[Any], call: _call.Call) -> tuple[str, str, str]:
    """The Location, id and kind of what a create made; ambiguous when the Location cannot be followed."""
    location = location_from_headers(
        response.headers, operation=call.operation or "create", status_code=int(response.status_code)
    )
    try:
        ref = parse_location(location)
    except K2InputError:
        ref = None
    if ref is None:
        # K2 created something (201) but says where in a form we cannot read: its outcome is unknown to us.
        # A create's POST always passes the retrying transport, which records it as this call's request.
        assert call.request is not None, "a create's request was not recorded"
        raise ambiguous_outcome_error(
            call.request,
            reason="a Location that names no resource this SDK can read",
            status_code=int(response.status_code),
            location=location,
        )
    return location, ref.id, ref.kind


def _signature_of(builder: Callable[..., Any], returns: str) -> inspect.Signature:
    """The builder's parameters after ``self``, returning ``returns``: what ``help()`` and IDEs show."""
    signature = inspect.signature(builder)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    return signature.replace(parameters=[this, *signature.parameters.values()], return_annotation=returns)


def _sync_create(
    builder: Callable[P, ops.Prepared[T]],
) -> Callable[Concatenate[K2, P], Created[T]]:
    @sealed
    def method(self: K2, /, *args: P.args, **kwargs: P.kwargs) -> Created[T]:
        return self._create(builder(*args, **kwargs), builder.__name__)

    _describe(method, builder, "K2", "Created")
    return method


def _async_create(
    builder: Callable[P, ops.Prepared[T]],
) -> Callable[Concatenate[AsyncK2, P], Awaitable[AsyncCreated[T]]]:
    @asealed
    async def method(self: AsyncK2, /, *args: P.args, **kwargs: P.kwargs) -> AsyncCreated[T]:
        return await self._create(builder(*args, **kwargs), builder.__name__)

    _describe(method, builder, "AsyncK2", "AsyncCreated")
    return method


def _describe(method: Callable[..., Any], builder: Callable[..., Any], owner: str, handle: str) -> None:
    # Not functools.wraps: __wrapped__ would make inspect show the builder's own return (Prepared[...]).
    returned = str(inspect.signature(builder).return_annotation).replace("Prepared", handle)
    method.__name__ = builder.__name__
    method.__qualname__ = f"{owner}.{builder.__name__}"
    method.__doc__ = create_doc(builder, handle)
    method.__dict__["__signature__"] = _signature_of(builder, returned)  # what inspect.signature reads


# What sending a create can raise, beyond the builder's K2InputError: the same for every create, since
# every API POST may move money (``_money_safety``).
_SENDING_ERRORS: Final = (
    "K2AuthError: K2 refused the credentials or the token (401, 403); nothing was processed.",
    "K2ValidationError: K2 refused the request (400, 422; ``error_message`` says why); nothing was\n"
    "    processed.",
    "K2RateLimitError: too many requests (429); nothing was processed. ``retry_after`` says when to try\n"
    "    again, if K2 said.",
    "K2APIError: another error status (a 404...); nothing was processed.",
    "K2ConnectionError: K2 could not be reached and nothing was sent (``K2TimeoutError`` if a timeout\n"
    "    fired first): calling again is safe.",
    "K2AmbiguousOutcomeError: the request may have reached K2 and no definite answer came (a 5xx, a\n"
    "    timeout or a cut connection after it was sent, a 201 without a Location this SDK can read): it MAY\n"
    "    have moved money. Never call again blindly: find out first (its callback, ``location`` when\n"
    "    the error has one, or send through ``k2.intents``, which records each request once).",
    "K2ConfigError: the client was closed.",
)


def create_doc(builder: Callable[..., Any], handle: str) -> str:
    """The docstring of a create method: its builder's, returning the handle and raising what sending can.

    Args:
        builder: the create's builder in ``_operations`` (its docstring has ``Args:``, ``Returns:``,
            ``Raises:``).
        handle: ``"Created"`` (``K2``) or ``"AsyncCreated"`` (``AsyncK2``).

    Returns:
        The builder's docstring with its ``Returns:`` (a request) replaced by the handle, and the errors of
            sending added to its ``Raises:``.
    """
    annotation = str(inspect.signature(builder).return_annotation)
    model = annotation.removeprefix("Prepared[").removesuffix("]")
    wait = "``await handle.wait()``" if handle == "AsyncCreated" else "``handle.wait()``"
    returns = (
        f"The handle of what K2 created (``{handle}[{model}]``): ``handle.location`` is its\n"
        f"    URL at K2, ``handle.id`` its id. {wait} reads it until K2 reports it finished\n"
        f"    and returns the ``{model}`` (raising ``K2PaymentFailedError`` if it failed,\n"
        "    ``K2PollTimeoutError`` past the client's ``PollSettings.timeout``); ``handle.fetch()``\n"
        "    reads it once."
    )
    doc = Docstring.parse(builder.__doc__)
    doc = doc.with_section("Returns", [returns])
    return doc.with_section("Raises", [*doc.entries("Raises"), *_SENDING_ERRORS]).render()


def _id_of(location_or_id: str) -> str:
    if not isinstance(location_or_id, str) or "/" not in location_or_id:
        return validate_resource_id(location_or_id, "id")
    try:
        ref = parse_location(location_or_id)
    except K2InputError:
        ref = None
    if ref is None:  # raised outside the except block: the error is the one a caller needs
        raise K2InputError("expected a payment link Location or id", field="id")
    # The Location of another resource (an STK push, a reversal) must not cancel a link with that id.
    if ref.kind != "payment_link":
        raise K2InputError(
            f"expected a payment link Location or id, got the Location of a {ref.kind}", field="id"
        )
    return ref.id


def _ledger_of(value: object) -> tuple[Ledger | None, bool]:
    """The ``ledger`` option as a ledger, and whether the client opened it (and so closes it)."""
    if value is None:
        return None, False
    from k2connect_ext._ledger import Ledger, open_ledger  # loaded only by clients given a ledger

    if isinstance(value, str | os.PathLike):
        return open_ledger(value), True
    if isinstance(value, Ledger):
        return value, False
    raise K2ConfigError(
        "ledger must be a ledger URL ('sqlite:///payouts.db', 'postgresql://...'), a file path or a Ledger, "
        f"not {type(value).__name__}"
    )


_NO_LEDGER = (
    "{owner}.intents needs a ledger to record payment intents in: pass the 'ledger' option, e.g. "
    "{owner}(..., ledger='sqlite:///payouts.db') or a Ledger"
)


class _Base:
    settings: K2Settings
    client: AuthenticatedClient

    @property
    def api_key(self) -> str | None:
        """The application's API key (``api_key=`` or ``K2_API_KEY``): what webhooks are verified with."""
        return self.settings.api_key

    @sealed
    def construct_event(self, body: RawBody, signature: str | bytes | None) -> K2Event:
        """Verify a webhook or callback with this client's API key, then parse it.

        The same as :func:`k2connect_ext.webhooks.construct_event` with ``api_key=self.api_key``; a client
        built without an API key refuses every body (``WebhookSignatureError``: fail closed).

        Args:
            body: the request's raw body, the exact bytes K2 sent (``await request.body()``, Flask's
                ``request.get_data()``, Django's ``request.body``), never re-serialised JSON.
            signature: the ``X-KopoKopo-Signature`` header's value, or None when it is missing.

        Returns:
            The parsed event: a webhook (``event.topic``) or the result of a create (``event.kind``).

        Raises:
            WebhookSignatureError: the signature is missing, malformed or wrong, or this client has no API
                key. Answer 401.
            WebhookPayloadError: the body is not JSON, or breaks the schema of its kind. Answer 400.
        """
        # Webhook code loads only when used. Verified first, so an unsigned body is never parsed.
        from k2connect_ext.webhooks._events import parse_event
        from k2connect_ext.webhooks._signatures import verify_signature

        verify_signature(body, signature, self)
        return parse_event(body)

    def _token_action(self, token: str) -> TokenActionRequest:
        return TokenActionRequest(
            client_id=self.settings.client_id, client_secret=self.settings.client_secret, token=token
        )

    def _plain_client(self) -> Client:
        # Revoke and introspect authenticate with the credentials in their body; they still go through the
        # same connection pool, error mapping and retries (K2OAuth leaves /oauth/ paths alone).
        plain = Client(base_url=self.settings.base_url, raise_on_unexpected_status=True)
        if self.client._client is not None:
            plain.set_httpx_client(self.client.get_httpx_client())
        if self.client._async_client is not None:
            plain.set_async_httpx_client(self.client.get_async_httpx_client())
        return plain

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"


def _location_of(location: str | Created[Any] | AsyncCreated[Any]) -> str:
    if isinstance(location, str):
        return location
    if isinstance(location, Created | AsyncCreated):
        return location.location
    raise K2InputError(
        f"location must be a Location (str) or what a create returned, not {type(location).__name__}",
        field="location",
    )


M = TypeVar("M")


def _parsed_as(response: Response[Any], model: type[M], what: str) -> M:
    """The parsed body as ``model``: error statuses were raised before parsing, so anything else is odd."""
    if not isinstance(response.parsed, model):
        raise K2UnexpectedResponseError(
            f"K2 answered {what} without {model.__name__}", status_code=int(response.status_code)
        )
    return response.parsed


@takes_options
class K2(_Base):
    """The client: one method per thing a merchant does with K2 Connect, each checked before it is sent.

    Thread-safe: share one instance (one connection pool, one token) across threads. Close it when done
    (``with K2() as k2:``, or ``k2.close()``). ``AsyncK2`` is its asyncio twin.

        with K2() as k2:  # the credentials from K2_CLIENT_ID and K2_CLIENT_SECRET
            payment = k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000",
                                  callback_url="https://example.com/k2/result")
            result = payment.wait()  # the IncomingPaymentResult, or K2PaymentFailedError

    Args:
        client_id: the application's client id; ``K2_CLIENT_ID`` if None.
        client_secret: its client secret; ``K2_CLIENT_SECRET`` if None. Never shown in a repr, an error or
            a log line.
        transport: replaces the network: an ``httpx.MockTransport`` in tests, or the local sandbox's app.
        poll: how ``wait()`` waits (a :class:`~k2connect_ext.PollSettings`); None: up to 120 s, reading
            after 1 s, then less and less often, at least every 10 s.
        sleep: how a wait sleeps between reads (``time.sleep``); injectable in tests.
        **options: the :class:`~k2connect_ext.K2Options`, by name: ``base_url``, ``api_key``, ``timeout``,
            ``retry``, ``token_store``, ``ledger``...

    Raises:
        K2ConfigError: a credential is missing, or an option is unknown or bad (a plain-http base URL, an
            infinite timeout, a ledger that is no URL, path or Ledger).
        K2StoreUnavailableError: the ``ledger`` names an SQLite file that cannot be a ledger.
    """

    @sealed
    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        poll: PollSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Unpack[K2Options],
    ) -> None:
        connection = build(client_id, client_secret, transport, options)
        self.settings = connection.settings
        self.client = connection.client
        self._tokens: TokenManager = connection.tokens
        self.poll = poll or PollSettings()
        self._sleep = sleep
        try:
            self._ledger, self._owns_ledger = _ledger_of(options.get("ledger"))
        except BaseException:
            self.client.get_httpx_client().close()
            raise
        self._intents: Intents | None = None
        if self._ledger is not None:
            from k2connect_ext._intents import Intents

            self._intents = Intents(self, self._ledger)

    @property
    def intents(self) -> Intents:
        """Payment intents: each money-moving create recorded in the ledger first, and sent at most once.

        See :class:`~k2connect_ext.Intents`: ``k2.intents.send_money(key=..., ...)`` takes ``send_money``'s
        arguments plus an idempotency ``key``. Needs the ``ledger`` option; without it, reading this is a
        ``K2ConfigError`` that says so.
        """
        if self._intents is None:
            raise K2ConfigError(_NO_LEDGER.format(owner="K2"))
        return self._intents

    def close(self) -> None:
        """Close the client: its connection pool, and the ledger if the client opened it from a URL or path.

        A ledger object passed in (``ledger=SQLiteLedger(...)``) stays open: it is the caller's to close.
        Calling ``close()`` twice is harmless; any call after it raises ``K2ConfigError``. ``with K2() as
        k2:`` calls it on the way out.
        """
        self.client.get_httpx_client().close()
        if self._ledger is not None and self._owns_ledger:
            self._ledger.close()

    def __enter__(self) -> Self:
        """The client itself, closed when the ``with`` block ends."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the client (see :meth:`close`), whether the block raised or not."""
        self.close()

    # ------------------------------------------------------------------ plumbing
    def _create(self, prepared: ops.Prepared[T], name: str) -> Created[T]:
        with _call.scope(name) as call:
            response = invoke(prepared.name, prepared.sync, client=self.client, body=prepared.body)
            location, resource_id, kind = _handle_parts(response, call)
        return Created(location, resource_id, kind, k2=self)

    @overload
    def get(self, location: Created[T]) -> T: ...
    @overload
    def get(self, location: str) -> Resource: ...
    @sealed
    def get(self, location: str | Created[Any]) -> Any:
        """Read the resource at a Location (or of a ``Created`` handle) once, whatever its state.

        The resource is read through this client's base URL, never by following the Location's host: the
        token only ever goes to the host you configured.

        Args:
            location: a ``Location`` K2 answered a create with (absolute or relative), or the handle a
                create returned.

        Returns:
            The resource's model: for a handle, its ``T`` (an ``IncomingPaymentResult``...); for a
                Location, the model of the kind it names.

        Raises:
            K2InputError: ``location`` is no K2 resource Location this SDK can read.
            K2NotFoundError: K2 has no such resource.
            K2APIError: another error status (K2AuthError: the credentials or token were refused).
            K2ConnectionError: K2 could not be reached (``K2TimeoutError`` if a timeout fired).
            K2UnexpectedResponseError: K2 answered with a body that is not the resource.
        """
        return read(self.client, parse_location(_location_of(location)))

    @overload
    def wait_for(
        self, location: Created[T], *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> T: ...
    @overload
    def wait_for(
        self, location: str, *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> Resource: ...
    @sealed
    def wait_for(
        self, location: str | Created[Any], *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> Any:
        """Read a resource until K2 reports it finished: succeeded, or failed.

        Reads are spaced by ``self.poll`` (capped exponential backoff); a connection error, 429 or 5xx only
        delays the next read, and any other error status ends the wait at once.

        Args:
            location: a ``Location`` K2 answered a create with, or the handle a create returned.
            timeout: the most seconds to wait, every read included; ``self.poll.timeout`` if None.
            raise_on_failure: raise ``K2PaymentFailedError`` for a failed resource (default); False returns
                it like a successful one.

        Returns:
            The finished resource's model (for a handle, its ``T``).

        Raises:
            K2InputError: ``location`` is no K2 resource Location this SDK can read.
            K2PaymentFailedError: it failed; the resource, its ``status`` and ``reason`` are attached.
            K2PollTimeoutError: it was not finished within ``timeout``; the last resource read is attached.
            K2APIError: K2 refused a read with a status that waiting cannot cure (401, 403, 404).
            K2UnexpectedResponseError: K2 answered with a body that is not the resource.
        """
        settings = self.poll if timeout is None else attrs.evolve(self.poll, timeout=timeout)
        return wait_for(
            self.client,
            _location_of(location),
            settings=settings,
            sleep=self._sleep,
            raise_on_failure=raise_on_failure,
        )

    # ------------------------------------------------------------------ tokens
    @sealed
    def token(self) -> AccessToken:
        """The access token this client sends: fetched once, cached, and renewed before it expires.

        Returns:
            The token, with its expiry.

        Raises:
            K2AuthError: the token endpoint refused the credentials.
            K2ConnectionError: K2 could not be reached.
            K2UnexpectedResponseError: the token endpoint answered with something that is not a token.
        """
        return self._tokens.get()

    @sealed
    def revoke_token(self, token: str | None = None) -> None:
        """Revoke a token at K2; when it is the current one, the next call fetches a new one.

        Args:
            token: the token to revoke; the current one if None.

        Raises:
            K2APIError: K2 refused the revocation (``K2AuthError``: the credentials).
            K2ConnectionError: K2 could not be reached.
        """
        current = self.token()
        value = token or current.value
        invoke(
            "revoke_access_token",
            revoke_access_token.sync_detailed,
            client=self._plain_client(),
            body=self._token_action(value),
        )
        if value == current.value:
            self._tokens.invalidate(current)

    @sealed
    def introspect_token(self, token: str | None = None) -> IntrospectResponse:
        """Ask K2 whether a token is active, and what it is for.

        Args:
            token: the token to ask about; the current one if None.

        Returns:
            K2's answer: ``active``, and for an active token its scope, client and expiry.

        Raises:
            K2APIError: K2 refused the request (``K2AuthError``: the credentials).
            K2ConnectionError: K2 could not be reached.
            K2UnexpectedResponseError: K2 answered without an introspection body.
        """
        value = token or self.token().value
        return _parsed_as(
            invoke(
                "introspect_access_token",
                introspect_access_token.sync_detailed,
                client=self._plain_client(),
                body=self._token_action(value),
            ),
            IntrospectResponse,
            "introspect",
        )

    @sealed
    def token_info(self) -> TokenInfoResponse:
        """What K2 knows of the current token: the application it belongs to, and its seconds left.

        Returns:
            K2's token info.

        Raises:
            K2APIError: K2 refused the request (``K2AuthError``: the token).
            K2ConnectionError: K2 could not be reached.
            K2UnexpectedResponseError: K2 answered without a token info body.
        """
        response = invoke("get_token_info", get_token_info.sync_detailed, client=self.client)
        return _parsed_as(response, TokenInfoResponse, "token info")

    # ------------------------------------------------------------------ operations
    subscribe_webhook = _sync_create(ops.subscribe_webhook)
    send_sms_notification = _sync_create(ops.send_sms_notification)
    stk_push = _sync_create(ops.stk_push)
    add_recipient = _sync_create(ops.add_recipient)
    create_payment = _sync_create(ops.create_payment)
    add_merchant_wallet = _sync_create(ops.add_merchant_wallet)
    add_merchant_bank_account = _sync_create(ops.add_merchant_bank_account)
    settle_funds = _sync_create(ops.settle_funds)
    poll_transactions = _sync_create(ops.poll_transactions)
    send_money = _sync_create(ops.send_money)
    reverse_transaction = _sync_create(ops.reverse_transaction)
    create_payment_link = _sync_create(ops.create_payment_link)

    @sealed
    def cancel_payment_link(self, location_or_id: str) -> str:
        """Cancel a payment link that was not paid yet.

        Args:
            location_or_id: the link's Location (``handle.location`` of ``create_payment_link``) or its id
                (``handle.id``).

        Returns:
            K2's message: ``"Payment link cancelled."``.

        Raises:
            K2InputError: neither a payment link's Location nor an id (the Location of another kind of
                resource included); nothing was sent.
            K2NotFoundError: K2 has no such link.
            K2APIError: another error status (K2AuthError: the credentials or token were refused).
            K2ConnectionError: K2 could not be reached, and nothing was sent.
            K2AmbiguousOutcomeError: the request may have reached K2 and no definite answer came: read the
                link to find out whether it was cancelled.
        """
        response = invoke(
            "v2_cancel_payment_link",
            v2_cancel_payment_link.sync_detailed,
            _id_of(location_or_id),
            client=self.client,
        )
        return _parsed_as(response, PaymentLinkCancelResponse, "the cancel").message


@takes_options
class AsyncK2(_Base):
    """The asyncio client: the same methods as :class:`K2`, taking the same arguments, awaited.

    Share one instance across tasks; close it when done (``async with AsyncK2() as k2:``, or ``await
    k2.aclose()``).

        async with AsyncK2() as k2:  # the credentials from K2_CLIENT_ID and K2_CLIENT_SECRET
            payment = await k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000",
                                        callback_url="https://example.com/k2/result")
            result = await payment.wait()

    Args:
        client_id: the application's client id; ``K2_CLIENT_ID`` if None.
        client_secret: its client secret; ``K2_CLIENT_SECRET`` if None. Never shown in a repr, an error or
            a log line.
        transport: replaces the network: an ``httpx.MockTransport`` in tests, or the local sandbox's app.
        http_backend: ``"httpx"`` (default; needs nothing more) or ``"aiohttp"`` (the extra
            ``k2connect-sdk[aiohttp]``), the fast choice for many concurrent tasks. Every safety rule holds
            on both.
        poll: how ``wait()`` waits (a :class:`~k2connect_ext.PollSettings`); None: up to 120 s, reading
            after 1 s, then less and less often, at least every 10 s.
        sleep: how a wait sleeps between reads (``asyncio.sleep``); injectable in tests.
        **options: the :class:`~k2connect_ext.K2Options`, by name: ``base_url``, ``api_key``, ``timeout``,
            ``retry``, ``token_store``, ``ledger``...

    Raises:
        K2ConfigError: a credential is missing, an unknown ``http_backend``, or an option is unknown or
            bad (a plain-http base URL, an infinite timeout, a ledger that is no URL, path or Ledger).
        K2StoreUnavailableError: the ``ledger`` names an SQLite file that cannot be a ledger.
    """

    @sealed
    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_backend: HttpBackend = "httpx",
        poll: PollSettings | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **options: Unpack[K2Options],
    ) -> None:
        connection = abuild(client_id, client_secret, transport, http_backend, options)
        self.settings = connection.settings
        self.client = connection.client
        self._tokens: AsyncTokenManager = connection.tokens
        self.poll = poll or PollSettings()
        self._sleep = sleep
        # Opened here, blocking, like the connection pool: a constructor cannot await.
        self._ledger, self._owns_ledger = _ledger_of(options.get("ledger"))
        self._intents: AsyncIntents | None = None
        if self._ledger is not None:
            from k2connect_ext._async_intents import AsyncIntents
            from k2connect_ext._ledger import AsyncLedger

            self._intents = AsyncIntents(self, AsyncLedger(self._ledger))

    @property
    def intents(self) -> AsyncIntents:
        """Payment intents, awaited: each money-moving create recorded first, and sent at most once.

        See :class:`~k2connect_ext.AsyncIntents`. Needs the ``ledger`` option; without it, reading this is
        a ``K2ConfigError`` that says so.
        """
        if self._intents is None:
            raise K2ConfigError(_NO_LEDGER.format(owner="AsyncK2"))
        return self._intents

    async def aclose(self) -> None:
        """Close the client: its connection pools, and the ledger if the client opened it from a URL or path.

        A ledger object passed in stays open: it is the caller's to close. Calling ``aclose()`` twice is
        harmless; any call after it raises ``K2ConfigError``. ``async with AsyncK2() as k2:`` calls it on
        the way out.
        """
        await self.client.get_async_httpx_client().aclose()
        if self._ledger is not None and self._owns_ledger:
            await asyncio.to_thread(self._ledger.close)

    async def __aenter__(self) -> Self:
        """The client itself, closed when the ``async with`` block ends."""
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the client (see :meth:`aclose`), whether the block raised or not."""
        await self.aclose()

    async def _create(self, prepared: ops.Prepared[T], name: str) -> AsyncCreated[T]:
        with _call.scope(name) as call:
            response = await async_invoke(
                prepared.name, prepared.asyncio, client=self.client, body=prepared.body
            )
            location, resource_id, kind = _handle_parts(response, call)
        return AsyncCreated(location, resource_id, kind, k2=self)

    @overload
    async def get(self, location: AsyncCreated[T]) -> T: ...
    @overload
    async def get(self, location: str) -> Resource: ...
    @asealed
    async def get(self, location: str | AsyncCreated[Any]) -> Any:
        """Read the resource at a Location (or of an ``AsyncCreated`` handle) once, whatever its state.

        Args:
            location: a ``Location`` K2 answered a create with (absolute or relative), or the handle a
                create returned.

        Returns:
            The resource's model: for a handle, its ``T``; for a Location, the model of the kind it names.

        Raises:
            K2InputError: ``location`` is no K2 resource Location this SDK can read.
            K2NotFoundError: K2 has no such resource.
            K2APIError: another error status (K2AuthError: the credentials or token were refused).
            K2ConnectionError: K2 could not be reached (``K2TimeoutError`` if a timeout fired).
            K2UnexpectedResponseError: K2 answered with a body that is not the resource.
        """
        return await aread(self.client, parse_location(_location_of(location)))

    @overload
    async def wait_for(
        self, location: AsyncCreated[T], *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> T: ...
    @overload
    async def wait_for(
        self, location: str, *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> Resource: ...
    @asealed
    async def wait_for(
        self,
        location: str | AsyncCreated[Any],
        *,
        timeout: float | None = None,
        raise_on_failure: bool = True,
    ) -> Any:
        """Read a resource until K2 reports it finished: succeeded, or failed (see :meth:`K2.wait_for`).

        Args:
            location: a ``Location`` K2 answered a create with, or the handle a create returned.
            timeout: the most seconds to wait, every read included; ``self.poll.timeout`` if None.
            raise_on_failure: raise ``K2PaymentFailedError`` for a failed resource (default); False returns
                it like a successful one.

        Returns:
            The finished resource's model (for a handle, its ``T``).

        Raises:
            K2InputError: ``location`` is no K2 resource Location this SDK can read.
            K2PaymentFailedError: it failed; the resource, its ``status`` and ``reason`` are attached.
            K2PollTimeoutError: it was not finished within ``timeout``; the last resource read is attached.
            K2APIError: K2 refused a read with a status that waiting cannot cure (401, 403, 404).
            K2UnexpectedResponseError: K2 answered with a body that is not the resource.
        """
        settings = self.poll if timeout is None else attrs.evolve(self.poll, timeout=timeout)
        return await async_wait_for(
            self.client,
            _location_of(location),
            settings=settings,
            sleep=self._sleep,
            raise_on_failure=raise_on_failure,
        )

    @asealed
    async def token(self) -> AccessToken:
        """The access token this client sends: fetched once, cached, and renewed before it expires.

        Returns:
            The token, with its expiry.

        Raises:
            K2AuthError: the token endpoint refused the credentials.
            K2ConnectionError: K2 could not be reached.
            K2UnexpectedResponseError: the token endpoint answered with something that is not a token.
        """
        return await self._tokens.get()

    @asealed
    async def revoke_token(self, token: str | None = None) -> None:
        """Revoke a token at K2; when it is the current one, the next call fetches a new one.

        Args:
            token: the token to revoke; the current one if None.

        Raises:
            K2APIError: K2 refused the revocation (``K2AuthError``: the credentials).
            K2ConnectionError: K2 could not be reached.
        """
        current = await self.token()
        value = token or current.value
        await async_invoke(
            "revoke_access_token",
            revoke_access_token.asyncio_detailed,
            client=self._plain_client(),
            body=self._token_action(value),
        )
        if value == current.value:
            await self._tokens.invalidate(current)

    @asealed
    async def introspect_token(self, token: str | None = None) -> IntrospectResponse:
        """Ask K2 whether a token is active, and what it is for.

        Args:
            token: the token to ask about; the current one if None.

        Returns:
            K2's answer: ``active``, and for an active token its scope, client and expiry.

        Raises:
            K2APIError: K2 refused the request (``K2AuthError``: the credentials).
            K2ConnectionError: K2 could not be reached.
            K2UnexpectedResponseError: K2 answered without an introspection body.
        """
        value = token or (await self.token()).value
        return _parsed_as(
            await async_invoke(
                "introspect_access_token",
                introspect_access_token.asyncio_detailed,
                client=self._plain_client(),
                body=self._token_action(value),
            ),
            IntrospectResponse,
            "introspect",
        )

    @asealed
    async def token_info(self) -> TokenInfoResponse:
        """What K2 knows of the current token: the application it belongs to, and its seconds left.

        Returns:
            K2's token info.

        Raises:
            K2APIError: K2 refused the request (``K2AuthError``: the token).
            K2ConnectionError: K2 could not be reached.
            K2UnexpectedResponseError: K2 answered without a token info body.
        """
        response = await async_invoke("get_token_info", get_token_info.asyncio_detailed, client=self.client)
        return _parsed_as(response, TokenInfoResponse, "token info")

    subscribe_webhook = _async_create(ops.subscribe_webhook)
    send_sms_notification = _async_create(ops.send_sms_notification)
    stk_push = _async_create(ops.stk_push)
    add_recipient = _async_create(ops.add_recipient)
    create_payment = _async_create(ops.create_payment)
    add_merchant_wallet = _async_create(ops.add_merchant_wallet)
    add_merchant_bank_account = _async_create(ops.add_merchant_bank_account)
    settle_funds = _async_create(ops.settle_funds)
    poll_transactions = _async_create(ops.poll_transactions)
    send_money = _async_create(ops.send_money)
    reverse_transaction = _async_create(ops.reverse_transaction)
    create_payment_link = _async_create(ops.create_payment_link)

    @asealed
    async def cancel_payment_link(self, location_or_id: str) -> str:
        """Cancel a payment link that was not paid yet (see :meth:`K2.cancel_payment_link`).

        Args:
            location_or_id: the link's Location (``handle.location`` of ``create_payment_link``) or its id
                (``handle.id``).

        Returns:
            K2's message: ``"Payment link cancelled."``.

        Raises:
            K2InputError: neither a payment link's Location nor an id (the Location of another kind of
                resource included); nothing was sent.
            K2NotFoundError: K2 has no such link.
            K2APIError: another error status (K2AuthError: the credentials or token were refused).
            K2ConnectionError: K2 could not be reached, and nothing was sent.
            K2AmbiguousOutcomeError: the request may have reached K2 and no definite answer came: read the
                link to find out whether it was cancelled.
        """
        response = await async_invoke(
            "v2_cancel_payment_link",
            v2_cancel_payment_link.asyncio_detailed,
            _id_of(location_or_id),
            client=self.client,
        )
        return _parsed_as(response, PaymentLinkCancelResponse, "the cancel").message
