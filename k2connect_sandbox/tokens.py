"""Access tokens: issue, look up, expire and revoke (no HTTP here; see oauth.py for the endpoints)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from enum import Enum

from k2connect_sandbox.clock import Clock
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.store import Store

__all__ = ["TokenRecord", "TokenService", "TokenState"]

_TABLE = "tokens"


class TokenState(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenRecord:
    token: str
    client_id: str
    created_at: float  # epoch seconds
    expires_at: float
    revoked: bool

    def state(self, now: float) -> TokenState:
        if self.revoked:
            return TokenState.REVOKED
        return TokenState.ACTIVE if now < self.expires_at else TokenState.EXPIRED


class TokenService:
    def __init__(self, config: SandboxConfig, clock: Clock, store: Store) -> None:
        self._config = config
        self._clock = clock
        self._store = store

    def now(self) -> float:
        return self._clock.now().timestamp()

    def credentials_match(self, client_id: str, client_secret: str) -> bool:
        # Both compared, constant-time, so a timing probe cannot learn the client id separately.
        id_ok = hmac.compare_digest(client_id.encode(), self._config.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self._config.client_secret.encode())
        return id_ok and secret_ok

    def issue(self, client_id: str) -> TokenRecord:
        # Doorkeeper reports created_at in whole seconds; expiry is computed from the same value so
        # created_at + expires_in is exactly the expiry a client would compute.
        created = float(int(self.now()))
        record = TokenRecord(
            token=secrets.token_urlsafe(32),
            client_id=client_id,
            created_at=created,
            expires_at=created + self._config.token_ttl,
            revoked=False,
        )
        self._store.put(_TABLE, record.token, _as_json(record))
        return record

    def lookup(self, token: str) -> TokenRecord | None:
        found = self._store.get(_TABLE, token)
        if found is None:
            return None
        return TokenRecord(
            token=str(found["token"]),
            client_id=str(found["client_id"]),
            created_at=float(found["created_at"]),
            expires_at=float(found["expires_at"]),
            revoked=bool(found["revoked"]),
        )

    def state(self, token: str) -> tuple[TokenState, TokenRecord | None]:
        record = self.lookup(token)
        if record is None:
            return TokenState.UNKNOWN, None
        return record.state(self.now()), record

    def revoke(self, token: str) -> bool:
        """Revoke ``token``; False if it was unknown (which RFC 7009 still answers with 200)."""

        def mark(record: dict[str, object]) -> dict[str, object]:
            return {**record, "revoked": True}

        return self._store.update(_TABLE, token, mark) is not None


def _as_json(record: TokenRecord) -> dict[str, object]:
    return {
        "token": record.token,
        "client_id": record.client_id,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "revoked": record.revoked,
    }
