"""Tests for k2connect_ext._operations: each builder's generated operation and the exact body K2 receives."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import pytest
from k2connect_client.models.settlement_destination_type import SettlementDestinationType

from k2connect_ext import _operations as ops
from k2connect_ext._exceptions import K2InputError

CB = "https://example.com/k2/result"
LINKS = {"_links": {"callback_url": CB}}
EAT = dt.timezone(dt.timedelta(hours=3))
FROM = dt.datetime(2021, 4, 12, 8, 50, 22, tzinfo=EAT)
TO = dt.datetime(2021, 4, 13, 0, 0, 0, tzinfo=dt.UTC)


def body(prepared: ops.Prepared[Any]) -> dict[str, Any]:
    """The JSON body the generated operation will send."""
    result: dict[str, Any] = prepared.body.to_dict()
    return result


# generated operation (without its version prefix) -> the builder that prepares it
_BUILDER_OF = {
    "create_webhook_subscription": "subscribe_webhook",
    "create_transaction_sms_notification": "send_sms_notification",
    "create_incoming_payment": "stk_push",
    "create_pay_recipient": "add_recipient",
    "create_external_recipient": "add_recipient",
    "create_payment": "create_payment",
    "create_merchant_wallet": "add_merchant_wallet",
    "create_merchant_bank_account": "add_merchant_bank_account",
    "create_settlement_transfer": "settle_funds",
    "create_polling": "poll_transactions",
    "create_send_money": "send_money",
    "create_reversal": "reverse_transaction",
    "create_payment_link": "create_payment_link",
}


def rejected(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> K2InputError:
    """Call a builder expecting a K2InputError, and return it."""
    with pytest.raises(K2InputError) as info:
        fn(*args, **kwargs)
    return info.value


def assert_operation(prepared: ops.Prepared[Any], operation: str, result_type: str) -> None:
    """The Prepared holds both twins of the generated operation; its builder says what its Location reads."""
    assert prepared.name == operation.split(".")[1]
    assert prepared.sync.__module__ == prepared.asyncio.__module__ == f"k2connect_client.api.{operation}"
    assert prepared.sync.__name__ == "sync_detailed"
    assert prepared.asyncio.__name__ == "asyncio_detailed"
    builder = getattr(ops, _BUILDER_OF[operation.split(".")[1].split("_", 1)[1]])
    assert str(inspect.signature(builder).return_annotation) == f"Prepared[{result_type}]"


# ---------------------------------------------------------------------------------- webhooks, SMS
def test_subscribe_webhook_v2_till_scope_with_daraja() -> None:
    """v2 subscriptions carry enable_daraja_payload; till events carry the till."""
    prepared = ops.subscribe_webhook(
        "buygoods_transaction_received",
        "https://example.com/hooks",
        # The type names the canonical spelling; any case is accepted at run time.
        scope="TILL",  # type: ignore[arg-type]
        scope_reference=" 514459 ",
        enable_daraja_payload=True,
    )
    assert_operation(prepared, "v2.v2_create_webhook_subscription", "WebhookSubscription")
    assert body(prepared) == {
        "event_type": "buygoods_transaction_received",
        "url": "https://example.com/hooks",
        "scope": "till",
        "scope_reference": "514459",
        "enable_daraja_payload": True,
    }


def test_subscribe_webhook_v1_company_scope() -> None:
    """v1 subscriptions have no daraja flag; company scope sends a null reference."""
    prepared = ops.subscribe_webhook("customer_created", "https://example.com/hooks", version="v1")
    assert_operation(prepared, "v1.v1_create_webhook_subscription", "WebhookSubscription")
    assert body(prepared) == {
        "event_type": "customer_created",
        "url": "https://example.com/hooks",
        "scope": "company",
        "scope_reference": None,
    }


def test_subscribe_webhook_v2_default_sends_daraja_false() -> None:
    """Without the flag, v2 sends enable_daraja_payload false explicitly."""
    assert (
        body(ops.subscribe_webhook("customer_created", "https://e.com/h"))["enable_daraja_payload"] is False
    )


def test_subscribe_webhook_rejections() -> None:
    """Daraja on v1, a bad URL, a bad version and scope errors are each reported on their field."""
    daraja = {"scope": "till", "scope_reference": "1", "enable_daraja_payload": True}
    event = "buygoods_transaction_received"
    assert rejected(ops.subscribe_webhook, event, CB, version="v1", **daraja).field == "enable_daraja_payload"
    assert rejected(ops.subscribe_webhook, "customer_created", "not a url").field == "url"
    assert rejected(ops.subscribe_webhook, "customer_created", CB, version="v3").field == "version"
    assert rejected(ops.subscribe_webhook, "customer_created", CB, scope="till").field == "scope"


def test_send_sms_notification_body() -> None:
    """The SMS notification is a v1 operation with the event reference, message and callback."""
    prepared = ops.send_sms_notification(" evt-1 ", "Thank you", CB)
    assert_operation(
        prepared, "v1.v1_create_transaction_sms_notification", "TransactionSmsNotificationResult"
    )
    assert body(prepared) == {"webhook_event_reference": "evt-1", "message": "Thank you", **LINKS}


def test_send_sms_notification_needs_a_message() -> None:
    """A blank message is refused on its field."""
    assert rejected(ops.send_sms_notification, "evt-1", "  ", CB).field == "message"


# ---------------------------------------------------------------------------------- STK push
def test_stk_push_minimal_body() -> None:
    """STK push sends the +254 phone, the amount as a string, the channel and the callback."""
    prepared = ops.stk_push(phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB)
    assert_operation(prepared, "v2.v2_create_incoming_payment", "IncomingPaymentResult")
    assert body(prepared) == {
        "payment_channel": "M-PESA STK Push",
        "till_number": "K000000",
        "subscriber": {"phone_number": "+254712345678"},
        "amount": {"currency": "KES", "value": "100"},
        **LINKS,
    }


def test_stk_push_full_body_v1() -> None:
    """Every optional subscriber field and the metadata are sent; v1 picks the v1 operation."""
    prepared = ops.stk_push(
        phone_number="254 112-345-678",
        amount=Decimal("10.50"),
        till_number="K000000",
        callback_url=CB,
        # The type names the canonical spelling; any case is accepted at run time.
        currency="kes",
        first_name="Jane",
        middle_name="W",
        last_name="Doe",
        email="jane@example.com",
        metadata={"customer_id": "123", "notes": "x"},
        version="v1",
    )
    assert_operation(prepared, "v1.v1_create_incoming_payment", "IncomingPaymentResult")
    assert body(prepared) == {
        "payment_channel": "M-PESA STK Push",
        "till_number": "K000000",
        "subscriber": {
            "phone_number": "+254112345678",
            "first_name": "Jane",
            "middle_name": "W",
            "last_name": "Doe",
            "email": "jane@example.com",
        },
        "amount": {"currency": "KES", "value": "10.50"},
        **LINKS,
        "metadata": {"customer_id": "123", "notes": "x"},
    }


@pytest.mark.parametrize(
    ("amount", "wire"), [(100, "100"), ("100.5", "100.5"), (0.1, "0.1"), ("1e3", "1000"), ("2.500", "2.50")]
)
def test_stk_push_amount_is_a_plain_decimal_string(amount: Any, wire: str) -> None:
    """Amounts are sent as plain strings: no exponent, no float noise, at most 2 decimals."""
    prepared = ops.stk_push(phone_number="0712345678", amount=amount, till_number="K1", callback_url=CB)
    assert body(prepared)["amount"]["value"] == wire


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone_number": "0812345678"}, "phone_number"),
        ({"amount": 0}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"till_number": " "}, "till_number"),
        ({"callback_url": "ftp://x"}, "callback_url"),
        ({"metadata": {str(i): i for i in range(6)}}, "metadata"),
        ({"payment_channel": ""}, "payment_channel"),
        ({"version": "v9"}, "version"),
    ],
)
def test_stk_push_rejections(change: dict[str, Any], field: str) -> None:
    """Each bad STK input is refused on its own field."""
    args: dict[str, Any] = {
        "phone_number": "0712345678",
        "amount": 1,
        "till_number": "K1",
        "callback_url": CB,
        **change,
    }
    assert rejected(ops.stk_push, **args).field == field


# ---------------------------------------------------------------------------------- recipients
RECIPIENTS: list[tuple[ops.RecipientType, dict[str, Any], dict[str, Any]]] = [
    (
        "mobile_wallet",
        {
            "first_name": "Jane",
            "last_name": "Doe",
            "phone_number": "0712345678",
            "email": "j@e.com",
            "network": "SAFARICOM",
            "nickname": "J",
        },
        {
            "phone_number": "+254712345678",
            "network": "Safaricom",
            "first_name": "Jane",
            "last_name": "Doe",
            "email": "j@e.com",
            "nickname": "J",
        },
    ),
    (
        "bank_account",
        {
            "account_name": "Jane",
            "account_number": "123",
            "bank_branch_ref": "br-1",
            "settlement_method": "rts",
        },
        {
            "account_name": "Jane",
            "account_number": "123",
            "bank_branch_ref": "br-1",
            "settlement_method": "RTS",
        },
    ),
    ("till", {"till_number": "514459", "till_name": "Shop"}, {"till_number": "514459", "till_name": "Shop"}),
    (
        "paybill",
        {"paybill_number": "888", "paybill_account_number": "acc", "paybill_name": "Power"},
        {"paybill_number": "888", "paybill_account_number": "acc", "paybill_name": "Power"},
    ),
]


@pytest.mark.parametrize(("kind", "kwargs", "details"), RECIPIENTS, ids=[r[0] for r in RECIPIENTS])
def test_add_recipient_v1_uses_the_pay_recipient_wrapper(
    kind: ops.RecipientType, kwargs: dict[str, Any], details: dict[str, Any]
) -> None:
    """v1 posts {type, pay_recipient} to pay_recipients."""
    prepared = ops.add_recipient(kind, **kwargs)
    assert_operation(prepared, "v1.v1_create_pay_recipient", "Recipient")
    assert body(prepared) == {"type": kind, "pay_recipient": details}


@pytest.mark.parametrize(("kind", "kwargs", "details"), RECIPIENTS, ids=[r[0] for r in RECIPIENTS])
def test_add_recipient_v2_uses_the_external_recipient_wrapper(
    kind: ops.RecipientType, kwargs: dict[str, Any], details: dict[str, Any]
) -> None:
    """v2 posts {type, external_recipient} to external_recipients."""
    prepared = ops.add_recipient(kind, version="v2", **kwargs)
    assert_operation(prepared, "v2.v2_create_external_recipient", "Recipient")
    assert body(prepared) == {"type": kind, "external_recipient": details}


def test_add_recipient_bank_account_defaults_to_eft() -> None:
    """Without a settlement method a bank recipient settles by EFT."""
    prepared = ops.add_recipient("bank_account", account_name="A", account_number="1", bank_branch_ref="b")
    assert body(prepared)["pay_recipient"]["settlement_method"] == "EFT"


@pytest.mark.parametrize(
    ("kind", "kwargs", "field"),
    [
        ("mobile_wallet", {"first_name": "J", "last_name": "D"}, "phone_number"),
        ("mobile_wallet", {"first_name": "J", "phone_number": "0712345678"}, "last_name"),
        (
            "mobile_wallet",
            {"first_name": "J", "last_name": "D", "phone_number": "0712345678", "network": "x"},
            "network",
        ),
        ("bank_account", {"account_name": "A", "account_number": "1"}, "bank_branch_ref"),
        (
            "bank_account",
            {"account_name": "A", "account_number": "1", "bank_branch_ref": "b", "settlement_method": "x"},
            "settlement_method",
        ),
        ("till", {}, "till_number"),
        ("paybill", {"paybill_number": "1"}, "paybill_account_number"),
        ("kopo_kopo_merchant", {}, "type"),
    ],
)
def test_add_recipient_rejections(kind: str, kwargs: dict[str, Any], field: str) -> None:
    """A missing or bad recipient field, or an unknown type, is refused on that field."""
    assert rejected(ops.add_recipient, kind, **kwargs).field == field


# ---------------------------------------------------------------------------------- PAY
def test_create_payment_full_body() -> None:
    """A PAY payment carries destination, amount, description, category, tags and metadata."""
    prepared = ops.create_payment(
        destination_type="mobile_wallet",
        destination_reference="rcp-1",
        amount="250.00",
        description="Salary",
        callback_url=CB,
        category="salaries",
        tags=("staff", "june"),
        metadata={"employee": 7},
    )
    assert_operation(prepared, "v1.v1_create_payment", "PaymentResult")
    assert body(prepared) == {
        "destination_type": "mobile_wallet",
        "destination_reference": "rcp-1",
        "amount": {"currency": "KES", "value": "250.00"},
        "description": "Salary",
        **LINKS,
        "category": "salaries",
        "tags": ["staff", "june"],
        "metadata": {"employee": 7},
    }


def test_create_payment_minimal_body_leaves_optionals_out() -> None:
    """Absent category, tags and metadata are not sent at all."""
    prepared = ops.create_payment(
        destination_type="till", destination_reference="r", amount=5, description="d", callback_url=CB
    )
    assert set(body(prepared)) == {
        "destination_type",
        "destination_reference",
        "amount",
        "description",
        "_links",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"destination_type": "merchant_wallet"}, "destination_type"),
        ({"tags": "staff"}, "tags"),
        ({"tags": ["ok", 3]}, "tags"),
        ({"description": ""}, "description"),
        ({"destination_reference": None}, "destination_reference"),
    ],
)
def test_create_payment_rejections(change: dict[str, Any], field: str) -> None:
    """A bad destination type, tags that are not a list of strings, or a blank field is refused."""
    args: dict[str, Any] = {
        "destination_type": "till",
        "destination_reference": "r",
        "amount": 5,
        "description": "d",
        "callback_url": CB,
        **change,
    }
    assert rejected(ops.create_payment, **args).field == field


# ---------------------------------------------------------------------------------- own accounts
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_add_merchant_wallet(version: ops.Version) -> None:
    """Own M-PESA accounts: +254 phone and Safaricom, for either version."""
    prepared = ops.add_merchant_wallet(
        first_name="Jane", last_name="Doe", phone_number="0712345678", nickname="main", version=version
    )
    assert_operation(prepared, f"{version}.{version}_create_merchant_wallet", "MerchantAccount")
    assert body(prepared) == {
        "first_name": "Jane",
        "last_name": "Doe",
        "phone_number": "+254712345678",
        "network": "Safaricom",
        "nickname": "main",
    }


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_add_merchant_bank_account(version: ops.Version) -> None:
    """Own bank accounts: the settlement method upper-cased, nickname left out when absent."""
    prepared = ops.add_merchant_bank_account(
        account_name="Shop",
        account_number="0011",
        bank_branch_ref="br",
        # The type names the canonical spelling; any case is accepted at run time.
        settlement_method="rts",
        version=version,
    )
    assert_operation(prepared, f"{version}.{version}_create_merchant_bank_account", "MerchantAccount")
    assert body(prepared) == {
        "account_name": "Shop",
        "account_number": "0011",
        "bank_branch_ref": "br",
        "settlement_method": "RTS",
    }


def test_merchant_account_rejections() -> None:
    """A bad phone or settlement method is refused on its field."""
    assert (
        rejected(ops.add_merchant_wallet, first_name="J", last_name="D", phone_number="1").field
        == "phone_number"
    )
    bank = {"account_name": "A", "account_number": "1", "bank_branch_ref": "b"}
    assert (
        rejected(ops.add_merchant_bank_account, settlement_method="ACH", **bank).field == "settlement_method"
    )


# ---------------------------------------------------------------------------------- settlement transfer
def test_settle_funds_blind_whole_balance() -> None:
    """A blind transfer with no amount sends only the callback: everything to the default accounts."""
    prepared = ops.settle_funds(callback_url=CB)
    assert_operation(prepared, "v1.v1_create_settlement_transfer", "SettlementTransferResult")
    assert body(prepared) == LINKS


def test_settle_funds_blind_with_amount() -> None:
    """A blind transfer may name an amount."""
    assert body(ops.settle_funds(callback_url=CB, amount=Decimal("99.99"))) == {
        **LINKS,
        "amount": {"currency": "KES", "value": "99.99"},
    }


@pytest.mark.parametrize("destination_type", ["merchant_wallet", "merchant_bank_account"])
def test_settle_funds_targeted(destination_type: SettlementDestinationType) -> None:
    """A targeted transfer names both the account type and its reference."""
    prepared = ops.settle_funds(
        callback_url=CB, amount=100, destination_type=destination_type, destination_reference=" acc-1 "
    )
    assert body(prepared) == {
        **LINKS,
        "amount": {"currency": "KES", "value": "100"},
        "destination_type": destination_type,
        "destination_reference": "acc-1",
    }


def test_settle_funds_targeted_needs_both_type_and_reference() -> None:
    """Only one of destination_type / destination_reference is refused, naming the missing one."""
    only_type = rejected(ops.settle_funds, callback_url=CB, destination_type="merchant_wallet")
    assert only_type.field == "destination_reference"
    only_reference = rejected(ops.settle_funds, callback_url=CB, destination_reference="acc-1")
    assert only_reference.field == "destination_type"


def test_settle_funds_other_rejections() -> None:
    """An unknown account type, a blank reference, a bad currency or amount are refused."""
    target = {"destination_type": "mobile_wallet", "destination_reference": "a"}
    assert rejected(ops.settle_funds, callback_url=CB, **target).field == "destination_type"
    blank = {"destination_type": "merchant_wallet", "destination_reference": " "}
    assert rejected(ops.settle_funds, callback_url=CB, **blank).field == "destination_reference"
    assert rejected(ops.settle_funds, callback_url=CB, amount=1, currency="USD").field == "currency"
    assert rejected(ops.settle_funds, callback_url=CB, amount=-1).field == "amount"


# ---------------------------------------------------------------------------------- polling
def test_poll_transactions_company_v2() -> None:
    """Polling sends ISO-8601 times with their offsets and a null reference for company scope."""
    prepared = ops.poll_transactions(from_time=FROM, to_time=TO, callback_url=CB)
    assert_operation(prepared, "v2.v2_create_polling", "PollingResult")
    assert body(prepared) == {
        "scope": "company",
        "from_time": "2021-04-12T08:50:22+03:00",
        "to_time": "2021-04-13T00:00:00+00:00",
        **LINKS,
        "scope_reference": None,
    }


def test_poll_transactions_till_v1() -> None:
    """Till-scoped polling carries the till; v1 picks the v1 operation."""
    prepared = ops.poll_transactions(
        from_time=FROM,
        to_time=TO,
        callback_url=CB,
        # The type names the canonical spelling; any case and spacing are accepted at run time.
        scope=" Till ",  # type: ignore[arg-type]
        scope_reference=" K123 ",
        version="v1",
    )
    assert_operation(prepared, "v1.v1_create_polling", "PollingResult")
    assert body(prepared)["scope"] == "till"
    assert body(prepared)["scope_reference"] == "K123"


def test_poll_transactions_company_drops_a_reference() -> None:
    """A company-scoped poll never sends a till reference."""
    prepared = ops.poll_transactions(from_time=FROM, to_time=TO, callback_url=CB, scope_reference="K1")
    assert body(prepared)["scope_reference"] is None


def test_poll_transactions_equal_times_are_allowed() -> None:
    """An empty window (from == to) is not an error."""
    assert (
        body(ops.poll_transactions(from_time=FROM, to_time=FROM, callback_url=CB))["to_time"]
        == FROM.isoformat()
    )


class _NoOffset(dt.tzinfo):
    """A tzinfo whose utcoffset is None: the datetime is still naive."""

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        """No offset."""
        return None

    def tzname(self, when: dt.datetime | None) -> str | None:
        """No name."""
        return None

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        """No DST."""
        return None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from_time": dt.datetime(2021, 4, 12)}, "from_time"),
        ({"to_time": dt.datetime(2021, 4, 13)}, "to_time"),
        ({"from_time": dt.datetime(2021, 4, 12, tzinfo=_NoOffset())}, "from_time"),
        ({"from_time": "2021-04-12T00:00:00Z"}, "from_time"),
        ({"from_time": TO, "to_time": FROM}, "from_time"),
        ({"scope": "planet"}, "scope"),
        ({"scope": "till"}, "scope_reference"),
        ({"scope": "till", "scope_reference": "   "}, "scope_reference"),
        ({"callback_url": "nope"}, "callback_url"),
        ({"version": "v0"}, "version"),
    ],
)
def test_poll_transactions_rejections(change: dict[str, Any], field: str) -> None:
    """Naive datetimes, a reversed window, a bad scope or a missing till are refused on their field."""
    args: dict[str, Any] = {"from_time": FROM, "to_time": TO, "callback_url": CB, **change}
    assert rejected(ops.poll_transactions, **args).field == field


# ---------------------------------------------------------------------------------- send money
def test_send_money_every_destination_kind() -> None:
    """Each destination builder produces its member of the union, in order, amounts as strings."""
    prepared = ops.send_money(
        callback_url=CB,
        source_identifier="4321",
        metadata={"batch": "june"},
        destinations=[
            ops.mobile_wallet_destination("+254 712 345 678", 100, "Rent", nickname="L", favourite=True),
            # The type names the canonical spelling; any case is accepted at run time.
            ops.bank_account_destination("Jane", "001", "br", "2.50", "Fees", settlement_method="eft"),
            ops.till_destination("514459", 3, "Stock", favourite=False),
            ops.paybill_destination("888", "acc", 4, "Power", nickname="KPLC"),
            ops.merchant_wallet_destination("mw-1", 5),
            ops.merchant_bank_account_destination("mb-1", 6, description="Sweep"),
        ],
    )
    assert_operation(prepared, "v2.v2_create_send_money", "SendMoneyResult")
    assert body(prepared) == {
        "currency": "KES",
        **LINKS,
        "source_identifier": "4321",
        "destinations": [
            {
                "type": "mobile_wallet",
                "phone_number": "254712345678",
                "network": "Safaricom",
                "amount": "100",
                "description": "Rent",
                "nickname": "L",
                "favourite": True,
            },
            {
                "type": "bank_account",
                "account_name": "Jane",
                "account_number": "001",
                "bank_branch_ref": "br",
                "amount": "2.50",
                "description": "Fees",
                "settlement_method": "EFT",
            },
            {
                "type": "till",
                "till_number": "514459",
                "amount": "3",
                "description": "Stock",
                "favourite": False,
            },
            {
                "type": "paybill",
                "paybill_number": "888",
                "paybill_account_number": "acc",
                "amount": "4",
                "description": "Power",
                "nickname": "KPLC",
            },
            {"type": "merchant_wallet", "reference": "mw-1", "amount": "5"},
            {"type": "merchant_bank_account", "reference": "mb-1", "amount": "6", "description": "Sweep"},
        ],
        "metadata": {"batch": "june"},
    }


def test_send_money_without_destinations_is_a_sweep() -> None:
    """No destinations sends an empty list: sweep all funds to the merchant's own accounts."""
    assert body(ops.send_money(callback_url=CB)) == {"currency": "KES", **LINKS, "destinations": []}


