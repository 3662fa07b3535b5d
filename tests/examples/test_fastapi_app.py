"""The FastAPI example (examples/fastapi_app) served by uvicorn, against the sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from examples.fastapi_app import app as app_module
from examples.fastapi_app.__main__ import main as cli_main
from examples.fastapi_app.app import Settings, create_app
from k2connect_ext import K2, IntentState, K2ConfigError, SQLiteLedger
from k2connect_sandbox.server import RunningSandbox

from . import scenarios
from .harness import Shop, serve_asgi, shop

pytestmark = pytest.mark.sandbox

ShopFactory = Callable[..., AbstractContextManager[Shop]]


def settings_for(sandbox: RunningSandbox, url: str, database: Path, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "api_key": sandbox.api_key,
        "base_url": sandbox.base_url,
        "public_url": url,
        "database": str(database),
        **overrides,
    }
    return Settings(**fields)


@pytest.fixture
def open_shop(k2_sandbox: RunningSandbox, tmp_path: Path) -> ShopFactory:
    """Serve a fresh app (its own SQLite file) under uvicorn; settings can be overridden."""

    @contextmanager
    def opened(**overrides: Any) -> Iterator[Shop]:
        def build(url: str) -> FastAPI:
            return create_app(settings_for(k2_sandbox, url, tmp_path / "shop.sqlite3", **overrides))

        with serve_asgi(build) as url, shop(url, k2_sandbox) as served:
            yield served

    return opened


@pytest.fixture
def served(open_shop: ShopFactory) -> Iterator[Shop]:
    """The app as configured for production, except that it talks to the sandbox."""
    with open_shop() as opened:
        yield opened


def test_form_payment_succeeds(served: Shop) -> None:
    """The form starts an STK push; the sandbox's signed callback is stored and the payment shows Success."""
    scenarios.form_payment_succeeds(served)


def test_failing_phone_shows_failed_with_reason(served: Shop) -> None:
    """A phone ending 0001 ends Failed, and the JSON and the page both give K2's reason."""
    scenarios.failing_phone_shows_reason(served)


def test_duplicate_delivery_is_stored_once(served: Shop) -> None:
    """Replaying the exact signed callback is acknowledged as a duplicate and not stored again."""
    scenarios.duplicate_delivery_stored_once(served)


def test_bad_signature_gets_401(served: Shop) -> None:
    """Tampered, wrongly signed and unsigned callbacks get 401 and change nothing."""
    scenarios.bad_signature_rejected(served)


