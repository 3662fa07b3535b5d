from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SettlementBankAccount")


@_attrs_define
class SettlementBankAccount:
    reference: str | Unset = UNSET
    account_name: str | Unset = UNSET
    account_number: str | Unset = UNSET
    bank_branch_ref: str | Unset = UNSET
    settlement_method: None | str | Unset = UNSET
    """ EFT or RTS (the samples carry this key). """
    transfer_method: None | str | Unset = UNSET
    """ EFT or RTS under the name Ruby 4.x reads (transfer_webhook.rb). No sample carries it, so its presence is an
    assumption; a receiver should read either key. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference

        account_name = self.account_name

        account_number = self.account_number

        bank_branch_ref = self.bank_branch_ref

        settlement_method: None | str | Unset
        if isinstance(self.settlement_method, Unset):
            settlement_method = UNSET
        else:
            settlement_method = self.settlement_method

        transfer_method: None | str | Unset
        if isinstance(self.transfer_method, Unset):
            transfer_method = UNSET
        else:
            transfer_method = self.transfer_method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if reference is not UNSET:
            field_dict["reference"] = reference
        if account_name is not UNSET:
            field_dict["account_name"] = account_name
        if account_number is not UNSET:
            field_dict["account_number"] = account_number
        if bank_branch_ref is not UNSET:
            field_dict["bank_branch_ref"] = bank_branch_ref
        if settlement_method is not UNSET:
            field_dict["settlement_method"] = settlement_method
        if transfer_method is not UNSET:
            field_dict["transfer_method"] = transfer_method

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reference = d.pop("reference", UNSET)

        account_name = d.pop("account_name", UNSET)

        account_number = d.pop("account_number", UNSET)

        bank_branch_ref = d.pop("bank_branch_ref", UNSET)

        def _parse_settlement_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        settlement_method = _parse_settlement_method(d.pop("settlement_method", UNSET))

        def _parse_transfer_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transfer_method = _parse_transfer_method(d.pop("transfer_method", UNSET))

        settlement_bank_account = cls(
            reference=reference,
            account_name=account_name,
            account_number=account_number,
            bank_branch_ref=bank_branch_ref,
            settlement_method=settlement_method,
            transfer_method=transfer_method,
        )

        settlement_bank_account.additional_properties = d
        return settlement_bank_account

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
