from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="B2BTransactionResource")


@_attrs_define
class B2BTransactionResource:
    """A payment from another business's till."""

    id: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    status: str | Unset = UNSET
    """ Complete, Reversed (more may appear). """
    system: str | Unset = UNSET
    currency: str | Unset = UNSET
    reference: str | Unset = UNSET
    till_number: str | Unset = UNSET
    sending_till: str | Unset = UNSET
    origination_time: str | Unset = UNSET
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

        sending_till = self.sending_till

        origination_time = self.origination_time

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
        if sending_till is not UNSET:
            field_dict["sending_till"] = sending_till
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time

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

        sending_till = d.pop("sending_till", UNSET)

        origination_time = d.pop("origination_time", UNSET)

        b2b_transaction_resource = cls(
            id=id,
            amount=amount,
            status=status,
            system=system,
            currency=currency,
            reference=reference,
            till_number=till_number,
            sending_till=sending_till,
            origination_time=origination_time,
        )

        b2b_transaction_resource.additional_properties = d
        return b2b_transaction_resource

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
