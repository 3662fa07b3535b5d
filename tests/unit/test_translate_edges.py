"""Error translation: secrets are scrubbed from every value of an error body, lists included."""

from __future__ import annotations

import httpx
import pytest

from k2connect_ext._exceptions import K2ValidationError
from k2connect_ext._translate import raise_for_status, reconcile_hint

SECRET = "tok-5e3c-never-in-errors"


def test_a_known_secret_is_scrubbed_from_lists_in_an_error_body() -> None:
    """K2 (or a proxy) echoing the token inside a list of errors: the body attached to the exception has
    it replaced in every item, nested or not, and other values are kept as they came."""
    request = httpx.Request("POST", "https://sandbox.kopokopo.com/api/v1/payments")
    body = {"error_message": "bad", "errors": [f"token {SECRET} invalid", {"hint": [SECRET]}, 7, None]}
    response = httpx.Response(400, request=request, json=body)
    with pytest.raises(K2ValidationError) as caught:
        raise_for_status(response, secrets=[SECRET])
    assert caught.value.body == {
        "error_message": "bad",
        "errors": ["token [redacted] invalid", {"hint": ["[redacted]"]}, 7, None],
    }


@pytest.mark.parametrize(
    ("path", "polled"),
    [
        ("/api/v2/incoming_payments", True),
        ("/api/v1/incoming_payments", True),
        ("/api/v2/send_money", False),
        ("/api/v1/payments", False),
        ("/api/v3/unknown", False),
    ],
)
def test_the_reconcile_hint_offers_polling_where_the_spec_says_it_finds_the_transaction(
    path: str, polled: bool
) -> None:
    hint = reconcile_hint(path, "https://shop.example.com/k2/result", None)
    assert ("poll_transactions" in hint) is polled
    assert "https://shop.example.com/k2/result" in hint
