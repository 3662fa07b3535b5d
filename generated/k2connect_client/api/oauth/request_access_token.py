from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error import ApiError
from ...models.o_auth_error import OAuthError
from ...models.token_request import TokenRequest
from ...models.token_request_json import TokenRequestJson
from ...models.token_response import TokenResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TokenRequest | TokenRequestJson | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/oauth/token",
    }

    if isinstance(body, TokenRequest):
        _kwargs["data"] = body.to_dict()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if isinstance(body, TokenRequestJson):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiError | OAuthError | TokenResponse | None:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = OAuthError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = OAuthError.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = ApiError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ApiError.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ApiError.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiError | OAuthError | TokenResponse]:
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
    body: TokenRequest | TokenRequestJson | Unset = UNSET,
) -> Response[ApiError | OAuthError | TokenResponse]:
    """Get an access token with the client credentials

    Args:
        body (TokenRequest):
        body (TokenRequestJson): The same credentials sent as JSON (the Ruby SDK does). A schema
            of its own so the generated client can tell the two encodings apart.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | OAuthError | TokenResponse]
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
    body: TokenRequest | TokenRequestJson | Unset = UNSET,
) -> ApiError | OAuthError | TokenResponse | None:
    """Get an access token with the client credentials

    Args:
        body (TokenRequest):
        body (TokenRequestJson): The same credentials sent as JSON (the Ruby SDK does). A schema
            of its own so the generated client can tell the two encodings apart.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | OAuthError | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRequest | TokenRequestJson | Unset = UNSET,
) -> Response[ApiError | OAuthError | TokenResponse]:
    """Get an access token with the client credentials

    Args:
        body (TokenRequest):
        body (TokenRequestJson): The same credentials sent as JSON (the Ruby SDK does). A schema
            of its own so the generated client can tell the two encodings apart.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | OAuthError | TokenResponse]
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
    body: TokenRequest | TokenRequestJson | Unset = UNSET,
) -> ApiError | OAuthError | TokenResponse | None:
    """Get an access token with the client credentials

    Args:
        body (TokenRequest):
        body (TokenRequestJson): The same credentials sent as JSON (the Ruby SDK does). A schema
            of its own so the generated client can tell the two encodings apart.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | OAuthError | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
