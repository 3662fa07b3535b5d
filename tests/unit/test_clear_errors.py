"""Mistakes a developer makes in the first hour each get a K2Error that says what to do, never another
library's exception or a message about something else: a closed client, a number where a string belongs, a
plain-http callback that K2 cannot post to, and credentials meant for another environment.

Each scenario runs through the sync and the async client alike (``runner``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from k2connect_client.api.v2 import v2_get_incoming_payment

from k2connect_ext import K2, AsyncK2, K2ConfigError
from k2connect_ext._facade import AsyncCreated, Created
from k2connect_ext._intent import IntentState
from k2connect_ext._polling import async_wait_for, wait_for
from tests.client_runner import LOCATION, STK_ARGS, Runner
from tests.fakes import PID, FakeK2


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


# ---------------------------------------------------------------------------------- a closed client
async def close(client: K2 | AsyncK2) -> None:
    if isinstance(client, K2):
        client.close()
    else:
        await client.aclose()


def assert_says_closed(error: K2ConfigError) -> None:
    """The message names the mistake and both ways out, and the error carries nothing of httpx's."""
    text = str(error)
    assert "closed" in text
    assert "new" in text and "lifetime" in text
    assert error.__cause__ is None and error.__context__ is None


FacadeCall = Callable[[Any], Any]
FACADE_CALLS: dict[str, FacadeCall] = {
    "stk_push": lambda k2: k2.stk_push(**STK_ARGS),
    "get": lambda k2: k2.get(LOCATION),
    "wait_for": lambda k2: k2.wait_for(LOCATION),
    "token_info": lambda k2: k2.token_info(),
    "token": lambda k2: k2.token(),
    "cancel_payment_link": lambda k2: k2.cancel_payment_link(PID),
}


@pytest.mark.parametrize("call", FACADE_CALLS.values(), ids=FACADE_CALLS.keys())
async def test_an_operation_on_a_closed_client_is_a_config_error(runner: Runner, call: FacadeCall) -> None:
    """After close() / aclose(), every operation raises K2ConfigError (not httpx's RuntimeError), sends
    nothing, and says to make a new client or keep one open."""
    server = FakeK2()
    k2 = runner.k2(server)
    await close(k2)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(call, k2)
    assert_says_closed(caught.value)
    assert server.seen == []


async def test_an_operation_after_the_with_block_is_a_config_error(runner: Runner) -> None:
    """Leaving ``with`` / ``async with`` closes the client: a later call gets the same K2ConfigError."""
    server = FakeK2()
    k2 = runner.k2(server)
    if isinstance(k2, K2):
        with k2:
            k2.stk_push(**STK_ARGS)
    else:
        async with k2:
            await k2.stk_push(**STK_ARGS)
    sent = len(server.seen)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(k2.stk_push, **STK_ARGS)
    assert_says_closed(caught.value)
    assert len(server.seen) == sent


async def test_waiting_on_a_created_handle_of_a_closed_client_is_a_config_error(runner: Runner) -> None:
    """A handle outliving its client: wait() raises K2ConfigError at once, not a poll timeout after
    retrying a 'transient' error until the deadline."""
    server = FakeK2()
    k2 = runner.k2(server)
    created: Created[Any] | AsyncCreated[Any] = await runner.run(k2.stk_push, **STK_ARGS)
    await close(k2)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(created.wait)
    assert_says_closed(caught.value)
    assert runner.clock.sleeps == []


async def test_a_generated_operation_on_a_closed_client_is_a_config_error(runner: Runner) -> None:
    """The generated client behind the facade (``k2.client``) and one from connect() / async_connect(),
    called directly and through wait_for / async_wait_for, refuse with the same K2ConfigError."""
    server = FakeK2()
    k2 = runner.k2(server)
    bare = runner.connect(server)
    await close(k2)
    http = runner.http(bare)
    if isinstance(http, httpx.Client):
        http.close()
    else:
        await http.aclose()
    for client in (k2.client, bare):
        with pytest.raises(K2ConfigError) as caught:
            await runner.op(v2_get_incoming_payment, PID, client=client)
        assert_says_closed(caught.value)
        with pytest.raises(K2ConfigError) as caught:
            if runner.mode == "sync":
                wait_for(client, LOCATION, sleep=runner.clock.sleep)
            else:
                await async_wait_for(client, LOCATION, sleep=runner.clock.asleep)
        assert_says_closed(caught.value)
    assert server.seen == []
    assert runner.clock.sleeps == []


async def test_an_intent_sent_through_a_closed_client_stays_recorded(runner: Runner, tmp_path: Path) -> None:
    """The intent is recorded, nothing leaves, and it stays ``recorded`` for a later send."""
    server = FakeK2()
    k2 = runner.k2(server, ledger=tmp_path / "payouts.db")
    await close(k2)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(k2.intents.stk_push, key="order-1", **STK_ARGS)
    assert_says_closed(caught.value)
    assert server.seen == []
    reopened = runner.k2(server, ledger=tmp_path / "payouts.db")
    intent = await runner.run(reopened.intents.get, "order-1")
    assert intent is not None and intent.state is IntentState.RECORDED
    await close(reopened)
