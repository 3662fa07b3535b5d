from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settlement_bank_account_destination import SettlementBankAccountDestination
    from ..models.settlement_disbursement import SettlementDisbursement
    from ..models.settlement_mobile_wallet_destination import SettlementMobileWalletDestination
    from ..models.settlement_other_destination import SettlementOtherDestination


T = TypeVar("T", bound="SettlementTransferCompletedResource")


@_attrs_define
class SettlementTransferCompletedResource:
    id: str | Unset = UNSET
    amount: float | str | Unset = UNSET
    status: str | Unset = UNSET
    """ Transferred (more may appear). """
    currency: str | Unset = UNSET
    origination_time: str | Unset = UNSET
    destination: (
        SettlementBankAccountDestination | SettlementMobileWalletDestination | SettlementOtherDestination | Unset
    ) = UNSET
    disbursements: list[SettlementDisbursement] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.settlement_bank_account_destination import SettlementBankAccountDestination
        from ..models.settlement_mobile_wallet_destination import SettlementMobileWalletDestination

        id = self.id

        amount: float | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        status = self.status

        currency = self.currency

        origination_time = self.origination_time

        destination: dict[str, Any] | Unset
        if isinstance(self.destination, Unset):
            destination = UNSET
        elif isinstance(self.destination, SettlementBankAccountDestination) or isinstance(
            self.destination, SettlementMobileWalletDestination
        ):
            destination = self.destination.to_dict()
        else:
            destination = self.destination.to_dict()

        disbursements: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.disbursements, Unset):
            disbursements = []
            for disbursements_item_data in self.disbursements:
                disbursements_item = disbursements_item_data.to_dict()
                disbursements.append(disbursements_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if amount is not UNSET:
            field_dict["amount"] = amount
        if status is not UNSET:
            field_dict["status"] = status
        if currency is not UNSET:
            field_dict["currency"] = currency
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if destination is not UNSET:
            field_dict["destination"] = destination
        if disbursements is not UNSET:
            field_dict["disbursements"] = disbursements

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.settlement_bank_account_destination import SettlementBankAccountDestination
        from ..models.settlement_disbursement import SettlementDisbursement
        from ..models.settlement_mobile_wallet_destination import SettlementMobileWalletDestination
        from ..models.settlement_other_destination import SettlementOtherDestination

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_amount(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        status = d.pop("status", UNSET)

        currency = d.pop("currency", UNSET)

        origination_time = d.pop("origination_time", UNSET)

        def _parse_destination(
            data: object,
        ) -> SettlementBankAccountDestination | SettlementMobileWalletDestination | SettlementOtherDestination | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                destination_type_0 = SettlementBankAccountDestination.from_dict(data)

                return destination_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                destination_type_1 = SettlementMobileWalletDestination.from_dict(data)

                return destination_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            destination_type_2 = SettlementOtherDestination.from_dict(data)

            return destination_type_2

        destination = _parse_destination(d.pop("destination", UNSET))

        _disbursements = d.pop("disbursements", UNSET)
        disbursements: list[SettlementDisbursement] | Unset = UNSET
        if _disbursements is not UNSET:
            disbursements = []
            for disbursements_item_data in _disbursements:
                disbursements_item = SettlementDisbursement.from_dict(disbursements_item_data)

                disbursements.append(disbursements_item)

        settlement_transfer_completed_resource = cls(
            id=id,
            amount=amount,
            status=status,
            currency=currency,
            origination_time=origination_time,
            destination=destination,
            disbursements=disbursements,
        )

        settlement_transfer_completed_resource.additional_properties = d
        return settlement_transfer_completed_resource

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
