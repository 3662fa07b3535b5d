from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.token_info_application import TokenInfoApplication


T = TypeVar("T", bound="TokenInfoResponse")


@_attrs_define
class TokenInfoResponse:
    expires_in: int
    """ Seconds left. """
    resource_owner_id: None | str | Unset = UNSET
    scope: list[str] | Unset = UNSET
    application: TokenInfoApplication | Unset = UNSET
    created_at: int | Unset = UNSET
    """ Unix epoch seconds. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_in = self.expires_in

        resource_owner_id: None | str | Unset
        if isinstance(self.resource_owner_id, Unset):
            resource_owner_id = UNSET
        else:
            resource_owner_id = self.resource_owner_id

        scope: list[str] | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope

        application: dict[str, Any] | Unset = UNSET
        if not isinstance(self.application, Unset):
            application = self.application.to_dict()

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_in": expires_in,
            }
        )
        if resource_owner_id is not UNSET:
            field_dict["resource_owner_id"] = resource_owner_id
        if scope is not UNSET:
            field_dict["scope"] = scope
        if application is not UNSET:
            field_dict["application"] = application
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.token_info_application import TokenInfoApplication

        d = dict(src_dict)
        expires_in = d.pop("expires_in")

        def _parse_resource_owner_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resource_owner_id = _parse_resource_owner_id(d.pop("resource_owner_id", UNSET))

        scope = cast(list[str], d.pop("scope", UNSET))

        _application = d.pop("application", UNSET)
        application: TokenInfoApplication | Unset
        if isinstance(_application, Unset):
            application = UNSET
        else:
            application = TokenInfoApplication.from_dict(_application)

        created_at = d.pop("created_at", UNSET)

        token_info_response = cls(
            expires_in=expires_in,
            resource_owner_id=resource_owner_id,
            scope=scope,
            application=application,
            created_at=created_at,
        )

        token_info_response.additional_properties = d
        return token_info_response

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
