from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CardTransactionResource")


@_attrs_define
class CardTransactionResource:
    """A card payment at a till (no K2 sample exists; fields from the Ruby SDK)."""

    id: str | Unset = UNSET
    reference: str | Unset = UNSET
    origination_time: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    currency: str | Unset = UNSET
    status: str | Unset = UNSET
    till_number: str | Unset = UNSET
    customer_cc_number: None | str | Unset = UNSET
    settled: bool | None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        reference = self.reference

        origination_time = self.origination_time

        amount: float | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        currency = self.currency

        status = self.status

        till_number = self.till_number

        customer_cc_number: None | str | Unset
        if isinstance(self.customer_cc_number, Unset):
            customer_cc_number = UNSET
        else:
            customer_cc_number = self.customer_cc_number

        settled: bool | None | str | Unset
        if isinstance(self.settled, Unset):
            settled = UNSET
        else:
            settled = self.settled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if reference is not UNSET:
            field_dict["reference"] = reference
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if status is not UNSET:
            field_dict["status"] = status
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if customer_cc_number is not UNSET:
            field_dict["customer_cc_number"] = customer_cc_number
        if settled is not UNSET:
            field_dict["settled"] = settled

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        reference = d.pop("reference", UNSET)

        origination_time = d.pop("origination_time", UNSET)

        def _parse_amount(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        currency = d.pop("currency", UNSET)

        status = d.pop("status", UNSET)

        till_number = d.pop("till_number", UNSET)

        def _parse_customer_cc_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        customer_cc_number = _parse_customer_cc_number(d.pop("customer_cc_number", UNSET))

        def _parse_settled(data: object) -> bool | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | str | Unset, data)

        settled = _parse_settled(d.pop("settled", UNSET))

        card_transaction_resource = cls(
            id=id,
            reference=reference,
            origination_time=origination_time,
            amount=amount,
            currency=currency,
            status=status,
            till_number=till_number,
            customer_cc_number=customer_cc_number,
            settled=settled,
        )

        card_transaction_resource.additional_properties = d
        return card_transaction_resource

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
