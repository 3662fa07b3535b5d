"""AccessToken parsing and freshness, and the memory and file token stores."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext._exceptions import K2UnexpectedResponseError
from k2connect_ext._token_stores import AccessToken, FileTokenStore, MemoryTokenStore, TokenStore

SECRET_TOKEN = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
NOW = 1_700_000_000.0


def token(
    value: str = SECRET_TOKEN, *, expires_at: float = NOW + 3600, obtained_at: float = NOW
) -> AccessToken:
    """Build a token with sensible defaults."""
    return AccessToken(value=value, expires_at=expires_at, obtained_at=obtained_at)


# --- AccessToken.from_token_response -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("created_at", "issued_at"),
    [
        (1617257436, 1617257436.0),  # K2's Doorkeeper: integer epoch
        ("2021-04-06T13:52:40+03:00", 1617706360.0),  # PHP SDK mock: ISO string with offset
        ("2021-04-06T10:52:40Z", 1617706360.0),  # ISO with Z
        ("2021-04-06T10:52:40", 1617706360.0),  # no offset: read as UTC
        ("1617257436", 1617257436.0),  # digits in a string
        (None, None),
        ("yesterday", None),
        ([1, 2], None),
    ],
)
def test_from_token_response_accepts_every_created_at_form(created_at: Any, issued_at: float | None) -> None:
    """created_at may be an epoch int, an ISO string or absent; expiry is measured from our own clock."""
    body: dict[str, Any] = {"access_token": SECRET_TOKEN, "token_type": "Bearer", "expires_in": 3600}
    if created_at is not None:
        body["created_at"] = created_at
    parsed = AccessToken.from_token_response(body, NOW)
    assert parsed.value == SECRET_TOKEN
    assert parsed.expires_at == NOW + 3600
    assert parsed.obtained_at == NOW
    assert parsed.issued_at == issued_at


def test_from_token_response_defaults_lifetime_and_type() -> None:
    """A body with only access_token gets K2's documented hour and the Bearer type."""
    parsed = AccessToken.from_token_response({"access_token": "abc"}, NOW)
    assert (parsed.expires_at, parsed.token_type) == (NOW + 3600, "Bearer")


@pytest.mark.parametrize(("expires_in", "lifetime"), [(10, 10), ("120", 120), (True, 3600), ("soon", 3600)])
def test_from_token_response_reads_expires_in(expires_in: Any, lifetime: float) -> None:
    """expires_in may be a number or numeric string; anything else falls back to one hour."""
    parsed = AccessToken.from_token_response({"access_token": "abc", "expires_in": expires_in}, NOW)
    assert parsed.expires_at == NOW + lifetime


@pytest.mark.parametrize(
    "body",
    [{}, {"access_token": ""}, {"access_token": 42}, {"access_token": "a b"}, {"access_token": "a\r\nX: y"}],
)
def test_from_token_response_rejects_unusable_tokens(body: dict[str, Any]) -> None:
    """A body without a usable token raises K2UnexpectedResponseError and does not carry the body."""
    with pytest.raises(K2UnexpectedResponseError) as info:
        AccessToken.from_token_response(body, NOW)
    assert not hasattr(info.value, "body")


def test_token_repr_hides_the_value() -> None:
    """repr and str never show the token."""
    tok = token()
    assert SECRET_TOKEN not in repr(tok)
    assert SECRET_TOKEN not in str(tok)
    assert "expires_at" in repr(tok)


# --- is_fresh -------------------------------------------------------------------------------------------


def test_is_fresh_until_skew_before_expiry() -> None:
    """A one-hour token is fresh until 60 s before expiry, and stale from then on."""
    tok = token()
    assert tok.is_fresh(NOW + 3600 - 60 - 0.001, 60)
    assert not tok.is_fresh(NOW + 3600 - 60, 60)
    assert not tok.is_fresh(NOW + 4000, 60)


def test_is_fresh_caps_skew_at_half_the_lifetime() -> None:
    """A 10 s token (shorter than the skew) is used for 5 s rather than renewed on every call."""
    tok = token(expires_at=NOW + 10)
    assert tok.is_fresh(NOW + 4.9, 60)
    assert not tok.is_fresh(NOW + 5, 60)


def test_is_fresh_with_non_positive_lifetime_is_never_fresh() -> None:
    """A token that was already expired when received is never fresh."""
    assert not token(expires_at=NOW - 5).is_fresh(NOW, 60)


