"""The FastAPI example's shared-store settings: TOKEN_STORE_URL, DEDUP_URL, EVENT_RETENTION_SECONDS."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.fastapi_app.app import make_deduplicator, make_token_store
from examples.fastapi_app.settings import Settings
from k2connect_ext import K2ConfigError
from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_ext.webhooks import SQLiteDeduplicator
from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator
from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator

BASE = {
    "K2_CLIENT_ID": "id",
    "K2_CLIENT_SECRET": "secret",
    "K2_API_KEY": "key",
    "PUBLIC_URL": "https://shop.example",
}


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({**BASE, "DATABASE": str(tmp_path / "shop.sqlite3"), **env})


def test_without_urls_the_token_is_per_process_and_events_go_to_sqlite(tmp_path: Path) -> None:
    chosen = settings(tmp_path)
    assert make_token_store(chosen) is None
    dedup = make_deduplicator(chosen)
    assert isinstance(dedup, SQLiteDeduplicator)
    dedup.close()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("postgresql://k2:pw@127.0.0.1:1/shop", PostgresDeduplicator),
        ("postgres://k2:pw@127.0.0.1:1/shop", PostgresDeduplicator),
        ("redis://:pw@127.0.0.1:1/0", RedisDeduplicator),
    ],
)
def test_dedup_url_picks_the_store_and_the_retention(tmp_path: Path, url: str, kind: type) -> None:
    chosen = settings(tmp_path, DEDUP_URL=url, EVENT_RETENTION_SECONDS="3600")
    dedup = make_deduplicator(chosen)
    assert isinstance(dedup, kind)
    assert "retention_seconds=3600" in repr(dedup)
    dedup.close()


def test_token_store_url_gives_a_redis_token_store(tmp_path: Path) -> None:
    assert isinstance(
        make_token_store(settings(tmp_path, TOKEN_STORE_URL="redis://127.0.0.1:1/0")), RedisTokenStore
    )


@pytest.mark.parametrize(
    "env",
    [
        {"DEDUP_URL": "mysql://db/shop"},
        {"TOKEN_STORE_URL": "postgresql://db/shop"},
        {"EVENT_RETENTION_SECONDS": "a week"},
        {"EVENT_RETENTION_SECONDS": "-1"},
    ],
)
def test_a_bad_setting_is_a_config_error(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(K2ConfigError):
        settings(tmp_path, **env)


def test_the_urls_stay_out_of_repr(tmp_path: Path) -> None:
    chosen = settings(
        tmp_path, DEDUP_URL="postgresql://k2:s3cret@db/shop", TOKEN_STORE_URL="redis://:s3cret@r/0"
    )
    assert "s3cret" not in repr(chosen)