def test_send_money_destination_as_dict_is_refused() -> None:
    """A plain dict in destinations is refused, naming its index: build it with a *_destination helper."""
    good = ops.till_destination("1", 1, "d")
    error = rejected(
        ops.send_money, callback_url=CB, destinations=[good, {"type": "till", "till_number": "1"}]
    )
    assert error.field == "destinations[1]"
    assert "mobile_wallet_destination" in str(error)


@pytest.mark.parametrize("bad", [ops.till_destination("1", 1, "d"), {"type": "till"}, "till", None])
def test_send_money_destinations_must_be_a_list(bad: Any) -> None:
    """A single destination, a mapping or a string instead of a list is a validation error, not a crash."""
    assert rejected(ops.send_money, callback_url=CB, destinations=bad).field == "destinations"


def test_send_money_rejects_other_currencies() -> None:
    """Send money moves KES only."""
    assert rejected(ops.send_money, callback_url=CB, currency="UGX").field == "currency"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ops.mobile_wallet_destination("0812345678", 1, "d"), "phone_number"),
        (lambda: ops.mobile_wallet_destination("0712345678", 1, "d", network="Airtel"), "network"),
        (
            lambda: ops.mobile_wallet_destination("0712345678", 1, "d", favourite=cast(Any, "yes")),
            "favourite",
        ),
        (
            lambda: ops.bank_account_destination("a", "1", "b", 1, "d", settlement_method="x"),
            "settlement_method",
        ),
        (lambda: ops.till_destination("", 1, "d"), "till_number"),
        (lambda: ops.paybill_destination("1", "", 1, "d"), "paybill_account_number"),
        (lambda: ops.merchant_wallet_destination("r", 0), "amount"),
        (lambda: ops.merchant_bank_account_destination(" ", 1), "reference"),
        (lambda: ops.till_destination("1", 1, ""), "description"),
    ],
)
def test_destination_builder_rejections(build: Callable[[], Any], field: str) -> None:
    """Each destination helper validates its own fields."""
    assert rejected(build).field == field


