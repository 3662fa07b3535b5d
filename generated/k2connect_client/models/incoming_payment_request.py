from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.amount import Amount
    from ..models.callback_links import CallbackLinks
    from ..models.metadata import Metadata
    from ..models.subscriber import Subscriber


T = TypeVar("T", bound="IncomingPaymentRequest")


@_attrs_define
class IncomingPaymentRequest:
    """An STK push. The Ruby SDK 1.x spells metadata `meta_data`; that key is not metadata (unknown keys are ignored, so
    the request is accepted and its result has no metadata).

    """

    payment_channel: None | str
    """ e.g. "M-PESA STK Push". Ruby 4.x sends null when the caller gives none, so K2 evidently applies its default
    then. """
    till_number: str
    """ Online payments account, K-prefixed ("K000000"). """
    subscriber: Subscriber
    amount: Amount
    """ A sum of money in a request. value is sent as a number or a numeric string. """
    field_links: CallbackLinks
    metadata: Metadata | None | str | Unset = UNSET
    """ metadata of an STK push or a PAY payment: up to 5 key/value pairs, null, or an empty string meaning none.
    The Python SDK 1.x sends `"metadata": ""` when it has no metadata (and `{}` when it has some, a bug of its own);
    Ruby 4.x and PHP send null. A K2-compatible server accepts all three. Results echo an empty string as null. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata

        payment_channel: None | str
        payment_channel = self.payment_channel

        till_number = self.till_number

        subscriber = self.subscriber.to_dict()

        amount = self.amount.to_dict()

        field_links = self.field_links.to_dict()

        metadata: dict[str, Any] | None | str | Unset
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
                "payment_channel": payment_channel,
                "till_number": till_number,
                "subscriber": subscriber,
                "amount": amount,
                "_links": field_links,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.amount import Amount
        from ..models.callback_links import CallbackLinks
        from ..models.metadata import Metadata
        from ..models.subscriber import Subscriber

        d = dict(src_dict)

        def _parse_payment_channel(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payment_channel = _parse_payment_channel(d.pop("payment_channel"))

        till_number = d.pop("till_number")

        subscriber = Subscriber.from_dict(d.pop("subscriber"))

        amount = Amount.from_dict(d.pop("amount"))

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        def _parse_metadata(data: object) -> Metadata | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_lenient_metadata_type_0 = Metadata.from_dict(data)

                return componentsschemas_lenient_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | str | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        incoming_payment_request = cls(
            payment_channel=payment_channel,
            till_number=till_number,
            subscriber=subscriber,
            amount=amount,
            field_links=field_links,
            metadata=metadata,
        )

        incoming_payment_request.additional_properties = d
        return incoming_payment_request

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
