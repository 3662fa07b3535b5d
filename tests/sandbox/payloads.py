"""Valid request bodies for every create operation of the K2 spec (callback URLs supplied by the test)."""

from __future__ import annotations

from typing import Any

STK_PHONE = "+254999999999"


def stk(callback: str, phone: str = STK_PHONE, value: Any = "100", till: str = "K000000") -> dict[str, Any]:
    return {
        "payment_channel": "M-PESA STK Push",
        "till_number": till,
        "subscriber": {
            "first_name": "Joe",
            "last_name": "Buyer",
            "phone_number": phone,
            "email": "joe@example.com",
        },
        "amount": {"currency": "KES", "value": value},
        "metadata": {"customer_id": "123456789", "notes": "Payment for invoice 12345"},
        "_links": {"callback_url": callback},
    }


def subscription(
    url: str,
    event_type: str = "buygoods_transaction_received",
    till: str | None = "514459",
    daraja: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_type": event_type,
        "url": url,
        "scope": "till" if till else "company",
        "scope_reference": till,
    }
    if daraja:
        body["enable_daraja_payload"] = True
    return body


def wallet() -> dict[str, Any]:
    return {"first_name": "Jane", "last_name": "Doe", "phone_number": "+254712345678", "network": "Safaricom"}


def bank_account() -> dict[str, Any]:
    return {
        "account_name": "Test Account",
        "account_number": "1234",
        "bank_branch_ref": "ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
        "settlement_method": "EFT",
    }


def recipient(wrapper: str = "pay_recipient") -> dict[str, Any]:
    return {
        "type": "mobile_wallet",
        wrapper: {
            "first_name": "Jane",
            "last_name": "Doe",
            "phone_number": "+254712345678",
            "email": "jane@example.com",
            "network": "Safaricom",
        },
    }


def payment(callback: str, recipient_id: str) -> dict[str, Any]:
    return {
        "destination_type": "mobile_wallet",
        "destination_reference": recipient_id,
        "amount": {"currency": "KES", "value": 780},
        "description": "Salary payment for May 2018",
        "category": "salaries",
        "tags": ["tag_1"],
        "metadata": {"notes": "Salary payment"},
        "_links": {"callback_url": callback},
    }


def settlement(
    callback: str, kind: str | None = None, reference: str | None = None, value: Any = None
) -> dict[str, Any]:
    return {
        "amount": {"currency": "KES", "value": value} if value is not None else None,
        "destination_type": kind,
        "destination_reference": reference,
        "_links": {"callback_url": callback},
    }


def polling(callback: str, from_time: str, to_time: str, till: str | None = None) -> dict[str, Any]:
    return {
        "scope": "till" if till else "company",
        "scope_reference": till,
        "from_time": from_time,
        "to_time": to_time,
        "_links": {"callback_url": callback},
    }


def sms(callback: str, event_id: str) -> dict[str, Any]:
    return {
        "webhook_event_reference": event_id,
        "message": "Thanks for your payment",
        "_links": {"callback_url": callback},
    }


def send_money(callback: str, destinations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if destinations is None:
        destinations = [
            {
                "type": "mobile_wallet",
                "phone_number": "254900000000",
                "network": "Safaricom",
                "amount": 1000,
                "description": "Testing",
                "nickname": "Test",
                "favourite": True,
            },
            {"type": "till", "till_number": "4321", "amount": "55.50", "description": "Supplies"},
        ]
    return {
        "source_identifier": "4321",
        "destinations": destinations,
        "currency": "KES",
        "metadata": {"notes": "Sample Send Money transaction"},
        "_links": {"callback_url": callback},
    }


def reversal(callback: str, reference: str) -> dict[str, Any]:
    return {
        "transaction_reference": reference,
        "reason": "Customer overpaid",
        "metadata": {"ticket": "#49490484"},
        "_links": {"callback_url": callback},
    }


def payment_link(callback: str, till: str = "4321", amount: Any = 1000) -> dict[str, Any]:
    return {
        "till_number": till,
        "currency": "KES",
        "amount": amount,
        "payment_reference": "INV02932922",
        "note": "Monthly internet subscription",
        "metadata": {"account_number": "1234567"},
        "_links": {"callback_url": callback},
    }
