"""A recipient reads as K2's do: ``recipient_type`` is a display name (issue 17, item 16).

K2 answers ``GET /api/v1/pay_recipients/{id}`` with ``recipient_type`` "Bank Account", "Till"... rather than
the create's ``type`` (the PHP SDK's ``PayRecipientData`` switches on those names and reads anything else as
a mobile wallet, so a sandbox answering "bank_account" is misread by it).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .flows import created, final, read
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

DISPLAY_NAMES = {
    "mobile_wallet": "Mobile Wallet",
    "bank_account": "Bank Account",
    "till": "Till",
    "paybill": "Paybill",
}
DETAILS: dict[str, dict[str, Any]] = {
    "mobile_wallet": {
        "first_name": "Achieng",
        "last_name": "Odhiambo",
        "phone_number": "+254722591046",
        "email": "achieng@example.co.ke",
        "network": "Safaricom",
    },
    "bank_account": {
        "account_name": "Duka Supplies",
        "account_number": "0110123456",
        "bank_branch_ref": "ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
        "settlement_method": "EFT",
    },
    "till": {"till_name": "Duka la Mama", "till_number": "4321"},
    "paybill": {"paybill_name": "Kenya Power", "paybill_number": "888880", "paybill_account_number": "42"},
}
CREATES = {
    "v1": ("/api/v1/pay_recipients", "pay_recipient"),
    "v2": ("/api/v2/external_recipients", "external_recipient"),
}


def php_pay_recipient_data(data: dict[str, Any]) -> dict[str, Any]:
    """What the PHP SDK's ``PayRecipientData::setData`` reads (a missing key fails here, a notice in PHP)."""
    attributes = data["attributes"]
    found: dict[str, Any] = {"id": data["id"], "recipientType": attributes["recipient_type"]}
    match attributes["recipient_type"]:
        case "Bank Account":
            found |= {
                "accountNumber": attributes["account_number"],
                "accountName": attributes["account_name"],
                "bankBranchRef": attributes["bank_branch_ref"],
                "settlementMethod": attributes["settlement_method"],
            }
        case "Till":
            found |= {"tillNumber": attributes["till_number"], "tillName": attributes["till_name"]}
        case "Kopo Kopo Merchant":
            found |= {"tillNumber": attributes["till_number"], "aliasName": attributes["alias_name"]}
        case _:  # mobile
            found |= {
                "phoneNumber": attributes["phone_number"],
                "network": attributes["network"],
                "firstName": attributes["first_name"],
                "lastName": attributes["last_name"],
                "email": attributes["email"],
            }
    found |= {"status": attributes["status"], "recipientReference": attributes["recipient_reference"]}
    return found


@pytest.mark.parametrize("version", sorted(CREATES))
@pytest.mark.parametrize("kind", sorted(DISPLAY_NAMES))
async def test_recipient_type_is_the_display_name(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str, version: str
) -> None:
    """Every kind of recipient, v1 and v2, reads its display name, its reference and its own fields."""
    path, wrapper = CREATES[version]
    location = await created(client, headers, path, {"type": kind, wrapper: DETAILS[kind]})
    attributes = (await read(client, headers, location))["data"]["attributes"]
    assert attributes["recipient_type"] == DISPLAY_NAMES[kind]
    assert attributes["recipient_reference"] == location.rsplit("/", 1)[1]
    assert attributes["status"] == "Active"
    assert {field: attributes[field] for field in DETAILS[kind]} == DETAILS[kind]


@pytest.mark.parametrize("kind", ["mobile_wallet", "bank_account", "till"])
async def test_the_php_sdk_reads_a_recipient_as_its_own_kind(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str
) -> None:
    """The PHP SDK's reader finds each kind's fields where K2 puts them (it knows no paybill name)."""
    location = await created(
        client, headers, "/api/v1/pay_recipients", {"type": kind, "pay_recipient": DETAILS[kind]}
    )
    found = php_pay_recipient_data((await read(client, headers, location))["data"])
    assert found["recipientType"] == DISPLAY_NAMES[kind]
    assert found["recipientReference"] == found["id"] == location.rsplit("/", 1)[1]
    assert found["status"] == "Active"
    assert len(found) == 4 + len(DETAILS[kind])  # id, type, status, reference and the kind's fields


@pytest.mark.parametrize("kind", sorted(DISPLAY_NAMES))
async def test_a_payment_to_a_recipient_of_its_destination_type_is_processed(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, kind: str
) -> None:
    """A PAY payment's destination_type (mobile_wallet...) still matches the recipient it names."""
    location = await created(
        client, headers, "/api/v1/pay_recipients", {"type": kind, "pay_recipient": DETAILS[kind]}
    )
    body = {
        "destination_type": kind,
        "destination_reference": location.rsplit("/", 1)[1],
        "amount": {"currency": "KES", "value": 780},
        "description": "Stock",
        "_links": {"callback_url": receiver.url("payment")},
    }
    payment = await created(client, headers, "/api/v1/payments", body)
    result = await final(client, headers, payment, "Pending")
    assert result["data"]["attributes"]["status"] == "Processed"
    other = "till" if kind != "till" else "paybill"
    mismatched = await created(client, headers, "/api/v1/payments", {**body, "destination_type": other})
    failed = (await final(client, headers, mismatched, "Pending"))["data"]["attributes"]
    assert failed["status"] == "Failed"
    assert f"is a {kind}, not a {other}" in str(failed)
