from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_link_details import PaymentLinkDetails
    from ..models.resource_links import ResourceLinks
    from ..models.result_metadata import ResultMetadata


T = TypeVar("T", bound="PaymentLinkAttributes")


@_attrs_define
class PaymentLinkAttributes:
    status: str
    """ Processed once the link exists (more may appear). """
    created_at: str | Unset = UNSET
    till_name: None | str | Unset = UNSET
    till_number: str | Unset = UNSET
    payment_reference: None | str | Unset = UNSET
    currency: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    note: None | str | Unset = UNSET
    payment_link: PaymentLinkDetails | Unset = UNSET
    """ The link itself. GET bodies carry payment_link_status (Active/active, Cancelled, Expired, Paid); callbacks
    carry status (Paid) and the paying transaction. Cancelled and Expired are an assumption. """
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    metadata: None | ResultMetadata | Unset = UNSET
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.result_metadata import ResultMetadata

        status = self.status

        created_at = self.created_at

        till_name: None | str | Unset
        if isinstance(self.till_name, Unset):
            till_name = UNSET
        else:
            till_name = self.till_name

        till_number = self.till_number

        payment_reference: None | str | Unset
        if isinstance(self.payment_reference, Unset):
            payment_reference = UNSET
        else:
            payment_reference = self.payment_reference

        currency = self.currency

        amount: float | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        payment_link: dict[str, Any] | Unset = UNSET
        if not isinstance(self.payment_link, Unset):
            payment_link = self.payment_link.to_dict()

        errors = self.errors

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, ResultMetadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.field_links, Unset):
            field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if till_name is not UNSET:
            field_dict["till_name"] = till_name
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if payment_reference is not UNSET:
            field_dict["payment_reference"] = payment_reference
        if currency is not UNSET:
            field_dict["currency"] = currency
        if amount is not UNSET:
            field_dict["amount"] = amount
        if note is not UNSET:
            field_dict["note"] = note
        if payment_link is not UNSET:
            field_dict["payment_link"] = payment_link
        if errors is not UNSET:
            field_dict["errors"] = errors
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payment_link_details import PaymentLinkDetails
        from ..models.resource_links import ResourceLinks
        from ..models.result_metadata import ResultMetadata

        d = dict(src_dict)
        status = d.pop("status")

        created_at = d.pop("created_at", UNSET)

        def _parse_till_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        till_name = _parse_till_name(d.pop("till_name", UNSET))

        till_number = d.pop("till_number", UNSET)

        def _parse_payment_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_reference = _parse_payment_reference(d.pop("payment_reference", UNSET))

        currency = d.pop("currency", UNSET)

        def _parse_amount(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        _payment_link = d.pop("payment_link", UNSET)
        payment_link: PaymentLinkDetails | Unset
        if isinstance(_payment_link, Unset):
            payment_link = UNSET
        else:
            payment_link = PaymentLinkDetails.from_dict(_payment_link)

        errors = d.pop("errors", UNSET)

        def _parse_metadata(data: object) -> None | ResultMetadata | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = ResultMetadata.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResultMetadata | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        payment_link_attributes = cls(
            status=status,
            created_at=created_at,
            till_name=till_name,
            till_number=till_number,
            payment_reference=payment_reference,
            currency=currency,
            amount=amount,
            note=note,
            payment_link=payment_link,
            errors=errors,
            metadata=metadata,
            field_links=field_links,
        )

        payment_link_attributes.additional_properties = d
        return payment_link_attributes

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
