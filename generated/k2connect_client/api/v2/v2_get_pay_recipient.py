from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error import ApiError
from ...models.recipient import Recipient
from ...types import Response


def _get_kwargs(
    id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/pay_recipients/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ApiError | Recipient | None:
    if response.status_code == 200:
        response_200 = Recipient.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ApiError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ApiError.from_dict(response.json())

        return response_404

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
) -> Response[ApiError | Recipient]:
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
    id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ApiError | Recipient]:
    """Read an external recipient by its pre-2026 Location

     The same recipient as GET /api/v2/external_recipients/{id}, for SDKs that GET the Location of the
    deprecated create when it names pay_recipients. That K2 serves this read is an assumption.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | Recipient]
    """

    httpx_client = client.get_httpx_client()
    try:
        request = httpx_client.build_request(
            **_get_kwargs(
                id=id,
            )
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # nothing was sent
        raise errors.RequestBuildError(exc) from exc
    response = httpx_client.send(request)

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient,
) -> ApiError | Recipient | None:
    """Read an external recipient by its pre-2026 Location

     The same recipient as GET /api/v2/external_recipients/{id}, for SDKs that GET the Location of the
    deprecated create when it names pay_recipients. That K2 serves this read is an assumption.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | Recipient
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ApiError | Recipient]:
    """Read an external recipient by its pre-2026 Location

     The same recipient as GET /api/v2/external_recipients/{id}, for SDKs that GET the Location of the
    deprecated create when it names pay_recipients. That K2 serves this read is an assumption.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiError | Recipient]
    """

    async_httpx_client = client.get_async_httpx_client()
    try:
        request = async_httpx_client.build_request(
            **_get_kwargs(
                id=id,
            )
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # nothing was sent
        raise errors.RequestBuildError(exc) from exc
    response = await async_httpx_client.send(request)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
) -> ApiError | Recipient | None:
    """Read an external recipient by its pre-2026 Location

     The same recipient as GET /api/v2/external_recipients/{id}, for SDKs that GET the Location of the
    deprecated create when it names pay_recipients. That K2 serves this read is an assumption.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiError | Recipient
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
