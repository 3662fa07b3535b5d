from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.resource_links import ResourceLinks


T = TypeVar("T", bound="TransactionSmsNotificationAttributes")


@_attrs_define
class TransactionSmsNotificationAttributes:
    status: str
    """ Pending, Success, Failed (more may appear). """
    message: str | Unset = UNSET
    webhook_event_reference: str | Unset = UNSET
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        message = self.message

        webhook_event_reference = self.webhook_event_reference

        errors = self.errors

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
        if message is not UNSET:
            field_dict["message"] = message
        if webhook_event_reference is not UNSET:
            field_dict["webhook_event_reference"] = webhook_event_reference
        if errors is not UNSET:
            field_dict["errors"] = errors
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.resource_links import ResourceLinks

        d = dict(src_dict)
        status = d.pop("status")

        message = d.pop("message", UNSET)

        webhook_event_reference = d.pop("webhook_event_reference", UNSET)

        errors = d.pop("errors", UNSET)

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        transaction_sms_notification_attributes = cls(
            status=status,
            message=message,
            webhook_event_reference=webhook_event_reference,
            errors=errors,
            field_links=field_links,
        )

        transaction_sms_notification_attributes.additional_properties = d
        return transaction_sms_notification_attributes

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
