from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SendMoneyDestinationEcho")


@_attrs_define
class SendMoneyDestinationEcho:
    """A destination as sent, echoed in the result (any destination type, including future ones)."""

    type_: str | Unset = UNSET
    amount: float | None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    nickname: None | str | Unset = UNSET
    favourite: bool | None | Unset = UNSET
    phone_number: None | str | Unset = UNSET
    network: None | str | Unset = UNSET
    account_name: None | str | Unset = UNSET
    account_number: None | str | Unset = UNSET
    bank_branch_ref: None | str | Unset = UNSET
    till_number: None | str | Unset = UNSET
    paybill_number: None | str | Unset = UNSET
    paybill_account_number: None | str | Unset = UNSET
    reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        amount: float | None | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        favourite: bool | None | Unset
        if isinstance(self.favourite, Unset):
            favourite = UNSET
        else:
            favourite = self.favourite

        phone_number: None | str | Unset
        if isinstance(self.phone_number, Unset):
            phone_number = UNSET
        else:
            phone_number = self.phone_number

        network: None | str | Unset
        if isinstance(self.network, Unset):
            network = UNSET
        else:
            network = self.network

        account_name: None | str | Unset
        if isinstance(self.account_name, Unset):
            account_name = UNSET
        else:
            account_name = self.account_name

        account_number: None | str | Unset
        if isinstance(self.account_number, Unset):
            account_number = UNSET
        else:
            account_number = self.account_number

        bank_branch_ref: None | str | Unset
        if isinstance(self.bank_branch_ref, Unset):
            bank_branch_ref = UNSET
        else:
            bank_branch_ref = self.bank_branch_ref

        till_number: None | str | Unset
        if isinstance(self.till_number, Unset):
            till_number = UNSET
        else:
            till_number = self.till_number

        paybill_number: None | str | Unset
        if isinstance(self.paybill_number, Unset):
            paybill_number = UNSET
        else:
            paybill_number = self.paybill_number

        paybill_account_number: None | str | Unset
        if isinstance(self.paybill_account_number, Unset):
            paybill_account_number = UNSET
        else:
            paybill_account_number = self.paybill_account_number

        reference: None | str | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if amount is not UNSET:
            field_dict["amount"] = amount
        if description is not UNSET:
            field_dict["description"] = description
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if favourite is not UNSET:
            field_dict["favourite"] = favourite
        if phone_number is not UNSET:
            field_dict["phone_number"] = phone_number
        if network is not UNSET:
            field_dict["network"] = network
        if account_name is not UNSET:
            field_dict["account_name"] = account_name
        if account_number is not UNSET:
            field_dict["account_number"] = account_number
        if bank_branch_ref is not UNSET:
            field_dict["bank_branch_ref"] = bank_branch_ref
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if paybill_number is not UNSET:
            field_dict["paybill_number"] = paybill_number
        if paybill_account_number is not UNSET:
            field_dict["paybill_account_number"] = paybill_account_number
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        def _parse_amount(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        def _parse_favourite(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        favourite = _parse_favourite(d.pop("favourite", UNSET))

        def _parse_phone_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone_number = _parse_phone_number(d.pop("phone_number", UNSET))

        def _parse_network(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        network = _parse_network(d.pop("network", UNSET))

        def _parse_account_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_name = _parse_account_name(d.pop("account_name", UNSET))

        def _parse_account_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_number = _parse_account_number(d.pop("account_number", UNSET))

        def _parse_bank_branch_ref(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bank_branch_ref = _parse_bank_branch_ref(d.pop("bank_branch_ref", UNSET))

        def _parse_till_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        till_number = _parse_till_number(d.pop("till_number", UNSET))

        def _parse_paybill_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        paybill_number = _parse_paybill_number(d.pop("paybill_number", UNSET))

        def _parse_paybill_account_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        paybill_account_number = _parse_paybill_account_number(d.pop("paybill_account_number", UNSET))

        def _parse_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        send_money_destination_echo = cls(
            type_=type_,
            amount=amount,
            description=description,
            nickname=nickname,
            favourite=favourite,
            phone_number=phone_number,
            network=network,
            account_name=account_name,
            account_number=account_number,
            bank_branch_ref=bank_branch_ref,
            till_number=till_number,
            paybill_number=paybill_number,
            paybill_account_number=paybill_account_number,
            reference=reference,
        )

        send_money_destination_echo.additional_properties = d
        return send_money_destination_echo

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
