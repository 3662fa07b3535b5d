from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.resource_links import ResourceLinks


T = TypeVar("T", bound="RecipientAttributes")


@_attrs_define
class RecipientAttributes:
    """The recipient's fields (those of its type) plus these."""

    recipient_type: str | Unset = UNSET
    """ The kind of recipient as a display name, not the create's `type`: "Mobile Wallet", "Bank Account", "Till" or
    "Paybill" (for mobile_wallet, bank_account, till and paybill). The PHP SDK's reader switches on "Bank Account",
    "Till" and "Kopo Kopo Merchant" (a type retired in 2021) and reads anything else as a mobile wallet. An open
    string: a kind K2 adds later is kept as sent. The mobile-wallet and paybill names, and v2 external recipients
    reading like v1 ones, are an assumption. """
    recipient_reference: str | Unset = UNSET
    """ The recipient's reference: the id at the end of its Location, which a PAY payment names as its
    destination_reference. """
    status: str | Unset = UNSET
    """ The recipient's status (the PHP SDK reads it; no source shows its values). That a new recipient reads
    "Active" is an assumption. """
    first_name: None | str | Unset = UNSET
    last_name: None | str | Unset = UNSET
    phone_number: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    network: None | str | Unset = UNSET
    account_name: None | str | Unset = UNSET
    account_number: None | str | Unset = UNSET
    bank_branch_ref: None | str | Unset = UNSET
    settlement_method: None | str | Unset = UNSET
    till_name: None | str | Unset = UNSET
    till_number: None | str | Unset = UNSET
    paybill_name: None | str | Unset = UNSET
    paybill_number: None | str | Unset = UNSET
    paybill_account_number: None | str | Unset = UNSET
    nickname: None | str | Unset = UNSET
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        recipient_type = self.recipient_type

        recipient_reference = self.recipient_reference

        status = self.status

        first_name: None | str | Unset
        if isinstance(self.first_name, Unset):
            first_name = UNSET
        else:
            first_name = self.first_name

        last_name: None | str | Unset
        if isinstance(self.last_name, Unset):
            last_name = UNSET
        else:
            last_name = self.last_name

        phone_number: None | str | Unset
        if isinstance(self.phone_number, Unset):
            phone_number = UNSET
        else:
            phone_number = self.phone_number

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

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

        settlement_method: None | str | Unset
        if isinstance(self.settlement_method, Unset):
            settlement_method = UNSET
        else:
            settlement_method = self.settlement_method

        till_name: None | str | Unset
        if isinstance(self.till_name, Unset):
            till_name = UNSET
        else:
            till_name = self.till_name

        till_number: None | str | Unset
        if isinstance(self.till_number, Unset):
            till_number = UNSET
        else:
            till_number = self.till_number

        paybill_name: None | str | Unset
        if isinstance(self.paybill_name, Unset):
            paybill_name = UNSET
        else:
            paybill_name = self.paybill_name

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

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        field_links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.field_links, Unset):
            field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if recipient_type is not UNSET:
            field_dict["recipient_type"] = recipient_type
        if recipient_reference is not UNSET:
            field_dict["recipient_reference"] = recipient_reference
        if status is not UNSET:
            field_dict["status"] = status
        if first_name is not UNSET:
            field_dict["first_name"] = first_name
        if last_name is not UNSET:
            field_dict["last_name"] = last_name
        if phone_number is not UNSET:
            field_dict["phone_number"] = phone_number
        if email is not UNSET:
            field_dict["email"] = email
        if network is not UNSET:
            field_dict["network"] = network
        if account_name is not UNSET:
            field_dict["account_name"] = account_name
        if account_number is not UNSET:
            field_dict["account_number"] = account_number
        if bank_branch_ref is not UNSET:
            field_dict["bank_branch_ref"] = bank_branch_ref
        if settlement_method is not UNSET:
            field_dict["settlement_method"] = settlement_method
        if till_name is not UNSET:
            field_dict["till_name"] = till_name
        if till_number is not UNSET:
            field_dict["till_number"] = till_number
        if paybill_name is not UNSET:
            field_dict["paybill_name"] = paybill_name
        if paybill_number is not UNSET:
            field_dict["paybill_number"] = paybill_number
        if paybill_account_number is not UNSET:
            field_dict["paybill_account_number"] = paybill_account_number
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.resource_links import ResourceLinks

        d = dict(src_dict)
        recipient_type = d.pop("recipient_type", UNSET)

        recipient_reference = d.pop("recipient_reference", UNSET)

        status = d.pop("status", UNSET)

        def _parse_first_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        first_name = _parse_first_name(d.pop("first_name", UNSET))

        def _parse_last_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_name = _parse_last_name(d.pop("last_name", UNSET))

        def _parse_phone_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone_number = _parse_phone_number(d.pop("phone_number", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

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

        def _parse_settlement_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        settlement_method = _parse_settlement_method(d.pop("settlement_method", UNSET))

        def _parse_till_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        till_name = _parse_till_name(d.pop("till_name", UNSET))

        def _parse_till_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        till_number = _parse_till_number(d.pop("till_number", UNSET))

        def _parse_paybill_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        paybill_name = _parse_paybill_name(d.pop("paybill_name", UNSET))

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

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        recipient_attributes = cls(
            recipient_type=recipient_type,
            recipient_reference=recipient_reference,
            status=status,
            first_name=first_name,
            last_name=last_name,
            phone_number=phone_number,
            email=email,
            network=network,
            account_name=account_name,
            account_number=account_number,
            bank_branch_ref=bank_branch_ref,
            settlement_method=settlement_method,
            till_name=till_name,
            till_number=till_number,
            paybill_name=paybill_name,
            paybill_number=paybill_number,
            paybill_account_number=paybill_account_number,
            nickname=nickname,
            field_links=field_links,
        )

        recipient_attributes.additional_properties = d
        return recipient_attributes

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
