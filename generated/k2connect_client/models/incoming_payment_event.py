from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.incoming_payment_resource import IncomingPaymentResource


T = TypeVar("T", bound="IncomingPaymentEvent")


@_attrs_define
class IncomingPaymentEvent:
    type_: str | Unset = UNSET
    """ "Incoming Payment Request". """
    resource: IncomingPaymentResource | None | Unset = UNSET
    errors: Any | Unset = UNSET
    """ Null, or why the payment failed: a string such as "The initiator information is invalid." (any JSON is
    kept). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.incoming_payment_resource import IncomingPaymentResource

        type_ = self.type_

        resource: dict[str, Any] | None | Unset
        if isinstance(self.resource, Unset):
            resource = UNSET
        elif isinstance(self.resource, IncomingPaymentResource):
            resource = self.resource.to_dict()
        else:
            resource = self.resource

        errors = self.errors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if resource is not UNSET:
            field_dict["resource"] = resource
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.incoming_payment_resource import IncomingPaymentResource

        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        def _parse_resource(data: object) -> IncomingPaymentResource | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resource_type_0 = IncomingPaymentResource.from_dict(data)

                return resource_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IncomingPaymentResource | None | Unset, data)

        resource = _parse_resource(d.pop("resource", UNSET))

        errors = d.pop("errors", UNSET)

        incoming_payment_event = cls(
            type_=type_,
            resource=resource,
            errors=errors,
        )

        incoming_payment_event.additional_properties = d
        return incoming_payment_event

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
