"""``k2connect payouts run payouts.csv``: bulk payouts from a CSV file, each row a payment intent sent once.

The CSV has a header row. A mobile-wallet row needs no more than ``key``, ``phone_number``, ``amount`` and
``description``; a ``type`` column (default ``mobile_wallet``) names another destination kind, whose
row gives the arguments of its ``k2connect_ext.*_destination`` helper as columns (``till_number``;
``paybill_number`` and ``paybill_account_number``; ``account_name``, ``account_number`` and
``bank_branch_ref``; ``reference``). Other columns are ignored, and an empty cell is an absent value.
"""

from __future__ import annotations

import contextlib
import csv
import inspect
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import attrs
import click

from k2connect_ext import BatchReport, BatchRow, Destination, Intent, IntentState, K2InputError

from ..exit_codes import ExitCode
from ..failures import CliError
from ..intent_view import intent_amount, intent_reason
from ..ledger_options import ledger_option
from ..options import callback_url_option, json_option
from ..output import Output
from ..progress import BatchProgress
from ..state import CliState, open_k2, pass_state
from .destinations import BUILDERS

__all__ = ["PayoutRow", "RowError", "payout_exit_code", "payouts", "read_payouts"]

DEFAULT_TYPE = "mobile_wallet"
NOT_STARTED = "not started"
REPORT_COLUMNS = ("key", "state", "amount", "reference", "reason")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_UNSETTLED = frozenset({IntentState.AMBIGUOUS, IntentState.UNRESOLVED, IntentState.SENDING})
_FAILED = frozenset({IntentState.FAILED, IntentState.REFUSED})
_OK = frozenset({IntentState.SENT, IntentState.SUCCEEDED})


@attrs.frozen
class PayoutRow:
    """One valid CSV row: its line, key, destination and amount (as K2 will be sent it)."""

    line: int
    key: str
    destination: Destination
    amount: str


@attrs.frozen
class RowError:
    """What is wrong with the CSV row on ``line`` (1 is the header)."""

    line: int
    key: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + ("" if self.key is None else f" (key {self.key!r})")
        return f"{where}: {self.message}"


def _cell(record: Mapping[str, str | None], name: str) -> str | None:
    value = record.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _argument(name: str, text: str) -> object:
    if name != "favourite":
        return text
    lowered = text.lower()
    if lowered not in _TRUE | _FALSE:
        raise K2InputError("favourite must be true or false", field=name)
    return lowered in _TRUE


def _destination(record: Mapping[str, str | None], columns: Sequence[str]) -> Destination:
    """The row's destination, built and checked by the SDK's helper for its ``type``."""
    kind = _cell(record, "type") or DEFAULT_TYPE
    builder: Callable[..., Destination] | None = BUILDERS.get(kind)
    if builder is None:
        raise K2InputError(f"type must be one of {', '.join(BUILDERS)}, not {kind!r}", field="type")
    arguments: dict[str, object] = {}
    missing: list[str] = []
    for name, parameter in inspect.signature(builder).parameters.items():
        text = _cell(record, name)
        if text is not None:
            arguments[name] = _argument(name, text)
        elif parameter.default is inspect.Parameter.empty:
            missing.append(name if name in columns else f"{name} (no such column)")
    if missing:
        raise K2InputError(f"a {kind} row needs {', '.join(missing)}", field=missing[0].split()[0])
    return builder(**arguments)


def read_payouts(path: Path) -> tuple[list[PayoutRow], list[RowError]]:
    """Every row of the CSV at ``path``, and every problem of every row (nothing is sent)."""
    rows: list[PayoutRow] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream, restkey="\0extra")
        columns = [name.strip() for name in reader.fieldnames or ()]
        if "key" not in columns:
            return [], [RowError(1, None, "key", "the header row has no 'key' column")]
        reader.fieldnames = columns
        for record in reader:
            line = reader.line_num
            key = _cell(record, "key")
            if record.get("\0extra"):
                errors.append(RowError(line, key, None, "more cells than the header has columns"))
                continue
            if key is None:
                errors.append(RowError(line, None, "key", "key is empty"))
            elif key in first_line:
                errors.append(RowError(line, key, "key", f"the key is also on line {first_line[key]}"))
            else:
                first_line[key] = line
            try:
                destination = _destination(record, columns)
            except K2InputError as exc:
                errors.append(RowError(line, key, exc.field, str(exc)))
                continue
            if key is not None:
                rows.append(PayoutRow(line, key, destination, str(destination.to_dict()["amount"])))
    return rows, errors


