"""The requests the official SDKs put on the wire, replayed against the sandbox (k2-api.md §j, §b.3).

"A client written for the real API works against the sandbox unchanged": every test here sends what one
or more official SDKs send (headers, body encodings, URL joins, body quirks, see ``Sdk``), over loopback
HTTP and in process (the ``client`` fixture runs each test both ways, and its response hook checks every
answer against the spec), and checks the sandbox accepts it and answers what those SDKs read.

Decisions where an SDK sends something the API does not document:

* ``//api/v2/payment_links`` (Ruby 4.x joins ``https://host/`` and ``/api/v2/payment_links``, §h.14):
  accepted; runs of slashes count as one, as Rails routing squeezes them. The Location is canonical.
* ``meta_data`` instead of ``metadata`` (Ruby 1.x STK push and PAY, §h.5): accepted and ignored, so the
  result has ``metadata: null``. Not an alias: every other SDK and the guides say ``metadata``, and a
  server that drops unknown keys is the likely reality, so the sandbox does not promise what production
  probably does not do.
* ``metadata: ""`` (Python 1.x, §h.5): accepted (``LenientMetadata`` in the spec), echoed as null.
* The ``pay_recipient`` wrapper sent to ``/api/v2/external_recipients`` (§h.6): accepted (the spec's
  oneOf lists both wrappers); the recipient is an external recipient either way.
* Optional fields sent as ``null`` (Ruby 4.x, PHP master and its v2 branch build bodies from objects with
  every field) and PAY ``tags`` as one string (Node 1.x): accepted, by the sandbox and the generated models.
* Recipient names (``first_name``/``last_name``, ``till_name``, ``paybill_name``) are required by every SDK,
  so a recipient without them is K2's 400 naming the field; a send-money phone is 254 + 9 digits, no ``+``
  (Ruby's rule "to match Core").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from k2connect_client import models

from . import payloads
from .conftest import CREDENTIALS
from .flows import CREATE_OPERATIONS, control, create_for, eventually, pay_till
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

JSON = "application/json"
HAL = "application/vnd.kopokopo.v4.hal+json"
FORM = "application/x-www-form-urlencoded"
ABSENT = object()  # a key the SDK leaves out


@dataclass(frozen=True)
class Sdk:
    """How one official SDK talks to K2: its Accept, its base-URL convention, its OAuth encodings."""

    name: str
    accept: str
    slash_base: (
        bool  # base URL "https://host/" + "api/v1/..." (Python, Ruby) or "https://host" + "/api/v1/..."
    )
    user_agent: str
    token_as: str  # "form" or "json"
    revoke_as: str
    introspect_as: str
    bearer_null_on_oauth: bool = False  # Node sends "Authorization: Bearer null" to revoke/introspect

    def url(self, client: httpx.AsyncClient, path: str) -> str:
        """``path`` (``/api/...``) joined to the base URL the way this SDK joins it."""
        host = str(client.base_url).rstrip("/")
        return f"{host}/{path.lstrip('/')}" if self.slash_base else f"{host}{path}"

    def headers(self, token: str | None) -> dict[str, str]:
        """The headers of every ``/api/`` call, GETs included (Content-Type: application/json always)."""
        found = {"Accept": self.accept, "Content-Type": JSON, "User-Agent": self.user_agent}
        if token is not None:
            found["Authorization"] = f"Bearer {token}"
        return found

    async def oauth(
        self, client: httpx.AsyncClient, path: str, params: dict[str, str], as_: str
    ) -> httpx.Response:
        headers = {"Accept": self.accept, "User-Agent": self.user_agent}
        if self.bearer_null_on_oauth and path != "/oauth/token":
            headers["Authorization"] = "Bearer null"
        url = self.url(client, path)
        if as_ == "json":
            return await client.post(
                url, content=json.dumps(params), headers={**headers, "Content-Type": JSON}
            )
        return await client.post(url, data=params, headers={**headers, "Content-Type": FORM})

    async def token(self, client: httpx.AsyncClient) -> str:
        response = await self.oauth(client, "/oauth/token", CREDENTIALS, self.token_as)
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "Bearer"
        return str(response.json()["access_token"])


PYTHON_1 = Sdk("python-1.x", HAL, True, "python-requests/2.31.0", "form", "form", "form")
PYTHON_2 = Sdk("python-2.x", HAL, True, "Kopokopo-Python-SDK", "form", "form", "json")
NODE = Sdk("node", JSON, False, "Kopokopo-Node-SDK", "form", "json", "json", bearer_null_on_oauth=True)
RUBY = Sdk("ruby", JSON, True, "Kopokopo-Ruby-SDK", "json", "json", "json")
PHP = Sdk("php", JSON, False, "Kopokopo-PHP-SDK", "form", "form", "form")
SDKS = [PYTHON_1, PYTHON_2, NODE, RUBY, PHP]
SDK_IDS = [sdk.name for sdk in SDKS]


async def create(client: httpx.AsyncClient, sdk: Sdk, token: str, path: str, body: Any) -> str:
    """POST ``body`` as ``sdk`` would; assert 201, no body, a canonical absolute Location; return it."""
    response = await client.post(sdk.url(client, path), content=json.dumps(body), headers=sdk.headers(token))
    assert response.status_code == 201, f"{sdk.name} {path}: {response.status_code} {response.text}"
    assert response.content == b""
    location = response.headers["location"]
    host = str(client.base_url).rstrip("/")
    assert location.startswith(f"{host}/api/") and "//" not in location.removeprefix(host), location
    return location


async def get(client: httpx.AsyncClient, sdk: Sdk, token: str, url: str) -> dict[str, Any]:
    """GET ``url`` exactly as given, with the SDK's headers: Content-Type: application/json, no body."""
    response = await client.get(url, headers=sdk.headers(token))
    assert "content-length" not in response.request.headers and response.request.content == b""
    assert response.status_code == 200, f"{sdk.name} GET {url}: {response.status_code} {response.text}"
    assert response.headers["content-type"] == JSON
    found: dict[str, Any] = response.json()
    return found