# ---------------------------------------------------------------------------------- reversal, links
def test_reverse_transaction_body() -> None:
    """A reversal carries the M-PESA reference, the reason, the callback and metadata."""
    prepared = ops.reverse_transaction(
        transaction_reference="QKL123", reason="Duplicate", callback_url=CB, metadata={"ticket": "9"}
    )
    assert_operation(prepared, "v2.v2_create_reversal", "ReversalResult")
    assert body(prepared) == {
        "transaction_reference": "QKL123",
        "reason": "Duplicate",
        **LINKS,
        "metadata": {"ticket": "9"},
    }


def test_reverse_transaction_needs_a_reason() -> None:
    """A blank reason is refused."""
    assert (
        rejected(ops.reverse_transaction, transaction_reference="Q", reason="", callback_url=CB).field
        == "reason"
    )


def test_create_payment_link_body() -> None:
    """A payment link sends the till, KES, the amount as a string and the callback under _links."""
    prepared = ops.create_payment_link(
        till_number="514459", amount=1000, callback_url=CB, payment_reference="INV-1", note="Order 1"
    )
    assert_operation(prepared, "v2.v2_create_payment_link", "PaymentLinkResult")
    assert body(prepared) == {
        "till_number": "514459",
        "currency": "KES",
        "amount": "1000",
        **LINKS,
        "payment_reference": "INV-1",
        "note": "Order 1",
    }


