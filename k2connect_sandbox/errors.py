"""Error bodies in the two shapes K2 uses, and the compact-JSON response they travel in.

``/api/`` endpoints answer ``{"error_code": <status>, "error_message": ...}``; ``/oauth/`` endpoints
answer Doorkeeper-style ``{"error": ..., "error_description": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from k2connect_sandbox.wire import dumps

__all__ = ["ApiError", "OAuthError", "SandboxHttpError", "json_response"]

JSON_MEDIA_TYPE = "application/json"


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response whose bytes are exactly what callbacks carry for the same value."""
    return Response(dumps(body), status_code=status, headers=dict(headers or {}), media_type=JSON_MEDIA_TYPE)


class SandboxHttpError(Exception):
    """Raised anywhere in request handling to answer with an error body."""

    def __init__(self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return json_response(self.body, self.status, self.headers)


class ApiError(SandboxHttpError):
    """An ``/api/`` error: ``{"error_code", "error_message"}``."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, {"error_code": status, "error_message": message}, headers)


class OAuthError(SandboxHttpError):
    """An ``/oauth/`` error: ``{"error", "error_description"}``."""

    def __init__(
        self, status: int, error: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, {"error": error, "error_description": description}, headers)
