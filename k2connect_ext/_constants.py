"""Every tunable default of the SDK, in one place, so no number is buried in the code that uses it."""

from __future__ import annotations

from typing import Final

import httpx

# --- Hosts -------------------------------------------------------------------------------------------
SANDBOX_BASE_URL: Final = "https://sandbox.kopokopo.com"
# The guide once named app.kopokopo.com for tokens, but that is the merchant web app (Kopo Kopo's PHP SDK
# refuses it as a base URL); every SDK and the `_links` in K2's own payloads use api.kopokopo.com, the
# production server the spec names (openapi/k2connect.yaml `servers`).
PRODUCTION_BASE_URL: Final = "https://api.kopokopo.com"

# --- Identification ----------------------------------------------------------------------------------
# Distinct from Kopo Kopo's official "Kopokopo-Python-SDK", so K2 can tell the two apart in its logs.
USER_AGENT_PREFIX: Final = "k2connect-sdk-python"

# --- Timeouts (seconds) ------------------------------------------------------------------------------
# Never infinite: a hung socket must end as a K2TimeoutError, not a stuck worker.
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_READ_TIMEOUT: Final = 30.0
DEFAULT_WRITE_TIMEOUT: Final = 30.0
# Short: waiting long for a pooled connection only hides an exhausted pool.
DEFAULT_POOL_TIMEOUT: Final = 5.0
# How long a whole call may take (every try, backoff and slow body) when ``timeout`` is an httpx.Timeout:
# its longest phase. A float ``timeout`` is that total itself.
DEFAULT_TIMEOUT: Final = httpx.Timeout(
    connect=DEFAULT_CONNECT_TIMEOUT,
    read=DEFAULT_READ_TIMEOUT,
    write=DEFAULT_WRITE_TIMEOUT,
    pool=DEFAULT_POOL_TIMEOUT,
)

# httpx's own pool defaults, the same for every backend so switching one changes nothing else.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)

# --- Tokens ------------------------------------------------------------------------------------------
# Renew this long before expiry, so a token never expires between our check and K2's (clock drift,
# network latency, a request queued in the pool).
TOKEN_SKEW_SECONDS: Final = 60.0
# K2 documents one-hour tokens; used when a token response omits expires_in.
DEFAULT_TOKEN_LIFETIME_SECONDS: Final = 3600.0

# OAuth endpoints live at the host root. They authenticate with client_id/client_secret in the body, so
# they must never carry a bearer token (and cannot need one: the token endpoint is how we get it).
TOKEN_PATH: Final = "/oauth/token"
REVOKE_PATH: Final = "/oauth/revoke"
INTROSPECT_PATH: Final = "/oauth/introspect"
UNAUTHENTICATED_PATHS: Final = (TOKEN_PATH, REVOKE_PATH, INTROSPECT_PATH)

# --- Retries -----------------------------------------------------------------------------------------
DEFAULT_MAX_ATTEMPTS: Final = 4  # the first try plus three retries
DEFAULT_BASE_DELAY: Final = 0.5
DEFAULT_MAX_DELAY: Final = 8.0
DEFAULT_MAX_ELAPSED: Final = 30.0
# 500 is left out: K2 answers 500 for bugs that a retry does not fix. 502/503/504 are gateways and
# maintenance; 429 is rate limiting.
DEFAULT_RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
# K2's answers are a few KiB; a bigger body is a proxy's error page or an attack, not worth the memory.
DEFAULT_MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
# A longer Retry-After is not slept through: the caller gets the error and can schedule its own retry.
DEFAULT_MAX_RETRY_AFTER: Final = 60.0
# Methods that may be repeated without repeating their effect (RFC 9110 §9.2.2). PUT and DELETE are
# idempotent too, but K2 has none and we would rather not guess for a payments API.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

# --- Header names ------------------------------------------------------------------------------------
AUTHORIZATION_HEADER: Final = "Authorization"
RETRY_AFTER_HEADER: Final = "Retry-After"
LOCATION_HEADER: Final = "Location"
