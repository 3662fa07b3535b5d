"""What the intents need of a client: send a prepared create, read a Location, wait on one.

``Intents`` and ``AsyncIntents`` are made by ``K2`` and ``AsyncK2`` and call back into them. Typing that
back-reference as these protocols, not as the facade's classes, keeps the intents modules below the facade
(nothing of theirs imports it), and says exactly which three methods a send and a settlement use.
"""

from __future__ import annotations

from typing import Any, Protocol

from k2connect_ext import _operations as ops

__all__ = ["AsyncSender", "Sender"]


class _Located(Protocol):
    """A create's handle: where K2 keeps what it made."""

    @property
    def location(self) -> str: ...


class _Readable(Protocol):
    """A resource read from K2: a generated model."""

    def to_dict(self) -> dict[str, Any]: ...


class Sender(Protocol):
    """A blocking client (``K2``) as the intents use it."""

    def _create(self, prepared: ops.Prepared[Any], name: str) -> _Located: ...

    def get(self, location: str) -> _Readable: ...

    def wait_for(
        self, location: str, *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> _Readable: ...


class AsyncSender(Protocol):
    """An asyncio client (``AsyncK2``) as the intents use it."""

    async def _create(self, prepared: ops.Prepared[Any], name: str) -> _Located: ...

    async def get(self, location: str) -> _Readable: ...

    async def wait_for(
        self, location: str, *, timeout: float | None = None, raise_on_failure: bool = True
    ) -> _Readable: ...
