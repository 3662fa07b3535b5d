"""Generated models: unions parse to the right class; new statuses, types and fields never break parsing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from k2connect_client.models import (
    BankAccountDestination,
    IncomingPaymentResult,
    MerchantWalletDestination,
    MobileWalletDestination,
    PaybillDestination,
    PolledB2BTransaction,
    PolledBuygoodsTransaction,
    PolledCardTransaction,
    PolledM2MTransaction,
    PolledOtherTransaction,
    PollingResult,
    SendMoneyRequest,
    SendMoneyResult,
    SettlementBankAccountDestination,
    SettlementMobileWalletDestination,
    SettlementOtherDestination,
    SettlementTransferCompletedWebhook,
    TillDestination,
)

SETTLEMENT_WEBHOOK: dict[str, Any] = {
    "topic": "settlement_transfer_completed",
    "id": "052b7b2a-745b-4ca1-866b-b92d4a1418c3",
    "created_at": "2021-01-27T11:00:08+03:00",
    "event": {
        "type": "Settlement Transfer",
        "resource": {
            "id": "270b7b2a",
            "amount": "49452.0",
            "status": "Transferred",
            "currency": "KES",
            "destination": {
                "type": "Mobile Wallet",
                "resource": {
                    "reference": "ab12",
                    "first_name": "Jane",
                    "last_name": "Doe",
                    "phone_number": "+254799999999",
                    "network": "Safaricom",
                },
            },
            "disbursements": [],
            "origination_time": "2021-01-27T10:57:58.444+03:00",
        },
    },
}

STK_RESULT: dict[str, Any] = {
    "data": {
        "id": "0dad3e3f",
        "type": "incoming_payment",
        "attributes": {
            "initiation_time": "2020-10-21T07:40:00.927+03:00",
            "status": "Pending",
            "event": {"type": "Incoming Payment Request", "resource": None, "errors": None},
            "metadata": None,
            "_links": {"callback_url": "https://example.com/cb", "self": "https://example.com/x"},
        },
    }
}


@pytest.mark.parametrize(
    ("destination_type", "expected"),
    [
        ("Mobile Wallet", SettlementMobileWalletDestination),
        ("Bank Account", SettlementBankAccountDestination),
        ("Crypto Wallet", SettlementOtherDestination),
    ],
)
def test_settlement_destination_parses_to_its_class(destination_type: str, expected: type) -> None:
    """The destination union resolves by its const type; an unknown type is kept, not fatal."""
    body = copy.deepcopy(SETTLEMENT_WEBHOOK)
    body["event"]["resource"]["destination"]["type"] = destination_type
    event = SettlementTransferCompletedWebhook.from_dict(body)
    assert isinstance(event.event.resource.destination, expected)
    assert event.to_dict() == body


def test_unknown_status_and_extra_fields_are_kept() -> None:
    """A status K2 adds tomorrow parses, and unknown fields survive a round trip."""
    body = copy.deepcopy(STK_RESULT)
    body["data"]["attributes"]["status"] = "Refunded"
    body["data"]["attributes"]["brand_new_field"] = {"nested": [1, 2]}
    body["data"]["extra_top"] = "x"
    parsed = IncomingPaymentResult.from_dict(body)
    assert parsed.data.attributes.status == "Refunded"
    assert parsed.data.attributes["brand_new_field"] == {"nested": [1, 2]}
    assert parsed.to_dict() == body


def test_errors_of_any_json_shape_are_kept() -> None:
    """event.errors may be null, a string, a list or an object: all parse and round-trip."""
    for errors in (None, "The initiator information is invalid.", ["a", "b"], {"code": 1}):
        body = copy.deepcopy(STK_RESULT)
        body["data"]["attributes"]["event"]["errors"] = errors
        assert IncomingPaymentResult.from_dict(body).to_dict() == body


def test_send_money_destinations_serialize_and_parse_by_type() -> None:
    """Each request destination keeps its const type, and parses back to the same class."""
    request = SendMoneyRequest.from_dict(
        {
            "currency": "KES",
            "destinations": [
                {
                    "type": "mobile_wallet",
                    "phone_number": "254700000000",
                    "network": "Safaricom",
                    "amount": 100,
                    "description": "salary",
                },
                {
                    "type": "bank_account",
                    "account_name": "A",
                    "account_number": "1",
                    "bank_branch_ref": "b",
                    "amount": "200.50",
                    "description": "rent",
                },
                {"type": "till", "till_number": "123", "amount": 1, "description": "stock"},
                {
                    "type": "paybill",
                    "paybill_number": "222",
                    "paybill_account_number": "acc",
                    "amount": 5,
                    "description": "power",
                },
                {"type": "merchant_wallet", "reference": "ref-1", "amount": 7},
            ],
            "_links": {"callback_url": "https://example.com/cb"},
        }
    )
    classes = [type(d) for d in request.destinations]  # type: ignore[union-attr]
    assert classes == [
        MobileWalletDestination,
        BankAccountDestination,
        TillDestination,
        PaybillDestination,
        MerchantWalletDestination,
    ]
    assert [d["type"] for d in request.to_dict()["destinations"]] == [
        "mobile_wallet",
        "bank_account",
        "till",
        "paybill",
        "merchant_wallet",
    ]


def test_send_money_result_accepts_future_destination_types() -> None:
    """The echoed destinations of a result are open: a new destination type parses."""
    body = {
        "data": {
            "id": "x",
            "type": "send_money",
            "attributes": {
                "status": "Scheduled",
                "destinations": [{"type": "crypto_wallet", "amount": 10, "wallet": "abc"}],
                "transfer_batches": None,
            },
        }
    }
    assert SendMoneyResult.from_dict(body).to_dict() == body


@pytest.mark.parametrize(
    ("kind", "resource", "expected"),
    [
        (
            "Buygoods Transaction",
            {"reference": "UG9X43P29H", "sender_first_name": "Wanjiku"},
            PolledBuygoodsTransaction,
        ),
        (
            "External Till to Till Transaction",
            {"reference": "B2B1", "sending_till": "890642"},
            PolledB2BTransaction,
        ),
        ("Merchant to Merchant Transaction", {"sending_merchant": "Maua Florists"}, PolledM2MTransaction),
        ("Card Transaction", {"customer_cc_number": "************4417"}, PolledCardTransaction),
        ("Airtime Transaction", {"anything": ["kept"]}, PolledOtherTransaction),
    ],
)
def test_polled_transactions_parse_to_their_kind(kind: str, resource: dict[str, Any], expected: type) -> None:
    """Polling may return every kind of received transaction; each parses to its own class (its resource
    typed, not read as a buy-goods one), an unknown kind is kept as sent."""
    body = {
        "data": {
            "id": "p1",
            "type": "polling",
            "attributes": {"status": "Success", "transactions": [{"type": kind, "resource": resource}]},
        }
    }
    parsed = PollingResult.from_dict(body)
    (transaction,) = parsed.data.attributes.transactions  # type: ignore[misc]
    assert isinstance(transaction, expected)
    assert parsed.to_dict() == body
