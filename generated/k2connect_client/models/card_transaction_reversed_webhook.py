from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_transaction_event import CardTransactionEvent
    from ..models.webhook_links import WebhookLinks


T = TypeVar("T", bound="CardTransactionReversedWebhook")


@_attrs_define
class CardTransactionReversedWebhook:
    id: str
    created_at: str
    topic: Literal["card_transaction_reversed"]
    event: CardTransactionEvent
    """ The event of a card webhook. Its type string is an assumption. """
    field_links: WebhookLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at

        topic = self.topic

        event = self.event.to_dict()

        field_links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.field_links, Unset):
            field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "topic": topic,
                "event": event,
            }
        )
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.card_transaction_event import CardTransactionEvent
        from ..models.webhook_links import WebhookLinks

        d = dict(src_dict)
        id = d.pop("id")

        created_at = d.pop("created_at")

        topic = cast(Literal["card_transaction_reversed"], d.pop("topic"))
        if topic != "card_transaction_reversed":
            raise ValueError(f"topic must match const 'card_transaction_reversed', got '{topic}'")

        event = CardTransactionEvent.from_dict(d.pop("event"))

        _field_links = d.pop("_links", UNSET)
        field_links: WebhookLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = WebhookLinks.from_dict(_field_links)

        card_transaction_reversed_webhook = cls(
            id=id,
            created_at=created_at,
            topic=topic,
            event=event,
            field_links=field_links,
        )

        card_transaction_reversed_webhook.additional_properties = d
        return card_transaction_reversed_webhook

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
