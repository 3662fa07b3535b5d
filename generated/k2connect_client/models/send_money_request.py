from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.send_money_request_currency import SendMoneyRequestCurrency, check_send_money_request_currency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bank_account_destination import BankAccountDestination
    from ..models.callback_links import CallbackLinks
    from ..models.merchant_bank_account_destination import MerchantBankAccountDestination
    from ..models.merchant_wallet_destination import MerchantWalletDestination
    from ..models.metadata import Metadata
    from ..models.mobile_wallet_destination import MobileWalletDestination
    from ..models.paybill_destination import PaybillDestination
    from ..models.till_destination import TillDestination


T = TypeVar("T", bound="SendMoneyRequest")


@_attrs_define
class SendMoneyRequest:
    """Pay external recipients and/or own accounts. An empty or absent destinations list sweeps all available funds to the
    linked transfer accounts (blind transfer).

    """

    currency: SendMoneyRequestCurrency
    field_links: CallbackLinks
    source_identifier: None | str | Unset = UNSET
    destinations: (
        list[
            BankAccountDestination
            | MerchantBankAccountDestination
            | MerchantWalletDestination
            | MobileWalletDestination
            | PaybillDestination
            | TillDestination
        ]
        | Unset
    ) = UNSET
    metadata: Metadata | Unset = UNSET
    """ Up to 5 key/value pairs echoed back in results. Values are strings in every K2 sample. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.bank_account_destination import BankAccountDestination
        from ..models.merchant_wallet_destination import MerchantWalletDestination
        from ..models.mobile_wallet_destination import MobileWalletDestination
        from ..models.paybill_destination import PaybillDestination
        from ..models.till_destination import TillDestination

        currency: str = self.currency

        field_links = self.field_links.to_dict()

        source_identifier: None | str | Unset
        if isinstance(self.source_identifier, Unset):
            source_identifier = UNSET
        else:
            source_identifier = self.source_identifier

        destinations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.destinations, Unset):
            destinations = []
            for destinations_item_data in self.destinations:
                destinations_item: dict[str, Any]
                if (
                    isinstance(destinations_item_data, MobileWalletDestination)
                    or isinstance(destinations_item_data, BankAccountDestination)
                    or isinstance(destinations_item_data, TillDestination)
                    or isinstance(destinations_item_data, PaybillDestination)
                    or isinstance(destinations_item_data, MerchantWalletDestination)
                ):
                    destinations_item = destinations_item_data.to_dict()
                else:
                    destinations_item = destinations_item_data.to_dict()

                destinations.append(destinations_item)

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "_links": field_links,
            }
        )
        if source_identifier is not UNSET:
            field_dict["source_identifier"] = source_identifier
        if destinations is not UNSET:
            field_dict["destinations"] = destinations
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bank_account_destination import BankAccountDestination
        from ..models.callback_links import CallbackLinks
        from ..models.merchant_bank_account_destination import MerchantBankAccountDestination
        from ..models.merchant_wallet_destination import MerchantWalletDestination
        from ..models.metadata import Metadata
        from ..models.mobile_wallet_destination import MobileWalletDestination
        from ..models.paybill_destination import PaybillDestination
        from ..models.till_destination import TillDestination

        d = dict(src_dict)
        currency = check_send_money_request_currency(d.pop("currency"))

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        def _parse_source_identifier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source_identifier = _parse_source_identifier(d.pop("source_identifier", UNSET))

        _destinations = d.pop("destinations", UNSET)
        destinations: (
            list[
                BankAccountDestination
                | MerchantBankAccountDestination
                | MerchantWalletDestination
                | MobileWalletDestination
                | PaybillDestination
                | TillDestination
            ]
            | Unset
        ) = UNSET
        if _destinations is not UNSET:
            destinations = []
            for destinations_item_data in _destinations:

                def _parse_destinations_item(
                    data: object,
                ) -> (
                    BankAccountDestination
                    | MerchantBankAccountDestination
                    | MerchantWalletDestination
                    | MobileWalletDestination
                    | PaybillDestination
                    | TillDestination
                ):
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        destinations_item_type_0 = MobileWalletDestination.from_dict(data)

                        return destinations_item_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        destinations_item_type_1 = BankAccountDestination.from_dict(data)

                        return destinations_item_type_1
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        destinations_item_type_2 = TillDestination.from_dict(data)

                        return destinations_item_type_2
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        destinations_item_type_3 = PaybillDestination.from_dict(data)

                        return destinations_item_type_3
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        destinations_item_type_4 = MerchantWalletDestination.from_dict(data)

                        return destinations_item_type_4
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    if not isinstance(data, dict):
                        raise TypeError()
                    destinations_item_type_5 = MerchantBankAccountDestination.from_dict(data)

                    return destinations_item_type_5

                destinations_item = _parse_destinations_item(destinations_item_data)

                destinations.append(destinations_item)

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        send_money_request = cls(
            currency=currency,
            field_links=field_links,
            source_identifier=source_identifier,
            destinations=destinations,
            metadata=metadata,
        )

        send_money_request.additional_properties = d
        return send_money_request

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
