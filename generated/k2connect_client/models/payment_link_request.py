from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_link_request_currency import PaymentLinkRequestCurrency, check_payment_link_request_currency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.callback_links import CallbackLinks
    from ..models.metadata import Metadata


T = TypeVar("T", bound="PaymentLinkRequest")


@_attrs_define
class PaymentLinkRequest:
    till_number: str
    currency: PaymentLinkRequestCurrency
    amount: float | str
    field_links: CallbackLinks
    payment_reference: None | str | Unset = UNSET
    note: None | str | Unset = UNSET
    metadata: Metadata | None | Unset = UNSET
    """ Up to 5 key/value pairs, or null meaning none (Ruby 4.x and PHP's v2 branch send null when the caller gives
    no metadata). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata

        till_number = self.till_number

        currency: str = self.currency

        amount: float | str
        amount = self.amount

        field_links = self.field_links.to_dict()

        payment_reference: None | str | Unset
        if isinstance(self.payment_reference, Unset):
            payment_reference = UNSET
        else:
            payment_reference = self.payment_reference

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, Metadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "till_number": till_number,
                "currency": currency,
                "amount": amount,
                "_links": field_links,
            }
        )
        if payment_reference is not UNSET:
            field_dict["payment_reference"] = payment_reference
        if note is not UNSET:
            field_dict["note"] = note
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.callback_links import CallbackLinks
        from ..models.metadata import Metadata

        d = dict(src_dict)
        till_number = d.pop("till_number")

        currency = check_payment_link_request_currency(d.pop("currency"))

        def _parse_amount(data: object) -> float | str:
            return cast(float | str, data)

        amount = _parse_amount(d.pop("amount"))

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        def _parse_payment_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_reference = _parse_payment_reference(d.pop("payment_reference", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        def _parse_metadata(data: object) -> Metadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_nullable_metadata_type_0 = Metadata.from_dict(data)

                return componentsschemas_nullable_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        payment_link_request = cls(
            till_number=till_number,
            currency=currency,
            amount=amount,
            field_links=field_links,
            payment_reference=payment_reference,
            note=note,
            metadata=metadata,
        )

        payment_link_request.additional_properties = d
        return payment_link_request

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
