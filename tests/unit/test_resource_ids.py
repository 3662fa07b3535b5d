"""Resource ids and Locations are checked before anything is sent (issue 17, item 11).

A wrong type, an id too long for a URL, characters a path cannot hold or a dot segment (which httpx
collapses, so ``cancel_payment_link("..")`` used to POST ``/api/v2/cancel``) are ``K2InputError``s; a
Location K2 sends that names such an id is an ambiguous outcome of the create (its POST may have moved money),
never an ``httpx`` error later from ``fetch()`` or ``wait()``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError, K2InputError, parse_location
from tests.fakes import BASE, PID, FakeK2, reply

BAD_IDS: list[Any] = [
    5,
    b"id",
    None,
    "",
    "   ",
    ".",
    "..",
    "%2e%2e",
    "%2E.",
    "a/b",
    "a?b",
    "a#b",
    "a b",
    "caf\u00e9",
    "x" * 70_000,
]
PAYMENT_LINKS = f"{BASE}/api/v2/payment_links/"


def _k2(server: FakeK2) -> K2:
    return K2("id", "secret", transport=httpx.MockTransport(server), environ={})


def _ak2(server: FakeK2) -> AsyncK2:
    return AsyncK2("id", "secret", transport=httpx.MockTransport(server), environ={})


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda v: repr(v)[:20])
def test_cancel_payment_link_refuses_a_bad_id_before_sending(bad: Any) -> None:
    server = FakeK2()
    with _k2(server) as k2, pytest.raises(K2InputError) as info:
        k2.cancel_payment_link(bad)
    assert info.value.field == "id"
    assert server.seen == []


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda v: repr(v)[:20])
async def test_async_cancel_payment_link_refuses_a_bad_id_before_sending(bad: Any) -> None:
    server = FakeK2()
    async with _ak2(server) as k2:
        with pytest.raises(K2InputError) as info:
            await k2.cancel_payment_link(bad)
    assert info.value.field == "id"
    assert server.seen == []


# In a Location, "?" and "#" start the query and the fragment: they are not part of the id there.
@pytest.mark.parametrize(
    "bad", [b for b in BAD_IDS if isinstance(b, str) and b.strip() and b not in ("a?b", "a#b")]
)
def test_a_location_naming_a_bad_id_is_refused(bad: str) -> None:
    with pytest.raises(K2InputError) as info:
        parse_location(PAYMENT_LINKS + bad)
    assert info.value.field == "location"


@pytest.mark.parametrize("bad", [None, 5, b"loc", 1.5, ["x"]], ids=repr)
def test_get_and_wait_for_refuse_what_is_not_a_location(bad: Any) -> None:
    server = FakeK2()
    with _k2(server) as k2:
        with pytest.raises(K2InputError) as info:
            k2.get(bad)
        assert info.value.field == "location"
        with pytest.raises(K2InputError):
            k2.wait_for(bad)
    assert server.seen == []


@pytest.mark.parametrize("bad", [None, 5, b"loc"], ids=repr)
async def test_async_get_and_wait_for_refuse_what_is_not_a_location(bad: Any) -> None:
    server = FakeK2()
    async with _ak2(server) as k2:
        with pytest.raises(K2InputError):
            await k2.get(bad)
        with pytest.raises(K2InputError):
            await k2.wait_for(bad)
    assert server.seen == []


def test_a_good_id_and_location_still_work() -> None:
    server = FakeK2()
    with _k2(server) as k2:
        assert k2.cancel_payment_link(PID) == "Payment link cancelled."
        assert k2.cancel_payment_link(PAYMENT_LINKS + PID) == "Payment link cancelled."
    assert [r.url.path for r in server.api_requests()] == [f"/api/v2/payment_links/{PID}/cancel"] * 2
    assert parse_location(PAYMENT_LINKS + "ab-12_cd.EF~9").id == "ab-12_cd.EF~9"


LONG_LOCATION = f"{BASE}/api/v2/incoming_payments/{'9' * 66_000}"
STK: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


@pytest.mark.parametrize("location", [LONG_LOCATION, f"{BASE}/api/v2/incoming_payments/..", "x" * 5000])
def test_a_201_whose_location_cannot_be_followed_is_ambiguous(location: str) -> None:
    server = FakeK2(reply(201, headers={"Location": location}))
    with _k2(server) as k2, pytest.raises(K2AmbiguousOutcomeError) as info:
        k2.stk_push(**STK)
    assert info.value.status_code == 201
    assert len(server.api_requests()) == 1


async def test_an_async_201_whose_location_cannot_be_followed_is_ambiguous() -> None:
    server = FakeK2(reply(201, headers={"Location": LONG_LOCATION}))
    async with _ak2(server) as k2:
        with pytest.raises(K2AmbiguousOutcomeError):
            await k2.stk_push(**STK)
    assert len(server.api_requests()) == 1