# --- JSON -----------------------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    """from_json reads what to_json writes, issued_at included."""
    tok = AccessToken(value="v", token_type="bearer", expires_at=2.5, obtained_at=1.0, issued_at=0.5)
    assert AccessToken.from_json(tok.to_json()) == tok
    assert AccessToken.from_json(tok.to_json().encode()) == tok


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        b"\xff\xfe",
        "[]",
        json.dumps({"value": "", "token_type": "Bearer", "expires_at": 1, "obtained_at": 0}),
        json.dumps({"value": "v", "token_type": None, "expires_at": 1, "obtained_at": 0}),
        json.dumps({"value": "v", "token_type": "Bearer", "expires_at": "x", "obtained_at": 0}),
        json.dumps({"value": "v", "token_type": "Bearer", "expires_at": 1}),
        json.dumps({"value": "v", "token_type": "Bearer", "expires_at": float("inf"), "obtained_at": 0}),
    ],
)
def test_from_json_reads_garbage_as_no_token(text: str | bytes) -> None:
    """A corrupt or foreign record is "no token", never an exception."""
    assert AccessToken.from_json(text) is None


# --- MemoryTokenStore -----------------------------------------------------------------------------------


def test_memory_store_round_trip_and_protocol() -> None:
    """The memory store saves, loads and satisfies the TokenStore protocol."""
    store = MemoryTokenStore()
    assert isinstance(store, TokenStore)
    assert store.load() is None
    store.save(token())
    assert store.load() == token()
    assert SECRET_TOKEN not in repr(store)


@pytest.mark.parametrize("make_store", [MemoryTokenStore, "file"])
def test_clear_only_removes_the_expected_token(make_store: Any, tmp_path: Path) -> None:
    """clear(expected) is a compare-and-delete: a stale token cannot wipe a fresh one."""
    store: TokenStore = FileTokenStore(tmp_path / "t.json") if make_store == "file" else make_store()
    old, new = token("old"), token("new")
    store.save(new)
    store.clear(expected=old)
    assert store.load() == new
    store.clear(expected=new)
    assert store.load() is None
    store.clear(expected=new)  # nothing stored: a no-op
    store.save(old)
    store.clear()
    assert store.load() is None


def test_memory_store_lock_excludes_other_threads() -> None:
    """While one thread holds lock(), another waits for it."""
    store = MemoryTokenStore()
    acquired = threading.Event()

    def other() -> None:
        with store.lock():
            acquired.set()

    with store.lock():
        thread = threading.Thread(target=other)
        thread.start()
        assert not acquired.wait(0.05)
    assert acquired.wait(5)
    thread.join(5)


# --- FileTokenStore -------------------------------------------------------------------------------------


def test_file_store_round_trip_with_private_permissions(tmp_path: Path) -> None:
    """The token file and its lock file are created 0600, in a created 0700 directory."""
    store = FileTokenStore(tmp_path / "nested" / "token.json")
    assert store.load() is None
    store.save(token())
    assert store.load() == token()
    with store.lock():
        pass
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.lock_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.path.parent).st_mode) & 0o077 == 0
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["token.json", "token.json.lock"]


def test_file_store_replaces_a_world_readable_file(tmp_path: Path) -> None:
    """Saving over an existing 0644 file leaves a 0600 file (a new inode, replaced atomically)."""
    path = tmp_path / "token.json"
    path.write_text("{}")
    path.chmod(0o644)
    FileTokenStore(path).save(token())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_file_store_reads_corrupt_file_as_empty(tmp_path: Path) -> None:
    """A truncated or foreign file means "no token"."""
    path = tmp_path / "token.json"
    path.write_text('{"value": "abc", "expi')
    assert FileTokenStore(path).load() is None


def test_file_store_failed_write_leaves_old_token_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the replace fails, the old token stays in the file, the temporary file is removed, and the new
    token is kept in this process (the failure is an outage of the store, not an error of the call)."""
    store = FileTokenStore(tmp_path / "token.json")
    store.save(token("old"))

    def failing_replace(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    store.save(token("new"))
    assert FileTokenStore(tmp_path / "token.json").load() == token("old")
    assert store.load() == token("new")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_file_store_lock_excludes_other_store_instances(tmp_path: Path) -> None:
    """flock on the sidecar file makes a second store (another open file) wait for the first."""
    first, second = FileTokenStore(tmp_path / "t.json"), FileTokenStore(tmp_path / "t.json")
    acquired = threading.Event()

    def other() -> None:
        with second.lock():
            acquired.set()

    with first.lock():
        thread = threading.Thread(target=other)
        thread.start()
        assert not acquired.wait(0.05)
    assert acquired.wait(5)
    thread.join(5)


def test_file_store_repr_shows_path_only(tmp_path: Path) -> None:
    """repr names the file, never its content."""
    store = FileTokenStore(tmp_path / "t.json")
    store.save(token())
    assert repr(store) == f"FileTokenStore({str(tmp_path / 't.json')!r})"
    assert isinstance(store, TokenStore)
