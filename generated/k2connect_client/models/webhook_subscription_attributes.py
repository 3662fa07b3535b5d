from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.resource_links import ResourceLinks


T = TypeVar("T", bound="WebhookSubscriptionAttributes")


@_attrs_define
class WebhookSubscriptionAttributes:
    event_type: str | Unset = UNSET
    webhook_uri: str | Unset = UNSET
    status: str | Unset = UNSET
    """ Seen: Active. """
    scope: str | Unset = UNSET
    scope_reference: None | str | Unset = UNSET
    enable_daraja_payload: bool | Unset = UNSET
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        webhook_uri = self.webhook_uri

        status = self.status

        scope = self.scope

        scope_reference: None | str | Unset
        if isinstance(self.scope_reference, Unset):
            scope_reference = UNSET
        else:
            scope_reference = self.scope_reference

        enable_daraja_payload = self.enable_daraja_payload

        field_links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.field_links, Unset):
            field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if event_type is not UNSET:
            field_dict["event_type"] = event_type
        if webhook_uri is not UNSET:
            field_dict["webhook_uri"] = webhook_uri
        if status is not UNSET:
            field_dict["status"] = status
        if scope is not UNSET:
            field_dict["scope"] = scope
        if scope_reference is not UNSET:
            field_dict["scope_reference"] = scope_reference
        if enable_daraja_payload is not UNSET:
            field_dict["enable_daraja_payload"] = enable_daraja_payload
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.resource_links import ResourceLinks

        d = dict(src_dict)
        event_type = d.pop("event_type", UNSET)

        webhook_uri = d.pop("webhook_uri", UNSET)

        status = d.pop("status", UNSET)

        scope = d.pop("scope", UNSET)

        def _parse_scope_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope_reference = _parse_scope_reference(d.pop("scope_reference", UNSET))

        enable_daraja_payload = d.pop("enable_daraja_payload", UNSET)

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        webhook_subscription_attributes = cls(
            event_type=event_type,
            webhook_uri=webhook_uri,
            status=status,
            scope=scope,
            scope_reference=scope_reference,
            enable_daraja_payload=enable_daraja_payload,
            field_links=field_links,
        )

        webhook_subscription_attributes.additional_properties = d
        return webhook_subscription_attributes

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
