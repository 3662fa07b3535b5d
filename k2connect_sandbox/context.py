"""What an operation handler gets: the sandbox, the request, the matched operation and its inputs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from k2connect_sandbox.operations import Operation
from k2connect_sandbox.runtime import Sandbox

__all__ = ["Handler", "RequestContext"]


@dataclass
class RequestContext:
    sandbox: Sandbox
    request: Request
    operation: Operation
    params: dict[str, str]
    base_url: str
    body: Any = None  # the validated JSON body, for operations that take one

    @property
    def version(self) -> str:
        """``v1`` or ``v2`` for ``/api/`` operations (from the spec path)."""
        parts = self.operation.path.split("/")
        return parts[2] if len(parts) > 2 and parts[1] == "api" else ""

    def location(self, collection: str, resource_id: str) -> str:
        return f"{self.base_url}/api/{self.version}/{collection}/{resource_id}"


Handler = Callable[[RequestContext], Awaitable[Response]]
