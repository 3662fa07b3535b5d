"""May this request have moved money, and is this answer a definite one? The SDK's money-safety rules.

K2 has no idempotency keys, so a request that changes state (every API POST) must never be sent twice
unless K2's answer says it did nothing. These predicates decide, for the retrying transport and the
error-raising client alike: which requests are repeatable, which answers are definite (a 4xx, or the one
2xx the spec documents for the operation, read from the generated registry), and what an answer that is
not definite becomes (:class:`~k2connect_ext.K2AmbiguousOutcomeError`).
"""

from __future__ import annotations

import httpx
from k2connect_client.registry import operation_for

from k2connect_ext._constants import IDEMPOTENT_METHODS, LOCATION_HEADER, UNAUTHENTICATED_PATHS
from k2connect_ext._exceptions import K2Error, K2UnexpectedResponseError
from k2connect_ext._translate import ambiguous_outcome_error, raise_for_status, safe_url

__all__ = ["created_location", "documented_success", "is_oauth", "is_repeatable", "may_move_money", "verdict"]


def created_location(response: httpx.Response) -> str | None:
    """The ``Location`` of what a 2xx answer created; a redirect's Location names no resource of ours."""
    if 200 <= response.status_code < 300:
        return response.headers.get(LOCATION_HEADER) or None
    return None


def is_oauth(request: httpx.Request) -> bool:
    """``/oauth/token``, ``/oauth/revoke`` and ``/oauth/introspect``: they move no money."""
    return request.url.path.rstrip("/").endswith(UNAUTHENTICATED_PATHS)


def is_repeatable(request: httpx.Request) -> bool:
    """Whether sending ``request`` twice is harmless: a read, or an OAuth call (a token costs a token)."""
    return request.method in IDEMPOTENT_METHODS or is_oauth(request)


def may_move_money(request: httpx.Request) -> bool:
    """Whether ``request`` could change state at K2 (every API POST: K2 has no idempotency keys)."""
    return not is_repeatable(request)


def verdict(response: httpx.Response, secrets: tuple[str, ...]) -> K2Error | None:
    """The error an answer means, or ``None`` when it is a definite success for the caller to parse.

    A request that may move money gets a definite answer only from a 4xx (K2 refused it; a 429 included,
    which is assumed to mean "not processed"), or from the 2xx its operation documents in the spec: 201 with
    the ``Location`` of what it created, or 200 for a cancel. A 5xx, a redirect or any other 2xx says nothing
    certain about whether K2 acted on it, so it is ambiguous.
    """
    request = response.request
    status = response.status_code
    if may_move_money(request):
        location = created_location(response)
        reason = None
        if status >= 500:
            reason = "K2 failed after the request reached it"
        elif 300 <= status < 400:
            reason = "K2 answered with a redirect, which is not followed"
        elif status == 201 and location is None:
            reason = "a 201 without the Location of what was created"
        elif 200 <= status < 300 and status != documented_success(request):
            reason = f"an answer ({status}) the operation does not document"
        if reason is not None:
            return ambiguous_outcome_error(
                request, reason=reason, status_code=status, location=location, secrets=secrets
            )
        if status < 300:
            return None
    elif status < 300:
        return None
    try:
        raise_for_status(response, secrets=secrets)
    except K2Error as exc:
        return exc
    # A redirect (K2's API sends none) is never followed: it would carry the bearer token wherever it points.
    return K2UnexpectedResponseError(
        f"K2 answered {status} {response.reason_phrase} (a redirect, not followed) to "
        f"{request.method} {safe_url(request.url)}",
        status_code=status,
        method=request.method,
        url=safe_url(request.url),
    )


def documented_success(request: httpx.Request) -> int:
    """The one 2xx the spec documents for this request's operation: 201 for a create, 200 for a cancel.

    Read from the registry generated from the spec; a POST the spec does not know is held to a create's 201.
    """
    operation = operation_for(request.method, request.url.path)
    return operation.success_status if operation is not None else 201
