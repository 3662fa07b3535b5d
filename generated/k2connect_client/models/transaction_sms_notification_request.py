from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.callback_links import CallbackLinks


T = TypeVar("T", bound="TransactionSmsNotificationRequest")


@_attrs_define
class TransactionSmsNotificationRequest:
    webhook_event_reference: str
    """ The id of a buygoods_transaction_received webhook event. """
    message: str
    field_links: CallbackLinks
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        webhook_event_reference = self.webhook_event_reference

        message = self.message

        field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "webhook_event_reference": webhook_event_reference,
                "message": message,
                "_links": field_links,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.callback_links import CallbackLinks

        d = dict(src_dict)
        webhook_event_reference = d.pop("webhook_event_reference")

        message = d.pop("message")

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        transaction_sms_notification_request = cls(
            webhook_event_reference=webhook_event_reference,
            message=message,
            field_links=field_links,
        )

        transaction_sms_notification_request.additional_properties = d
        return transaction_sms_notification_request

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
