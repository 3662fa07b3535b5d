"""The Flask example (examples/flask_app) under werkzeug in a thread, against the sandbox over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.cli import ScriptInfo

from examples.flask_app import app as app_module
from examples.flask_app.app import Settings, create_app, services
from k2connect_ext import K2ConfigError
from k2connect_sandbox.server import RunningSandbox

from . import scenarios
from .harness import Shop, serve_wsgi, shop

pytestmark = pytest.mark.sandbox

ShopFactory = Callable[..., AbstractContextManager[tuple[Shop, Flask]]]


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
    """Serve a fresh app (its own SQLite file) with werkzeug's threaded server; settings can be overridden."""

    @contextmanager
    def opened(**overrides: Any) -> Iterator[tuple[Shop, Flask]]:
        apps: list[Flask] = []

        def build(url: str) -> Flask:
            apps.append(create_app(settings_for(k2_sandbox, url, tmp_path / "shop.sqlite3", **overrides)))
            return apps[0]

        try:
            with serve_wsgi(build) as url, shop(url, k2_sandbox) as served:
                yield served, apps[0]
        finally:
            for app in apps:
                services(app).close()

    return opened


@pytest.fixture
def served(open_shop: ShopFactory) -> Iterator[Shop]:
    """The app as configured for production, except that it talks to the sandbox."""
    with open_shop() as (opened, _app):
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


def test_buygoods_webhook_appears_in_events(open_shop: ShopFactory) -> None:
    """`flask k2-subscribe` subscribes /k2/webhooks through K2; a till payment then lands in /events."""
    with open_shop() as (served, app):

        def subscribe() -> list[str]:
            result = app.test_cli_runner().invoke(args=["k2-subscribe"])
            assert result.exit_code == 0, result.output
            return [line.removeprefix("subscribed: ") for line in result.output.splitlines()]

        scenarios.buygoods_webhook_listed(served, subscribe)


def test_invalid_input_rerenders_the_form(served: Shop) -> None:
    """A bad phone or amount re-renders the form with the SDK's message, and nothing is sent to K2."""
    scenarios.invalid_input_rerenders_form(served)


def test_status_check_when_callback_is_lost(open_shop: ShopFactory) -> None:
    """With no callback (dead PUBLIC_URL), /payments/<id> falls back to k2.get(location) and shows Success."""
    with open_shop(public_url="http://127.0.0.1:9", status_check_after=0) as (lost, _app):
        scenarios.status_check_when_callback_is_lost(lost)


def test_unknown_payment_is_404(served: Shop) -> None:
    """An id this app did not start is a 404, as JSON and as a page."""
    scenarios.unknown_payment_is_404(served)


def test_module_level_app_for_flask_run(
    k2_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`flask --app examples.flask_app.app run` builds the app from the environment; a partial one fails."""
    monkeypatch.setattr(app_module, "_app_from_environment", app_module._app_from_environment.__wrapped__)
    for name in ("K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_API_KEY", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(K2ConfigError, match="K2_CLIENT_ID, K2_CLIENT_SECRET, K2_API_KEY, PUBLIC_URL"):
        create_app()
    apps: list[Flask] = []

    def from_environment(url: str) -> Flask:
        monkeypatch.setenv("K2_CLIENT_ID", k2_sandbox.client_id)
        monkeypatch.setenv("K2_CLIENT_SECRET", k2_sandbox.client_secret)
        monkeypatch.setenv("K2_API_KEY", k2_sandbox.api_key)
        monkeypatch.setenv("K2_BASE_URL", k2_sandbox.base_url)
        monkeypatch.setenv("PUBLIC_URL", url)
        monkeypatch.setenv("DATABASE", str(tmp_path / "env.sqlite3"))
        # Found by Flask's own lookup, exactly as `flask --app examples.flask_app.app` does.
        apps.append(ScriptInfo(app_import_path="examples.flask_app.app").load_app())
        return apps[0]

    try:
        with serve_wsgi(from_environment) as url, shop(url, k2_sandbox) as served:
            payment = served.wait_until_done(served.pay(scenarios.SUCCEEDS))
            assert payment["status"] == "Success" and payment["updated_by"] == "callback"
    finally:
        for app in apps:
            services(app).close()
    assert (tmp_path / "env.sqlite3").exists()


def test_ambiguous_stk_push_is_confirmed_and_never_paid_twice(open_shop: ShopFactory) -> None:
    """A 500 after K2 processed the push: "We are confirming", no Pay button, then paid by the callback."""
    with open_shop(public_url="http://127.0.0.1:9") as (silent, app):
        scenarios.ambiguous_push_is_confirmed_never_repaid(silent, services(app).k2)


def test_unresolved_stk_push_says_contact_us_until_resolved_not_sent(open_shop: ShopFactory) -> None:
    """Unresolved: "contact us" and no Pay button; resolved as not sent, the same key is sent again."""
    with open_shop(public_url="http://127.0.0.1:9") as (silent, app):
        scenarios.unresolved_push_offers_no_payment_until_resolved_not_sent(silent, services(app).k2)
