"""The two shapes every payment command shares: create (and maybe wait), and wait on a Location."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from k2connect_ext import K2, Created

from .output import Output
from .progress import Progress
from .state import CliState, open_k2
from .summary import resource_document

__all__ = ["create", "show_resource", "wait_and_show"]


class _Sleep:
    """The poll sleep handed to ``K2``; pointed at a ``Progress`` while a wait is shown."""

    def __init__(self) -> None:
        self.target: Callable[[float], None] = time.sleep

    def __call__(self, seconds: float) -> None:
        self.target(seconds)


def show_resource(state: CliState, location: str, model: Any) -> None:
    """Print a resource read at ``location``: summary lines, or the JSON document."""
    fields, document = resource_document(location, model)
    Output(state.json).record(fields, document=document)


def _wait(k2: K2, sleep: _Sleep, location: str, label: str, timeout: float) -> Any:
    with Progress(label, timeout) as progress:
        sleep.target = progress.sleep
        try:
            return k2.wait_for(location, timeout=timeout)
        finally:
            sleep.target = time.sleep


def wait_and_show(state: CliState, location: str, label: str, timeout: float) -> None:
    """Wait until the resource at ``location`` is final and print it (failures raise, see ``failures``)."""
    sleep = _Sleep()
    with open_k2(state, sleep=sleep) as k2:
        model = _wait(k2, sleep, location, label, timeout)
    show_resource(state, location, model)


def create(
    state: CliState, send: Callable[[K2], Created[Any]], *, wait: bool = False, timeout: float = 0.0
) -> None:
    """Send one create request; print its Location and id, or with ``wait`` its final outcome."""
    sleep = _Sleep()
    with open_k2(state, sleep=sleep) as k2:
        created = send(k2)
        if not wait:
            Output(state.json).record({"location": created.location, "id": created.id, "kind": created.kind})
            return
        model = _wait(k2, sleep, created.location, f"{created.kind} {created.id}", timeout)
    show_resource(state, created.location, model)
