"""Edges of the client factory and the facade's settings: what happens to cookies, to a bug in the token
fetch, and to a backoff that would shrink."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from k2connect_client.api.oauth import request_access_token

from k2connect_ext import K2, AsyncK2, K2ConfigError, PollSettings, async_connect, connect
from tests.fakes import FakeK2


def test_no_cookie_is_kept_even_when_assigned() -> None:
    """K2 sets no cookies: the jar stays empty, and assigning one (sync or async) keeps nothing."""
    sync_http = connect(
        "id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())
    ).get_httpx_client()
    async_http = async_connect(
        "id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())
    ).get_async_httpx_client()
    for http in (sync_http, async_http):
        http.cookies = httpx.Cookies({"session": "from-a-proxy"})
        assert len(http.cookies) == 0


async def test_a_bug_in_the_token_fetch_is_not_disguised(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception the SDK does not translate (a programming error) propagates as itself, sync and async."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug, not an answer from K2")

    async def abroken(*args: Any, **kwargs: Any) -> Any:
        broken()

    monkeypatch.setattr(request_access_token, "sync_detailed", broken)
    monkeypatch.setattr(request_access_token, "asyncio_detailed", abroken)
    with pytest.raises(RuntimeError, match="a bug"):
        K2("id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())).token()
    with pytest.raises(RuntimeError, match="a bug"):
        await AsyncK2("id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())).token()


@pytest.mark.parametrize("backoff", [0.5, 0, -1, float("nan"), float("inf"), True])
def test_a_backoff_that_would_not_grow_is_refused(backoff: Any) -> None:
    """The backoff multiplies each interval: below 1 the waits would shrink to nothing, so it is refused."""
    with pytest.raises(K2ConfigError, match="backoff"):
        PollSettings(backoff=backoff)
