"""The public surface of k2connect_ext, pinned: exactly these names, each one's home the public package.

Renaming, adding or removing a public name must fail here, so that it is a decision (and a CHANGELOG line),
never an accident of moving code. Everything else lives in private ``_*.py`` modules.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import k2connect_ext
import k2connect_ext.webhooks
import k2connect_ext.webhooks.adapters

PUBLIC = [
    "RecipientType",
    "Scope",
    "Version",
    "state_of",
    "outcome_of",
    "State",
    "Outcome",
    "Destination",
    "parse_location",
    "LocationRef",
    "K2",
    "AccessToken",
    "AsyncCreated",
    "AsyncK2",
    "Created",
    "FileTokenStore",
    "K2APIError",
    "K2AmbiguousOutcomeError",
    "K2AuthError",
    "K2ConfigError",
    "K2ConnectionError",
    "K2Error",
    "K2InputError",
    "K2NotFoundError",
    "K2Options",
    "K2PaymentFailedError",
    "K2PollError",
    "K2PollTimeoutError",
    "K2RateLimitError",
    "K2ServerError",
    "K2Settings",
    "K2StoreUnavailableError",
    "K2TimeoutError",
    "K2UnexpectedResponseError",
    "K2ValidationError",
    "K2WebhookError",
    "MemoryTokenStore",
    "PollSettings",
    "RedisTokenStore",
    "Resource",
    "RetryPolicy",
    "TokenStore",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "async_invoke",
    "async_connect",
    "async_wait_for",
    "bank_account_destination",
    "connect",
    "invoke",
    "merchant_bank_account_destination",
    "merchant_wallet_destination",
    "mobile_wallet_destination",
    "paybill_destination",
    "till_destination",
    "wait_for",
    # The intent ledger (issue 19): intents recorded before they are sent, and their state machine.
    "AsyncLedger",
    "Intent",
    "IntentState",
    "K2IntentConflictError",
    "Ledger",
    "PostgresLedger",
    "SQLiteLedger",
    "open_ledger",
    # Payment intents (issue 19): k2.intents, reconciliation, batches.
    "AsyncIntents",
    "BatchReport",
    "BatchRow",
    "Intents",
    "ReconcileReport",
    "RowProblem",
]

WEBHOOKS = [
    "EventType",
    "SIGNATURE_HEADER",
    "AsyncDeduplicator",
    "AsyncWebhookReceiver",
    "Claim",
    "ClaimState",
    "Deduplicator",
    "EventKind",
    "K2Event",
    "K2StoreUnavailableError",
    "K2WebhookError",
    "MemoryDeduplicator",
    "PostgresDeduplicator",
    "ReceiverResponse",
    "RedisDeduplicator",
    "ResultType",
    "SQLiteDeduplicator",
    "UnknownEvent",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookSignatureError",
    "WebhookTopic",
    "compute_signature",
    "construct_event",
    "parse_event",
    "verify_signature",
]

# The only public modules: the two packages and the framework adapters (each imports its framework).
PUBLIC_MODULES = {
    "k2connect_ext",
    "k2connect_ext.webhooks",
    "k2connect_ext.webhooks.adapters",
    "k2connect_ext.webhooks.adapters.django",
    "k2connect_ext.webhooks.adapters.flask",
    "k2connect_ext.webhooks.adapters.starlette",
}


@pytest.mark.parametrize(("package", "names"), [(k2connect_ext, PUBLIC), (k2connect_ext.webhooks, WEBHOOKS)])
def test_all_is_pinned(package: object, names: list[str]) -> None:
    """``__all__`` is exactly the pinned list: no name added, dropped or renamed by accident."""
    assert sorted(getattr(package, "__all__")) == sorted(names)  # noqa: B009 - the attribute under test
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("package", "names"), [(k2connect_ext, PUBLIC), (k2connect_ext.webhooks, WEBHOOKS)])
def test_every_public_name_resolves_and_nothing_else_is_offered(package: object, names: list[str]) -> None:
    """Each name resolves, and ``dir()`` offers no other public name (submodules aside)."""
    for name in names:
        assert getattr(package, name) is not None, name
    offered = {
        name
        for name in dir(package)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(package, name))
        and name not in {"annotations", "TYPE_CHECKING", "declared_exports", "expose", "lazy_exports"}
    }
    assert offered == set(names)


@pytest.mark.parametrize(
    ("package", "names", "home"),
    [
        (k2connect_ext, PUBLIC, "k2connect_ext"),
        (k2connect_ext.webhooks, WEBHOOKS, "k2connect_ext.webhooks"),
    ],
)
def test_public_names_live_in_the_public_package(package: object, names: list[str], home: str) -> None:
    """Reprs, tracebacks and docs show ``k2connect_ext.K2``, never a private module. A name the generated
    client defines (the registry's ``ResultType`` and ``WebhookTopic``) keeps its public home there."""
    for name in names:
        value = getattr(package, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            generated = value.__module__.startswith("k2connect_client.")
            assert generated or value.__module__ in {home, "k2connect_ext"}, (name, value.__module__)


def test_every_other_module_is_private() -> None:
    """Every module but the public ones starts with an underscore."""
    found = {"k2connect_ext"}
    for info in pkgutil.walk_packages(k2connect_ext.__path__, "k2connect_ext."):
        found.add(info.name)
        leaf = info.name.rsplit(".", 1)[1]
        if info.name not in PUBLIC_MODULES:
            assert leaf.startswith("_"), f"{info.name} is public but not part of the API"
    assert found >= PUBLIC_MODULES


def test_names_survive_a_fresh_interpreter() -> None:
    """``from k2connect_ext import *`` (and the webhooks twin) works without the optional extras loaded."""
    code = "from k2connect_ext import *; from k2connect_ext.webhooks import *; print(K2, construct_event)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "k2connect_ext.K2" in out


def test_import_pulls_in_no_framework_or_server() -> None:
    """Importing the SDK imports none of the optional extras (FastAPI, Flask, Django, uvicorn, the sandbox).

    click is not checked: httpx itself imports it when it is installed (for its own command line).
    """
    code = (
        "import sys, k2connect_ext, k2connect_ext.webhooks; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi','flask','django','starlette','uvicorn','k2connect_sandbox','k2connect_cli'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_private_modules_import_cleanly() -> None:
    """Every module imports on its own (no hidden order dependence between private modules)."""
    for info in pkgutil.walk_packages(k2connect_ext.__path__, "k2connect_ext."):
        if ".adapters." in info.name:
            continue  # each needs its framework; tests/unit/test_adapters.py covers them
        importlib.import_module(info.name)


def test_one_async_naming_convention() -> None:
    """Public coroutine functions are ``async_<name>`` beside ``<name>``; a class offering both forms of a
    method names the coroutine ``a<name>`` (httpx's ``aclose``/``aread``); an asyncio-only class is
    ``Async<Name>`` beside ``<Name>``."""
    import inspect

    import k2connect_ext.webhooks as webhooks

    names = {**{n: getattr(k2connect_ext, n) for n in k2connect_ext.__all__}}
    names.update({n: getattr(webhooks, n) for n in webhooks.__all__})
    checked = 0
    for name, value in names.items():
        if inspect.iscoroutinefunction(value):
            assert name.startswith("async_") and name.removeprefix("async_") in names, name
            checked += 1
        elif inspect.isclass(value):
            if name.startswith("Async"):
                assert name.removeprefix("Async") in names, name
            for attr, member in vars(value).items():
                if attr.startswith("_") or not inspect.iscoroutinefunction(member):
                    continue
                twin = names.get(name.removeprefix("Async")) if name.startswith("Async") else None
                sync_name = attr[1:] if attr.startswith("a") else None
                if sync_name and (hasattr(value, sync_name) or hasattr(twin, sync_name)):
                    checked += 1  # aclose beside close, aclaim beside claim
                    continue
                # An asyncio-only class names its coroutines like its sync twin's methods.
                assert name.startswith("Async") and hasattr(names[name.removeprefix("Async")], attr), (
                    f"{name}.{attr}"
                )
                checked += 1
    assert checked >= 20


def test_declared_exports_reads_only_re_exports(tmp_path: Path) -> None:
    """``declared_exports`` takes a name only where it is imported as itself (``X as X``)."""
    from k2connect_ext._lazy import declared_exports

    init = tmp_path / "__init__.py"
    init.write_text(
        "from typing import TYPE_CHECKING\n"
        "from k2connect_ext._exceptions import K2Error as K2Error\n"
        "from k2connect_ext._exceptions import K2InputError as Renamed\n"
        "if TYPE_CHECKING:\n"
        "    import k2connect_ext._facade\n"
        "    from k2connect_ext._facade import K2 as K2\n"
        "    from k2connect_ext._facade import AsyncK2\n"
        "if __debug__:\n"
        "    pass\n",
        encoding="utf-8",
    )
    assert declared_exports(str(init)) == (["K2", "K2Error"], {"K2": "k2connect_ext._facade"})
