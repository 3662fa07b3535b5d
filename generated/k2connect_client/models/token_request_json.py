from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.token_request_json_grant_type import TokenRequestJsonGrantType, check_token_request_json_grant_type

T = TypeVar("T", bound="TokenRequestJson")


@_attrs_define
class TokenRequestJson:
    """The same credentials sent as JSON (the Ruby SDK does). A schema of its own so the generated client can tell the two
    encodings apart.

    """

    grant_type: TokenRequestJsonGrantType
    client_id: str
    client_secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type: str = self.grant_type

        client_id = self.client_id

        client_secret = self.client_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
                "client_id": client_id,
                "client_secret": client_secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        grant_type = check_token_request_json_grant_type(d.pop("grant_type"))

        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        token_request_json = cls(
            grant_type=grant_type,
            client_id=client_id,
            client_secret=client_secret,
        )

        token_request_json.additional_properties = d
        return token_request_json

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
