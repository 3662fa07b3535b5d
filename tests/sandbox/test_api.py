"""The /api/ operations: authentication, validation, creates and reads, routing details."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from . import payloads
from .flows import CREATE_OPERATIONS, GET_BY_ID_OPERATIONS, OPERATIONS, create_for, created, pay_till, read
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

STK_PATH = "/api/v1/incoming_payments"


@pytest.mark.parametrize("operation_id", CREATE_OPERATIONS)
async def test_every_create_answers_201_location_then_get(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, operation_id: str
) -> None:
    """Every create answers 201, no body, an absolute Location that GETs the resource (200)."""
    location = await create_for(client, headers, operation_id, receiver.url())
    operation = OPERATIONS.by_id[operation_id]
    collection = operation.path.rsplit("/", 1)[1].replace("pay_recipients", "external_recipients")
    if operation.path.startswith("/api/v1/"):
        collection = operation.path.rsplit("/", 1)[1]
    assert re.fullmatch(rf".*/api/v[12]/{collection}/[0-9a-f-]{{36}}", location), location
    body = await read(client, headers, location)
    assert body["data"]["id"] == location.rsplit("/", 1)[1]
    assert body["data"]["attributes"]["_links"]["self"] == location


@pytest.mark.parametrize("operation_id", GET_BY_ID_OPERATIONS)
async def test_unknown_id_is_404(
    client: httpx.AsyncClient, headers: dict[str, str], operation_id: str
) -> None:
    """GET of an id the sandbox never issued answers 404 ApiError."""
    path = OPERATIONS.by_id[operation_id].path.replace("{id}", "00000000-0000-4000-8000-000000000000")
    response = await client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.json()["error_code"] == 404 and "00000000" in response.json()["error_message"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic c2FuZGJveDpzZWNyZXQ=", "Token abc"],
)
async def test_missing_or_wrong_token_is_401(client: httpx.AsyncClient, authorization: str | None) -> None:
    """Without a valid bearer token every /api/ call answers 401 ApiError with a challenge."""
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.post(STK_PATH, json=payloads.stk("https://example.com/cb"), headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == 401 and body["error_message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def _stk(**changes: Any) -> dict[str, Any]:
    body = payloads.stk("https://example.com/cb")
    for dotted, value in changes.items():
        target = body
        *parents, leaf = dotted.split("__")
        for parent in parents:
            target = target[parent]
        if value is _DELETE:
            del target[leaf]
        else:
            target[leaf] = value
    return body


_DELETE = object()

BAD_BODIES = [
    (STK_PATH, _stk(subscriber__phone_number=_DELETE), "subscriber.phone_number is required"),
    (STK_PATH, _stk(subscriber__phone_number="12ab"), "subscriber.phone_number has an invalid format"),
    (STK_PATH, _stk(amount__value="ten"), "amount.value"),
    (STK_PATH, _stk(amount__value=-5), "amount.value must be greater than 0"),
    (STK_PATH, _stk(amount__currency="USD"), "amount.currency must be one of: KES"),
    (STK_PATH, _stk(_links__callback_url="not a url"), "_links.callback_url"),
    (STK_PATH, _stk(metadata={str(i): "v" for i in range(6)}), "metadata must have at most 5 entries"),
    (STK_PATH, _stk(till_number=7), "till_number must be of type string"),
    ("/api/v1/pay_recipients", {"type": "bogus", "pay_recipient": {}}, "type must be one of: mobile_wallet"),
    (
        "/api/v2/external_recipients",
        {"type": "bank_account", "external_recipient": {"account_name": "A", "account_number": "1"}},
        "external_recipient.bank_branch_ref is required",
    ),
    (
        "/api/v2/polling",
        payloads.polling("https://example.com/cb", "yesterday", "2026-01-01T00:00:00Z"),
        "from_time must be a valid date-time",
    ),
    (
        "/api/v2/send_money",
        payloads.send_money(
            "https://example.com/cb",
            [
                {
                    "type": "mobile_wallet",
                    "phone_number": "254900000000",
                    "network": "Safaricom",
                    "amount": 0,
                    "description": "x",
                }
            ],
        ),
        "destinations[0].amount must be greater than 0",
    ),
    (
        "/api/v1/webhook_subscriptions",
        payloads.subscription("https://e.com/h", "nope"),
        "event_type must be one of",
    ),
    ("/api/v2/webhook_subscriptions", payloads.subscription("ftp://e.com/h"), "url has an invalid format"),
    (
        "/api/v2/webhook_subscriptions",
        {**payloads.subscription("https://e.com/h"), "scope_reference": None},
        "scope_reference is required when scope is till",
    ),
    (
        "/api/v2/polling",
        {
            **payloads.polling("https://e.com/cb", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
            "scope": "till",
        },
        "scope_reference is required when scope is till",
    ),
    (
        "/api/v2/webhook_subscriptions",
        payloads.subscription("https://e.com/h", "settlement_transfer_completed", till=None, daraja=True),
        "enable_daraja_payload is only allowed",
    ),
    (
        "/api/v1/webhook_subscriptions",
        {**payloads.subscription("https://e.com/h"), "scope_reference": " \t"},
        "scope_reference is required when scope is till",
    ),
    (
        "/api/v1/polling",
        {
            k: v
            for k, v in payloads.polling(
                "https://e.com/cb", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "1"
            ).items()
            if k != "scope_reference"
        },
        "scope_reference is required when scope is till",
    ),
    (
        "/api/v1/settlement_transfers",
        payloads.settlement("https://e.com/cb", "merchant_bank_account", None),
        "destination_reference is required when destination_type is given",
    ),
    (
        "/api/v1/settlement_transfers",
        payloads.settlement("https://e.com/cb", "merchant_wallet", ""),
        "destination_reference is required when destination_type is given",
    ),
    (
        "/api/v1/settlement_transfers",
        payloads.settlement("https://e.com/cb", None, "00000000-0000-4000-8000-000000000000"),
        "destination_type is required when destination_reference is given",
    ),
]

# Schema-valid bodies whose reference names something the sandbox does not have: 404, not 400 (the
# request is well formed; the resource it refers to was not found). The spec documents 404 on these.
UNKNOWN_REFERENCES = [
    (
        "/api/v1/settlement_transfers",
        payloads.settlement("https://e.com/cb", "merchant_wallet", "00000000-0000-4000-8000-000000000000"),
        "destination_reference '00000000-0000-4000-8000-000000000000' is not a merchant_wallet",
    ),
    (
        "/api/v1/settlement_transfers",
        payloads.settlement("https://e.com/cb", "merchant_bank_account", "nope"),
        "destination_reference 'nope' is not a merchant_bank_account",
    ),
    (
        "/api/v2/send_money",
        payloads.send_money(
            "https://e.com/cb", [{"type": "merchant_wallet", "reference": "nope", "amount": 5}]
        ),
        "destinations[0].reference 'nope' is not a merchant_wallet",
    ),
    (
        "/api/v2/send_money",
        payloads.send_money(
            "https://e.com/cb",
            [
                {"type": "till", "till_number": "4321", "amount": "5", "description": "x"},
                {"type": "merchant_bank_account", "reference": "nope", "amount": 5},
            ],
        ),
        "destinations[1].reference 'nope' is not a merchant_bank_account",
    ),
    (
        "/api/v1/transaction_sms_notifications",
        payloads.sms("https://e.com/cb", "11111111-1111-4111-8111-111111111111"),
        "webhook_event_reference '11111111-1111-4111-8111-111111111111' is not the id",
    ),
]


@pytest.mark.parametrize(("path", "body", "expected"), BAD_BODIES, ids=[e for _, _, e in BAD_BODIES])
async def test_bad_body_is_400_naming_the_field(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any, expected: str
) -> None:
    """Schema violations and business rules answer 400 ApiError whose message names the field."""
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == 400
    assert expected in response.json()["error_message"]


@pytest.mark.parametrize(
    ("path", "body", "expected"), UNKNOWN_REFERENCES, ids=[e for _, _, e in UNKNOWN_REFERENCES]
)
async def test_unknown_reference_is_404_naming_the_field(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any, expected: str
) -> None:
    """A schema-valid create that refers to an account or event the sandbox lacks answers 404 ApiError."""
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 404, response.text
    assert response.json()["error_code"] == 404
    assert expected in response.json()["error_message"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "request body is required"),
        (b"{nope", "not valid JSON"),
        (b"[]", "must be of type object"),
        (b'{"amount": NaN}', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
async def test_unparsable_bodies_are_400(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes, expected: str
) -> None:
    """Empty, malformed, non-object or non-UTF-8 bodies answer 400, never 500."""
    response = await client.post(
        STK_PATH, content=content, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert expected in response.json()["error_message"]


async def test_sms_needs_a_real_buygoods_event_id(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """An SMS notification is accepted for a buygoods event the sandbox sent, refused (400) for an event of
    another topic; an event id the sandbox never sent is 404 (see UNKNOWN_REFERENCES)."""
    simulated = await pay_till(client, phone="+254711000001")
    received_id, customer_id = simulated["event_ids"]
    assert [e["topic"] for e in simulated["events"]] == ["buygoods_transaction_received", "customer_created"]
    refused = await client.post(
        "/api/v1/transaction_sms_notifications",
        json=payloads.sms(receiver.url(), customer_id),
        headers=headers,
    )
    assert refused.status_code == 400
    assert "is the id of a customer_created event" in refused.json()["error_message"]
    location = await created(
        client, headers, "/api/v1/transaction_sms_notifications", payloads.sms(receiver.url(), received_id)
    )
    body = await read(client, headers, location)
    assert body["data"]["attributes"]["webhook_event_reference"] == received_id


async def test_trailing_slash_and_no_slash(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Every path works with and without a trailing slash (Python SDKs add one, Node does not)."""
    location = await created(client, headers, STK_PATH + "/", payloads.stk("https://example.com/cb"))
    assert not location.endswith("/")
    assert (await client.get(location + "/", headers=headers)).status_code == 200
    token = (
        await client.post(
            "/oauth/token/",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client-id",
                "client_secret": "sandbox-client-secret",
            },
        )
    ).json()["access_token"]
    assert token
    assert (await client.get("/sandbox/health/")).json() == {"status": "ok"}


