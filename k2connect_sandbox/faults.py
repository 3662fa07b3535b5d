"""Fault injection: make the next N requests to one operation fail in a chosen way.

Faults are consumed in the order they were added, one per matching request, before authentication
and validation, so a client sees them no matter what it sends. They are in-memory only (never
persisted) and cleared by ``DELETE /sandbox/faults`` or ``POST /sandbox/reset``.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from k2connect_sandbox.wire import JsonDict, new_id

__all__ = ["FAULT_KINDS", "Fault", "FaultRegistry"]

FAULT_KINDS = ("status_500", "status_503", "status_429", "slow", "drop", "malformed_json", "no_location")
# Kinds that replace the response before the request is processed (unless after_processing).
STATUS_KINDS = {"status_500": 500, "status_503": 503, "status_429": 429}


@dataclass
class Fault:
    id: str
    operation_id: str
    kind: str
    remaining: int
    retry_after: int
    delay: float
    after_processing: bool

    def as_json(self) -> JsonDict:
        return asdict(self)


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self, operation_id: str, kind: str, count: int, retry_after: int, delay: float, after_processing: bool
    ) -> Fault:
        fault = Fault(new_id(), operation_id, kind, count, retry_after, delay, after_processing)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, operation_id: str) -> Fault | None:
        """Consume one use of the oldest fault for ``operation_id``."""
        with self._lock:
            for fault in self._faults:
                if fault.operation_id == operation_id:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def list(self) -> list[JsonDict]:
        with self._lock:
            return [fault.as_json() for fault in self._faults]

    def clear(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count
