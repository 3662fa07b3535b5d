"""Tagging an intent where K2 echoes it back: metadata, or the callback URL's query (``_intent_tag``)."""

from __future__ import annotations

from typing import Any

import pytest

from k2connect_ext import K2InputError
from k2connect_ext._intent_tag import TAG_KEY, intent_id_of, tag_arguments, tagged_in_metadata

ID = "0f2c7a9e4b1d4c3a8e6f5a4b3c2d1e0f"  # fixed: test ids must be the same on every xdist worker
CALLBACK = "https://shop.example.com/k2/result?order=7"


def test_results_that_echo_metadata_are_tagged_there() -> None:
    tagged = tag_arguments("send_money", {"callback_url": CALLBACK, "metadata": {"batch": "nov"}}, ID)
    assert tagged["metadata"] == {"batch": "nov", TAG_KEY: ID}
    assert tagged["callback_url"] == CALLBACK  # left alone
    assert tag_arguments("incoming_payment", {"callback_url": CALLBACK}, ID)["metadata"] == {TAG_KEY: ID}


def test_results_without_metadata_are_tagged_in_the_callback_url() -> None:
    assert not tagged_in_metadata("settlement_transfer")
    tagged = tag_arguments("settlement_transfer", {"callback_url": CALLBACK}, ID)
    assert tagged["callback_url"] == f"https://shop.example.com/k2/result?order=7&{TAG_KEY}={ID}"
    again = tag_arguments("settlement_transfer", tagged, ID)  # a stale tag is replaced, not repeated
    assert again["callback_url"].count(TAG_KEY) == 1
    assert "metadata" not in tagged
    assert tag_arguments("settlement_transfer", {}, ID) == {}  # no callback URL: nothing to tag
    assert not tagged_in_metadata("no_such_kind")


def test_the_caller_keeps_four_metadata_pairs_and_the_message_says_why() -> None:
    four = {f"k{n}": n for n in range(4)}
    assert len(tag_arguments("payment", {"metadata": four}, ID)["metadata"]) == 5
    with pytest.raises(K2InputError, match="at most 4 are yours") as info:
        tag_arguments("payment", {"metadata": {**four, "k4": 4}}, ID)
    assert info.value.field == "metadata"
    with pytest.raises(K2InputError, match="the intent's own"):
        tag_arguments("payment", {"metadata": {TAG_KEY: "mine"}}, ID)


@pytest.mark.parametrize(
    ("body", "url", "found"),
    [
        ({"data": {"attributes": {"metadata": {TAG_KEY: ID}}}}, None, ID),
        ({"data": {"attributes": {"metadata": None}}}, f"https://x.test/cb?{TAG_KEY}={ID}", ID),
        ({"data": {"attributes": {}}}, f"https://x.test/cb?a=1&{TAG_KEY}={ID}", ID),
        ({"data": {"attributes": {"metadata": {TAG_KEY: "not-an-id"}}}}, None, None),
        ({"data": {"attributes": {"metadata": {TAG_KEY: 7}}}}, None, None),
        ({"data": []}, "https://[::1/broken", None),
        ({}, None, None),
    ],
)
def test_the_intent_id_is_read_back(body: dict[str, Any], url: str | None, found: str | None) -> None:
    assert intent_id_of(body, url) == found
