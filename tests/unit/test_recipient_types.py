"""A recipient read back parses whatever its ``recipient_type`` says (issue 17, item 16).

K2 answers a recipient's GET with a display name ("Mobile Wallet", "Bank Account", "Till", "Paybill"), and
may add kinds: ``recipient_type`` is an open string, so a name the SDK has never seen parses as sent rather
than failing the read. Both facades, the same cases.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from k2connect_client.models import Recipient

from k2connect_ext._facade import K2, AsyncK2
from tests.fakes import BASE, PID, FakeK2, ok, reply

LOCATION = f"{BASE}/api/v1/pay_recipients/{PID}"


def recipient_body(recipient_type: str, **fields: Any) -> dict[str, Any]:
    return {
        "data": {
            "id": PID,
            "type": "pay_recipient",
            "attributes": {
                "recipient_type": recipient_type,
                "recipient_reference": PID,
                "status": "Active",
                **fields,
                "_links": {"self": LOCATION},
            },
        }
    }


async def _fetch(mode: str, body: dict[str, Any]) -> Recipient:
    """Add a recipient and read it back through ``K2`` or ``AsyncK2``, from a fake K2 answering ``body``."""
    server = FakeK2(reply(201, headers={"Location": LOCATION}), ok(body))
    transport = httpx.MockTransport(server)
    if mode == "sync":
        with K2("client-id", "secret", transport=transport) as k2:
            return k2.add_recipient("till", till_name="Duka la Mama", till_number="4321").fetch()
    async with AsyncK2("client-id", "secret", transport=transport) as ak2:
        return await (await ak2.add_recipient("till", till_name="Duka la Mama", till_number="4321")).fetch()


KINDS = ["Mobile Wallet", "Bank Account", "Till", "Paybill", "Kopo Kopo Merchant", "Crypto Wallet"]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("recipient_type", KINDS)
async def test_any_recipient_type_parses_as_sent(mode: str, recipient_type: str) -> None:
    """Known display names, a retired kind and one K2 may add later all read back unchanged."""
    recipient = await _fetch(mode, recipient_body(recipient_type, till_name="Duka la Mama", wallet_id="w-1"))
    assert isinstance(recipient, Recipient)
    assert recipient.data.attributes.recipient_type == recipient_type
    assert recipient.data.attributes.recipient_reference == PID
    assert recipient.data.attributes.till_name == "Duka la Mama"
    assert recipient.data.attributes["wallet_id"] == "w-1"  # a field K2 adds is kept too
