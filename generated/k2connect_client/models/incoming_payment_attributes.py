from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.incoming_payment_event import IncomingPaymentEvent
    from ..models.resource_links import ResourceLinks
    from ..models.result_metadata import ResultMetadata


T = TypeVar("T", bound="IncomingPaymentAttributes")


@_attrs_define
class IncomingPaymentAttributes:
    status: str
    """ Pending, Success or Failed (more may appear). """
    initiation_time: str | Unset = UNSET
    event: IncomingPaymentEvent | Unset = UNSET
    metadata: None | ResultMetadata | Unset = UNSET
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.result_metadata import ResultMetadata

        status = self.status

        initiation_time = self.initiation_time

        event: dict[str, Any] | Unset = UNSET
        if not isinstance(self.event, Unset):
            event = self.event.to_dict()

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
        if initiation_time is not UNSET:
            field_dict["initiation_time"] = initiation_time
        if event is not UNSET:
            field_dict["event"] = event
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.incoming_payment_event import IncomingPaymentEvent
        from ..models.resource_links import ResourceLinks
        from ..models.result_metadata import ResultMetadata

        d = dict(src_dict)
        status = d.pop("status")

        initiation_time = d.pop("initiation_time", UNSET)

        _event = d.pop("event", UNSET)
        event: IncomingPaymentEvent | Unset
        if isinstance(_event, Unset):
            event = UNSET
        else:
            event = IncomingPaymentEvent.from_dict(_event)

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

        incoming_payment_attributes = cls(
            status=status,
            initiation_time=initiation_time,
            event=event,
            metadata=metadata,
            field_links=field_links,
        )

        incoming_payment_attributes.additional_properties = d
        return incoming_payment_attributes

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
