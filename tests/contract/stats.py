"""Counts of what the in-process contract suite did, printed at the end of the pytest run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ContractStats:
    cases: Counter[str] = field(default_factory=Counter)  # validated responses per operation label
    checks: Counter[str] = field(default_factory=Counter)  # check runs per check name
    failures: Counter[str] = field(default_factory=Counter)  # failed check runs per check name
    stateful_steps: int = 0
    stateful_reads: set[str] = field(default_factory=set)  # GET operations that answered 200 in a chain
    unauthenticated_calls: int = 0

    def record(self, label: str, results: list[Any]) -> None:
        self.cases[label] += 1
        for result in results:
            self.checks[result.name] += 1
            if result.failure is not None:
                self.failures[result.name] += 1

    def lines(self) -> list[str]:
        if not self.cases and not self.unauthenticated_calls:
            return []
        lines = [
            f"operations exercised: {len(self.cases)}",
            f"responses validated: {sum(self.cases.values())} "
            f"(of which stateful steps: {self.stateful_steps}, reaching {len(self.stateful_reads)} GET "
            "operations with 200 through links)",
            f"check runs: {sum(self.checks.values())} over {len(self.checks)} checks, "
            f"failed: {sum(self.failures.values())}",
            f"unauthenticated calls answered 401: {self.unauthenticated_calls}",
        ]
        lines += [f"  {name}: {count}" for name, count in sorted(self.checks.items())]
        return lines


STATS = ContractStats()
