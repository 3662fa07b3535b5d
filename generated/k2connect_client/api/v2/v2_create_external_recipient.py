from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error import ApiError
from ...models.bank_account_external_recipient_request import BankAccountExternalRecipientRequest
from ...models.bank_account_pay_recipient_request import BankAccountPayRecipientRequest
from ...models.mobile_wallet_external_recipient_request import MobileWalletExternalRecipientRequest
from ...models.mobile_wallet_pay_recipient_request import MobileWalletPayRecipientRequest
from ...models.paybill_external_recipient_request import PaybillExternalRecipientRequest
from ...models.paybill_pay_recipient_request import PaybillPayRecipientRequest
from ...models.till_external_recipient_request import TillExternalRecipientRequest
from ...models.till_pay_recipient_request import TillPayRecipientRequest
from ...types import Response


def _get_kwargs(
    *,
    body: BankAccountExternalRecipientRequest
    | BankAccountPayRecipientRequest
    | MobileWalletExternalRecipientRequest
    | MobileWalletPayRecipientRequest
    | PaybillExternalRecipientRequest
    | PaybillPayRecipientRequest
    | TillExternalRecipientRequest
    | TillPayRecipientRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/external_recipients",
    }

    if (
        isinstance(body, MobileWalletExternalRecipientRequest)
        or isinstance(body, BankAccountExternalRecipientRequest)
        or isinstance(body, TillExternalRecipientRequest)
        or isinstance(body, PaybillExternalRecipientRequest)
        or isinstance(body, MobileWalletPayRecipientRequest)
        or isinstance(body, BankAccountPayRecipientRequest)
        or isinstance(body, TillPayRecipientRequest)
    ):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ApiError | None:
    if response.status_code == 201:
        response_201 = cast(Any, None)
        return response_201

    if response.status_code == 400:
        response_400 = ApiError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ApiError.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ApiError]:
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
    body: BankAccountExternalRecipientRequest
    | BankAccountPayRecipientRequest
    | MobileWalletExternalRecipientRequest
    | MobileWalletPayRecipientRequest
    | PaybillExternalRecipientRequest
    | PaybillPayRecipientRequest
    | TillExternalRecipientRequest
    | TillPayRecipientRequest,
) -> Response[Any | ApiError]:
    """Add an external recipient

     The details go in `external_recipient`. SDKs released between the path rename (Feb 2026) and the
    wrapper rename (Apr 2026) send them in `pay_recipient` to this path; that body is accepted too.

    Args:
        body (BankAccountExternalRecipientRequest | BankAccountPayRecipientRequest |
            MobileWalletExternalRecipientRequest | MobileWalletPayRecipientRequest |
            PaybillExternalRecipientRequest | PaybillPayRecipientRequest |
            TillExternalRecipientRequest | TillPayRecipientRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiError]
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
    client: AuthenticatedClient,
    body: BankAccountExternalRecipientRequest
    | BankAccountPayRecipientRequest
    | MobileWalletExternalRecipientRequest
    | MobileWalletPayRecipientRequest
    | PaybillExternalRecipientRequest
    | PaybillPayRecipientRequest
    | TillExternalRecipientRequest
    | TillPayRecipientRequest,
) -> Any | ApiError | None:
    """Add an external recipient

     The details go in `external_recipient`. SDKs released between the path rename (Feb 2026) and the
    wrapper rename (Apr 2026) send them in `pay_recipient` to this path; that body is accepted too.

    Args:
        body (BankAccountExternalRecipientRequest | BankAccountPayRecipientRequest |
            MobileWalletExternalRecipientRequest | MobileWalletPayRecipientRequest |
            PaybillExternalRecipientRequest | PaybillPayRecipientRequest |
            TillExternalRecipientRequest | TillPayRecipientRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiError
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BankAccountExternalRecipientRequest
    | BankAccountPayRecipientRequest
    | MobileWalletExternalRecipientRequest
    | MobileWalletPayRecipientRequest
    | PaybillExternalRecipientRequest
    | PaybillPayRecipientRequest
    | TillExternalRecipientRequest
    | TillPayRecipientRequest,
) -> Response[Any | ApiError]:
    """Add an external recipient

     The details go in `external_recipient`. SDKs released between the path rename (Feb 2026) and the
    wrapper rename (Apr 2026) send them in `pay_recipient` to this path; that body is accepted too.

    Args:
        body (BankAccountExternalRecipientRequest | BankAccountPayRecipientRequest |
            MobileWalletExternalRecipientRequest | MobileWalletPayRecipientRequest |
            PaybillExternalRecipientRequest | PaybillPayRecipientRequest |
            TillExternalRecipientRequest | TillPayRecipientRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiError]
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
    client: AuthenticatedClient,
    body: BankAccountExternalRecipientRequest
    | BankAccountPayRecipientRequest
    | MobileWalletExternalRecipientRequest
    | MobileWalletPayRecipientRequest
    | PaybillExternalRecipientRequest
    | PaybillPayRecipientRequest
    | TillExternalRecipientRequest
    | TillPayRecipientRequest,
) -> Any | ApiError | None:
    """Add an external recipient

     The details go in `external_recipient`. SDKs released between the path rename (Feb 2026) and the
    wrapper rename (Apr 2026) send them in `pay_recipient` to this path; that body is accepted too.

    Args:
        body (BankAccountExternalRecipientRequest | BankAccountPayRecipientRequest |
            MobileWalletExternalRecipientRequest | MobileWalletPayRecipientRequest |
            PaybillExternalRecipientRequest | PaybillPayRecipientRequest |
            TillExternalRecipientRequest | TillPayRecipientRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiError
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