def test_buygoods_webhook_appears_in_events(
    served: Shop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m examples.fastapi_app subscribe` subscribes /k2/webhooks; a till payment lands in /events."""
    env = {
        "K2_CLIENT_ID": served.sandbox.client_id,
        "K2_CLIENT_SECRET": served.sandbox.client_secret,
        "K2_API_KEY": served.sandbox.api_key,
        "K2_BASE_URL": served.sandbox.base_url,
        "PUBLIC_URL": served.url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def subscribe() -> list[str]:
        assert cli_main(["subscribe"]) == 0
        return [line.removeprefix("subscribed: ") for line in capsys.readouterr().out.splitlines()]

    scenarios.buygoods_webhook_listed(served, subscribe)


def test_invalid_input_rerenders_the_form(served: Shop) -> None:
    """A bad phone or amount re-renders the form with the SDK's message, and nothing is sent to K2."""
    scenarios.invalid_input_rerenders_form(served)


def test_status_check_when_callback_is_lost(open_shop: ShopFactory) -> None:
    """With no callback (dead PUBLIC_URL), /payments/<id> falls back to k2.get(location) and shows Success."""
    with open_shop(public_url="http://127.0.0.1:9", status_check_after=0) as lost:
        scenarios.status_check_when_callback_is_lost(lost)


def test_unknown_payment_is_404(served: Shop) -> None:
    """An id this app did not start is a 404, as JSON and as a page."""
    scenarios.unknown_payment_is_404(served)


def test_module_level_app_for_uvicorn(
    k2_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`uvicorn examples.fastapi_app.app:app` builds the app from the environment; a partial one fails."""
    monkeypatch.setattr(app_module, "_app_from_environment", app_module._app_from_environment.__wrapped__)
    for name in ("K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_API_KEY", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(K2ConfigError, match="K2_CLIENT_ID, K2_CLIENT_SECRET, K2_API_KEY, PUBLIC_URL"):
        create_app()

    def from_environment(url: str) -> str:
        monkeypatch.setenv("K2_CLIENT_ID", k2_sandbox.client_id)
        monkeypatch.setenv("K2_CLIENT_SECRET", k2_sandbox.client_secret)
        monkeypatch.setenv("K2_API_KEY", k2_sandbox.api_key)
        monkeypatch.setenv("K2_BASE_URL", k2_sandbox.base_url)
        monkeypatch.setenv("PUBLIC_URL", url)
        monkeypatch.setenv("DATABASE", str(tmp_path / "env.sqlite3"))
        return "examples.fastapi_app.app:app"  # imported by uvicorn, exactly as on the command line

    with serve_asgi(from_environment) as url, shop(url, k2_sandbox) as served:
        payment = served.wait_until_done(served.pay(scenarios.SUCCEEDS))
        assert payment["status"] == "Success" and payment["updated_by"] == "callback"
    assert (tmp_path / "env.sqlite3").exists()


@pytest.fixture
def shop_ledger(k2_sandbox: RunningSandbox, tmp_path: Path) -> Iterator[K2]:
    """A client over the shop's own intents ledger (its SQLite file), as an operator would open one."""
    with K2(
        k2_sandbox.client_id,
        k2_sandbox.client_secret,
        base_url=k2_sandbox.base_url,
        ledger=str(tmp_path / "shop.sqlite3"),
    ) as k2:
        yield k2


def test_ambiguous_stk_push_is_confirmed_and_never_paid_twice(
    open_shop: ShopFactory, shop_ledger: K2
) -> None:
    """A 500 after K2 processed the push: "We are confirming", no Pay button, then paid by the callback."""
    with open_shop(public_url="http://127.0.0.1:9") as silent:
        scenarios.ambiguous_push_is_confirmed_never_repaid(silent, shop_ledger)


def test_unresolved_stk_push_says_contact_us_until_resolved_not_sent(
    open_shop: ShopFactory, shop_ledger: K2
) -> None:
    """Unresolved: "contact us" and no Pay button; resolved as not sent, the same key is sent again."""
    with open_shop(public_url="http://127.0.0.1:9") as silent:
        scenarios.unresolved_push_offers_no_payment_until_resolved_not_sent(silent, shop_ledger)


def test_ledger_url_records_the_orders_intents_there(
    open_shop: ShopFactory, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """LEDGER_URL (here another SQLite file; PostgreSQL on many machines) holds the intents, not DATABASE."""
    ledger_file = tmp_path / "intents.sqlite3"
    with open_shop(ledger_url=f"sqlite:///{ledger_file}") as served:
        order_id = served.pay(scenarios.SUCCEEDS)
        assert served.wait_until_done(order_id)["state"] == "succeeded"
    key = f"order-{order_id}/attempt-1"
    with SQLiteLedger(ledger_file) as there, SQLiteLedger(tmp_path / "shop.sqlite3") as shop_file:
        found = there.get(key)
        assert found is not None and found.state is IntentState.SUCCEEDED and found.reference
        assert shop_file.get(key) is None


def test_ledger_url_must_be_sqlite_or_postgresql() -> None:
    env = {
        "K2_CLIENT_ID": "id",
        "K2_CLIENT_SECRET": "secret",
        "K2_API_KEY": "key",
        "PUBLIC_URL": "http://127.0.0.1:9",
        "LEDGER_URL": "redis://:hunter2@redis.internal/0",
    }
    with pytest.raises(K2ConfigError, match="LEDGER_URL must be a sqlite:/// or postgresql:// URL") as raised:
        Settings.from_env(env)
    assert "hunter2" not in str(raised.value)
    settings = Settings.from_env({**env, "LEDGER_URL": "postgresql://k2:hunter2@db.internal/shop"})
    assert settings.ledger == "postgresql://k2:hunter2@db.internal/shop" and "hunter2" not in repr(settings)
    assert Settings.from_env({**env, "LEDGER_URL": ""}).ledger == "k2_example.sqlite3"


def test_a_callback_reaching_another_machine_settles_the_order_through_a_postgresql_ledger(
    k2_sandbox: RunningSandbox, tmp_path: Path, postgres_url: str
) -> None:
    """Two shops (machines: their own SQLite files) share LEDGER_URL: an order taken on one is settled by
    its callback arriving at the other, and the first shows it paid."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2connect_intents, k2connect_ledger_meta")

    def machine(name: str, public_url: str | None = None) -> Callable[[str], FastAPI]:
        def build(url: str) -> FastAPI:
            database = tmp_path / f"{name}.sqlite3"
            settings = settings_for(k2_sandbox, public_url or url, database, ledger_url=postgres_url)
            return create_app(settings)

        return build

    with serve_asgi(machine("b")) as b_url, serve_asgi(machine("a", public_url=b_url)) as a_url:
        with shop(a_url, k2_sandbox) as a:
            order_id = a.pay(scenarios.SUCCEEDS)
            paid = a.wait_until_done(order_id)
        with shop(b_url, k2_sandbox) as b:
            (event,) = b.events(topic="incoming_payment")
    assert paid["state"] == "succeeded" and paid["mpesa_reference"] and paid["updated_by"] == "callback"
    assert event["intent_key"] == f"order-{order_id}/attempt-1"
