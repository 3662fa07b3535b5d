"""What error reporters print of an exception's traceback, scanned for secrets.

``secrets_scan`` walks what an exception *holds*. This module looks at what reporters *print*: the local
variables of every frame of the traceback, of the exception and of each exception in its
``__cause__``/``__context__`` chain, rendered the way the common tools render them:

* the standard library: ``traceback.TracebackException(..., capture_locals=True)`` (what structlog and
  loguru fall back to: ``repr`` of each local);
* rich with ``show_locals=True`` (also structlog's ``dict_tracebacks``/``ConsoleRenderer(show_locals)``):
  expands containers, attrs classes and dataclasses field by field;
* Sentry's SDK with local variables on (its default): its serializer applied to each frame's locals,
  recursing into mappings and sequences, ``repr`` for everything else;
* loguru with ``diagnose=True``: the value of every variable named on the failing lines.

A secret counts wherever it appears in any rendering: as text, URL- or JSON-encoded, or (for bytes such as
an HMAC digest) as hex or as the escaped form ``repr`` prints.
"""

from __future__ import annotations

import contextlib
import io
import json
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

__all__ = ["RENDERERS", "FrameFinding", "render_all", "scan_frames"]


@dataclass(frozen=True)
class FrameFinding:
    """``label`` was printed by ``renderer``."""

    label: str
    renderer: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.label} in the frame locals rendered by {self.renderer}: ...{self.excerpt}..."


def _stdlib(exc: BaseException) -> str:
    rendered = traceback.TracebackException(
        type(exc), exc, exc.__traceback__, capture_locals=True, max_group_width=50
    )
    return "".join(rendered.format())


def _rich(exc: BaseException) -> str:
    from rich.console import Console
    from rich.traceback import Traceback

    console = Console(file=io.StringIO(), width=400, color_system=None, record=False)
    console.print(
        Traceback.from_exception(
            type(exc),
            exc,
            exc.__traceback__,
            show_locals=True,
            locals_max_length=1000,
            locals_max_string=100_000,
            width=400,
        )
    )
    out = console.file
    assert isinstance(out, io.StringIO)
    # rich wraps long values over lines: join them so a secret split by a line break is still found.
    return out.getvalue() + "\n" + "".join(line.strip(" │") for line in out.getvalue().splitlines())


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain


def _sentry(exc: BaseException) -> str:
    # What Sentry's SDK puts in each frame's "vars" (its serialize_frame, with local variables on): the
    # serializer itself, applied to every frame of every exception in the chain.
    from sentry_sdk.serializer import serialize

    frames = []
    for each in _chain(exc):
        tb = each.__traceback__
        while tb is not None:
            frames.append(serialize(dict(tb.tb_frame.f_locals), is_vars=True))
            tb = tb.tb_next
    return json.dumps(frames, default=repr)


def _loguru(exc: BaseException) -> str:
    from loguru import logger

    sink = io.StringIO()
    with contextlib.suppress(ValueError):  # loguru's default stderr handler: reports go to our sink only
        logger.remove(0)
    handler = logger.add(sink, backtrace=False, diagnose=True, colorize=False, format="{message}")
    try:
        logger.opt(exception=(type(exc), exc, exc.__traceback__)).error("failed")
    finally:
        logger.remove(handler)
    return sink.getvalue()


RENDERERS: dict[str, Callable[[BaseException], str]] = {
    "traceback(capture_locals)": _stdlib,
    "rich(show_locals)": _rich,
    "sentry(include_local_variables)": _sentry,
    "loguru(diagnose)": _loguru,
}


_TESTS = str(Path(__file__).resolve().parents[1])


@contextlib.contextmanager
def _without_frames_of(exc: BaseException, folder: str) -> Iterator[None]:
    """Each exception of the chain with a traceback that skips the frames of files under ``folder``."""
    saved = [(each, each.__traceback__) for each in _chain(exc)]
    try:
        for each, tb in saved:
            each.__traceback__ = _filtered(tb, folder)
        yield
    finally:
        for each, tb in saved:
            each.__traceback__ = tb


def _filtered(tb: types.TracebackType | None, folder: str) -> types.TracebackType | None:
    entries = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(folder):
            entries.append(tb)
        tb = tb.tb_next
    rebuilt: types.TracebackType | None = None
    for entry in reversed(entries):
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return rebuilt


def render_all(exc: BaseException) -> dict[str, str]:
    """Each reporter's text for ``exc``."""
    return {name: render(exc) for name, render in RENDERERS.items()}


def _variants(secret: str | bytes) -> set[str]:
    if isinstance(secret, bytes):
        return {secret.hex(), repr(secret)[2:-1]}
    return {secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]}


def scan_frames(
    exc: BaseException, secrets: Mapping[str, Iterable[str | bytes]], *, caller: str = _TESTS
) -> list[FrameFinding]:
    """Every (secret, reporter) pair where a reporter's rendering of ``exc`` shows the secret.

    Frames of the caller's own code (files under ``caller``, the tests by default) are left out: the
    caller's variables are its own to show (it passed the key in), and a reporter such as loguru prints
    every name on a failing line, globals included.
    """
    needles = [
        (label, variant)
        for label, values in secrets.items()
        for value in values
        if value and len(value) >= 6  # a short value (e.g. "ab") matches by chance anywhere
        for variant in _variants(value)
    ]
    findings: dict[tuple[str, str], FrameFinding] = {}
    with _without_frames_of(exc, caller):
        rendered = render_all(exc)
    for name, text in rendered.items():
        for label, needle in needles:
            at = text.find(needle)
            if at >= 0 and (label, name) not in findings:
                excerpt = text[max(0, at - 120) : at].replace("\n", " ")
                findings[(label, name)] = FrameFinding(label, name, excerpt)
    return list(findings.values())
