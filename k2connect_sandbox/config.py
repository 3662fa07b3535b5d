"""Configuration of a sandbox instance: credentials, timing, persistence and callback delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from k2connect_sandbox.clock import Clock, SystemClock

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "SandboxConfig",
]

# Documented, fixed defaults so that tests, examples and the CLI agree without configuration.
DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_API_KEY = "sandbox-api-key"


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox behaves. Every field has a default, so ``SandboxConfig()`` is a working sandbox.

    Credentials
        ``client_id`` / ``client_secret`` are what ``POST /oauth/token`` accepts; ``api_key`` keys the
        HMAC-SHA256 ``X-KopoKopo-Signature`` of every callback and webhook.
    Timing
        ``token_ttl``: seconds an access token lives. ``callback_delay``: seconds a pending resource
        (STK push, payment, transfer, polling, SMS, send money, reversal, a create served from the spec's
        examples) stays pending before it resolves and its callback is POSTed; 0 resolves it as soon as
        possible (on the next GET at the latest).
        ``clock``: source of "now" for tokens, timestamps and link expiry (see ``ManualClock``).
    URLs
        ``base_url``: scheme and host put in ``Location`` headers and ``_links``; ``None`` derives it from
        each request (its scheme and ``Host`` header).
    Persistence
        ``sqlite_path``: keep tokens, resources, the ledger and webhook events in this SQLite file so a
        restarted sandbox still knows them; ``None`` keeps everything in memory.
    Delivery of callbacks and webhooks (at least once)
        Up to ``delivery_max_attempts`` POSTs per notification, the first immediately and then after
        ``delivery_initial_backoff`` seconds doubling each time, never past ``delivery_max_elapsed``
        seconds after the first; each attempt times out after ``delivery_timeout``. At most
        ``delivery_concurrency`` attempts are in flight at once (over one pooled client); the others wait
        their turn in a queue, never dropped, so a receiver that never answers cannot use up the
        sandbox's connections and starve its API. HTTPS receivers are
        verified against the public CAs plus ``delivery_ca_file`` if given (never unverified). Plain
        HTTP is sent to loopback receivers only unless ``allow_plain_http`` is set. ``deliver=False``
        records notifications without sending them (for fuzzing runs that invent callback URLs).
    Spec
        ``spec_path``: serve this OpenAPI document instead of the K2 spec shipped with the package, e.g. a
        copy with a new endpoint. The client and its operation registry must be generated from the same
        document (``make generate``) and importable: the sandbox refuses to start when they disagree.
    Money
        ``opening_balance``: the merchant's available balance before any ledger activity; a blind
        settlement transfer or send money without an amount settles the whole balance.
    """

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    api_key: str = DEFAULT_API_KEY
    token_ttl: int = 3600
    callback_delay: float = 0.5
    base_url: str | None = None
    sqlite_path: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    deliver: bool = True
    delivery_max_attempts: int = 6
    delivery_initial_backoff: float = 0.2
    delivery_max_elapsed: float = 30.0
    delivery_timeout: float = 5.0
    delivery_concurrency: int = 32
    delivery_ca_file: str | None = None
    allow_plain_http: bool = False
    opening_balance: Decimal = Decimal("100000")
    spec_path: str | None = None

    def __post_init__(self) -> None:
        for name in ("client_id", "client_secret", "api_key"):
            if not getattr(self, name):
                raise ValueError(f"SandboxConfig.{name} must not be empty")
        if self.token_ttl <= 0:
            raise ValueError("SandboxConfig.token_ttl must be positive")
        if self.callback_delay < 0:
            raise ValueError("SandboxConfig.callback_delay must not be negative")
        if self.delivery_max_attempts < 1:
            raise ValueError("SandboxConfig.delivery_max_attempts must be at least 1")
        if self.delivery_concurrency < 1:
            raise ValueError("SandboxConfig.delivery_concurrency must be at least 1")
        if self.delivery_initial_backoff < 0 or self.delivery_max_elapsed < 0 or self.delivery_timeout <= 0:
            raise ValueError("SandboxConfig delivery timings must not be negative")
        if self.base_url is not None:
            # Locations are built as base_url + "/api/...", so a trailing slash would double up.
            object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
