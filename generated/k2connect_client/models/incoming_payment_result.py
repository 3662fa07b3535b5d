from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from k2connect_ext._outcomes import State

    from ..models.incoming_payment_data import IncomingPaymentData


T = TypeVar("T", bound="IncomingPaymentResult")


@_attrs_define
class IncomingPaymentResult:
    """GET of an incoming payment, and the body POSTed to its callback_url."""

    data: IncomingPaymentData
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
        from ..models.incoming_payment_data import IncomingPaymentData

        d = dict(src_dict)
        data = IncomingPaymentData.from_dict(d.pop("data"))

        incoming_payment_result = cls(
            data=data,
        )

        incoming_payment_result.additional_properties = d
        return incoming_payment_result

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
        """The M-PESA receipt (transaction reference) of the money this incoming payment moved, or None.

        Read from ``data.attributes.event.resource.reference``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.event.resource.reference")

    @property
    def amount(self) -> Decimal | None:
        """The amount of that money, an exact Decimal, or None.

        Read from ``data.attributes.event.resource.amount``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import amount_at

        return amount_at(self.to_dict(), "data.attributes.event.resource.amount")

    @property
    def currency(self) -> str | None:
        """The currency of that amount, or None.

        Read from ``data.attributes.event.resource.currency``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.event.resource.currency")

    @property
    def phone(self) -> str | None:
        """The phone number of the customer who paid or was paid, or None.

        Read from ``data.attributes.event.resource.sender_phone_number``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import phone_at

        return phone_at(self.to_dict(), "data.attributes.event.resource.sender_phone_number")

    @property
    def status(self) -> str | None:
        """K2's status of this incoming payment, or None; ``state`` says what it means.

        Read from ``data.attributes.status``;
        None wherever the body has no such value.
        """
        from k2connect_ext._result_fields import text_at

        return text_at(self.to_dict(), "data.attributes.status")

    @property
    def state(self) -> State:
        """Pending, succeeded or failed: what this incoming payment's status means.

        The rule ``wait()`` and ``K2Event.is_success`` use (``k2connect_ext`` ``outcome_of``).
        """
        from k2connect_ext._outcomes import outcome_of

        return outcome_of("incoming_payment", self.to_dict()).state
