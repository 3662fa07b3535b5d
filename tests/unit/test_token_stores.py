"""AccessToken parsing and freshness, and the memory and file token stores."""

from __future__ import annotations

import builtins
import errno
import io
import json
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from k2connect_ext._exceptions import K2ConfigError, K2UnexpectedResponseError
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._token_stores import AccessToken, FileTokenStore, MemoryTokenStore, TokenStore
from tests.fakes import TOKEN, FakeK2

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


# ----------------------------------------------------------------------------------------------------
# Issue 17, item 10: a FileTokenStore that cannot be used never stops payments.
#
# Before, ``IsADirectoryError`` / ``PermissionError`` escaped every payment call, and with an unwritable
# directory every call fetched a fresh token and then failed to save it. Now a broken token file is one
# warning (logger ``k2connect.tokens.file``), the token lives in the process meanwhile (one fetch, shared by
# every client using the store), and the file is tried again later. Sync and async alike, through K2/AsyncK2
# on a MockTransport.
#
# Tests run as root in CI, where permissions do not stop reads or writes: the unreadable and unwritable cases
# deny the access in ``os.open`` (which every file access of the store goes through) as well as by mode bits,
# and two cases break the file in a way root cannot get around (a directory in its place, a parent that is a
# regular file).


BASE = "https://sandbox.kopokopo.com"


CLIENT_ID = "client-id-file-store"


SECRET = "client-secret-file-store-never-leak"


STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


OTHER_TOKEN = "another-users-token-never-leak"


LOGGER = "k2connect"


def fresh_token(value: str) -> AccessToken:
    now = time.time()
    return AccessToken(value=value, expires_at=now + 3600, obtained_at=now)


def deny(monkeypatch: pytest.MonkeyPatch, refused: Callable[[str, int], bool]) -> None:
    """Make ``os.open`` and ``open`` refuse (EACCES) the opens ``refused(path, os_flags)`` selects, as
    permissions would for a user other than root."""
    real_os_open, real_open = os.open, builtins.open

    def check(path: Any, flags: int) -> None:
        if not isinstance(path, int) and refused(os.fsdecode(path), flags):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

    def guarded_os_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        check(path, flags)
        return real_os_open(path, flags, mode, dir_fd=dir_fd)

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        writing = any(c in mode for c in "wax+")
        check(file, (os.O_RDWR | os.O_CREAT) if writing else os.O_RDONLY)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(builtins, "open", guarded_open)


def a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory where the token file should be (real, whoever runs the test)."""
    path = tmp_path / "token.json"
    path.mkdir()
    return path


def a_parent_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A token file whose parent is a regular file: neither readable nor writable (real, even as root)."""
    (tmp_path / "not-a-directory").write_text("")
    return tmp_path / "not-a-directory" / "token.json"


def an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another user's 0600 token file in a shared directory: reading it is refused."""
    path = tmp_path / "token.json"
    path.write_text(fresh_token(OTHER_TOKEN).to_json())
    path.chmod(0o000)
    deny(monkeypatch, lambda p, flags: p == str(path) and flags & os.O_ACCMODE == os.O_RDONLY)
    return path


def an_unwritable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory the process may read but not create files in (token, temporary or lock file)."""
    directory = tmp_path / "readonly"
    directory.mkdir()
    directory.chmod(0o500)
    deny(monkeypatch, lambda p, flags: Path(p).parent == directory and bool(flags & os.O_CREAT))
    return directory / "token.json"


def a_corrupt_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file that holds no token (half of one, say): reported once, then replaced by the token fetched."""
    path = tmp_path / "token.json"
    path.write_text(f'{{"value": "{OTHER_TOKEN}", "expi')
    return path


