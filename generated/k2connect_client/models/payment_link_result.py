from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from k2connect_ext._outcomes import State

    from ..models.payment_link_data import PaymentLinkData


T = TypeVar("T", bound="PaymentLinkResult")


@_attrs_define
class PaymentLinkResult:
    """GET of a payment link, and the body POSTed to its callback_url when the customer pays."""

    data: PaymentLinkData
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
        from ..models.payment_link_data import PaymentLinkData

        d = dict(src_dict)
        data = PaymentLinkData.from_dict(d.pop("data"))

        payment_link_result = cls(
            data=data,
        )

        payment_link_result.additional_properties = d
        return payment_link_result

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
        """The M-PESA receipt (transaction reference) of the money this payment link moved, or None.

        Read from ``data.attributes.payment_link.transaction_reference``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.payment_link.transaction_reference")

    @property
    def amount(self) -> Decimal | None:
        """The amount of that money, an exact Decimal, or None.

        Read from ``data.attributes.amount``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import amount_at

        return amount_at(self.to_dict(), "data.attributes.amount")

    @property
    def currency(self) -> str | None:
        """The currency of that amount, or None.

        Read from ``data.attributes.currency``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.currency")

    @property
    def phone(self) -> str | None:
        """The phone number of the customer who paid or was paid, or None.

        Read from ``data.attributes.payment_link.sender_phone_number``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import phone_at

        return phone_at(self.to_dict(), "data.attributes.payment_link.sender_phone_number")

    @property
    def status(self) -> str | None:
        """K2's status of this payment link, or None; ``state`` says what it means.

        Read from ``data.attributes.status``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.status")

    @property
    def state(self) -> State:
        """Pending, succeeded or failed: what this payment link's status means.

        The rule ``wait()`` and ``K2Event.is_success`` use (``k2connect_ext`` ``outcome_of``).
        """
        from k2connect_ext._outcomes import outcome_of

        return outcome_of("payment_link", self.to_dict()).state
