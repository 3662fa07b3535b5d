"""From a create's ``Location`` header to the generated GET operation that reads it.

K2 answers every create with ``201`` and an absolute ``Location`` such as
``https://sandbox.kopokopo.com/api/v1/incoming_payments/<id>``. The id and API version are read from its path
and the resource is fetched through the configured base URL, never by following the absolute URL: the bearer
token must only ever be sent to the host the user configured.
"""

from __future__ import annotations

import re
from typing import Any, Final, cast, get_args
from urllib.parse import unquote, urlsplit

import attrs
from k2connect_client import AuthenticatedClient
from k2connect_client.registry import LOCATIONS, Operation, Resource, ResourceKind
from k2connect_client.types import Response

from k2connect_ext._exceptions import K2InputError, K2UnexpectedResponseError
from k2connect_ext._invoke import async_invoke, invoke
from k2connect_ext._validation import validate_resource_id

__all__ = ["LocationRef", "Resource", "aread", "location_from_headers", "parse_location", "read"]

# ``Resource`` (whatever a K2 Location reads) and the Location collections come from the operation registry,
# which is generated from the spec: a new resource GET there is readable here with no edit.
_RESOURCE_TYPES: Final = get_args(Resource)

_PATH = re.compile(r"/api/(v[12])/([a-z_]+)/([^/]+?)/?$")


@attrs.frozen
class LocationRef:
    """A parsed Location: which resource, of which kind, read by which generated operation.

    Made by :func:`parse_location`.

    Attributes:
        location: the Location as given, stripped.
        version: the API version in its path, ``"v1"`` or ``"v2"``.
        collection: the path's collection (``"incoming_payments"``).
        id: the resource's id.
        kind: the resource's kind (``"incoming_payment"``).
        getter: the registry's GET operation that reads it (kept out of ``repr``).
    """

    location: str
    version: str
    collection: str
    id: str
    kind: ResourceKind
    getter: Operation[Any] = attrs.field(repr=False)
    """The registry's GET operation that reads it (``sync`` / ``asyncio`` are the generated functions)."""

    @property
    def operation(self) -> str:
        """The generated operation's name, e.g. ``v2_get_incoming_payment``."""
        return self.getter.name


def read(client: AuthenticatedClient, ref: LocationRef) -> Resource:
    """GET the resource once through a generated client; K2 errors only.

    Args:
        client: the generated client to read through.
        ref: the parsed Location.

    Returns:
        The resource's model.

    Raises:
        K2UnexpectedResponseError: K2 answered with a body that is not the resource.
    """
    return _resource(invoke(ref.operation, ref.getter.sync, ref.id, client=client), ref)


async def aread(client: AuthenticatedClient, ref: LocationRef) -> Resource:
    """The asyncio twin of :func:`read`.

    Args:
        client: the generated client to read through.
        ref: the parsed Location.

    Returns:
        The resource's model.
    """
    return _resource(await async_invoke(ref.operation, ref.getter.asyncio, ref.id, client=client), ref)


def _resource(response: Response[Any], ref: LocationRef) -> Resource:
    # Error statuses were raised before parsing; what is left is a success whose body is not the resource.
    parsed = response.parsed
    if not isinstance(parsed, _RESOURCE_TYPES):
        raise K2UnexpectedResponseError(
            f"K2 answered the read of {ref.location} with a body that is not a {ref.kind}",
            status_code=int(response.status_code),
        )
    return cast(Resource, parsed)


def parse_location(location: str) -> LocationRef:
    """Parse an absolute or relative K2 Location: which resource it names, and how to read it.

    Only the path counts (``/api/<version>/<collection>/<id>``): a resource is always read through the
    client's own base URL, never the Location's host.

    Args:
        location: a Location, such as ``"https://sandbox.kopokopo.com/api/v1/incoming_payments/<id>"``.

    Returns:
        The parsed reference.

    Raises:
        K2InputError: (also a ``ValueError``) it names no resource this SDK can read.
    """
    if not isinstance(location, str) or not location.strip():
        raise K2InputError("location must be a K2 resource Location (a URL)", field="location")
    try:
        path = urlsplit(location.strip()).path
    except ValueError:  # e.g. an invalid IPv6 host
        path = ""
    match = _PATH.search(path)
    if match is None:
        raise K2InputError(f"not a K2 resource location: {location[:200]!r}", field="location")
    version, collection, raw_id = match.groups()
    getter = LOCATIONS.get((version, collection))
    if getter is None or getter.kind is None:
        raise K2InputError(f"no K2 resource is read at /api/{version}/{collection}/", field="location")
    resource_id = validate_resource_id(unquote(raw_id), "location")
    return LocationRef(location.strip(), version, collection, resource_id, getter.kind, getter)


def location_from_headers(headers: object, *, operation: str, status_code: int = 201) -> str:
    """The Location of a 201: without it the outcome cannot be followed.

    Args:
        headers: the response's headers.
        operation: the operation's name, for the message.
        status_code: the status answered.

    Returns:
        The Location, stripped.

    Raises:
        K2UnexpectedResponseError: there is no Location.
    """
    value = headers.get("location") if hasattr(headers, "get") else None
    if not isinstance(value, str) or not value.strip():
        raise K2UnexpectedResponseError(
            f"K2 answered {operation} with 201 but no Location header; the resource was probably created. "
            "Reconcile through its callback before retrying.",
            status_code=status_code,
        )
    return value.strip()