def test_create_payment_link_rejections() -> None:
    """A bad currency or amount is refused on its field."""
    assert rejected(
        ops.create_payment_link, till_number="1", amount=1, callback_url=CB, currency="X"
    ).field == ("currency")
    assert (
        rejected(ops.create_payment_link, till_number="1", amount="1.999", callback_url=CB).field == "amount"
    )


# ---------------------------------------------------------------------------------- input contract (issue 9)
STK: dict[str, Any] = {"phone_number": "0712345678", "amount": 1, "till_number": "K1", "callback_url": CB}


def test_stk_push_huge_metadata_number_is_refused_before_sending() -> None:
    """metadata={"n": 10**5000} used to pass validation and fail while the body was built."""
    assert rejected(ops.stk_push, **STK, metadata={"n": 10**5000}).field == "metadata.n"


@pytest.mark.parametrize("field", ["first_name", "middle_name", "last_name"])
def test_stk_push_names_must_be_strings(field: str) -> None:
    """first_name=123 used to be sent as a JSON number."""
    assert rejected(ops.stk_push, **STK, **{field: 123}).field == field


def test_stk_push_email_is_checked_for_syntax() -> None:
    """email="not-an-email" used to be sent as is."""
    assert rejected(ops.stk_push, **STK, email="not-an-email").field == "email"


