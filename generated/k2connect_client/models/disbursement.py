from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Disbursement")


@_attrs_define
class Disbursement:
    amount: float | None | str | Unset = UNSET
    status: str | Unset = UNSET
    """ Seen: Transferred. """
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    destination_type: None | str | Unset = UNSET
    """ "Mobile Wallet"/"Bank Account" (v1) or mobile_wallet... (v2). """
    destination_reference: None | str | Unset = UNSET
    origination_time: None | str | Unset = UNSET
    transaction_reference: None | str | Unset = UNSET
    nickname: None | str | Unset = UNSET
    favourite: bool | None | Unset = UNSET
    phone_number: None | str | Unset = UNSET
    account_number: None | str | Unset = UNSET
    till_number: None | str | Unset = UNSET
    paybill_number: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount: float | None | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        status = self.status

        errors = self.errors

        destination_type: None | str | Unset
        if isinstance(self.destination_type, Unset):
            destination_type = UNSET
        else:
            destination_type = self.destination_type

        destination_reference: None | str | Unset
        if isinstance(self.destination_reference, Unset):
            destination_reference = UNSET
        else:
            destination_reference = self.destination_reference

        origination_time: None | str | Unset
        if isinstance(self.origination_time, Unset):
            origination_time = UNSET
        else:
            origination_time = self.origination_time

        transaction_reference: None | str | Unset
        if isinstance(self.transaction_reference, Unset):
            transaction_reference = UNSET
        else:
            transaction_reference = self.transaction_reference

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        favourite: bool | None | Unset
        if isinstance(self.favourite, Unset):
            favourite = UNSET
        else:
            favourite = self.favourite

        phone_number: None | str | Unset
        if isinstance(self.phone_number, Unset):
            phone_number = UNSET
        else:
            phone_number = self.phone_number

        account_number: None | str | Unset
        if isinstance(self.account_number, Unset):
            account_number = UNSET
        else:
            account_number = self.account_number

        till_number: None | str | Unset
        if isinstance(self.till_number, Unset):
            till_number = UNSET
        else:
            till_number = self.till_number

        paybill_number: None | str | Unset
        if isinstance(self.paybill_number, Unset):
            paybill_number = UNSET
        else:
            paybill_number = self.paybill_number

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if amount is not UNSET:
            field_dict["amount"] = amount
        if status is not UNSET:
            field_dict["status"] = status
        if errors is not UNSET:
            field_dict["errors"] = errors
        if destination_type is not UNSET:
            field_dict["destination_type"] = destination_type
        if destination_reference is not UNSET:
            field_dict["destination_reference"] = destination_reference
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if transaction_reference is not UNSET:
            field_dict["transaction_reference"] = transaction_reference
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if favourite is not UNSET:
            field_dict["favourite"] = favourite
        if phone_number is not UNSET:
            field_dict["phone_number"] = phone_number
        if account_number is not UNSET:
            field_dict["account_number"] = account_number
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if paybill_number is not UNSET:
            field_dict["paybill_number"] = paybill_number

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_amount(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        status = d.pop("status", UNSET)

        errors = d.pop("errors", UNSET)

        def _parse_destination_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        destination_type = _parse_destination_type(d.pop("destination_type", UNSET))

        def _parse_destination_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        destination_reference = _parse_destination_reference(d.pop("destination_reference", UNSET))

        def _parse_origination_time(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        origination_time = _parse_origination_time(d.pop("origination_time", UNSET))

        def _parse_transaction_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transaction_reference = _parse_transaction_reference(d.pop("transaction_reference", UNSET))

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        def _parse_favourite(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        favourite = _parse_favourite(d.pop("favourite", UNSET))

        def _parse_phone_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone_number = _parse_phone_number(d.pop("phone_number", UNSET))

        def _parse_account_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_number = _parse_account_number(d.pop("account_number", UNSET))

        def _parse_till_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        till_number = _parse_till_number(d.pop("till_number", UNSET))

        def _parse_paybill_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        paybill_number = _parse_paybill_number(d.pop("paybill_number", UNSET))

        disbursement = cls(
            amount=amount,
            status=status,
            errors=errors,
            destination_type=destination_type,
            destination_reference=destination_reference,
            origination_time=origination_time,
            transaction_reference=transaction_reference,
            nickname=nickname,
            favourite=favourite,
            phone_number=phone_number,
            account_number=account_number,
            till_number=till_number,
            paybill_number=paybill_number,
        )

        disbursement.additional_properties = d
        return disbursement

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
