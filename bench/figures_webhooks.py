"""Webhook verify + parse throughput beside its floor, HMAC-SHA256 plus ``json.loads`` of the same bytes.

``construct_event`` and reading the fields a receiver reads, then the same plus the lazy typed model
(``event.model``); both as events per second, in interleaved rounds (``bench_webhooks.py`` is the closer
look at the same figure).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from bench_webhooks import API_KEY, BODY, SIGNATURE
from rows import Report, Row
from timing import Counts, interleave

from k2connect_ext.webhooks import construct_event


def webhook_rows(counts: Counts, report: Report) -> None:
    def floor() -> None:
        expected = hmac.new(API_KEY.encode(), BODY, hashlib.sha256).hexdigest()
        hmac.compare_digest(expected, SIGNATURE)
        json.loads(BODY)

    def ours() -> None:
        event = construct_event(BODY, SIGNATURE, API_KEY)
        _ = event.id, event.topic, event.amount, event.phone, event.status

    def with_model() -> None:
        event = construct_event(BODY, SIGNATURE, API_KEY)
        _ = event.id, event.topic, event.amount, event.phone, event.status, event.model

    def rate(fn: Callable[[], None]) -> Callable[[], float]:
        def measure() -> float:
            count, start = 0, time.perf_counter()
            deadline = start + counts.webhook_seconds
            while time.perf_counter() < deadline:
                for _ in range(50):
                    fn()
                count += 50
            return count / (time.perf_counter() - start)

        return measure

    for fn in (floor, ours, with_model):
        for _ in range(100):
            fn()
    result = interleave(counts.rounds, {"floor": rate(floor), "ours": rate(ours), "model": rate(with_model)})
    ratio = result["floor"] / result["ours"]
    report.rows.append(
        Row(
            "`construct_event` + reading id, topic, amount, phone, status vs HMAC-SHA256 + `json.loads`",
            f"{result['ours']:,.0f} /s",
            f"{result['floor']:,.0f} /s",
            ratio,
            "≤ 2.0x the floor, ≥ 50k/s",
            2.0,
            "construct_event",
            ratio <= 2.0 and result["ours"] >= 50_000,
        )
    )
    model_ratio = result["floor"] / result["model"]
    report.rows.append(
        Row(
            "… the same plus the typed model (`event.model`): the lazy model's cost",
            f"{result['model']:,.0f} /s",
            f"{result['floor']:,.0f} /s",
            model_ratio,
            "(reported)",
            None,
            "construct_event + .model",
        )
    )
