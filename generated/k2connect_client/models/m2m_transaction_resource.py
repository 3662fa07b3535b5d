from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="M2MTransactionResource")


@_attrs_define
class M2MTransactionResource:
    """A payment from another Kopo Kopo merchant."""

    id: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    status: str | Unset = UNSET
    currency: str | Unset = UNSET
    origination_time: str | Unset = UNSET
    sending_merchant: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        amount: float | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        status = self.status

        currency = self.currency

        origination_time = self.origination_time

        sending_merchant = self.sending_merchant

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if amount is not UNSET:
            field_dict["amount"] = amount
        if status is not UNSET:
            field_dict["status"] = status
        if currency is not UNSET:
            field_dict["currency"] = currency
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if sending_merchant is not UNSET:
            field_dict["sending_merchant"] = sending_merchant

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

        currency = d.pop("currency", UNSET)

        origination_time = d.pop("origination_time", UNSET)

        sending_merchant = d.pop("sending_merchant", UNSET)

        m2m_transaction_resource = cls(
            id=id,
            amount=amount,
            status=status,
            currency=currency,
            origination_time=origination_time,
            sending_merchant=sending_merchant,
        )

        m2m_transaction_resource.additional_properties = d
        return m2m_transaction_resource

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
