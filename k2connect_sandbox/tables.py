"""Names of the store's tables (one per kind of resource), shared by the modules that use them."""

from __future__ import annotations

__all__ = [
    "ASYNC_TABLES",
    "INCOMING_PAYMENTS",
    "MERCHANT_BANK_ACCOUNTS",
    "MERCHANT_WALLETS",
    "PAYMENTS",
    "PAYMENT_LINKS",
    "POLLING",
    "RECIPIENTS",
    "REVERSALS",
    "SEND_MONEY",
    "SETTLEMENT_TRANSFERS",
    "SMS_NOTIFICATIONS",
    "WEBHOOK_SUBSCRIPTIONS",
]

WEBHOOK_SUBSCRIPTIONS = "webhook_subscriptions"
RECIPIENTS = "recipients"
MERCHANT_WALLETS = "merchant_wallets"
MERCHANT_BANK_ACCOUNTS = "merchant_bank_accounts"
INCOMING_PAYMENTS = "incoming_payments"
PAYMENTS = "payments"
SETTLEMENT_TRANSFERS = "settlement_transfers"
POLLING = "polling"
SMS_NOTIFICATIONS = "sms_notifications"
SEND_MONEY = "send_money"
REVERSALS = "reversals"
PAYMENT_LINKS = "payment_links"

# Resources created pending that resolve after callback_delay and then POST their callback.
ASYNC_TABLES = (
    INCOMING_PAYMENTS,
    PAYMENTS,
    SETTLEMENT_TRANSFERS,
    POLLING,
    SMS_NOTIFICATIONS,
    SEND_MONEY,
    REVERSALS,
)
