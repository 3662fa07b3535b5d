from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.polled_b2b_transaction import PolledB2BTransaction
    from ..models.polled_buygoods_transaction import PolledBuygoodsTransaction
    from ..models.polled_card_transaction import PolledCardTransaction
    from ..models.polled_m2m_transaction import PolledM2MTransaction
    from ..models.polled_other_transaction import PolledOtherTransaction
    from ..models.resource_links import ResourceLinks


T = TypeVar("T", bound="PollingAttributes")


@_attrs_define
class PollingAttributes:
    status: str
    """ Pending, Success, Failed (more may appear). """
    from_time: str | Unset = UNSET
    to_time: str | Unset = UNSET
    transactions: (
        list[
            PolledB2BTransaction
            | PolledBuygoodsTransaction
            | PolledCardTransaction
            | PolledM2MTransaction
            | PolledOtherTransaction
        ]
        | None
        | Unset
    ) = UNSET
    scope: str | Unset = UNSET
    """ "Company" or "Till" (capitalised in results). """
    scope_reference: None | str | Unset = UNSET
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.polled_b2b_transaction import PolledB2BTransaction
        from ..models.polled_buygoods_transaction import PolledBuygoodsTransaction
        from ..models.polled_card_transaction import PolledCardTransaction
        from ..models.polled_m2m_transaction import PolledM2MTransaction

        status = self.status

        from_time = self.from_time

        to_time = self.to_time

        transactions: list[dict[str, Any]] | None | Unset
        if isinstance(self.transactions, Unset):
            transactions = UNSET
        elif isinstance(self.transactions, list):
            transactions = []
            for transactions_type_1_item_data in self.transactions:
                transactions_type_1_item: dict[str, Any]
                if (
                    isinstance(transactions_type_1_item_data, PolledBuygoodsTransaction)
                    or isinstance(transactions_type_1_item_data, PolledB2BTransaction)
                    or isinstance(transactions_type_1_item_data, PolledM2MTransaction)
                    or isinstance(transactions_type_1_item_data, PolledCardTransaction)
                ):
                    transactions_type_1_item = transactions_type_1_item_data.to_dict()
                else:
                    transactions_type_1_item = transactions_type_1_item_data.to_dict()

                transactions.append(transactions_type_1_item)

        else:
            transactions = self.transactions

        scope = self.scope

        scope_reference: None | str | Unset
        if isinstance(self.scope_reference, Unset):
            scope_reference = UNSET
        else:
            scope_reference = self.scope_reference

        errors = self.errors

        field_links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.field_links, Unset):
            field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if from_time is not UNSET:
            field_dict["from_time"] = from_time
        if to_time is not UNSET:
            field_dict["to_time"] = to_time
        if transactions is not UNSET:
            field_dict["transactions"] = transactions
        if scope is not UNSET:
            field_dict["scope"] = scope
        if scope_reference is not UNSET:
            field_dict["scope_reference"] = scope_reference
        if errors is not UNSET:
            field_dict["errors"] = errors
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.polled_b2b_transaction import PolledB2BTransaction
        from ..models.polled_buygoods_transaction import PolledBuygoodsTransaction
        from ..models.polled_card_transaction import PolledCardTransaction
        from ..models.polled_m2m_transaction import PolledM2MTransaction
        from ..models.polled_other_transaction import PolledOtherTransaction
        from ..models.resource_links import ResourceLinks

        d = dict(src_dict)
        status = d.pop("status")

        from_time = d.pop("from_time", UNSET)

        to_time = d.pop("to_time", UNSET)

        def _parse_transactions(
            data: object,
        ) -> (
            list[
                PolledB2BTransaction
                | PolledBuygoodsTransaction
                | PolledCardTransaction
                | PolledM2MTransaction
                | PolledOtherTransaction
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
                transactions_type_1 = []
                _transactions_type_1 = data
                for transactions_type_1_item_data in _transactions_type_1:

                    def _parse_transactions_type_1_item(
                        data: object,
                    ) -> (
                        PolledB2BTransaction
                        | PolledBuygoodsTransaction
                        | PolledCardTransaction
                        | PolledM2MTransaction
                        | PolledOtherTransaction
                    ):
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_polled_transaction_type_0 = PolledBuygoodsTransaction.from_dict(data)

                            return componentsschemas_polled_transaction_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_polled_transaction_type_1 = PolledB2BTransaction.from_dict(data)

                            return componentsschemas_polled_transaction_type_1
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_polled_transaction_type_2 = PolledM2MTransaction.from_dict(data)

                            return componentsschemas_polled_transaction_type_2
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_polled_transaction_type_3 = PolledCardTransaction.from_dict(data)

                            return componentsschemas_polled_transaction_type_3
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_polled_transaction_type_4 = PolledOtherTransaction.from_dict(data)

                        return componentsschemas_polled_transaction_type_4

                    transactions_type_1_item = _parse_transactions_type_1_item(transactions_type_1_item_data)

                    transactions_type_1.append(transactions_type_1_item)

                return transactions_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                list[
                    PolledB2BTransaction
                    | PolledBuygoodsTransaction
                    | PolledCardTransaction
                    | PolledM2MTransaction
                    | PolledOtherTransaction
                ]
                | None
                | Unset,
                data,
            )

        transactions = _parse_transactions(d.pop("transactions", UNSET))

        scope = d.pop("scope", UNSET)

        def _parse_scope_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope_reference = _parse_scope_reference(d.pop("scope_reference", UNSET))

        errors = d.pop("errors", UNSET)

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        polling_attributes = cls(
            status=status,
            from_time=from_time,
            to_time=to_time,
            transactions=transactions,
            scope=scope,
            scope_reference=scope_reference,
            errors=errors,
            field_links=field_links,
        )

        polling_attributes.additional_properties = d
        return polling_attributes

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
