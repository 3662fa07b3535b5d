from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BuygoodsTransactionResource")


@_attrs_define
class BuygoodsTransactionResource:
    """A till (buy goods) payment, as in buygoods webhooks and polling results."""

    id: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    status: str | Unset = UNSET
    """ Received, Reversed (more may appear). """
    system: str | Unset = UNSET
    currency: str | Unset = UNSET
    reference: str | Unset = UNSET
    """ M-PESA transaction code. """
    till_number: str | Unset = UNSET
    sender_phone_number: None | str | Unset = UNSET
    hashed_sender_phone: None | str | Unset = UNSET
    origination_time: str | Unset = UNSET
    sender_first_name: None | str | Unset = UNSET
    sender_middle_name: None | str | Unset = UNSET
    sender_last_name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        amount: float | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        status = self.status

        system = self.system

        currency = self.currency

        reference = self.reference

        till_number = self.till_number

        sender_phone_number: None | str | Unset
        if isinstance(self.sender_phone_number, Unset):
            sender_phone_number = UNSET
        else:
            sender_phone_number = self.sender_phone_number

        hashed_sender_phone: None | str | Unset
        if isinstance(self.hashed_sender_phone, Unset):
            hashed_sender_phone = UNSET
        else:
            hashed_sender_phone = self.hashed_sender_phone

        origination_time = self.origination_time

        sender_first_name: None | str | Unset
        if isinstance(self.sender_first_name, Unset):
            sender_first_name = UNSET
        else:
            sender_first_name = self.sender_first_name

        sender_middle_name: None | str | Unset
        if isinstance(self.sender_middle_name, Unset):
            sender_middle_name = UNSET
        else:
            sender_middle_name = self.sender_middle_name

        sender_last_name: None | str | Unset
        if isinstance(self.sender_last_name, Unset):
            sender_last_name = UNSET
        else:
            sender_last_name = self.sender_last_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if amount is not UNSET:
            field_dict["amount"] = amount
        if status is not UNSET:
            field_dict["status"] = status
        if system is not UNSET:
            field_dict["system"] = system
        if currency is not UNSET:
            field_dict["currency"] = currency
        if reference is not UNSET:
            field_dict["reference"] = reference
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if sender_phone_number is not UNSET:
            field_dict["sender_phone_number"] = sender_phone_number
        if hashed_sender_phone is not UNSET:
            field_dict["hashed_sender_phone"] = hashed_sender_phone
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if sender_first_name is not UNSET:
            field_dict["sender_first_name"] = sender_first_name
        if sender_middle_name is not UNSET:
            field_dict["sender_middle_name"] = sender_middle_name
        if sender_last_name is not UNSET:
            field_dict["sender_last_name"] = sender_last_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_amount(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        status = d.pop("status", UNSET)

        system = d.pop("system", UNSET)

        currency = d.pop("currency", UNSET)

        reference = d.pop("reference", UNSET)

        till_number = d.pop("till_number", UNSET)

        def _parse_sender_phone_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sender_phone_number = _parse_sender_phone_number(d.pop("sender_phone_number", UNSET))

        def _parse_hashed_sender_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hashed_sender_phone = _parse_hashed_sender_phone(d.pop("hashed_sender_phone", UNSET))

        origination_time = d.pop("origination_time", UNSET)

        def _parse_sender_first_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sender_first_name = _parse_sender_first_name(d.pop("sender_first_name", UNSET))

        def _parse_sender_middle_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sender_middle_name = _parse_sender_middle_name(d.pop("sender_middle_name", UNSET))

        def _parse_sender_last_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sender_last_name = _parse_sender_last_name(d.pop("sender_last_name", UNSET))

        buygoods_transaction_resource = cls(
            id=id,
            amount=amount,
            status=status,
            system=system,
            currency=currency,
            reference=reference,
            till_number=till_number,
            sender_phone_number=sender_phone_number,
            hashed_sender_phone=hashed_sender_phone,
            origination_time=origination_time,
            sender_first_name=sender_first_name,
            sender_middle_name=sender_middle_name,
            sender_last_name=sender_last_name,
        )

        buygoods_transaction_resource.additional_properties = d
        return buygoods_transaction_resource

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