async def settled(
    client: httpx.AsyncClient, sdk: Sdk, token: str, location: str, pending: str
) -> dict[str, Any]:
    """The resource's attributes once its status is no longer ``pending``."""
    body = await eventually(
        lambda: get(client, sdk, token, location), lambda b: b["data"]["attributes"]["status"] != pending
    )
    attributes: dict[str, Any] = body["data"]["attributes"]
    return attributes


def with_(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``body`` with keys set (``ABSENT`` deletes; ``a__b`` reaches into a nested dict)."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    for dotted, value in changes.items():
        target = copy
        *parents, leaf = dotted.split("__")
        for parent in parents:
            target = target[parent]
        if value is ABSENT:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return copy


def utc_ms(when: datetime) -> str:
    """``2026-03-01T07:40:00.927Z``: JavaScript's ``Date.toISOString()``."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- OAuth


@pytest.mark.parametrize("sdk", SDKS, ids=SDK_IDS)
async def test_token_request_as_each_sdk_sends_it(client: httpx.AsyncClient, sdk: Sdk) -> None:
    """Token as a form (Python, Node, PHP) or JSON (Ruby), no Authorization header, the SDK's Accept
    (Python sends the HAL vendor type on OAuth calls too); the token then works on the API."""
    token = await sdk.token(client)
    info = await client.get(sdk.url(client, "/oauth/token/info"), headers=sdk.headers(token))
    assert info.status_code == 200 and info.json()["application"]["uid"] == CREDENTIALS["client_id"]
    location = await create(client, sdk, token, "/api/v1/incoming_payments", payloads.stk("https://e.com/cb"))
    assert (await get(client, sdk, token, location))["data"]["type"] == "incoming_payment"


@pytest.mark.parametrize("sdk", SDKS, ids=SDK_IDS)
async def test_revoke_and_introspect_as_each_sdk_sends_them(client: httpx.AsyncClient, sdk: Sdk) -> None:
    """Revoke as a form (Python, PHP) or JSON (Node, Ruby); introspect as JSON (Python 2.x, Node, Ruby) or a
    form; Node's ``Authorization: Bearer null`` is ignored. Revoke answers a JSON object; the revoked token
    then introspects inactive and gets 401 on the API and on token info."""
    token = await sdk.token(client)
    params = {
        "client_id": CREDENTIALS["client_id"],
        "client_secret": CREDENTIALS["client_secret"],
        "token": token,
    }
    before = await sdk.oauth(client, "/oauth/introspect", params, sdk.introspect_as)
    assert before.status_code == 200, before.text
    assert before.json()["active"] is True and before.json()["client_id"] == CREDENTIALS["client_id"]
    revoked = await sdk.oauth(client, "/oauth/revoke", params, sdk.revoke_as)
    assert revoked.status_code == 200, revoked.text
    assert revoked.headers["content-type"] == JSON and isinstance(revoked.json(), dict)
    after = await sdk.oauth(client, "/oauth/introspect", params, sdk.introspect_as)
    assert after.status_code == 200 and after.json()["active"] is False
    refused = await client.post(
        sdk.url(client, "/api/v2/incoming_payments"),
        content=json.dumps(payloads.stk("https://e.com/cb")),
        headers=sdk.headers(token),
    )
    assert refused.status_code == 401 and refused.json()["error_code"] == 401
    info = await client.get(sdk.url(client, "/oauth/token/info"), headers=sdk.headers(token))
    assert info.status_code == 401


# ---------------------------------------------------------------- headers and URLs


@pytest.mark.parametrize("sdk", [PYTHON_2, RUBY], ids=["hal+json", "json"])
async def test_every_read_takes_a_json_content_type_and_no_body(
    client: httpx.AsyncClient, receiver: Receiver, sdk: Sdk
) -> None:
    """Every GET of a created resource, sent with ``Content-Type: application/json`` and no body and
    either Accept, answers 200 JSON (never 406 or 415)."""
    token = await sdk.token(client)
    auth = {"Authorization": f"Bearer {token}"}
    for operation_id in CREATE_OPERATIONS:
        location = await create_for(client, auth, operation_id, receiver.url())
        body = await get(client, sdk, token, location)
        assert body["data"]["id"] == location.rsplit("/", 1)[1], operation_id


@pytest.mark.parametrize("sdk", SDKS, ids=SDK_IDS)
async def test_base_url_with_and_without_trailing_slash(client: httpx.AsyncClient, sdk: Sdk) -> None:
    """``https://host/`` + ``api/vN/...`` (Python, Ruby) and ``https://host`` + ``/api/vN/...`` (Node, PHP)
    both create; the Location is absolute and canonical, and GETting it exactly as returned works."""
    token = await sdk.token(client)
    for version in ("v1", "v2"):
        location = await create(
            client, sdk, token, f"/api/{version}/incoming_payments", payloads.stk("https://e.com/cb")
        )
        assert f"/api/{version}/incoming_payments/" in location
        assert (await get(client, sdk, token, location))["data"]["attributes"]["_links"]["self"] == location


async def test_double_slash_path_of_ruby_4_payment_links(client: httpx.AsyncClient) -> None:
    """Ruby 4.x requests ``https://host//api/v2/payment_links`` (§h.14): served as the single-slash path,
    with a canonical Location; the double-slash spelling of the link's own URL reads it too."""
    token = await RUBY.token(client)
    host = str(client.base_url).rstrip("/")
    response = await client.post(
        f"{host}//api/v2/payment_links",
        content=json.dumps(payloads.payment_link("https://e.com/cb")),
        headers=RUBY.headers(token),
    )
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    link_id = location.rsplit("/", 1)[1]
    assert location == f"{host}/api/v2/payment_links/{link_id}"
    assert (await get(client, RUBY, token, location))["data"]["id"] == link_id
    assert (await get(client, RUBY, token, f"{host}//api/v2/payment_links/{link_id}"))["data"][
        "id"
    ] == link_id
    assert (await client.get(f"{host}//api/v2/nothing", headers=RUBY.headers(token))).status_code == 404


@pytest.mark.parametrize(
    ("sdk", "content", "joined"),
    [
        (PYTHON_2, b"", "id"),  # no body at all (Content-Length: 0), URL rebuilt from the id
        (NODE, b"{}", "location"),
        (RUBY, b"null", "location"),
        (RUBY, b"null", "ruby-config"),  # host/ + /api/v2/payment_links/<id>/cancel: a double slash
    ],
    ids=["python-empty", "node-{}", "ruby-null", "ruby-null-double-slash"],
)
async def test_payment_link_cancel_with_empty_body_empty_object_or_null(
    client: httpx.AsyncClient, sdk: Sdk, content: bytes, joined: str
) -> None:
    """``POST .../payment_links/{id}/cancel`` with a JSON content type and an empty body, ``{}`` or
    ``null`` cancels: 200 ``{"message": "Payment link cancelled."}``, and the link reads Cancelled; the
    same request again is a 409 (the link is no longer active), never a 400."""
    token = await sdk.token(client)
    location = await create(
        client, sdk, token, "/api/v2/payment_links", payloads.payment_link("https://e.com/cb")
    )
    link_id = location.rsplit("/", 1)[1]
    host = str(client.base_url).rstrip("/")
    url = {
        "id": sdk.url(client, f"/api/v2/payment_links/{link_id}/cancel"),
        "location": f"{location}/cancel",
        "ruby-config": f"{host}//api/v2/payment_links/{link_id}/cancel",
    }[joined]
    response = await client.post(url, content=content, headers=sdk.headers(token))
    assert response.request.headers["content-length"] == str(len(content))
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Payment link cancelled."}
    link = (await get(client, sdk, token, location))["data"]["attributes"]["payment_link"]
    assert link["payment_link_status"] == "Cancelled"
    again = await client.post(url, content=content, headers=sdk.headers(token))
    assert again.status_code == 409 and "cancelled" in again.json()["error_message"]


async def test_python_2_reads_by_id_and_posts_sms_to_v1(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    """Python 2.x rebuilds ``api/v2/{incoming_payments,reversals,payment_links}/<id>`` from an id, and still
    posts SMS notifications to ``/api/v1/transaction_sms_notifications`` with the same token."""
    sdk = PYTHON_2
    token = await sdk.token(client)
    bodies = {
        "incoming_payments": payloads.stk(receiver.url()),
        "reversals": payloads.reversal(receiver.url(), "NOSUCHREF1"),
        "payment_links": payloads.payment_link(receiver.url()),
    }
    for collection, body in bodies.items():
        location = await create(client, sdk, token, f"/api/v2/{collection}", body)
        rebuilt = sdk.url(client, f"/api/v2/{collection}/{location.rsplit('/', 1)[1]}")
        assert rebuilt == location
        assert (await get(client, sdk, token, rebuilt))["data"]["id"] == location.rsplit("/", 1)[1]
    event_id = (await pay_till(client))["event_ids"][0]
    sms = {
        "webhook_event_reference": event_id,
        "message": "Asante!",
        "_links": {"callback_url": receiver.url()},
    }
    location = await create(client, sdk, token, "/api/v1/transaction_sms_notifications", sms)
    assert "/api/v1/transaction_sms_notifications/" in location
    assert (await settled(client, sdk, token, location, "Pending"))["status"] == "Success"


# ---------------------------------------------------------------- body variants


@pytest.mark.parametrize("value", [100, 100.5, "100", "100.50"], ids=["int", "float", "str", "str-2dp"])
async def test_amount_value_number_or_numeric_string(
    client: httpx.AsyncClient, receiver: Receiver, value: Any
) -> None:
    """``amount.value`` as a number (Node, Python 2.x) or a numeric string (Ruby, PHP) is the same amount in
    an STK push, a PAY payment, a payment link and a send-money destination."""
    sdk = NODE
    token = await sdk.token(client)
    expected = "100.5" if str(value).startswith("100.5") else "100.0"
    stk = await create(
        client, sdk, token, "/api/v2/incoming_payments", payloads.stk(receiver.url(), value=value)
    )
    paid = await settled(client, sdk, token, stk, "Pending")
    assert paid["status"] == "Success" and paid["event"]["resource"]["amount"] == expected
    recipient = await create(client, sdk, token, "/api/v1/pay_recipients", payloads.recipient())
    payment = payloads.payment(receiver.url(), recipient.rsplit("/", 1)[1])
    payment["amount"]["value"] = value
    sent = await settled(
        client, sdk, token, await create(client, sdk, token, "/api/v1/payments", payment), "Scheduled"
    )
    assert sent["status"] == "Processed"
    assert sent["transfer_batches"][0]["disbursements"][0]["amount"] == expected
    await create(
        client, sdk, token, "/api/v2/payment_links", payloads.payment_link(receiver.url(), amount=value)
    )
    destination = {"type": "till", "till_number": "4321", "amount": value, "description": "Supplies"}
    money = await create(
        client, sdk, token, "/api/v2/send_money", payloads.send_money(receiver.url(), [destination])
    )
    batches = (await settled(client, sdk, token, money, "Scheduled"))["transfer_batches"]
    assert batches[0]["disbursements"][0]["amount"] == expected


@pytest.mark.parametrize("reference", [None, ABSENT, ""], ids=["null", "absent", "empty"])
@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_company_scope_without_scope_reference(
    client: httpx.AsyncClient, receiver: Receiver, reference: Any, version: str
) -> None:
    """A company-scoped poll (and subscription) with ``scope_reference`` null, absent or ``""``, and poll
    times in UTC with milliseconds (``Date.toISOString()``) finds every till's payments in the window."""
    sdk = NODE
    token = await sdk.token(client)
    subscription = with_(payloads.subscription(receiver.url("wh"), till=None), scope_reference=reference)
    await create(client, sdk, token, f"/api/{version}/webhook_subscriptions", subscription)
    first = (await pay_till(client, till="111111"))["transaction"]["reference"]
    second = (await pay_till(client, till="222222", phone="+254711000777"))["transaction"]["reference"]
    now = datetime.now(UTC)
    window = payloads.polling(
        receiver.url(), utc_ms(now - timedelta(hours=1)), utc_ms(now + timedelta(hours=1))
    )
    assert window["from_time"].endswith("Z") and "." in window["from_time"]
    location = await create(
        client, sdk, token, f"/api/{version}/polling", with_(window, scope_reference=reference)
    )
    result = await settled(client, sdk, token, location, "Pending")
    assert result["status"] == "Success" and result["scope_reference"] is None
    assert {first, second} <= {t["resource"]["reference"] for t in result["transactions"]}


STK_QUIRKS: list[tuple[str, Sdk, dict[str, Any], Any]] = [
    # Ruby 1.x: middle_name null, amount as a string, metadata spelled meta_data (ignored: metadata null).
    (
        "ruby-1.x-meta_data",
        RUBY,
        {"subscriber__middle_name": None, "metadata": ABSENT, "meta_data": {"a": "1"}},
        None,
    ),
    # Python 1.x without metadata sends "" ...
    ("python-1.x-empty-string", PYTHON_1, {"metadata": ""}, None),
    # ... and with metadata sends {} (its builder drops the pairs).
    ("python-1.x-empty-object", PYTHON_1, {"metadata": {}}, {}),
    ("python-1.x-null-names", PYTHON_1, {"subscriber__first_name": None, "subscriber__email": None}, "kept"),
]


@pytest.mark.parametrize(
    ("sdk", "changes", "metadata"), [q[1:] for q in STK_QUIRKS], ids=[q[0] for q in STK_QUIRKS]
)
@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_stk_push_body_quirks(
    client: httpx.AsyncClient,
    receiver: Receiver,
    sdk: Sdk,
    changes: dict[str, Any],
    metadata: Any,
    version: str,
) -> None:
    """STK push bodies as the older SDKs build them are accepted; the result's metadata is what
    ``metadata`` said (``""`` and ``meta_data`` mean none)."""
    token = await sdk.token(client)
    body = with_(payloads.stk(receiver.url(), value="100"), **changes)
    location = await create(client, sdk, token, f"/api/{version}/incoming_payments", body)
    result = await settled(client, sdk, token, location, "Pending")
    assert result["status"] == "Success"
    assert result["metadata"] == (body["metadata"] if metadata == "kept" else metadata)


@pytest.mark.parametrize(
    ("sdk", "changes", "metadata"),
    [
        (PYTHON_1, {"metadata": ""}, None),
        (PYTHON_1, {"metadata": {}}, {}),
        (RUBY, {"metadata": ABSENT, "meta_data": {"notes": "x"}, "amount__value": "780"}, None),
    ],
    ids=["python-1.x-empty-string", "python-1.x-empty-object", "ruby-1.x-meta_data"],
)
async def test_pay_body_quirks(
    client: httpx.AsyncClient, receiver: Receiver, sdk: Sdk, changes: dict[str, Any], metadata: Any
) -> None:
    """PAY payments with Python 1.x's ``metadata`` (``""``, ``{}``) or Ruby 1.x's ``meta_data`` go through."""
    token = await sdk.token(client)
    recipient = await create(client, sdk, token, "/api/v1/pay_recipients", payloads.recipient())
    body = with_(payloads.payment(receiver.url(), recipient.rsplit("/", 1)[1]), **changes)
    result = await settled(
        client, sdk, token, await create(client, sdk, token, "/api/v1/payments", body), "Scheduled"
    )
    assert result["status"] == "Processed" and result["metadata"] == metadata


@pytest.mark.parametrize(
    ("sdk", "blind"),
    [
        (PYTHON_1, {"amount": None, "destination_type": None, "destination_reference": None}),
        (NODE, {"amount": {}}),
        (RUBY, {"amount": {"currency": None, "value": None}}),
        (PHP, {}),
    ],
    ids=["python-1.x-nulls", "node-1.x-empty-amount", "ruby-1.x-null-amount", "php-no-amount"],
)
async def test_blind_settlement_transfer_variants(
    client: httpx.AsyncClient, receiver: Receiver, sdk: Sdk, blind: dict[str, Any]
) -> None:
    """A blind settlement transfer (no destination, whole balance) in each SDK's spelling is Processed,
    its result amount value null, the balance settled to the default account."""
    token = await sdk.token(client)
    await pay_till(client, amount="250")
    body = {**blind, "_links": {"callback_url": receiver.url()}}
    result = await settled(
        client,
        sdk,
        token,
        await create(client, sdk, token, "/api/v1/settlement_transfers", body),
        "Scheduled",
    )
    assert result["status"] == "Processed" and result["amount"]["value"] is None
    assert "destination_type" not in result
    assert result["transfer_batches"][0]["disbursements"][0]["amount"] != "0.0"


async def test_send_money_nulls_and_blind_sweep(client: httpx.AsyncClient, receiver: Receiver) -> None:
    """Node's send-money destinations carry ``nickname``/``favourite``/``description`` null; an empty
    ``destinations`` list with a null ``source_identifier`` is a blind sweep. Both are Processed."""
    sdk = NODE
    token = await sdk.token(client)
    wallet = await create(
        client, sdk, token, "/api/v2/merchant_wallets", {**payloads.wallet(), "nickname": None}
    )
    account = await create(
        client, sdk, token, "/api/v2/merchant_bank_accounts", {**payloads.bank_account(), "nickname": None}
    )
    nulls = {"nickname": None, "favourite": None}
    destinations: list[dict[str, Any]] = [
        {
            "type": "mobile_wallet",
            "phone_number": "254900000000",
            "network": "Safaricom",
            "amount": 10,
            "description": "x",
            **nulls,
        },
        {"type": "till", "till_number": "4321", "amount": "5", "description": "y", **nulls},
        {
            "type": "merchant_wallet",
            "reference": wallet.rsplit("/", 1)[1],
            "amount": 1,
            "description": None,
            **nulls,
        },
        {
            "type": "merchant_bank_account",
            "reference": account.rsplit("/", 1)[1],
            "amount": 2,
            "description": None,
            **nulls,
        },
    ]
    targeted = await create(
        client, sdk, token, "/api/v2/send_money", payloads.send_money(receiver.url(), destinations)
    )
    result = await settled(client, sdk, token, targeted, "Scheduled")
    assert result["status"] == "Processed"
    disbursements = [d for batch in result["transfer_batches"] for d in batch["disbursements"]]
    assert [d["nickname"] for d in disbursements] == [None] * 4
    await pay_till(client, amount="300")
    sweep = with_(payloads.send_money(receiver.url(), []), source_identifier=None, metadata=ABSENT)
    result = await settled(
        client, sdk, token, await create(client, sdk, token, "/api/v2/send_money", sweep), "Scheduled"
    )
    assert result["status"] == "Processed" and result["destinations"] in ([], None)


RECIPIENTS = {
    "mobile_wallet": {
        "first_name": "Jane",
        "last_name": "Doe",
        "phone_number": "+254712345678",
        "email": None,
        "network": None,
        "nickname": None,
    },
    "bank_account": {
        "account_name": "A",
        "account_number": "1",
        "bank_branch_ref": "ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
        "settlement_method": "EFT",
        "nickname": None,
    },
    "till": {"till_name": "Duka la Mama", "till_number": "4321", "nickname": None},
    "paybill": {
        "paybill_name": "Kenya Power",
        "paybill_number": "888880",
        "paybill_account_number": "42",
        "nickname": None,
    },
}


RECIPIENT_TYPE_NAMES = {
    "mobile_wallet": "Mobile Wallet",
    "bank_account": "Bank Account",
    "till": "Till",
    "paybill": "Paybill",
}


@pytest.mark.parametrize("kind", sorted(RECIPIENTS))
@pytest.mark.parametrize("wrapper", ["external_recipient", "pay_recipient"])
async def test_external_recipient_with_either_wrapper_and_nulls(
    client: httpx.AsyncClient, kind: str, wrapper: str
) -> None:
    """``/api/v2/external_recipients`` takes the details in ``external_recipient`` or, as SDKs sent them
    between the Feb and Apr 2026 renames, in ``pay_recipient`` (§h.6); optional fields may be null
    (Python 2.x types email/network Optional). Either way it is an external recipient."""
    sdk = PYTHON_2
    token = await sdk.token(client)
    location = await create(
        client, sdk, token, "/api/v2/external_recipients", {"type": kind, wrapper: RECIPIENTS[kind]}
    )
    assert "/api/v2/external_recipients/" in location
    data = (await get(client, sdk, token, location))["data"]
    assert data["type"] == "external_recipient"
    assert data["attributes"]["recipient_type"] == RECIPIENT_TYPE_NAMES[kind]  # K2 reads back a display name
    for field, value in RECIPIENTS[kind].items():
        assert data["attributes"][field] == value, field


async def test_external_recipient_wrapper_must_match_a_type(client: httpx.AsyncClient) -> None:
    """Accepting both wrappers loosens nothing else: a body with neither, or with the details of either
    incomplete, is a 400 naming the missing field of the wrapper the caller used."""
    sdk = PYTHON_2
    token = await sdk.token(client)
    url = sdk.url(client, "/api/v2/external_recipients")
    for body, expected in (
        ({"type": "till", "recipient": {"till_number": "4321"}}, "request body"),
        ({"type": "till", "pay_recipient": {"till_name": "Shop"}}, "pay_recipient.till_number is required"),
        ({"type": "bank_account", "pay_recipient": {"account_name": "A"}}, "pay_recipient.account_number"),
        (
            {"type": "till", "external_recipient": {"till_name": "Shop"}},
            "external_recipient.till_number is required",
        ),
    ):
        response = await client.post(url, content=json.dumps(body), headers=sdk.headers(token))
        assert response.status_code == 400, body
        assert expected in response.json()["error_message"], (body, response.json())


# ---------------------------------------------------------------- optional fields sent as null (§j)


@dataclass(frozen=True)
class NullShape:
    """One request body an SDK builds with null (or odd-typed) optional fields, and where it goes."""

    name: str
    sdk: Sdk
    path: str
    model: str  # the generated request model that must parse it
    changes: dict[str, Any]
    pending: str | None  # the status the resource leaves once processed (None: read it at once)


def _null_shape_body(shape: NullShape, callback: str, context: dict[str, str]) -> dict[str, Any]:
    bases: dict[str, Any] = {
        "incoming_payments": lambda: payloads.stk(callback),
        "payments": lambda: payloads.payment(callback, context["recipient"]),
        "send_money": lambda: payloads.send_money(callback),
        "reversals": lambda: payloads.reversal(callback, context["reference"]),
        "payment_links": lambda: payloads.payment_link(callback),
        "merchant_wallets": payloads.wallet,
    }
    return with_(bases[shape.path.rsplit("/", 1)[1]](), **shape.changes)


MOBILE_DESTINATION = {
    "type": "mobile_wallet",
    "phone_number": "254711222333",
    "network": None,
    "amount": 40,
    "description": "Fare",
    "nickname": None,
    "favourite": None,
}
NULL_SHAPES = [
    NullShape(
        "ruby-4.x-stk",
        RUBY,
        "/api/v2/incoming_payments",
        "IncomingPaymentRequest",
        {"metadata": None, "payment_channel": None},
        "Pending",
    ),
    NullShape(
        "ruby-4.x-send-money-blind",
        RUBY,
        "/api/v2/send_money",
        "SendMoneyRequest",
        {"metadata": None, "destinations": None},
        "Scheduled",
    ),
    NullShape(
        "ruby-4.x-send-money-wallet-network",
        RUBY,
        "/api/v2/send_money",
        "SendMoneyRequest",
        {"metadata": None, "destinations": [MOBILE_DESTINATION]},
        "Scheduled",
    ),
    NullShape(
        "ruby-4.x-reversal", RUBY, "/api/v2/reversals", "ReversalRequest", {"metadata": None}, "Received"
    ),
    NullShape(
        "ruby-4.x-payment-link", RUBY, "/api/v2/payment_links", "PaymentLinkRequest", {"metadata": None}, None
    ),
    NullShape(
        "ruby-4.x-merchant-wallet",
        RUBY,
        "/api/v2/merchant_wallets",
        "MerchantWalletRequest",
        {"network": None},
        None,
    ),
    NullShape(
        "php-stk", PHP, "/api/v1/incoming_payments", "IncomingPaymentRequest", {"metadata": None}, "Pending"
    ),
    NullShape(
        "php-pay",
        PHP,
        "/api/v1/payments",
        "PaymentRequest",
        {"metadata": None, "category": None, "tags": None},
        "Scheduled",
    ),
    NullShape(
        "php-v2-send-money",
        PHP,
        "/api/v2/send_money",
        "SendMoneyRequest",
        {"metadata": None, "destinations": None},
        "Scheduled",
    ),
    NullShape(
        "node-1.x-pay-string-tags",
        NODE,
        "/api/v1/payments",
        "PaymentRequest",
        {"tags": "salary,march", "category": "salaries"},
        "Scheduled",
    ),
]


@pytest.mark.parametrize("shape", NULL_SHAPES, ids=[s.name for s in NULL_SHAPES])
async def test_null_optional_fields_as_sdks_send_them(
    client: httpx.AsyncClient, receiver: Receiver, shape: NullShape
) -> None:
    """Each body as Ruby 4.x, PHP (master, v2 branch) or Node 1.x builds it, with optional fields null (or
    PAY tags as one string), is accepted: the generated request model parses it and gives back the same
    JSON, and the sandbox creates it (201) and processes it; null metadata reads back as null."""
    sdk = shape.sdk
    token = await sdk.token(client)
    context: dict[str, str] = {}
    if shape.path.endswith("/payments"):
        recipient = await create(client, sdk, token, "/api/v1/pay_recipients", payloads.recipient())
        context["recipient"] = recipient.rsplit("/", 1)[1]
    if shape.path.endswith(("/send_money", "/reversals")):
        context["reference"] = (await pay_till(client, amount="500"))["transaction"]["reference"]
    body = _null_shape_body(shape, receiver.url(), context)
    assert getattr(models, shape.model).from_dict(body).to_dict() == body
    location = await create(client, sdk, token, shape.path, body)
    if shape.pending is None:
        attributes = (await get(client, sdk, token, location))["data"]["attributes"]
    else:
        attributes = await settled(client, sdk, token, location, shape.pending)
        assert attributes["status"] in ("Success", "Processed"), attributes
    if shape.changes.get("metadata", ABSENT) is None:
        assert attributes["metadata"] is None


# ---------------------------------------------------------------- what K2 rejects


# The generated recipient classes, whose from_dict checks that the required fields are present.
RecipientModel = (
    type[models.MobileWalletRecipient] | type[models.TillRecipient] | type[models.PaybillRecipient]
)
NAMED_RECIPIENTS = {
    "mobile_wallet": {
        "first_name": "Achieng",
        "last_name": "Odhiambo",
        "phone_number": "+254722000111",
        "network": "Safaricom",
    },
    "till": {"till_name": "Mama Mboga", "till_number": "4321"},
    "paybill": {"paybill_name": "Nairobi Water", "paybill_number": "444400", "paybill_account_number": "7"},
}
NAME_CASES = [
    (kind, name, how)
    for kind, names in (
        ("mobile_wallet", ("first_name", "last_name")),
        ("till", ("till_name",)),
        ("paybill", ("paybill_name",)),
    )
    for name in names
    for how in ("absent", "null", "blank")
]
ROUTES = [
    ("/api/v1/pay_recipients", "pay_recipient"),
    ("/api/v2/external_recipients", "external_recipient"),
    ("/api/v2/external_recipients", "pay_recipient"),
    ("/api/v2/pay_recipients", "pay_recipient"),
]


@pytest.mark.parametrize(("path", "wrapper"), ROUTES, ids=[f"{p.rsplit('/', 1)[1]}-{w}" for p, w in ROUTES])
@pytest.mark.parametrize(("kind", "name", "how"), NAME_CASES, ids=["-".join(c) for c in NAME_CASES])
async def test_recipient_without_its_name_is_refused(
    client: httpx.AsyncClient, path: str, wrapper: str, kind: str, name: str, how: str
) -> None:
    """A mobile wallet without first_name or last_name, a till without till_name, a paybill without
    paybill_name (left out, null or blank) is K2's 400 ``{error_code, error_message}`` naming the field;
    the generated model refuses to parse one without it. The same body with the name is created."""
    sdk = PYTHON_2
    token = await sdk.token(client)
    value = {"absent": ABSENT, "null": None, "blank": "  "}[how]
    details = with_(NAMED_RECIPIENTS[kind], **{name: value})
    response = await client.post(
        sdk.url(client, path),
        content=json.dumps({"type": kind, wrapper: details}),
        headers=sdk.headers(token),
    )
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error_code"] == 400 and f"{wrapper}.{name}" in error["error_message"], error
    recipient_models: dict[str, RecipientModel] = {
        "mobile_wallet": models.MobileWalletRecipient,
        "till": models.TillRecipient,
    }
    model = recipient_models.get(kind, models.PaybillRecipient)
    if how == "absent":  # the generated models check presence, not types or patterns
        with pytest.raises(KeyError):
            model.from_dict(details)
    await create(client, sdk, token, path, {"type": kind, wrapper: NAMED_RECIPIENTS[kind]})


@pytest.mark.parametrize("phone", ["+254711222333", "0711222333", "25471122233", "2547112223334"])
async def test_send_money_phone_is_254_and_nine_digits(client: httpx.AsyncClient, phone: str) -> None:
    """A send-money mobile-wallet phone is ``254`` + 9 digits (Ruby 4.x "match Core"): a leading ``+``
    (PHP's v2 branch lets it through), a local ``07...`` (Python 2.x does) or a wrong length is a 400
    naming the field."""
    sdk = RUBY
    token = await sdk.token(client)
    body = payloads.send_money("https://e.com/cb", [{**MOBILE_DESTINATION, "phone_number": phone}])
    response = await client.post(
        sdk.url(client, "/api/v2/send_money"), content=json.dumps(body), headers=sdk.headers(token)
    )
    assert response.status_code == 400, response.text
    assert "destinations[0].phone_number" in response.json()["error_message"]


V1_ONLY = ["m2m_transaction_received"]
V2_ONLY = ["b2b_transaction_reversed", "card_transaction_received", "card_transaction_voided"]


@pytest.mark.parametrize(
    ("version", "topic", "allowed"),
    [("v1", t, True) for t in V1_ONLY]
    + [("v2", t, False) for t in V1_ONLY]
    + [("v2", t, True) for t in V2_ONLY]
    + [("v1", t, False) for t in V2_ONLY],
)
async def test_subscription_event_lists_per_version(
    client: httpx.AsyncClient, version: str, topic: str, allowed: bool
) -> None:
    """v1 subscriptions take the v1 SDKs' events (m2m, no card or b2b reversal events), v2 ones the v2
    SDKs' (card events, b2b reversals, no m2m); an event the version lacks is a 400 naming event_type."""
    sdk = NODE
    token = await sdk.token(client)
    company = topic.startswith("m2m")
    body = payloads.subscription("https://e.com/hook", topic, None if company else "514459")
    path = f"/api/{version}/webhook_subscriptions"
    if allowed:
        await create(client, sdk, token, path, body)
        return
    response = await client.post(sdk.url(client, path), content=json.dumps(body), headers=sdk.headers(token))
    assert response.status_code == 400, response.text
    assert response.json()["error_message"].startswith("event_type must be one of"), response.json()


@pytest.mark.parametrize(
    "topic", ["settlement_transfer_completed", "customer_created", "m2m_transaction_received"]
)
async def test_company_events_take_company_scope(client: httpx.AsyncClient, topic: str) -> None:
    """Company events subscribed with ``scope: till`` are a 400 saying scope must be company; with
    ``scope: company`` they are created."""
    sdk = RUBY
    token = await sdk.token(client)
    path = "/api/v1/webhook_subscriptions"
    till = payloads.subscription("https://e.com/hook", topic, "514459")
    response = await client.post(sdk.url(client, path), content=json.dumps(till), headers=sdk.headers(token))
    assert response.status_code == 400, response.text
    assert "scope must be company" in response.json()["error_message"]
    await create(client, sdk, token, path, payloads.subscription("https://e.com/hook", topic, None))


async def test_old_pay_recipients_location_reads_the_recipient(client: httpx.AsyncClient) -> None:
    """A recipient created through the deprecated ``/api/v2/pay_recipients`` reads under either
    collection name, so an SDK that GETs a Location naming the old collection is not left with a 404."""
    sdk = PYTHON_2
    token = await sdk.token(client)
    location = await create(client, sdk, token, "/api/v2/pay_recipients", payloads.recipient())
    old = location.replace("/external_recipients/", "/pay_recipients/")
    assert (await get(client, sdk, token, old)) == (await get(client, sdk, token, location))


async def test_settlement_bank_account_carries_transfer_method(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    """The settlement webhook's bank account carries its method as ``settlement_method`` (every sample)
    and as ``transfer_method`` (what Ruby 4.x reads), the same value in both."""
    sdk = RUBY
    token = await sdk.token(client)
    url = receiver.url("settled")
    body = payloads.subscription(url, "settlement_transfer_completed", None)
    await create(client, sdk, token, "/api/v2/webhook_subscriptions", body)
    await control(
        client,
        "POST",
        "/sandbox/simulate/settlement_transfer_completed",
        {"amount": "900", "destination_type": "bank_account"},
    )
    (received,) = await receiver.await_for(url)
    account = json.loads(received.body)["event"]["resource"]["destination"]["resource"]
    assert account["transfer_method"] == account["settlement_method"] == "EFT"
    parsed = models.SettlementTransferCompletedWebhook.from_dict(json.loads(received.body))
    destination = parsed.event.resource.destination
    assert isinstance(destination, models.SettlementBankAccountDestination)
    assert destination.resource.transfer_method == "EFT"
