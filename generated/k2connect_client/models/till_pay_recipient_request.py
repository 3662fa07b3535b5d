from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.till_recipient import TillRecipient


T = TypeVar("T", bound="TillPayRecipientRequest")


@_attrs_define
class TillPayRecipientRequest:
    type_: Literal["till"]
    pay_recipient: TillRecipient
    """ A till recipient; its name is required by every SDK and the seed README. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        pay_recipient = self.pay_recipient.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "pay_recipient": pay_recipient,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.till_recipient import TillRecipient

        d = dict(src_dict)
        type_ = cast(Literal["till"], d.pop("type"))
        if type_ != "till":
            raise ValueError(f"type must match const 'till', got '{type_}'")

        pay_recipient = TillRecipient.from_dict(d.pop("pay_recipient"))

        till_pay_recipient_request = cls(
            type_=type_,
            pay_recipient=pay_recipient,
        )

        till_pay_recipient_request.additional_properties = d
        return till_pay_recipient_request

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
