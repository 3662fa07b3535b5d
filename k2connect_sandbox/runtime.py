"""One sandbox instance: its configuration and every stateful service, wired together."""

from __future__ import annotations

import threading

from starlette.requests import Request

from k2connect_sandbox.accounts import MerchantAccounts
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.delivery import DeliveryService
from k2connect_sandbox.faults import FaultRegistry
from k2connect_sandbox.ledger import Ledger
from k2connect_sandbox.lifecycle import Lifecycle
from k2connect_sandbox.operations import OperationIndex
from k2connect_sandbox.request_log import RequestLog
from k2connect_sandbox.scheduler import Scheduler
from k2connect_sandbox.simulations import Simulator
from k2connect_sandbox.spec import control_spec, k2_spec, load_spec
from k2connect_sandbox.store import Store
from k2connect_sandbox.tokens import TokenService
from k2connect_sandbox.validation import SchemaSet
from k2connect_sandbox.webhooks import WebhookPublisher

__all__ = ["K2_SPEC_URI", "Sandbox"]

K2_SPEC_URI = "urn:k2connect:openapi"
CONTROL_SPEC_URI = "urn:k2connect:sandbox-control"


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.spec = k2_spec() if config.spec_path is None else load_spec(config.spec_path)
        self.operations = OperationIndex(self.spec)
        self.schemas = SchemaSet(self.spec, K2_SPEC_URI)
        self.control_spec = control_spec()
        self.control_schemas = SchemaSet(self.control_spec, CONTROL_SPEC_URI)
        self.store = Store(config.sqlite_path)
        self.scheduler = Scheduler()
        self.deliveries = DeliveryService(config, self.clock, self.scheduler)
        self.tokens = TokenService(config, self.clock, self.store)
        self.ledger = Ledger(self.store, config.opening_balance)
        self.webhooks = WebhookPublisher(self.store, self.clock, self.deliveries)
        self.simulator = Simulator(self.ledger, self.webhooks, self.clock)
        self.accounts = MerchantAccounts(self.store, config.client_id)
        self.lifecycle = Lifecycle(
            config,
            self.clock,
            self.store,
            self.ledger,
            self.simulator,
            self.deliveries,
            self.scheduler,
            self.accounts,
        )
        self.faults = FaultRegistry()
        self.requests = RequestLog()
        self._resumed = False
        self._resume_lock = threading.Lock()

    def base_url(self, request: Request) -> str:
        """Scheme and host for Location headers and links: configured, else the request's own."""
        if self.config.base_url:
            return self.config.base_url
        return f"{request.url.scheme}://{request.url.netloc}"

    def ensure_resumed(self) -> None:
        """On the first request (or at startup), reschedule work a previous run left pending.

        Needs a running event loop, which is why it is not done in ``__init__``.
        """
        with self._resume_lock:
            if self._resumed:
                return
            self._resumed = True
        self.lifecycle.resume()

    def reset(self) -> None:
        """Forget everything: tokens, resources, ledger, events, deliveries, faults and the request log."""
        self.scheduler.bump()
        self.store.clear()
        self.deliveries.clear()
        self.faults.clear()
        self.requests.clear()
