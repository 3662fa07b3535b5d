"""Configuration of the example app, from arguments or from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from k2connect_ext import K2ConfigError

__all__ = ["Settings"]

# Where K2 POSTs, below PUBLIC_URL: STK push results (the callback_url of each request) and webhooks.
CALLBACK_PATH = "/k2/callbacks"
WEBHOOK_PATH = "/k2/webhooks"
REDIS_SCHEMES = ("redis", "rediss", "unix")
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the app needs. Secrets stay out of ``repr`` (and so out of logs and tracebacks).

    ``public_url`` is where Kopo Kopo reaches this app (an https tunnel or your domain; the local sandbox
    also delivers to http://127.0.0.1). ``till_number`` is the online (K-prefixed) till STK pushes pay.
    A payment that has had no callback for ``status_check_after`` seconds is looked up at K2 instead.

    Several workers on several machines share the token and the event ids through ``token_store_url``
    (``redis://...``: ``RedisTokenStore``) and ``dedup_url`` (``redis://...`` or ``postgresql://...``);
    without them the token is per process and events are de-duplicated in the SQLite ``database``. Both
    URLs may hold passwords, so they stay out of ``repr`` too.

    Each order's payment is a payment intent, recorded in a ledger before anything is sent: by default in
    the SQLite ``database`` (the workers of one machine); on several machines, ``ledger_url``
    (``postgresql://...``: ``PostgresLedger``, the ``[postgres]`` extra) so that a callback reaching any
    machine settles it. It may hold a password: out of ``repr``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    api_key: str = field(repr=False)
    public_url: str
    base_url: str = "https://sandbox.kopokopo.com"
    database: str = "k2_example.sqlite3"
    till_number: str = "K000000"
    status_check_after: float = 10.0
    token_store_url: str | None = field(default=None, repr=False)
    dedup_url: str | None = field(default=None, repr=False)
    event_retention: float = 7 * 24 * 3600.0
    ledger_url: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise K2ConfigError(f"PUBLIC_URL must be an absolute http(s) URL, got {self.public_url!r}")
        if self.token_store_url and urlsplit(self.token_store_url).scheme not in REDIS_SCHEMES:
            raise K2ConfigError("TOKEN_STORE_URL must be a redis://, rediss:// or unix:// URL")
        if self.dedup_url and urlsplit(self.dedup_url).scheme not in REDIS_SCHEMES + POSTGRES_SCHEMES:
            raise K2ConfigError("DEDUP_URL must be a redis://, rediss://, unix:// or postgresql:// URL")
        if self.ledger_url and urlsplit(self.ledger_url).scheme not in ("sqlite", *POSTGRES_SCHEMES):
            raise K2ConfigError("LEDGER_URL must be a sqlite:/// or postgresql:// URL")

    @property
    def ledger(self) -> str:
        """Where the payment intents are recorded: ``ledger_url``, else the SQLite ``database``."""
        return self.ledger_url or self.database

    @property
    def callback_url(self) -> str:
        """The callback_url given to every STK push."""
        return self.public_url.rstrip("/") + CALLBACK_PATH

    @property
    def webhook_url(self) -> str:
        """The URL webhook subscriptions point at."""
        return self.public_url.rstrip("/") + WEBHOOK_PATH

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read K2_CLIENT_ID, K2_CLIENT_SECRET, K2_API_KEY, PUBLIC_URL (required), K2_BASE_URL, DATABASE,
        K2_TILL_NUMBER, TOKEN_STORE_URL, DEDUP_URL, LEDGER_URL and EVENT_RETENTION_SECONDS (optional)."""
        env = os.environ if environ is None else environ
        required = ("K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_API_KEY", "PUBLIC_URL")
        missing = [name for name in required if not env.get(name)]
        if missing:
            raise K2ConfigError("set these environment variables: " + ", ".join(missing))
        return cls(
            client_id=env["K2_CLIENT_ID"],
            client_secret=env["K2_CLIENT_SECRET"],
            api_key=env["K2_API_KEY"],
            public_url=env["PUBLIC_URL"],
            base_url=env.get("K2_BASE_URL") or cls.base_url,
            database=env.get("DATABASE") or cls.database,
            till_number=env.get("K2_TILL_NUMBER") or cls.till_number,
            token_store_url=env.get("TOKEN_STORE_URL") or None,
            dedup_url=env.get("DEDUP_URL") or None,
            ledger_url=env.get("LEDGER_URL") or None,
            event_retention=_seconds(env, "EVENT_RETENTION_SECONDS", cls.event_retention),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise K2ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise K2ConfigError(f"{name} must be positive, got {raw!r}")
    return value
