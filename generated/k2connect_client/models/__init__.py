"""Contains all the data models used in inputs/outputs"""

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
