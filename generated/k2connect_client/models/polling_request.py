from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.polling_request_scope import PollingRequestScope, check_polling_request_scope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.callback_links import CallbackLinks


T = TypeVar("T", bound="PollingRequest")


@_attrs_define
class PollingRequest:
    scope: PollingRequestScope
    from_time: datetime.datetime
    to_time: datetime.datetime
    field_links: CallbackLinks
    scope_reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scope: str = self.scope

        from_time = self.from_time.isoformat()

        to_time = self.to_time.isoformat()

        field_links = self.field_links.to_dict()

        scope_reference: None | str | Unset
        if isinstance(self.scope_reference, Unset):
            scope_reference = UNSET
        else:
            scope_reference = self.scope_reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scope": scope,
                "from_time": from_time,
                "to_time": to_time,
                "_links": field_links,
            }
        )
        if scope_reference is not UNSET:
            field_dict["scope_reference"] = scope_reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.callback_links import CallbackLinks

        d = dict(src_dict)
        scope = check_polling_request_scope(d.pop("scope"))

        from_time = datetime.datetime.fromisoformat(d.pop("from_time"))

        to_time = datetime.datetime.fromisoformat(d.pop("to_time"))

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        def _parse_scope_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope_reference = _parse_scope_reference(d.pop("scope_reference", UNSET))

        polling_request = cls(
            scope=scope,
            from_time=from_time,
            to_time=to_time,
            field_links=field_links,
            scope_reference=scope_reference,
        )

        polling_request.additional_properties = d
        return polling_request

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