@pytest.mark.parametrize(
    "accept", ["application/json", "application/vnd.kopokopo.v4.hal+json", "*/*", "application/xml", None]
)
async def test_accept_variants_never_406(
    client: httpx.AsyncClient, headers: dict[str, str], accept: str | None
) -> None:
    """Any Accept header (the SDKs send JSON, the HAL vendor type or */*) gets JSON, never 406."""
    extra = {"Accept": accept} if accept else {}
    token = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
        },
        headers=extra,
    )
    assert token.status_code == 200
    response = await client.post(
        STK_PATH, json=payloads.stk("https://example.com/cb"), headers={**headers, **extra}
    )
    assert response.status_code == 201
    got = await client.get(
        response.headers["location"], headers={**headers, **extra, "Content-Type": "application/json"}
    )
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """A method the path does not support answers 405 with an Allow header; an unknown path 404."""
    response = await client.delete(STK_PATH, headers=headers)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert (await client.get("/api/v3/nothing", headers=headers)).status_code == 404


async def test_v1_and_v2_stk_locations_use_their_version(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """The Location of a create names the API version it was called on."""
    v1 = await created(client, headers, "/api/v1/incoming_payments", payloads.stk("https://e.com/cb"))
    v2 = await created(client, headers, "/api/v2/incoming_payments", payloads.stk("https://e.com/cb"))
    assert "/api/v1/incoming_payments/" in v1 and "/api/v2/incoming_payments/" in v2


@pytest.mark.parametrize("raw_id", ["%0D", "%0A", "%09", "a%0D%0Ab", "%20"])
async def test_control_characters_in_an_id_are_an_unknown_id(
    client: httpx.AsyncClient, headers: dict[str, str], raw_id: str
) -> None:
    """An id made of (or containing) CR, LF or tab is routed as an id (404), not stripped into the
    collection path (which only allows POST, so it would be a 405 the spec does not document)."""
    response = await client.get(f"/api/v2/webhook_subscriptions/{raw_id}", headers=headers)
    assert response.status_code == 404, response.text
    assert response.json()["error_message"].startswith("No webhook subscription with id")
