from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error import ApiError
from ...models.o_auth_error import OAuthError
from ...models.token_info_response import TokenInfoResponse
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/oauth/token/info",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiError | OAuthError | TokenInfoResponse | None:
    if response.status_code == 200:
        response_200 = TokenInfoResponse.from_dict(response.json())

        return response_200

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
) -> Response[ApiError | OAuthError | TokenInfoResponse]:
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
    client: AuthenticatedClient,
) -> Response[ApiError | OAuthError | TokenInfoResponse]:
    """Describe the access token sent as bearer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | OAuthError | TokenInfoResponse]
    """

    httpx_client = client.get_httpx_client()
    try:
        request = httpx_client.build_request(**_get_kwargs())
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # nothing was sent
        raise errors.RequestBuildError(exc) from exc
    response = httpx_client.send(request)

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> ApiError | OAuthError | TokenInfoResponse | None:
    """Describe the access token sent as bearer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | OAuthError | TokenInfoResponse
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ApiError | OAuthError | TokenInfoResponse]:
    """Describe the access token sent as bearer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | OAuthError | TokenInfoResponse]
    """

    async_httpx_client = client.get_async_httpx_client()
    try:
        request = async_httpx_client.build_request(**_get_kwargs())
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # nothing was sent
        raise errors.RequestBuildError(exc) from exc
    response = await async_httpx_client.send(request)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> ApiError | OAuthError | TokenInfoResponse | None:
    """Describe the access token sent as bearer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | OAuthError | TokenInfoResponse
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