def a_named_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A FIFO where the token file should be: opening it to read must not wait for a writer (for ever)."""
    path = tmp_path / "token.json"
    os.mkfifo(path, 0o600)
    return path


BROKEN = [
    a_directory,
    a_parent_that_is_a_file,
    an_unreadable_file,
    an_unwritable_directory,
    a_corrupt_file,
    a_named_pipe,
]


@pytest.fixture(autouse=True)
def restore_permissions(tmp_path: Path) -> Any:
    yield
    for path in (tmp_path / "readonly", tmp_path / "token.json"):
        if path.exists():
            path.chmod(0o700)


async def pay_three_times_with_two_clients(mode: str, server: FakeK2, store: FileTokenStore) -> None:
    """Two clients of one process share ``store``; each makes three payments."""
    options: dict[str, Any] = {
        "base_url": BASE,
        "transport": httpx.MockTransport(server),
        "token_store": store,
        "environ": {},
    }
    if mode == "sync":
        with K2(CLIENT_ID, SECRET, **options) as first, K2(CLIENT_ID, SECRET, **options) as second:
            for k2 in (first, second) * 3:
                k2.stk_push(**STK_ARGS)
        return
    async with (
        AsyncK2(CLIENT_ID, SECRET, **options) as afirst,
        AsyncK2(CLIENT_ID, SECRET, **options) as asecond,
    ):
        for ak2 in (afirst, asecond) * 3:
            await ak2.stk_push(**STK_ARGS)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("broken", BROKEN, ids=[b.__name__ for b in BROKEN])
async def test_a_broken_token_file_does_not_stop_payments(
    mode: str,
    broken: Callable[[Path, pytest.MonkeyPatch], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every payment goes through, one token is fetched for both clients, one warning is logged, and
    neither token reaches the log."""
    caplog.set_level(logging.DEBUG, LOGGER)
    path = broken(tmp_path, monkeypatch)
    server = FakeK2()
    await pay_three_times_with_two_clients(mode, server, FileTokenStore(path))
    paths = [r.url.path for r in server.seen]
    assert paths.count("/api/v2/incoming_payments") == 6
    assert paths.count("/oauth/token") == 1
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].name.startswith("k2connect.")
    assert TOKEN not in caplog.text and OTHER_TOKEN not in caplog.text


def test_a_broken_file_is_tried_again_later_and_its_recovery_ends_the_outage(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """While the file fails, the store keeps the token in the process and says so once, however often it
    tries the file again; once a token can be written, the file shares it again and that is logged."""
    caplog.set_level(logging.INFO, "k2connect.tokens.file")
    path = tmp_path / "token.json"
    path.mkdir()
    store = FileTokenStore(path, retry_after=0)  # try the file on every call
    store.save(fresh_token("kept-here"))
    for _ in range(3):
        assert (found := store.load()) is not None and found.value == "kept-here"
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    path.rmdir()
    assert (found := store.load()) is not None and found.value == "kept-here"  # no file yet: still ours
    store.save(fresh_token("shared-again"))
    assert (found := FileTokenStore(path).load()) is not None and found.value == "shared-again"
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.INFO]
    assert "works again" in caplog.records[1].getMessage()
    path.unlink()
    assert store.load() is None  # the process's copy was dropped when the file took over


def test_while_the_file_fails_clear_forgets_the_process_token_without_touching_the_file(
    tmp_path: Path,
) -> None:
    """A 401 during an outage clears the token kept in the process (the file is left alone meanwhile)."""
    path = tmp_path / "token.json"
    path.mkdir()
    store = FileTokenStore(path)
    store.save(fresh_token("refused-by-k2"))
    store.clear(expected=fresh_token("refused-by-k2"))
    assert store.load() is None
    assert path.is_dir()


def test_clear_that_cannot_delete_the_file_is_an_outage_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Deleting the token file after a 401 fails (no write permission on the directory): logged once."""
    caplog.set_level(logging.WARNING, "k2connect.tokens.file")
    store = FileTokenStore(tmp_path / "token.json")
    store.save(fresh_token("refused-by-k2"))

    def refuse(path: Any, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(os, "unlink", refuse)
    store.clear(expected=fresh_token("refused-by-k2"))
    assert len(caplog.records) == 1 and "PermissionError" in caplog.records[0].getMessage()


def test_a_filesystem_without_file_locks_is_an_outage_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``flock`` failing for another reason than a holder (ENOLCK on some network filesystems) lets the
    fetch go ahead without the lock, with one warning."""
    import fcntl

    caplog.set_level(logging.WARNING, "k2connect.tokens.file")

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    store = FileTokenStore(tmp_path / "token.json")
    with store.lock():
        pass
    assert len(caplog.records) == 1 and "OSError" in caplog.records[0].getMessage()


def test_token_and_lock_files_are_private_to_their_owner(tmp_path: Path) -> None:
    """Both files are created 0600 (whatever the umask allows more), the token file by an atomic replace."""
    old_umask = os.umask(0)
    try:
        store = FileTokenStore(tmp_path / "token.json")
        store.save(fresh_token("private"))
        with store.lock():
            pass
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.lock_path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["token.json", "token.json.lock"]


@pytest.mark.parametrize("bad", [{"lock_wait": -1}, {"retry_after": -0.5}, {"lock_wait": float("nan")}])
def test_settings_out_of_range_are_config_errors(tmp_path: Path, bad: dict[str, float]) -> None:
    """A negative or NaN wait is refused when the store is built."""
    with pytest.raises(K2ConfigError, match="not negative"):
        FileTokenStore(tmp_path / "token.json", **bad)


def test_a_path_no_file_can_have_is_a_config_error(tmp_path: Path) -> None:
    """A NUL in the path would fail every payment with a ValueError: refused when the store is built."""
    with pytest.raises(K2ConfigError, match="NUL"):
        FileTokenStore(str(tmp_path / "token") + "\0.json")
