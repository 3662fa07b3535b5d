from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IncomingPaymentResource")


@_attrs_define
class IncomingPaymentResource:
    """The M-PESA transaction that paid an STK push."""

    id: str | Unset = UNSET
    reference: str | Unset = UNSET
    origination_time: str | Unset = UNSET
    sender_phone_number: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    currency: str | Unset = UNSET
    till_number: str | Unset = UNSET
    system: str | Unset = UNSET
    status: str | Unset = UNSET
    sender_first_name: None | str | Unset = UNSET
    sender_middle_name: None | str | Unset = UNSET
    sender_last_name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        reference = self.reference

        origination_time = self.origination_time

        sender_phone_number = self.sender_phone_number

        amount: float | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        currency = self.currency

        till_number = self.till_number

        system = self.system

        status = self.status

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
        if reference is not UNSET:
            field_dict["reference"] = reference
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if sender_phone_number is not UNSET:
            field_dict["sender_phone_number"] = sender_phone_number
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if system is not UNSET:
            field_dict["system"] = system
        if status is not UNSET:
            field_dict["status"] = status
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

        reference = d.pop("reference", UNSET)

        origination_time = d.pop("origination_time", UNSET)

        sender_phone_number = d.pop("sender_phone_number", UNSET)

        def _parse_amount(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        currency = d.pop("currency", UNSET)

        till_number = d.pop("till_number", UNSET)

        system = d.pop("system", UNSET)

        status = d.pop("status", UNSET)

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

        incoming_payment_resource = cls(
            id=id,
            reference=reference,
            origination_time=origination_time,
            sender_phone_number=sender_phone_number,
            amount=amount,
            currency=currency,
            till_number=till_number,
            system=system,
            status=status,
            sender_first_name=sender_first_name,
            sender_middle_name=sender_middle_name,
            sender_last_name=sender_last_name,
        )

        incoming_payment_resource.additional_properties = d
        return incoming_payment_resource

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
