from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DarajaTransactionWebhook")


@_attrs_define
class DarajaTransactionWebhook:
    """Safaricom Daraja C2B-style body, sent instead of the K2 format to subscriptions with enable_daraja_payload (buygoods
    and b2b received). Recognised by TransactionType. The third-party id is spelled ThirdPartyTransID (Safaricom) or
    ThirdPartyTransId (some SDK samples); both are accepted.

    """

    transaction_type: str
    trans_id: str
    trans_time: str
    """ YYYYMMDDHHMMSS. """
    trans_amount: float | str
    business_short_code: str
    bill_ref_number: None | str | Unset = UNSET
    invoice_number: None | str | Unset = UNSET
    org_account_balance: float | None | str | Unset = UNSET
    ThirdPartyTransID: None | str | Unset = UNSET
    ThirdPartyTransId: None | str | Unset = UNSET
    msisdn: None | str | Unset = UNSET
    first_name: None | str | Unset = UNSET
    middle_name: None | str | Unset = UNSET
    last_name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        transaction_type = self.transaction_type

        trans_id = self.trans_id

        trans_time = self.trans_time

        trans_amount: float | str
        trans_amount = self.trans_amount

        business_short_code = self.business_short_code

        bill_ref_number: None | str | Unset
        if isinstance(self.bill_ref_number, Unset):
            bill_ref_number = UNSET
        else:
            bill_ref_number = self.bill_ref_number

        invoice_number: None | str | Unset
        if isinstance(self.invoice_number, Unset):
            invoice_number = UNSET
        else:
            invoice_number = self.invoice_number

        org_account_balance: float | None | str | Unset
        if isinstance(self.org_account_balance, Unset):
            org_account_balance = UNSET
        else:
            org_account_balance = self.org_account_balance

        ThirdPartyTransID: None | str | Unset
        if isinstance(self.ThirdPartyTransID, Unset):
            ThirdPartyTransID = UNSET
        else:
            ThirdPartyTransID = self.ThirdPartyTransID

        ThirdPartyTransId: None | str | Unset
        if isinstance(self.ThirdPartyTransId, Unset):
            ThirdPartyTransId = UNSET
        else:
            ThirdPartyTransId = self.ThirdPartyTransId

        msisdn: None | str | Unset
        if isinstance(self.msisdn, Unset):
            msisdn = UNSET
        else:
            msisdn = self.msisdn

        first_name: None | str | Unset
        if isinstance(self.first_name, Unset):
            first_name = UNSET
        else:
            first_name = self.first_name

        middle_name: None | str | Unset
        if isinstance(self.middle_name, Unset):
            middle_name = UNSET
        else:
            middle_name = self.middle_name

        last_name: None | str | Unset
        if isinstance(self.last_name, Unset):
            last_name = UNSET
        else:
            last_name = self.last_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "TransactionType": transaction_type,
                "TransID": trans_id,
                "TransTime": trans_time,
                "TransAmount": trans_amount,
                "BusinessShortCode": business_short_code,
            }
        )
        if bill_ref_number is not UNSET:
            field_dict["BillRefNumber"] = bill_ref_number
        if invoice_number is not UNSET:
            field_dict["InvoiceNumber"] = invoice_number
        if org_account_balance is not UNSET:
            field_dict["OrgAccountBalance"] = org_account_balance
        if ThirdPartyTransID is not UNSET:
            field_dict["ThirdPartyTransID"] = ThirdPartyTransID
        if ThirdPartyTransId is not UNSET:
            field_dict["ThirdPartyTransId"] = ThirdPartyTransId
        if msisdn is not UNSET:
            field_dict["MSISDN"] = msisdn
        if first_name is not UNSET:
            field_dict["FirstName"] = first_name
        if middle_name is not UNSET:
            field_dict["MiddleName"] = middle_name
        if last_name is not UNSET:
            field_dict["LastName"] = last_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        transaction_type = d.pop("TransactionType")

        trans_id = d.pop("TransID")

        trans_time = d.pop("TransTime")

        def _parse_trans_amount(data: object) -> float | str:
            return cast(float | str, data)

        trans_amount = _parse_trans_amount(d.pop("TransAmount"))

        business_short_code = d.pop("BusinessShortCode")

        def _parse_bill_ref_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bill_ref_number = _parse_bill_ref_number(d.pop("BillRefNumber", UNSET))

        def _parse_invoice_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invoice_number = _parse_invoice_number(d.pop("InvoiceNumber", UNSET))

        def _parse_org_account_balance(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        org_account_balance = _parse_org_account_balance(d.pop("OrgAccountBalance", UNSET))

        def _parse_ThirdPartyTransID(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ThirdPartyTransID = _parse_ThirdPartyTransID(d.pop("ThirdPartyTransID", UNSET))

        def _parse_ThirdPartyTransId(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ThirdPartyTransId = _parse_ThirdPartyTransId(d.pop("ThirdPartyTransId", UNSET))

        def _parse_msisdn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        msisdn = _parse_msisdn(d.pop("MSISDN", UNSET))

        def _parse_first_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        first_name = _parse_first_name(d.pop("FirstName", UNSET))

        def _parse_middle_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        middle_name = _parse_middle_name(d.pop("MiddleName", UNSET))

        def _parse_last_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_name = _parse_last_name(d.pop("LastName", UNSET))

        daraja_transaction_webhook = cls(
            transaction_type=transaction_type,
            trans_id=trans_id,
            trans_time=trans_time,
            trans_amount=trans_amount,
            business_short_code=business_short_code,
            bill_ref_number=bill_ref_number,
            invoice_number=invoice_number,
            org_account_balance=org_account_balance,
            ThirdPartyTransID=ThirdPartyTransID,
            ThirdPartyTransId=ThirdPartyTransId,
            msisdn=msisdn,
            first_name=first_name,
            middle_name=middle_name,
            last_name=last_name,
        )

        daraja_transaction_webhook.additional_properties = d
        return daraja_transaction_webhook

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
