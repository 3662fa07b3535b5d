from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_subscription_v2_request_scope import (
    WebhookSubscriptionV2RequestScope,
    check_webhook_subscription_v2_request_scope,
)
from ..models.webhook_v2_event_type import WebhookV2EventType, check_webhook_v2_event_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookSubscriptionV2Request")


@_attrs_define
class WebhookSubscriptionV2Request:
    """v2 subscription. enable_daraja_payload (buygoods/b2b received only) switches the body to the Daraja format. Company
    events take scope company.

    """

    event_type: WebhookV2EventType
    """ The events a v2 subscription can name: those the v2 SDKs offer (Ruby 4.x, Python 2.x: card events, no
    m2m_transaction_received), plus b2b_transaction_reversed, which Ruby 4.x documents and parses (that it can be
    subscribed to is an assumption). """
    url: str
    scope: WebhookSubscriptionV2RequestScope
    scope_reference: None | str | Unset = UNSET
    enable_daraja_payload: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_type: str = self.event_type

        url = self.url

        scope: str = self.scope

        scope_reference: None | str | Unset
        if isinstance(self.scope_reference, Unset):
            scope_reference = UNSET
        else:
            scope_reference = self.scope_reference

        enable_daraja_payload = self.enable_daraja_payload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_type": event_type,
                "url": url,
                "scope": scope,
            }
        )
        if scope_reference is not UNSET:
            field_dict["scope_reference"] = scope_reference
        if enable_daraja_payload is not UNSET:
            field_dict["enable_daraja_payload"] = enable_daraja_payload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        event_type = check_webhook_v2_event_type(d.pop("event_type"))

        url = d.pop("url")

        scope = check_webhook_subscription_v2_request_scope(d.pop("scope"))

        def _parse_scope_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope_reference = _parse_scope_reference(d.pop("scope_reference", UNSET))

        enable_daraja_payload = d.pop("enable_daraja_payload", UNSET)

        webhook_subscription_v2_request = cls(
            event_type=event_type,
            url=url,
            scope=scope,
            scope_reference=scope_reference,
            enable_daraja_payload=enable_daraja_payload,
        )

        webhook_subscription_v2_request.additional_properties = d
        return webhook_subscription_v2_request

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