def _refuse(errors: Sequence[RowError], path: Path) -> CliError:
    for error in errors:
        click.echo(f"  {error}", err=True)
    return CliError(
        ExitCode.USAGE,
        f"{len(errors)} bad row(s) in {path}; nothing was recorded or sent",
        problems=[attrs.asdict(error) for error in errors],
    )


@contextlib.contextmanager
def _stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C sets ``stop`` (no new row starts, those in flight finish); a second one interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def first(signum: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        click.echo(
            "stopping: no new payout starts; waiting for those in flight (Ctrl-C again to quit)", err=True
        )

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def payout_exit_code(states: Sequence[IntentState | None], *, stopped: bool) -> ExitCode:
    """The run's exit code: 130 stopped; 6 if any intent is unsettled (ambiguous, unresolved, or still
    sending); 1 if any failed or was refused; 5 if any row was not sent (K2 unreachable: run again);
    0 when every row is sent or succeeded."""
    if stopped:
        return ExitCode.INTERRUPTED
    found = set(states)
    if found & _UNSETTLED:
        return ExitCode.AMBIGUOUS
    if found & _FAILED:
        return ExitCode.FAILED
    if found - _OK:
        return ExitCode.UNAVAILABLE
    return ExitCode.OK


def _report_rows(rows: Sequence[PayoutRow], intents: Sequence[Intent | None]) -> list[dict[str, str]]:
    return [
        {
            "key": row.key,
            "state": NOT_STARTED if intent is None else intent.state.value,
            "amount": row.amount if intent is None else intent_amount(intent) or row.amount,
            "reference": "" if intent is None else intent.reference or "",
            "reason": "" if intent is None else intent_reason(intent),
        }
        for row, intent in zip(rows, intents, strict=True)
    ]


def _write_report(path: Path, rows: Sequence[Mapping[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


_EXIT_HELP = f"""\b
Exit codes of a run:
  {ExitCode.OK:<3d} every row sent or succeeded
  {ExitCode.FAILED:<3d} some payout failed, or K2 refused it (and none is ambiguous)
  {ExitCode.USAGE:<3d} bad rows (all listed with their line numbers): nothing was recorded or sent
  {ExitCode.UNAVAILABLE:<3d} some row could not be sent this time (K2 unreachable), or the ledger
      failed: run the same command again
  {ExitCode.AMBIGUOUS:<3d} some payout is ambiguous, unresolved or still sending: it MAY have moved
      money and is never sent again automatically (k2connect intents list, reconcile, resolve)
  {ExitCode.INTERRUPTED:<3d} stopped by Ctrl-C: rows not started were not sent; run the same command
      again to carry on
Other exit codes: see k2connect --help."""


@click.group("payouts")
def payouts() -> None:
    """Bulk payouts from a CSV file, each row sent at most once."""


@payouts.command("run", epilog=_EXIT_HELP)
@click.argument(
    "csv_file", metavar="PAYOUTS.CSV", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@callback_url_option("Where K2 POSTs each payout's result.")
@click.option(
    "--horizon",
    type=click.FloatRange(min=0),
    default=3600.0,
    show_default=True,
    help="Seconds an ambiguous payout without a Location waits for its callback before the reconcile "
    "pass that ends each run makes it unresolved (for a person: k2connect intents resolve).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write key, state, amount, reference, reason of every row to this CSV file.",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=4, show_default=True, help="Payouts in flight."
)
@ledger_option
@json_option
@pass_state
def run(
    state: CliState,
    csv_file: Path,
    callback_url: str,
    horizon: float,
    report_path: Path | None,
    concurrency: int,
    ledger: str,
) -> None:
    """Pay every row of PAYOUTS.CSV once, even across crashes and reruns.

    Every row is checked before anything is sent; each then becomes a payment intent in the ledger and is
    sent, CONCURRENCY at a time, with a progress line on stderr; then one reconcile pass over the ledger
    (as k2connect intents reconcile) reads what was sent. Running the same command again (after a crash,
    a kill or Ctrl-C) sends nothing twice and carries on. Ctrl-C starts no new row, lets those in flight
    finish and still writes the report. Header row, then for example:

    \b
      key,type,phone_number,till_number,amount,description
      payroll-2026-12/emp-17,,0712345678,,1500,December wages
      supplies-0042,till,,000111,250,Office supplies
    """
    rows, errors = read_payouts(csv_file)
    if errors:
        raise _refuse(errors, csv_file)
    batch = [
        BatchRow(row.key, "send_money", {"callback_url": callback_url, "destinations": [row.destination]})
        for row in rows
    ]
    stop = threading.Event()
    with open_k2(state, ledger=ledger) as k2:
        problems = k2.intents.check_rows(batch)
        if problems:
            raise _refuse(
                [RowError(rows[p.index].line, p.key, p.field, p.message) for p in problems], csv_file
            )
        states = ("sent", "succeeded", "failed", "refused", "ambiguous")
        with _stop_on_interrupt(stop):
            with BatchProgress(len(batch), label="payouts", states=states) as progress:
                report: BatchReport = k2.intents.run_batch(
                    batch,
                    concurrency=concurrency,
                    stop=stop,
                    on_progress=lambda intent: progress.advance(intent.state.value),
                )
            if not stop.is_set():  # one pass over the ledger: read what was sent, age what is unsettled
                k2.intents.reconcile(horizon=horizon)
        intents = [
            k2.intents.get(row.key) if done is not None else None
            for row, done in zip(rows, report.intents, strict=True)
        ]
    _finish(state, rows, intents, report, report_path)


def _finish(
    state: CliState,
    rows: Sequence[PayoutRow],
    intents: Sequence[Intent | None],
    report: BatchReport,
    report_path: Path | None,
) -> None:
    """Write the report, print the summary (with the rows an earlier run had recorded, carried over), and
    exit by the rows' states."""
    lines = _report_rows(rows, intents)
    if report_path is not None:
        _write_report(report_path, lines)
    counts = Counter(line["state"] for line in lines)
    code = payout_exit_code([i.state if i is not None else None for i in intents], stopped=report.stopped)
    document: dict[str, Any] = {
        "counts": dict(sorted(counts.items())),
        "from_earlier_runs": report.from_earlier_runs,
        "rows": lines,
        "stopped": report.stopped,
        "problems": [str(problem) for problem in report.problems],
        "report": None if report_path is None else str(report_path),
    }
    if code is ExitCode.OK or not state.json:
        output = Output(state.json)
        output.record(
            {
                "rows": len(rows),
                "from_earlier_runs": report.from_earlier_runs or None,  # a first run leaves the line out
                **document["counts"],
                "report": document["report"],
            },
            document=document,
        )
        output.table(
            REPORT_COLUMNS,
            [
                [line[column] for column in REPORT_COLUMNS]
                for line in lines
                if line["state"] not in ("sent", "succeeded")
            ],
        )
    if code is not ExitCode.OK:
        summary = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
        raise CliError(code, _MESSAGES[code].format(summary=summary), **({} if not state.json else document))


_MESSAGES: Mapping[ExitCode, str] = {
    ExitCode.INTERRUPTED: "stopped by Ctrl-C ({summary}); run the same command again to carry on",
    ExitCode.AMBIGUOUS: "some payouts are ambiguous or unresolved ({summary}): they MAY have moved money; "
    "see k2connect intents list / reconcile / resolve",
    ExitCode.FAILED: "some payouts failed or were refused ({summary})",
    ExitCode.UNAVAILABLE: "some payouts could not be sent this time ({summary}); run the same command again",
}
