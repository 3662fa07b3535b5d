"""The FastAPI example shop as the many-worker webhook test serves it: ``uvicorn --factory
tests.multi.flaky_shop:create --workers 4``, configured by the example's own environment variables.

Its event handler (the example's ``Store.record_event``) fails the first attempt of one event in five,
picked by a hash of the event id, so K2's redelivery of those must be processed. The "first attempt" is
decided across all worker processes by an O_EXCL marker file in ``FLAKY_DIR``; every successful run
appends ``<pid> <event id>`` to ``FLAKY_DIR/processed.log`` (one short O_APPEND write: lines never mix).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from fastapi import FastAPI

from examples.fastapi_app import app as shop
from examples.fastapi_app.settings import Settings
from examples.fastapi_app.store import Store
from k2connect_ext.webhooks import K2Event

HANDLER_SECONDS = 0.02  # long enough for the other copies of an event to arrive while it runs


def _first_attempt(marks: Path, digest: str) -> bool:
    try:
        fd = os.open(marks / f"attempted-{digest}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


class FlakyStore(Store):
    def record_event(self, event: K2Event, endpoint: str) -> None:
        marks = Path(os.environ["FLAKY_DIR"])
        key = event.dedup_key or ""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        time.sleep(HANDLER_SECONDS)
        if int(digest, 16) % 5 == 0 and _first_attempt(marks, digest):
            raise RuntimeError("injected failure of a first attempt")
        super().record_event(event, endpoint)
        with open(marks / "processed.log", "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {event.id}\n")


def create() -> FastAPI:
    # create_app builds its store from the app module's global name Store: swap the class under that name
    # (with setattr: mypy refuses an assignment to a name the module only imported).
    setattr(shop, "Store", FlakyStore)  # noqa: B010
    return shop.create_app(Settings.from_env())
