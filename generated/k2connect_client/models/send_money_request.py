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
        | None
        | Unset
    ) = UNSET
    """ null, empty or absent is a blind transfer (Ruby 4.x and PHP's v2 branch send null for one). """
    metadata: Metadata | None | Unset = UNSET
    """ Up to 5 key/value pairs, or null meaning none (Ruby 4.x and PHP's v2 branch send null when the caller gives
    no metadata). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.bank_account_destination import BankAccountDestination
        from ..models.merchant_wallet_destination import MerchantWalletDestination
        from ..models.metadata import Metadata
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

        destinations: list[dict[str, Any]] | None | Unset
        if isinstance(self.destinations, Unset):
            destinations = UNSET
        elif isinstance(self.destinations, list):
            destinations = []
            for destinations_type_1_item_data in self.destinations:
                destinations_type_1_item: dict[str, Any]
                if (
                    isinstance(destinations_type_1_item_data, MobileWalletDestination)
                    or isinstance(destinations_type_1_item_data, BankAccountDestination)
                    or isinstance(destinations_type_1_item_data, TillDestination)
                    or isinstance(destinations_type_1_item_data, PaybillDestination)
                    or isinstance(destinations_type_1_item_data, MerchantWalletDestination)
                ):
                    destinations_type_1_item = destinations_type_1_item_data.to_dict()
                else:
                    destinations_type_1_item = destinations_type_1_item_data.to_dict()

                destinations.append(destinations_type_1_item)

        else:
            destinations = self.destinations

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, Metadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

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

        def _parse_destinations(
            data: object,
        ) -> (
            list[
                BankAccountDestination
                | MerchantBankAccountDestination
                | MerchantWalletDestination
                | MobileWalletDestination
                | PaybillDestination
                | TillDestination
            ]
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                destinations_type_1 = []
                _destinations_type_1 = data
                for destinations_type_1_item_data in _destinations_type_1:

                    def _parse_destinations_type_1_item(
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
                            destinations_type_1_item_type_0 = MobileWalletDestination.from_dict(data)

                            return destinations_type_1_item_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            destinations_type_1_item_type_1 = BankAccountDestination.from_dict(data)

                            return destinations_type_1_item_type_1
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            destinations_type_1_item_type_2 = TillDestination.from_dict(data)

                            return destinations_type_1_item_type_2
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            destinations_type_1_item_type_3 = PaybillDestination.from_dict(data)

                            return destinations_type_1_item_type_3
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            destinations_type_1_item_type_4 = MerchantWalletDestination.from_dict(data)

                            return destinations_type_1_item_type_4
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        destinations_type_1_item_type_5 = MerchantBankAccountDestination.from_dict(data)

                        return destinations_type_1_item_type_5

                    destinations_type_1_item = _parse_destinations_type_1_item(destinations_type_1_item_data)

                    destinations_type_1.append(destinations_type_1_item)

                return destinations_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                list[
                    BankAccountDestination
                    | MerchantBankAccountDestination
                    | MerchantWalletDestination
                    | MobileWalletDestination
                    | PaybillDestination
                    | TillDestination
                ]
                | None
                | Unset,
                data,
            )

        destinations = _parse_destinations(d.pop("destinations", UNSET))

        def _parse_metadata(data: object) -> Metadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_nullable_metadata_type_0 = Metadata.from_dict(data)

                return componentsschemas_nullable_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

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