def test_stk_push_blank_optional_names_are_left_out() -> None:
    """Blank optional fields (an empty web form input) are not sent."""
    sent = body(ops.stk_push(**STK, first_name="", last_name="  ", email=""))
    assert sent["subscriber"] == {"phone_number": "+254712345678"}


@pytest.mark.parametrize(
    ("kind", "kwargs", "field"),
    [
        ("till", {"till_number": "514459"}, "till_name"),
        ("paybill", {"paybill_number": "888", "paybill_account_number": "acc"}, "paybill_name"),
        ("mobile_wallet", {"last_name": "D", "phone_number": "0712345678"}, "first_name"),
        ("mobile_wallet", {"first_name": 1, "last_name": "D", "phone_number": "0712345678"}, "first_name"),
        (
            "mobile_wallet",
            {"first_name": "J", "last_name": "D", "phone_number": "0712345678", "email": "j@"},
            "email",
        ),
        ("till", {"till_number": "514459", "till_name": "Shop", "nickname": 5}, "nickname"),
        (
            "bank_account",
            {"account_name": "A", "account_number": "1", "bank_branch_ref": "b", "settlement_method": 0},
            "settlement_method",
        ),
    ],
)
def test_add_recipient_names_are_required_and_typed(kind: str, kwargs: dict[str, Any], field: str) -> None:
    """Every SDK requires the recipient's names (k2-api.md §j); a falsy non-string is no default."""
    for version in ("v1", "v2"):
        assert rejected(ops.add_recipient, kind, version=version, **kwargs).field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tags": 5}, "tags"),
        ({"tags": {"a", "b"}}, "tags"),
        ({"tags": ["ok", "\x00"]}, "tags"),
        ({"category": 5}, "category"),
        ({"description": 5}, "description"),
        ({"metadata": {"k": [1]}}, "metadata.k"),
    ],
)
def test_create_payment_wrong_types_are_input_errors(change: dict[str, Any], field: str) -> None:
    """tags=5 used to escape as TypeError; category=5 used to be sent as a number."""
    args: dict[str, Any] = {
        "destination_type": "till",
        "destination_reference": "r",
        "amount": 5,
        "description": "d",
        "callback_url": CB,
        **change,
    }
    assert rejected(ops.create_payment, **args).field == field


