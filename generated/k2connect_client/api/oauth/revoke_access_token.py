from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error import ApiError
from ...models.o_auth_error import OAuthError
from ...models.revoke_response import RevokeResponse
from ...models.token_action_request import TokenActionRequest
from ...models.token_action_request_json import TokenActionRequestJson
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TokenActionRequest | TokenActionRequestJson | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/oauth/revoke",
    }

    if isinstance(body, TokenActionRequest):
        _kwargs["data"] = body.to_dict()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if isinstance(body, TokenActionRequestJson):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiError | OAuthError | RevokeResponse | None:
    if response.status_code == 200:
        response_200 = RevokeResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = OAuthError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = OAuthError.from_dict(response.json())

        return response_401

    if response.status_code == 500:
        response_500 = ApiError.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiError | OAuthError | RevokeResponse]:
    try:
        parsed = _parse_response(client=client, response=response)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise errors.ResponseParseError(response.status_code, exc) from exc
    try:
        status_code = HTTPStatus(response.status_code)
    except ValueError:
        raise errors.UnexpectedStatus(response.status_code, response.content) from None
    return Response(
        status_code=status_code,
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenActionRequest | TokenActionRequestJson | Unset = UNSET,
) -> Response[ApiError | OAuthError | RevokeResponse]:
    """Revoke an access token

    Args:
        body (TokenActionRequest): Body of revoke and introspect; the client authenticates with
            its credentials, not a bearer token.
        body (TokenActionRequestJson): The same body sent as JSON (Python 2.x introspects this
            way); a schema of its own, as above.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | OAuthError | RevokeResponse]
    """

    httpx_client = client.get_httpx_client()
    try:
        request = httpx_client.build_request(
            **_get_kwargs(
                body=body,
            )
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # nothing was sent
        raise errors.RequestBuildError(exc) from exc
    response = httpx_client.send(request)

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TokenActionRequest | TokenActionRequestJson | Unset = UNSET,
) -> ApiError | OAuthError | RevokeResponse | None:
    """Revoke an access token

    Args:
        body (TokenActionRequest): Body of revoke and introspect; the client authenticates with
            its credentials, not a bearer token.
        body (TokenActionRequestJson): The same body sent as JSON (Python 2.x introspects this
            way); a schema of its own, as above.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | OAuthError | RevokeResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenActionRequest | TokenActionRequestJson | Unset = UNSET,
) -> Response[ApiError | OAuthError | RevokeResponse]:
    """Revoke an access token

    Args:
        body (TokenActionRequest): Body of revoke and introspect; the client authenticates with
            its credentials, not a bearer token.
        body (TokenActionRequestJson): The same body sent as JSON (Python 2.x introspects this
            way); a schema of its own, as above.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | OAuthError | RevokeResponse]
    """

    async_httpx_client = client.get_async_httpx_client()
    try:
        request = async_httpx_client.build_request(
            **_get_kwargs(
                body=body,
            )
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # nothing was sent
        raise errors.RequestBuildError(exc) from exc
    response = await async_httpx_client.send(request)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenActionRequest | TokenActionRequestJson | Unset = UNSET,
) -> ApiError | OAuthError | RevokeResponse | None:
    """Revoke an access token

    Args:
        body (TokenActionRequest): Body of revoke and introspect; the client authenticates with
            its credentials, not a bearer token.
        body (TokenActionRequestJson): The same body sent as JSON (Python 2.x introspects this
            way); a schema of its own, as above.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | OAuthError | RevokeResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
