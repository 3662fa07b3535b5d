"""Driver messages pass through redact() before they reach an error or a log."""

from __future__ import annotations

import pytest

from k2connect_ext._store_support import redact


@pytest.mark.parametrize(
    "text",
    [
        "connection to postgresql://k2:s3cret@db:5432/shop failed",
        "Error connecting to redis://:s3cret@redis:6379/0",
        "rediss://user:s3cret@host/1 refused",
        "invalid dsn: host=db password=s3cret dbname=shop",
        "invalid dsn: host=db password = 's3cret with spaces' dbname=shop",
        "PASSWORD=s3cret",
    ],
)
def test_passwords_are_masked(text: str) -> None:
    masked = redact(text)
    assert "s3cret" not in masked
    assert "***" in masked


def test_text_without_credentials_is_unchanged() -> None:
    text = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    assert redact(text) == text