def test_subscribe_webhook_daraja_flag_must_be_a_boolean() -> None:
    """enable_daraja_payload=1 used to be sent as the number 1."""
    error = rejected(
        ops.subscribe_webhook,
        "buygoods_transaction_received",
        "https://example.com/h",
        scope="till",
        scope_reference="1",
        enable_daraja_payload=1,
    )
    assert error.field == "enable_daraja_payload"


def test_subscribe_webhook_unhashable_event_type_is_an_input_error() -> None:
    """A list as event_type used to escape as TypeError (unhashable)."""
    assert (
        rejected(ops.subscribe_webhook, ["customer_created"], "https://example.com/h").field == "event_type"
    )


def test_poll_transactions_company_reference_of_a_wrong_type_is_refused() -> None:
    """A non-string reference was silently dropped for company scope; now it is an input error."""
    error = rejected(ops.poll_transactions, from_time=FROM, to_time=TO, callback_url=CB, scope_reference=5)
    assert error.field == "scope_reference"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ops.send_money(callback_url=CB, source_identifier=4321), "source_identifier"),  # type: ignore[arg-type]
        (lambda: ops.mobile_wallet_destination("0712345678", 1, "d", nickname=7), "nickname"),  # type: ignore[arg-type]
        (lambda: ops.merchant_wallet_destination("ref", 1, description=7), "description"),  # type: ignore[arg-type]
        (lambda: ops.bank_account_destination(1, "1", "b", 1, "d"), "account_name"),  # type: ignore[arg-type]
        (lambda: ops.create_payment_link(till_number="1", amount=1, callback_url=CB, note=7), "note"),  # type: ignore[arg-type]
        (
            lambda: ops.create_payment_link(
                till_number="1",
                amount=1,
                callback_url=CB,
                payment_reference=[1],  # type: ignore[arg-type]
            ),
            "payment_reference",
        ),
        (lambda: ops.reverse_transaction(transaction_reference="R", reason=1, callback_url=CB), "reason"),  # type: ignore[arg-type]
        (lambda: ops.send_sms_notification("evt", "hi\x00", CB), "message"),
        (
            lambda: ops.add_merchant_wallet(first_name=1, last_name="D", phone_number="0712345678"),  # type: ignore[arg-type]
            "first_name",
        ),
    ],
)
def test_optional_and_free_text_fields_must_be_strings(build: Callable[[], Any], field: str) -> None:
    """Optional text used to be passed through whatever its type: an int became a JSON number."""
    with pytest.raises(K2InputError) as info:
        build()
    assert info.value.field == field


def test_free_text_keeps_line_breaks() -> None:
    """An SMS message and a link's note may span lines."""
    sms = body(ops.send_sms_notification("evt", "Thanks!\nBye", CB))
    assert sms["message"] == "Thanks!\nBye"
    link = body(ops.create_payment_link(till_number="1", amount=1, callback_url=CB, note="a\nb"))
    assert link["note"] == "a\nb"


@pytest.mark.parametrize(
    ("event", "version"),
    [
        ("b2b_transaction_reversed", "v1"),
        ("card_transaction_received", "v1"),
        ("card_transaction_voided", "v1"),
        ("card_transaction_reversed", "v1"),
        ("m2m_transaction_received", "v2"),
    ],
)
def test_subscribe_webhook_event_must_exist_in_its_version(event: str, version: str) -> None:
    """The spec lists the events per version (WebhookV1EventType / V2); others used to be sent (fuzz find)."""
    scope = "company" if event == "m2m_transaction_received" else "till"
    error = rejected(
        ops.subscribe_webhook,
        event,
        "https://example.com/h",
        scope=scope,
        scope_reference=None if scope == "company" else "514459",
        version=version,
    )
    assert error.field == "event_type"
    assert version in str(error)
