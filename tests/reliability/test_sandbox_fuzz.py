"""Sandbox fuzz: hostile request bodies at every create, and nothing they do may ever produce a 5xx.

Each example takes a valid body for one create of the K2 spec (or a simulation of the control API) and
damages it: a value replaced by something hostile (text with a lone surrogate or NUL, 100k characters,
integers of 4000 digits, nesting a few hundred deep, random JSON), or raw text spliced into the JSON where a
value was (the ``"\\ud800"`` escape, ``1e400``, ``NaN``, a 5000-digit literal, nesting 100k deep), or a
random body altogether. It asserts that

* the answer is not a 5xx, and conforms to the spec (the sandbox tests' response hook checks every one);
* afterwards GET of the resources created in this example, of a few created earlier, and of
  ``/sandbox/ledger``, ``/sandbox/events`` and ``/sandbox/deliveries`` all answer below 500: no request
  can leave state behind that makes a later request fail (the lone-surrogate bug did exactly that).

The app runs in-process (httpx.ASGITransport) on one event loop kept for the whole test, so the sandbox's
background resolutions run between requests as they would in a server. ``K2_FUZZ_EXAMPLES`` sets the
examples (200 by default; ``make fuzz`` sets it high).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.config import SandboxConfig
from tests.sandbox.conformance import async_hook
from tests.sandbox.conftest import CREDENTIALS
from tests.sandbox.flows import CREATE_OPERATIONS, body_for

pytestmark = pytest.mark.sandbox

FUZZ = settings(
    max_examples=int(os.environ.get("K2_FUZZ_EXAMPLES", "200")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CALLBACK = "http://127.0.0.1:9/k2/callback"
STATE_PATHS = ("/sandbox/ledger", "/sandbox/events", "/sandbox/deliveries")
SIMULATIONS = {
    "/sandbox/simulate/buygoods_transaction_received": {
        "till_number": "514459",
        "amount": "100",
        "first_name": "Jane",
        "phone": "+254700000001",
    },
    "/sandbox/simulate/b2b_transaction_received": {"till_number": "514459", "amount": "50"},
    "/sandbox/simulate/m2m_transaction_received": {"amount": "20"},
}


class Harness:
    """One sandbox, one loop, one token, a valid body per target, and every Location seen so far."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.app: SandboxApp = create_app(SandboxConfig(callback_delay=0.0, deliver=False))
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://testserver",
            event_hooks={"response": [async_hook]},
        )
        self.auth: dict[str, str] = {}
        self.targets: dict[str, tuple[str, Any]] = {}
        self.locations: list[str] = []
        self.run(self._prepare())

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    async def _prepare(self) -> None:
        token = (await self.client.post("/oauth/token", data=CREDENTIALS)).json()["access_token"]
        self.auth = {"Authorization": f"Bearer {token}"}
        for operation_id in CREATE_OPERATIONS:
            self.targets[operation_id] = await body_for(self.client, self.auth, operation_id, CALLBACK)
        for path, body in SIMULATIONS.items():
            self.targets[path] = (path, body)

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.app.sandbox.scheduler.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    found = Harness()
    yield found
    found.close()


# ------------------------------------------------------------------------------------------ strategies

