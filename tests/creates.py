"""The creates, found one way: the builders of ``k2connect_ext._operations`` (each is a facade method).

Tests that run over every create (signatures, fuzzing, the fault matrix) take the list from here instead of
writing it out, so a create added to the SDK is covered by all of them at once. ``builder_model()`` says
which model each builder's Location reads, to check that every create of the spec has a builder.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from k2connect_ext import K2InputError
from k2connect_ext import _operations as ops

__all__ = ["BUILDERS", "CREATES", "SAMPLES", "builder_model", "sample_arguments"]


def _is_builder(value: Any) -> bool:
    return (
        inspect.isfunction(value)
        and value.__module__ == ops.__name__
        and str(inspect.signature(value).return_annotation).startswith("Prepared[")
    )


BUILDERS: dict[str, Any] = {name: value for name, value in sorted(vars(ops).items()) if _is_builder(value)}
"""Builder name (also the facade method's name) -> the builder."""
CREATES: list[str] = list(BUILDERS)


def builder_model(name: str) -> str:
    """The model a builder's Location reads, from its return annotation (``Prepared[SendMoneyResult]``)."""
    annotation = str(inspect.signature(BUILDERS[name]).return_annotation)
    return annotation.removeprefix("Prepared[").removesuffix("]")


# A valid value for each required parameter a builder may take, by name: what a test passes to a create it
# knows nothing else about (a create the spec gains gets these without a test edit).
SAMPLES: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
    "url": "https://example.com/k2/webhooks",
    "description": "Salary",
    "reason": "Customer returned goods",
    "transaction_reference": "OJJ1MPU40Z",
    "first_name": "Jane",
    "last_name": "Doe",
    "account_name": "Duka Ltd",
    "account_number": "0123456789",
    "bank_branch_ref": "ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
    "recipient_type": "mobile_wallet",
    "destination_type": "mobile_wallet",
    "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
    "event_type": "buygoods_transaction_received",
    "message": "Thank you for shopping at Duka!",
    "webhook_event_reference": "5b9e3b4c-2d0f-4d3e-9a38-0f0b6c1b2a11",
    "from_time": dt.datetime(2026, 11, 28, 11, 0, tzinfo=dt.UTC),
    "to_time": dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC),
}


def sample_arguments(name: str) -> dict[str, Any]:
    """Keyword arguments the builder ``name`` accepts: a sample for each required parameter, plus each
    optional one the builder then asks for (a recipient's names and phone are optional in the signature,
    required for a mobile wallet).

    Raises:
        LookupError: a parameter the builder needs that no sample is known for (add one to ``SAMPLES``).
    """
    parameters = inspect.signature(BUILDERS[name]).parameters
    arguments: dict[str, Any] = {}
    for parameter in parameters.values():
        if parameter.default is inspect.Parameter.empty:
            arguments[parameter.name] = _sample(name, parameter.name)
    for _ in range(len(parameters)):
        try:
            BUILDERS[name](**arguments)
        except K2InputError as refused:
            field = refused.field
            if field is None or field not in parameters or field in arguments:
                raise
            arguments[field] = _sample(name, field)
        else:
            break
    return arguments


def _sample(builder: str, parameter: str) -> Any:
    if parameter not in SAMPLES:
        raise LookupError(f"{builder}: no sample for its parameter {parameter!r} (tests/creates.py)")
    return SAMPLES[parameter]
