"""The OAuth 2 client-credentials endpoints: token, revoke, introspect, token info.

They accept form-encoded and JSON bodies alike (the SDKs send both), ignore any ``Authorization``
header on token/revoke/introspect (Node sends ``Bearer null`` there), and answer errors
Doorkeeper-style: 400 ``invalid_request``/``unsupported_grant_type`` for a malformed request,
401 ``invalid_client`` for wrong credentials.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from k2connect_sandbox.clock import iso_s
from k2connect_sandbox.context import Handler, RequestContext
from k2connect_sandbox.errors import OAuthError, json_response
from k2connect_sandbox.tokens import TokenState
from k2connect_sandbox.wire import InvalidJsonError, loads

__all__ = ["OAUTH_HANDLERS", "bearer_token"]

_WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="k2connect-sandbox", error="invalid_token"'}


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def _params(request: Request) -> dict[str, Any]:
    """The request's parameters, from a form or a JSON object, whatever the content type claims."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if media == "multipart/form-data":
        try:
            form = await request.form()
        except HTTPException as exc:  # Starlette's parser rejects malformed multipart (no boundary...)
            detail = f"The request body is not a valid form: {exc.detail}"
            raise OAuthError(400, "invalid_request", detail) from None
        return {key: value for key, value in form.items() if isinstance(value, str)}
    is_json = media == "application/json" or media.endswith("+json")
    if not is_json and media != "application/x-www-form-urlencoded":
        is_json = raw.lstrip()[:1] in (b"{", b"[")  # no usable content type: sniff
    if is_json:
        try:
            parsed = loads(raw) if raw.strip() else {}
        except InvalidJsonError as exc:
            raise OAuthError(400, "invalid_request", f"The request body is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise OAuthError(400, "invalid_request", "The request body must be a JSON object.")
        return parsed
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise OAuthError(400, "invalid_request", "The request body is not a valid form.") from None


def _required(params: dict[str, Any], *names: str) -> list[str]:
    values = []
    for name in names:
        value = params.get(name)
        if value is None or value == "":
            raise OAuthError(400, "invalid_request", f"The request is missing a required parameter: {name}.")
        if not isinstance(value, str):
            raise OAuthError(400, "invalid_request", f"The parameter {name} must be a string.")
        values.append(value)
    return values


def _authenticate_client(ctx: RequestContext, client_id: str, client_secret: str) -> None:
    if not ctx.sandbox.tokens.credentials_match(client_id, client_secret):
        raise OAuthError(
            401,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, "
            "or unsupported authentication method.",
        )


async def request_access_token(ctx: RequestContext) -> Response:
    params = await _params(ctx.request)
    (grant_type,) = _required(params, "grant_type")
    client_id, client_secret = _required(params, "client_id", "client_secret")
    if grant_type != "client_credentials":
        raise OAuthError(
            400,
            "unsupported_grant_type",
            f"The grant type {grant_type[:40]!r} is not supported; use client_credentials.",
        )
    _authenticate_client(ctx, client_id, client_secret)
    record = ctx.sandbox.tokens.issue(client_id)
    return json_response(
        {
            "access_token": record.token,
            "token_type": "Bearer",
            "expires_in": int(record.expires_at - record.created_at),
            "created_at": int(record.created_at),
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


async def revoke_access_token(ctx: RequestContext) -> Response:
    params = await _params(ctx.request)
    client_id, client_secret, token = _required(params, "client_id", "client_secret", "token")
    _authenticate_client(ctx, client_id, client_secret)
    ctx.sandbox.tokens.revoke(token)  # unknown tokens are "revoked" too (RFC 7009 section 2.2)
    return json_response({})


async def introspect_access_token(ctx: RequestContext) -> Response:
    params = await _params(ctx.request)
    client_id, client_secret, token = _required(params, "client_id", "client_secret", "token")
    _authenticate_client(ctx, client_id, client_secret)
    state, record = ctx.sandbox.tokens.state(token)
    if state is not TokenState.ACTIVE or record is None:
        return json_response({"active": False})
    clock_zone = ctx.sandbox.clock.now().tzinfo
    return json_response(
        {
            "active": True,
            "scope": "",
            "client_id": record.client_id,
            "token_type": "Bearer",
            "exp": iso_s(datetime.fromtimestamp(record.expires_at, clock_zone)),
            "iat": iso_s(datetime.fromtimestamp(record.created_at, clock_zone)),
        }
    )


async def get_token_info(ctx: RequestContext) -> Response:
    token = bearer_token(ctx.request)
    if token is None:
        raise OAuthError(401, "invalid_token", "The access token is missing.", _WWW_AUTHENTICATE)
    state, record = ctx.sandbox.tokens.state(token)
    if state is not TokenState.ACTIVE or record is None:
        raise OAuthError(
            401, "invalid_token", f"The access token is {_STATE_WORDS[state]}.", _WWW_AUTHENTICATE
        )
    remaining = max(0, int(record.expires_at - ctx.sandbox.tokens.now()))
    return json_response(
        {
            "resource_owner_id": None,
            "scope": [],
            "expires_in": remaining,
            "application": {"uid": record.client_id},
            "created_at": int(record.created_at),
        }
    )


_STATE_WORDS = {
    TokenState.UNKNOWN: "invalid",
    TokenState.EXPIRED: "expired",
    TokenState.REVOKED: "revoked",
    TokenState.ACTIVE: "active",
}

OAUTH_HANDLERS: dict[str, Handler] = {
    "request_access_token": request_access_token,
    "revoke_access_token": revoke_access_token,
    "introspect_access_token": introspect_access_token,
    "get_token_info": get_token_info,
}
