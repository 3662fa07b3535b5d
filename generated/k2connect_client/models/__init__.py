"""Contains all the data models used in inputs/outputs.

Each model is imported on first use (PEP 562): importing all of them up front was most of the SDK's
import time, and a program uses a handful. Type checkers see every name through the TYPE_CHECKING block.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .amount import Amount
    from .amount_currency import AmountCurrency
    from .api_error import ApiError
    from .b2b_transaction_event import B2BTransactionEvent
    from .b2b_transaction_received_webhook import B2BTransactionReceivedWebhook
    from .b2b_transaction_resource import B2BTransactionResource
    from .b2b_transaction_reversed_webhook import B2BTransactionReversedWebhook
    from .bank_account_destination import BankAccountDestination
    from .bank_account_external_recipient_request import BankAccountExternalRecipientRequest
    from .bank_account_pay_recipient_request import BankAccountPayRecipientRequest
    from .bank_account_recipient import BankAccountRecipient
    from .bank_account_recipient_settlement_method import BankAccountRecipientSettlementMethod
    from .buygoods_transaction_event import BuygoodsTransactionEvent
    from .buygoods_transaction_received_webhook import BuygoodsTransactionReceivedWebhook
    from .buygoods_transaction_resource import BuygoodsTransactionResource
    from .buygoods_transaction_reversed_webhook import BuygoodsTransactionReversedWebhook
    from .callback_links import CallbackLinks
    from .card_transaction_event import CardTransactionEvent
    from .card_transaction_received_webhook import CardTransactionReceivedWebhook
    from .card_transaction_resource import CardTransactionResource
    from .card_transaction_reversed_webhook import CardTransactionReversedWebhook
    from .card_transaction_voided_webhook import CardTransactionVoidedWebhook
    from .customer_created_event import CustomerCreatedEvent
    from .customer_created_webhook import CustomerCreatedWebhook
    from .customer_resource import CustomerResource
    from .daraja_transaction_webhook import DarajaTransactionWebhook
    from .disbursement import Disbursement
    from .incoming_payment_attributes import IncomingPaymentAttributes
    from .incoming_payment_data import IncomingPaymentData
    from .incoming_payment_event import IncomingPaymentEvent
    from .incoming_payment_request import IncomingPaymentRequest
    from .incoming_payment_resource import IncomingPaymentResource
    from .incoming_payment_result import IncomingPaymentResult
    from .introspect_response import IntrospectResponse
    from .m2m_transaction_event import M2MTransactionEvent
    from .m2m_transaction_received_webhook import M2MTransactionReceivedWebhook
    from .m2m_transaction_resource import M2MTransactionResource
    from .merchant_account import MerchantAccount
    from .merchant_account_attributes import MerchantAccountAttributes
    from .merchant_account_data import MerchantAccountData
    from .merchant_bank_account_destination import MerchantBankAccountDestination
    from .merchant_bank_account_request import MerchantBankAccountRequest
    from .merchant_bank_account_request_settlement_method import MerchantBankAccountRequestSettlementMethod
    from .merchant_wallet_destination import MerchantWalletDestination
    from .merchant_wallet_request import MerchantWalletRequest
    from .metadata import Metadata
    from .mobile_wallet_destination import MobileWalletDestination
    from .mobile_wallet_external_recipient_request import MobileWalletExternalRecipientRequest
    from .mobile_wallet_pay_recipient_request import MobileWalletPayRecipientRequest
    from .mobile_wallet_recipient import MobileWalletRecipient
    from .o_auth_error import OAuthError
    from .paybill_destination import PaybillDestination
    from .paybill_external_recipient_request import PaybillExternalRecipientRequest
    from .paybill_pay_recipient_request import PaybillPayRecipientRequest
    from .paybill_recipient import PaybillRecipient
    from .payment_attributes import PaymentAttributes
    from .payment_data import PaymentData
    from .payment_link_attributes import PaymentLinkAttributes
    from .payment_link_cancel_response import PaymentLinkCancelResponse
    from .payment_link_data import PaymentLinkData
    from .payment_link_details import PaymentLinkDetails
    from .payment_link_request import PaymentLinkRequest
    from .payment_link_request_currency import PaymentLinkRequestCurrency
    from .payment_link_result import PaymentLinkResult
    from .payment_request import PaymentRequest
    from .payment_request_destination_type import PaymentRequestDestinationType
    from .payment_result import PaymentResult
    from .polled_b2b_transaction import PolledB2BTransaction
    from .polled_buygoods_transaction import PolledBuygoodsTransaction
    from .polled_card_transaction import PolledCardTransaction
    from .polled_m2m_transaction import PolledM2MTransaction
    from .polled_other_transaction import PolledOtherTransaction
    from .polling_attributes import PollingAttributes
    from .polling_data import PollingData
    from .polling_request import PollingRequest
    from .polling_request_scope import PollingRequestScope
    from .polling_result import PollingResult
    from .recipient import Recipient
    from .recipient_attributes import RecipientAttributes
    from .recipient_data import RecipientData
    from .resource_data import ResourceData
    from .resource_links import ResourceLinks
    from .result_amount import ResultAmount
    from .result_metadata import ResultMetadata
    from .reversal_attributes import ReversalAttributes
    from .reversal_bulk_payment import ReversalBulkPayment
    from .reversal_data import ReversalData
    from .reversal_request import ReversalRequest
    from .reversal_result import ReversalResult
    from .revoke_response import RevokeResponse
    from .send_money_attributes import SendMoneyAttributes
    from .send_money_data import SendMoneyData
    from .send_money_destination_echo import SendMoneyDestinationEcho
    from .send_money_request import SendMoneyRequest
    from .send_money_request_currency import SendMoneyRequestCurrency
    from .send_money_result import SendMoneyResult
    from .settlement_bank_account import SettlementBankAccount
    from .settlement_bank_account_destination import SettlementBankAccountDestination
    from .settlement_destination_type import SettlementDestinationType
    from .settlement_disbursement import SettlementDisbursement
    from .settlement_mobile_wallet import SettlementMobileWallet
    from .settlement_mobile_wallet_destination import SettlementMobileWalletDestination
    from .settlement_other_destination import SettlementOtherDestination
    from .settlement_transfer_attributes import SettlementTransferAttributes
    from .settlement_transfer_completed_event import SettlementTransferCompletedEvent
    from .settlement_transfer_completed_resource import SettlementTransferCompletedResource
    from .settlement_transfer_completed_webhook import SettlementTransferCompletedWebhook
    from .settlement_transfer_data import SettlementTransferData
    from .settlement_transfer_request import SettlementTransferRequest
    from .settlement_transfer_result import SettlementTransferResult
    from .subscriber import Subscriber
    from .till_destination import TillDestination
    from .till_external_recipient_request import TillExternalRecipientRequest
    from .till_pay_recipient_request import TillPayRecipientRequest
    from .till_recipient import TillRecipient
    from .token_action_request import TokenActionRequest
    from .token_action_request_json import TokenActionRequestJson
    from .token_info_application import TokenInfoApplication
    from .token_info_response import TokenInfoResponse
    from .token_request import TokenRequest
    from .token_request_grant_type import TokenRequestGrantType
    from .token_request_json import TokenRequestJson
    from .token_request_json_grant_type import TokenRequestJsonGrantType
    from .token_response import TokenResponse
    from .transaction_sms_notification_attributes import TransactionSmsNotificationAttributes
    from .transaction_sms_notification_data import TransactionSmsNotificationData
    from .transaction_sms_notification_request import TransactionSmsNotificationRequest
    from .transaction_sms_notification_result import TransactionSmsNotificationResult
    from .transfer_amount import TransferAmount
    from .transfer_batch import TransferBatch
    from .webhook_envelope import WebhookEnvelope
    from .webhook_links import WebhookLinks
    from .webhook_subscription import WebhookSubscription
    from .webhook_subscription_attributes import WebhookSubscriptionAttributes
    from .webhook_subscription_data import WebhookSubscriptionData
    from .webhook_subscription_request import WebhookSubscriptionRequest
    from .webhook_subscription_request_scope import WebhookSubscriptionRequestScope
    from .webhook_subscription_v2_request import WebhookSubscriptionV2Request
    from .webhook_subscription_v2_request_scope import WebhookSubscriptionV2RequestScope
    from .webhook_v1_event_type import WebhookV1EventType
    from .webhook_v2_event_type import WebhookV2EventType

_MODULES = {
    "Amount": ".amount",
    "AmountCurrency": ".amount_currency",
    "ApiError": ".api_error",
    "B2BTransactionEvent": ".b2b_transaction_event",
    "B2BTransactionReceivedWebhook": ".b2b_transaction_received_webhook",
    "B2BTransactionResource": ".b2b_transaction_resource",
    "B2BTransactionReversedWebhook": ".b2b_transaction_reversed_webhook",
    "BankAccountDestination": ".bank_account_destination",
    "BankAccountExternalRecipientRequest": ".bank_account_external_recipient_request",
    "BankAccountPayRecipientRequest": ".bank_account_pay_recipient_request",
    "BankAccountRecipient": ".bank_account_recipient",
    "BankAccountRecipientSettlementMethod": ".bank_account_recipient_settlement_method",
    "BuygoodsTransactionEvent": ".buygoods_transaction_event",
    "BuygoodsTransactionReceivedWebhook": ".buygoods_transaction_received_webhook",
    "BuygoodsTransactionResource": ".buygoods_transaction_resource",
    "BuygoodsTransactionReversedWebhook": ".buygoods_transaction_reversed_webhook",
    "CallbackLinks": ".callback_links",
    "CardTransactionEvent": ".card_transaction_event",
    "CardTransactionReceivedWebhook": ".card_transaction_received_webhook",
    "CardTransactionResource": ".card_transaction_resource",
    "CardTransactionReversedWebhook": ".card_transaction_reversed_webhook",
    "CardTransactionVoidedWebhook": ".card_transaction_voided_webhook",
    "CustomerCreatedEvent": ".customer_created_event",
    "CustomerCreatedWebhook": ".customer_created_webhook",
    "CustomerResource": ".customer_resource",
    "DarajaTransactionWebhook": ".daraja_transaction_webhook",
    "Disbursement": ".disbursement",
    "IncomingPaymentAttributes": ".incoming_payment_attributes",
    "IncomingPaymentData": ".incoming_payment_data",
    "IncomingPaymentEvent": ".incoming_payment_event",
    "IncomingPaymentRequest": ".incoming_payment_request",
    "IncomingPaymentResource": ".incoming_payment_resource",
    "IncomingPaymentResult": ".incoming_payment_result",
    "IntrospectResponse": ".introspect_response",
    "M2MTransactionEvent": ".m2m_transaction_event",
    "M2MTransactionReceivedWebhook": ".m2m_transaction_received_webhook",
    "M2MTransactionResource": ".m2m_transaction_resource",
    "MerchantAccount": ".merchant_account",
    "MerchantAccountAttributes": ".merchant_account_attributes",
    "MerchantAccountData": ".merchant_account_data",
    "MerchantBankAccountDestination": ".merchant_bank_account_destination",
    "MerchantBankAccountRequest": ".merchant_bank_account_request",
    "MerchantBankAccountRequestSettlementMethod": ".merchant_bank_account_request_settlement_method",
    "MerchantWalletDestination": ".merchant_wallet_destination",
    "MerchantWalletRequest": ".merchant_wallet_request",
    "Metadata": ".metadata",
    "MobileWalletDestination": ".mobile_wallet_destination",
    "MobileWalletExternalRecipientRequest": ".mobile_wallet_external_recipient_request",
    "MobileWalletPayRecipientRequest": ".mobile_wallet_pay_recipient_request",
    "MobileWalletRecipient": ".mobile_wallet_recipient",
    "OAuthError": ".o_auth_error",
    "PaybillDestination": ".paybill_destination",
    "PaybillExternalRecipientRequest": ".paybill_external_recipient_request",
    "PaybillPayRecipientRequest": ".paybill_pay_recipient_request",
    "PaybillRecipient": ".paybill_recipient",
    "PaymentAttributes": ".payment_attributes",
    "PaymentData": ".payment_data",
    "PaymentLinkAttributes": ".payment_link_attributes",
    "PaymentLinkCancelResponse": ".payment_link_cancel_response",
    "PaymentLinkData": ".payment_link_data",
    "PaymentLinkDetails": ".payment_link_details",
    "PaymentLinkRequest": ".payment_link_request",
    "PaymentLinkRequestCurrency": ".payment_link_request_currency",
    "PaymentLinkResult": ".payment_link_result",
    "PaymentRequest": ".payment_request",
    "PaymentRequestDestinationType": ".payment_request_destination_type",
    "PaymentResult": ".payment_result",
    "PolledB2BTransaction": ".polled_b2b_transaction",
    "PolledBuygoodsTransaction": ".polled_buygoods_transaction",
    "PolledCardTransaction": ".polled_card_transaction",
    "PolledM2MTransaction": ".polled_m2m_transaction",
    "PolledOtherTransaction": ".polled_other_transaction",
    "PollingAttributes": ".polling_attributes",
    "PollingData": ".polling_data",
    "PollingRequest": ".polling_request",
    "PollingRequestScope": ".polling_request_scope",
    "PollingResult": ".polling_result",
    "Recipient": ".recipient",
    "RecipientAttributes": ".recipient_attributes",
    "RecipientData": ".recipient_data",
    "ResourceData": ".resource_data",
    "ResourceLinks": ".resource_links",
    "ResultAmount": ".result_amount",
    "ResultMetadata": ".result_metadata",
    "ReversalAttributes": ".reversal_attributes",
    "ReversalBulkPayment": ".reversal_bulk_payment",
    "ReversalData": ".reversal_data",
    "ReversalRequest": ".reversal_request",
    "ReversalResult": ".reversal_result",
    "RevokeResponse": ".revoke_response",
    "SendMoneyAttributes": ".send_money_attributes",
    "SendMoneyData": ".send_money_data",
    "SendMoneyDestinationEcho": ".send_money_destination_echo",
    "SendMoneyRequest": ".send_money_request",
    "SendMoneyRequestCurrency": ".send_money_request_currency",
    "SendMoneyResult": ".send_money_result",
    "SettlementBankAccount": ".settlement_bank_account",
    "SettlementBankAccountDestination": ".settlement_bank_account_destination",
    "SettlementDestinationType": ".settlement_destination_type",
    "SettlementDisbursement": ".settlement_disbursement",
    "SettlementMobileWallet": ".settlement_mobile_wallet",
    "SettlementMobileWalletDestination": ".settlement_mobile_wallet_destination",
    "SettlementOtherDestination": ".settlement_other_destination",
    "SettlementTransferAttributes": ".settlement_transfer_attributes",
    "SettlementTransferCompletedEvent": ".settlement_transfer_completed_event",
    "SettlementTransferCompletedResource": ".settlement_transfer_completed_resource",
    "SettlementTransferCompletedWebhook": ".settlement_transfer_completed_webhook",
    "SettlementTransferData": ".settlement_transfer_data",
    "SettlementTransferRequest": ".settlement_transfer_request",
    "SettlementTransferResult": ".settlement_transfer_result",
    "Subscriber": ".subscriber",
    "TillDestination": ".till_destination",
    "TillExternalRecipientRequest": ".till_external_recipient_request",
    "TillPayRecipientRequest": ".till_pay_recipient_request",
    "TillRecipient": ".till_recipient",
    "TokenActionRequest": ".token_action_request",
    "TokenActionRequestJson": ".token_action_request_json",
    "TokenInfoApplication": ".token_info_application",
    "TokenInfoResponse": ".token_info_response",
    "TokenRequest": ".token_request",
    "TokenRequestGrantType": ".token_request_grant_type",
    "TokenRequestJson": ".token_request_json",
    "TokenRequestJsonGrantType": ".token_request_json_grant_type",
    "TokenResponse": ".token_response",
    "TransactionSmsNotificationAttributes": ".transaction_sms_notification_attributes",
    "TransactionSmsNotificationData": ".transaction_sms_notification_data",
    "TransactionSmsNotificationRequest": ".transaction_sms_notification_request",
    "TransactionSmsNotificationResult": ".transaction_sms_notification_result",
    "TransferAmount": ".transfer_amount",
    "TransferBatch": ".transfer_batch",
    "WebhookEnvelope": ".webhook_envelope",
    "WebhookLinks": ".webhook_links",
    "WebhookSubscription": ".webhook_subscription",
    "WebhookSubscriptionAttributes": ".webhook_subscription_attributes",
    "WebhookSubscriptionData": ".webhook_subscription_data",
    "WebhookSubscriptionRequest": ".webhook_subscription_request",
    "WebhookSubscriptionRequestScope": ".webhook_subscription_request_scope",
    "WebhookSubscriptionV2Request": ".webhook_subscription_v2_request",
    "WebhookSubscriptionV2RequestScope": ".webhook_subscription_v2_request_scope",
    "WebhookV1EventType": ".webhook_v1_event_type",
    "WebhookV2EventType": ".webhook_v2_event_type",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})


__all__ = (
    "Amount",
    "AmountCurrency",
    "ApiError",
    "B2BTransactionEvent",
    "B2BTransactionReceivedWebhook",
    "B2BTransactionResource",
    "B2BTransactionReversedWebhook",
    "BankAccountDestination",
    "BankAccountExternalRecipientRequest",
    "BankAccountPayRecipientRequest",
    "BankAccountRecipient",
    "BankAccountRecipientSettlementMethod",
    "BuygoodsTransactionEvent",
    "BuygoodsTransactionReceivedWebhook",
    "BuygoodsTransactionResource",
    "BuygoodsTransactionReversedWebhook",
    "CallbackLinks",
    "CardTransactionEvent",
    "CardTransactionReceivedWebhook",
    "CardTransactionResource",
    "CardTransactionReversedWebhook",
    "CardTransactionVoidedWebhook",
    "CustomerCreatedEvent",
    "CustomerCreatedWebhook",
    "CustomerResource",
    "DarajaTransactionWebhook",
    "Disbursement",
    "IncomingPaymentAttributes",
    "IncomingPaymentData",
    "IncomingPaymentEvent",
    "IncomingPaymentRequest",
    "IncomingPaymentResource",
    "IncomingPaymentResult",
    "IntrospectResponse",
    "M2MTransactionEvent",
    "M2MTransactionReceivedWebhook",
    "M2MTransactionResource",
    "MerchantAccount",
    "MerchantAccountAttributes",
    "MerchantAccountData",
    "MerchantBankAccountDestination",
    "MerchantBankAccountRequest",
    "MerchantBankAccountRequestSettlementMethod",
    "MerchantWalletDestination",
    "MerchantWalletRequest",
    "Metadata",
    "MobileWalletDestination",
    "MobileWalletExternalRecipientRequest",
    "MobileWalletPayRecipientRequest",
    "MobileWalletRecipient",
    "OAuthError",
    "PaybillDestination",
    "PaybillExternalRecipientRequest",
    "PaybillPayRecipientRequest",
    "PaybillRecipient",
    "PaymentAttributes",
    "PaymentData",
    "PaymentLinkAttributes",
    "PaymentLinkCancelResponse",
    "PaymentLinkData",
    "PaymentLinkDetails",
    "PaymentLinkRequest",
    "PaymentLinkRequestCurrency",
    "PaymentLinkResult",
    "PaymentRequest",
    "PaymentRequestDestinationType",
    "PaymentResult",
    "PolledB2BTransaction",
    "PolledBuygoodsTransaction",
    "PolledCardTransaction",
    "PolledM2MTransaction",
    "PolledOtherTransaction",
    "PollingAttributes",
    "PollingData",
    "PollingRequest",
    "PollingRequestScope",
    "PollingResult",
    "Recipient",
    "RecipientAttributes",
    "RecipientData",
    "ResourceData",
    "ResourceLinks",
    "ResultAmount",
    "ResultMetadata",
    "ReversalAttributes",
    "ReversalBulkPayment",
    "ReversalData",
    "ReversalRequest",
    "ReversalResult",
    "RevokeResponse",
    "SendMoneyAttributes",
    "SendMoneyData",
    "SendMoneyDestinationEcho",
    "SendMoneyRequest",
    "SendMoneyRequestCurrency",
    "SendMoneyResult",
    "SettlementBankAccount",
    "SettlementBankAccountDestination",
    "SettlementDestinationType",
    "SettlementDisbursement",
    "SettlementMobileWallet",
    "SettlementMobileWalletDestination",
    "SettlementOtherDestination",
    "SettlementTransferAttributes",
    "SettlementTransferCompletedEvent",
    "SettlementTransferCompletedResource",
    "SettlementTransferCompletedWebhook",
    "SettlementTransferData",
    "SettlementTransferRequest",
    "SettlementTransferResult",
    "Subscriber",
    "TillDestination",
    "TillExternalRecipientRequest",
    "TillPayRecipientRequest",
    "TillRecipient",
    "TokenActionRequest",
    "TokenActionRequestJson",
    "TokenInfoApplication",
    "TokenInfoResponse",
    "TokenRequest",
    "TokenRequestGrantType",
    "TokenRequestJson",
    "TokenRequestJsonGrantType",
    "TokenResponse",
    "TransactionSmsNotificationAttributes",
    "TransactionSmsNotificationData",
    "TransactionSmsNotificationRequest",
    "TransactionSmsNotificationResult",
    "TransferAmount",
    "TransferBatch",
    "WebhookEnvelope",
    "WebhookLinks",
    "WebhookSubscription",
    "WebhookSubscriptionAttributes",
    "WebhookSubscriptionData",
    "WebhookSubscriptionRequest",
    "WebhookSubscriptionRequestScope",
    "WebhookSubscriptionV2Request",
    "WebhookSubscriptionV2RequestScope",
    "WebhookV1EventType",
    "WebhookV2EventType",
)
