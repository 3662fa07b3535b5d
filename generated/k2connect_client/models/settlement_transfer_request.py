from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.settlement_destination_type import SettlementDestinationType, check_settlement_destination_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.callback_links import CallbackLinks
    from ..models.transfer_amount import TransferAmount


T = TypeVar("T", bound="SettlementTransferRequest")


@_attrs_define
class SettlementTransferRequest:
    """Without destination_type/destination_reference a blind transfer settles to the default settlement account(s); with
    both, a targeted transfer to that merchant wallet or bank account (one without the other is invalid; a reference to
    an account that does not exist is 404). Without amount the whole balance is settled.

    """

    field_links: CallbackLinks
    amount: None | TransferAmount | Unset = UNSET
    destination_type: None | SettlementDestinationType | Unset = UNSET
    destination_reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.transfer_amount import TransferAmount

        field_links = self.field_links.to_dict()

        amount: dict[str, Any] | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        elif isinstance(self.amount, TransferAmount):
            amount = self.amount.to_dict()
        else:
            amount = self.amount

        destination_type: None | str | Unset
        if isinstance(self.destination_type, Unset):
            destination_type = UNSET
        elif isinstance(self.destination_type, str):
            destination_type = self.destination_type
        else:
            destination_type = self.destination_type

        destination_reference: None | str | Unset
        if isinstance(self.destination_reference, Unset):
            destination_reference = UNSET
        else:
            destination_reference = self.destination_reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "_links": field_links,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount
        if destination_type is not UNSET:
            field_dict["destination_type"] = destination_type
        if destination_reference is not UNSET:
            field_dict["destination_reference"] = destination_reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.callback_links import CallbackLinks
        from ..models.transfer_amount import TransferAmount

        d = dict(src_dict)
        field_links = CallbackLinks.from_dict(d.pop("_links"))

        def _parse_amount(data: object) -> None | TransferAmount | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amount_type_0 = TransferAmount.from_dict(data)

                return amount_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TransferAmount | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_destination_type(data: object) -> None | SettlementDestinationType | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                destination_type_type_0 = check_settlement_destination_type(data)

                return destination_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SettlementDestinationType | Unset, data)

        destination_type = _parse_destination_type(d.pop("destination_type", UNSET))

        def _parse_destination_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        destination_reference = _parse_destination_reference(d.pop("destination_reference", UNSET))

        settlement_transfer_request = cls(
            field_links=field_links,
            amount=amount,
            destination_type=destination_type,
            destination_reference=destination_reference,
        )

        settlement_transfer_request.additional_properties = d
        return settlement_transfer_request

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
