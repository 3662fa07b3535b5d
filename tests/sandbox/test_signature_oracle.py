"""The sandbox is an independent oracle: it signs with its own HMAC, never with the SDK's code.

A test double that signs with the SDK's ``compute_signature`` would reproduce any bug of it, and every
"the SDK verifies the sandbox's callbacks" test would pass with both wrong. So the sandbox computes the
``X-KopoKopo-Signature`` itself (``k2connect_sandbox.delivery.sign``), and these tests hold it to vectors
the SDK had no part in: Kopo Kopo's SDK test vectors (``../shared/k2-fixtures``, skipped when absent) and
an HMAC computed here with ``hmac`` directly; the SDK must verify what the sandbox sends.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from k2connect_ext.webhooks import verify_signature
from k2connect_sandbox.delivery import sign
from k2connect_sandbox.spec import k2_spec
from tests.fixtures import fixture_params, signature_files

from . import payloads
from .conftest import ASGI_BASE, atoken_of
from .flows import created
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

SANDBOX = Path(__file__).resolve().parents[2] / "k2connect_sandbox"
API_KEY = "sandbox-api-key"
# The SDK's one rule the sandbox shares on purpose: which hosts count as loopback (plain HTTP allowed).
SHARED_WITH_THE_SDK = {("k2connect_ext._loopback", "is_loopback_host")}


def _sdk_imports() -> set[tuple[str, str]]:
    """(module, name) of every import from k2connect_ext in the sandbox's modules."""
    found: set[tuple[str, str]] = set()
    for path in sorted(SANDBOX.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("k2connect_ext"):
                found |= {(str(node.module), alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {(a.name, "*") for a in node.names if a.name.startswith("k2connect_ext")}
    return found


def test_the_sandbox_uses_no_sdk_code_as_its_oracle() -> None:
    """Nothing of the SDK signs, encodes or judges what the sandbox sends: only the loopback rule."""
    assert _sdk_imports() == SHARED_WITH_THE_SDK


@pytest.mark.parametrize("vector", fixture_params(signature_files()))
def test_the_sandbox_signature_matches_kopo_kopos_vectors(vector: Path) -> None:
    """Every known signature of Kopo Kopo's SDK test vectors is what the sandbox computes, and the SDK
    verifies it."""
    sample: dict[str, Any] = json.loads(vector.read_text(encoding="utf-8"))
    body = str(sample["body"]).encode("utf-8")
    assert sample["known_signatures"], f"{vector.name} has no signature"
    for known in sample["known_signatures"]:
        assert sign(body, str(known["key"])) == known["signature"], known["source"]
        verify_signature(body, sign(body, str(known["key"])), str(known["key"]))


async def test_a_delivered_callback_carries_the_plain_hmac(k2_sandbox_app: Any, receiver: Receiver) -> None:
    """Over loopback, the callback's signature header (named as the spec names it) is the HMAC-SHA256
    computed here with hmac directly over the bytes received, and the SDK verifies it."""
    header = str(k2_spec()["components"]["parameters"]["Signature"]["name"]).lower()
    url = receiver.url("oracle")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=k2_sandbox_app), base_url=ASGI_BASE
    ) as client:
        headers = {"Authorization": f"Bearer {await atoken_of(client)}"}
        await created(client, headers, "/api/v1/incoming_payments", payloads.stk(url))
        (callback,) = await receiver.await_for(url)
    await k2_sandbox_app.sandbox.scheduler.aclose()
    expected = hmac.new(API_KEY.encode(), callback.body, hashlib.sha256).hexdigest()
    assert callback.headers[header] == expected
    verify_signature(callback.body, callback.headers[header], API_KEY)