ANY_CHAR = st.characters(exclude_categories=())  # lone surrogates included
TEXT = st.text(ANY_CHAR, max_size=20)
JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_VALUES = st.one_of(
    JSON,
    st.sampled_from(
        [
            "\ud800",
            "ok\udfff",
            "a\x00b",
            "x" * 100_000,
            10**4000,
            -(10**4000),
            2**64,
            1e308,
            -0.0,
            5e-324,
            "",
            [],
            {},
        ]
    ),
    st.integers(20, 300).map(_nested),
)
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["\ud800", "Joe \udfff", "\udc00\ud800", "a\x00b", "x" * 100_000, "\U0001f600"]),
    TEXT,
)
RAW_FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            b'"\\ud800"',
            b'"\\udc00\\ud800"',
            b'"a\\u0000b"',
            b"1e400",
            b"-1e400",
            b"NaN",
            b"Infinity",
            b"1" * 5000,
            b"0." + b"1" * 5000,
            b'"\xff\xfe"',
            b"",
            b"[",
        ]
    ),
    st.integers(100, 100_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(100, 100_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
)
PLACEHOLDER = "__k2connect_fuzz_placeholder__"


def _places(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _places(value, (*prefix, key))


def _replaced(body: Any, place: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(body))
    node = copy
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = value
    return copy


@st.composite
def damage(draw: st.DrawFn, body: Any) -> bytes:
    places = list(_places(body))
    kind = draw(st.sampled_from(["text", "text", "value", "raw", "key", "random"]))
    if kind == "random" or not places:
        return draw(st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode())))
    texts = [place for place in places if isinstance(body_at(body, place), str)]
    if kind == "text" and texts:  # free text is where bad text gets through the schema: aim there often
        return json.dumps(_replaced(body, draw(st.sampled_from(texts)), draw(HOSTILE_TEXT))).encode()
    place = draw(st.sampled_from(places))
    if kind in ("value", "text"):
        return json.dumps(_replaced(body, place, draw(HOSTILE_VALUES))).encode()
    if kind == "key":  # a hostile key (lone surrogates included) added beside the chosen place
        copy = json.loads(json.dumps(body))
        holder = body_at(copy, place[:-1])
        if isinstance(holder, dict):
            holder[draw(TEXT)] = draw(HOSTILE_VALUES)
        return json.dumps(copy).encode()
    text = json.dumps(_replaced(body, place, PLACEHOLDER)).encode()
    return text.replace(json.dumps(PLACEHOLDER).encode(), draw(RAW_FRAGMENTS), 1)


def body_at(body: Any, place: tuple[Any, ...]) -> Any:
    for key in place:
        body = body[key]
    return body


# -------------------------------------------------------------------------------------------- tests


async def _exercise(harness: Harness, target: str, raw: bytes, earlier: list[str]) -> None:
    client, auth = harness.client, harness.auth
    path, _ = harness.targets[target]
    headers = {**auth, "Content-Type": "application/json"} if path.startswith("/api/") else {}
    response = await client.post(path, content=raw, headers={"Content-Type": "application/json", **headers})
    assert response.status_code < 500, (target, response.status_code, response.text[:300])
    new = [response.headers["location"]] if response.status_code == 201 and path.startswith("/api/") else []
    harness.locations.extend(new)
    await asyncio.sleep(0)  # let the resolution tasks the create scheduled run, as a server would
    for url in (*STATE_PATHS, *new, *earlier):
        answer = await client.get(url, headers=auth)
        assert answer.status_code < 500, (target, url, answer.status_code, answer.text[:300])


@FUZZ
@given(data=st.data())
def test_hostile_bodies_never_cause_a_5xx(harness: Harness, data: st.DataObject) -> None:
    """A damaged body at any create is answered below 500, and every state read afterwards too."""
    target = data.draw(st.sampled_from(sorted(harness.targets)), label="target")
    raw = data.draw(damage(harness.targets[target][1]), label="body")
    # Indices, not sampled_from(known): what is drawn must not depend on what earlier examples created.
    picks = data.draw(st.lists(st.integers(0, 10**6), max_size=3), label="earlier")
    known = harness.locations
    earlier = [known[pick % len(known)] for pick in picks] if known else []
    harness.run(_exercise(harness, target, raw, earlier))


def test_every_known_resource_still_answers(harness: Harness) -> None:
    """After the fuzz, every resource any example created, and the state lists, answer below 500."""

    async def sweep() -> None:
        for url in (*STATE_PATHS, *harness.locations):
            answer = await harness.client.get(url, headers=harness.auth)
            assert answer.status_code < 500, (url, answer.status_code, answer.text[:300])

    harness.run(sweep())


def test_the_lone_surrogate_create_is_in_the_mix(harness: Harness) -> None:
    """The create that used to poison later GETs (a lone surrogate in a name) is a 400 here."""
    path, body = harness.targets["v1_create_incoming_payment"]
    raw = json.dumps(_replaced(body, ("subscriber", "first_name"), "\ud800")).encode()

    async def post() -> int:
        response = await harness.client.post(
            path, content=raw, headers={**harness.auth, "Content-Type": "application/json"}
        )
        return response.status_code

    assert harness.run(post()) == 400
