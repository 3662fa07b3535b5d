from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentLinkDetails")


@_attrs_define
class PaymentLinkDetails:
    """The link itself. GET bodies carry payment_link_status (Active/active, Cancelled, Expired, Paid); callbacks carry
    status (Paid) and the paying transaction. Cancelled and Expired are an assumption.

    """

    payment_link_status: str | Unset = UNSET
    status: str | Unset = UNSET
    expires_at: str | Unset = UNSET
    initiator_name: None | str | Unset = UNSET
    link: str | Unset = UNSET
    transaction_reference: None | str | Unset = UNSET
    sender_phone_number: float | None | str | Unset = UNSET
    origination_time: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_link_status = self.payment_link_status

        status = self.status

        expires_at = self.expires_at

        initiator_name: None | str | Unset
        if isinstance(self.initiator_name, Unset):
            initiator_name = UNSET
        else:
            initiator_name = self.initiator_name

        link = self.link

        transaction_reference: None | str | Unset
        if isinstance(self.transaction_reference, Unset):
            transaction_reference = UNSET
        else:
            transaction_reference = self.transaction_reference

        sender_phone_number: float | None | str | Unset
        if isinstance(self.sender_phone_number, Unset):
            sender_phone_number = UNSET
        else:
            sender_phone_number = self.sender_phone_number

        origination_time: None | str | Unset
        if isinstance(self.origination_time, Unset):
            origination_time = UNSET
        else:
            origination_time = self.origination_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if payment_link_status is not UNSET:
            field_dict["payment_link_status"] = payment_link_status
        if status is not UNSET:
            field_dict["status"] = status
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if initiator_name is not UNSET:
            field_dict["initiator_name"] = initiator_name
        if link is not UNSET:
            field_dict["link"] = link
        if transaction_reference is not UNSET:
            field_dict["transaction_reference"] = transaction_reference
        if sender_phone_number is not UNSET:
            field_dict["sender_phone_number"] = sender_phone_number
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        payment_link_status = d.pop("payment_link_status", UNSET)

        status = d.pop("status", UNSET)

        expires_at = d.pop("expires_at", UNSET)

        def _parse_initiator_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        initiator_name = _parse_initiator_name(d.pop("initiator_name", UNSET))

        link = d.pop("link", UNSET)

        def _parse_transaction_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transaction_reference = _parse_transaction_reference(d.pop("transaction_reference", UNSET))

        def _parse_sender_phone_number(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        sender_phone_number = _parse_sender_phone_number(d.pop("sender_phone_number", UNSET))

        def _parse_origination_time(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        origination_time = _parse_origination_time(d.pop("origination_time", UNSET))

        payment_link_details = cls(
            payment_link_status=payment_link_status,
            status=status,
            expires_at=expires_at,
            initiator_name=initiator_name,
            link=link,
            transaction_reference=transaction_reference,
            sender_phone_number=sender_phone_number,
            origination_time=origination_time,
        )

        payment_link_details.additional_properties = d
        return payment_link_details

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
