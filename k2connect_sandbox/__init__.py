"""k2connect_sandbox: a local, stateful K2 Connect server built from openapi/k2connect.yaml.

It serves every operation of the K2 spec (OAuth, ``/api/v1``, ``/api/v2``) the way Kopo Kopo's
sandbox does: requests are validated against the spec, creates answer 201 with an absolute
``Location``, pending resources resolve after ``callback_delay`` seconds and POST their final body,
signed with ``X-KopoKopo-Signature``, to their ``_links.callback_url``, and webhook subscriptions
receive the events that the sandbox-only control API simulates.

Run it::

    python -m k2connect_sandbox                 # http://127.0.0.1:8765
    python -m k2connect_sandbox --port 0 --tls  # free port, HTTPS; prints the CA file to trust

It prints its URL and credentials (``key: value`` lines) on stdout, then a line per callback/webhook
delivery attempt on stderr (``--quiet``: none; ``--log-level warning``: failed attempts only), and shows a
dashboard at its URL in a browser: deliveries with failures first, resources and their states, recent
requests. A port already in use is one line and exit status 2.

or in-process / in tests::

    from k2connect_sandbox import SandboxConfig, create_app
    app = create_app(SandboxConfig(callback_delay=0))   # an ASGI app (Starlette); prints nothing
    console = attach_delivery_console(app)              # unless asked: delivery lines on stderr

    # conftest.py (top level)
    pytest_plugins = ["k2connect_sandbox.testing"]      # fixtures k2_sandbox, k2_sandbox_app

How operations are served: routing and request validation come from the spec; the handlers from the
generated operation registry (``k2connect_client.registry``, made from the same spec by ``make generate``).
Every resource GET of the registry is read by one generic reader from the table of its Location's
collection; the creates with behaviour (ledger effects, test-value outcomes, reference checks) are
hand-written in ``api``; a create of the registry with no hand-written handler is served from the spec's
examples (``generic``: pending, then resolved after ``callback_delay`` with a signed callback). So an
endpoint added to the spec is served once the client is regenerated, with no sandbox edit; the sandbox
refuses to start on an operation it cannot serve, or on a registry generated from another spec.
``SandboxConfig(spec_path=...)`` / ``--spec PATH`` serve another copy of the spec (with the client
generated from it first on the import path).

Default credentials (``SandboxConfig``/CLI flags override them): client id ``sandbox-client-id``,
client secret ``sandbox-client-secret``, API key (signature key) ``sandbox-api-key``.

Test values (see :mod:`k2connect_sandbox.outcomes`): an STK push whose phone number ends in
``0001``/``0002``/``0003``/``0004`` fails with "The initiator information is invalid." / "Request
cancelled by user" / "DS timeout user cannot be reached" / "The balance is insufficient for the
transaction."; an amount of 999999 or more fails as insufficient balance; anything else succeeds.
Reversals of references not in the ledger and payments to unknown recipients end Failed.

Control API (no token needed; documented in ``control-api.yaml`` and :mod:`k2connect_sandbox.control`):
``GET /`` (the HTML dashboard, for browsers), ``GET /sandbox/health``, ``POST /sandbox/reset``,
``GET /sandbox/deliveries``, ``GET /sandbox/events``,
``GET /sandbox/ledger``, ``POST /sandbox/simulate/{buygoods_transaction_received,
buygoods_transaction_reversed, b2b_transaction_received, b2b_transaction_reversed,
m2m_transaction_received, settlement_transfer_completed, card_transaction_received,
card_transaction_voided, card_transaction_reversed}``, ``POST /sandbox/payment_links/{id}/pay``,
``GET|POST|DELETE /sandbox/faults`` (kinds ``status_500``, ``status_503``, ``status_429``, ``slow``,
``drop``, ``malformed_json``, ``no_location``), ``GET /sandbox/openapi.json``.

Modules, one job each: ``app`` (ASGI app and ``create_app``), ``config``, ``clock``, ``spec`` (loading
the documents), ``operations`` (routing by the spec), ``validation`` (JSON Schema with readable
messages), ``dispatch`` (the per-request pipeline), ``oauth``, ``api``, ``generic`` (creates served from
the spec's examples), ``tables`` (which table each registry GET reads), ``control``, ``resources``
(response bodies), ``lifecycle`` (pending → final), ``ledger``, ``simulations``, ``webhooks``,
``delivery`` (signed at-least-once POSTs; the HMAC is the sandbox's own, not the SDK's), ``accounts``,
``scheduler``, ``faults``, ``tokens``, ``store`` (thread-safe state, optional SQLite), ``outcomes`` (test
values), ``failure_reasons`` (why an attempt failed, in words), ``console`` (a line per delivery attempt),
``request_log`` and ``dashboard`` (the page at ``/``), ``display`` (URLs without secrets, printable text),
``server``/``tls``/``__main__`` (serving), ``testing`` (pytest fixtures).
"""

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.clock import ManualClock, SystemClock
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.console import attach_delivery_console

__all__ = [
    "ManualClock",
    "SandboxApp",
    "SandboxConfig",
    "SystemClock",
    "attach_delivery_console",
    "create_app",
]
