from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from k2connect_ext._outcomes import State

    from ..models.settlement_transfer_data import SettlementTransferData


T = TypeVar("T", bound="SettlementTransferResult")


@_attrs_define
class SettlementTransferResult:
    """GET of a settlement transfer, and the body POSTed to its callback_url."""

    data: SettlementTransferData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.settlement_transfer_data import SettlementTransferData

        d = dict(src_dict)
        data = SettlementTransferData.from_dict(d.pop("data"))

        settlement_transfer_result = cls(
            data=data,
        )

        settlement_transfer_result.additional_properties = d
        return settlement_transfer_result

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

    @property
    def reference(self) -> str | None:
        """The M-PESA receipt (transaction reference) of the money this settlement transfer moved, or None.

        Read from ``data.attributes.transfer_batches[].disbursements[].transaction_reference``;
        None while the body has none, and when its lists (``[]``) hold several (a payout to several recipients).
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.transfer_batches[].disbursements[].transaction_reference")

    @property
    def amount(self) -> Decimal | None:
        """The amount of that money, an exact Decimal, or None.

        Read from ``data.attributes.amount.value``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import amount_at

        return amount_at(self.to_dict(), "data.attributes.amount.value")

    @property
    def currency(self) -> str | None:
        """The currency of that amount, or None.

        Read from ``data.attributes.amount.currency``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.amount.currency")

    @property
    def phone(self) -> str | None:
        """The phone number of the customer who paid or was paid, or None.

        K2 sends none in a settlement transfer result: always None, so that every result reads alike.
        """
        return None

    @property
    def status(self) -> str | None:
        """K2's status of this settlement transfer, or None; ``state`` says what it means.

        Read from ``data.attributes.status``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.status")

    @property
    def state(self) -> State:
        """Pending, succeeded or failed: what this settlement transfer's status means.

        The rule ``wait()`` and ``K2Event.is_success`` use (``k2connect_ext`` ``outcome_of``).
        """
        from k2connect_ext._outcomes import outcome_of

        return outcome_of("settlement_transfer", self.to_dict()).state
