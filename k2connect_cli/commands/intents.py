"""``k2connect intents``: read the payment intents a ledger holds, reconcile them, and record a person's
decision on an unresolved one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from k2connect_ext import Intent, IntentState, K2InputError, Ledger, ReconcileReport, open_ledger

from ..exit_codes import ExitCode
from ..failures import CliError
from ..intent_view import INTENT_HEADERS, intent_document, intent_row
from ..ledger_options import ledger_option
from ..options import json_option
from ..output import Output
from ..state import CliState, open_k2, pass_state

__all__ = ["intents"]

_STATES = [state.value for state in IntentState]


@contextmanager
def _ledger(url: str) -> Iterator[Ledger]:
    ledger = open_ledger(url)
    try:
        yield ledger
    finally:
        ledger.close()


def _show_list(state: CliState, found: list[Intent]) -> None:
    output = Output(state.json)
    output.record({"intents": len(found)}, document={"intents": [intent_document(i) for i in found]})
    output.table(INTENT_HEADERS, [intent_row(intent) for intent in found])


def _show_one(state: CliState, intent: Intent) -> None:
    document = intent_document(intent)
    fields = {name: value for name, value in document.items() if name not in ("request", "result")}
    if fields["reason"] in (intent.last_error, intent.note):  # said once is enough
        fields["reason"] = None
    fields["request"] = document["request"]
    Output(state.json).record(fields, document=document)


@click.group("intents")
def intents() -> None:
    """Payment intents: money-moving requests recorded in a ledger and sent at most once."""


@intents.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(_STATES),
    help="Only intents in this state; repeat for several.",
)
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True, help="At most this many.")
@ledger_option
@json_option
@pass_state
def list_intents(state: CliState, states: tuple[str, ...], limit: int, ledger: str) -> None:
    """List intents, oldest first: key, state, operation, amount, reference, last update."""
    wanted = [IntentState(value) for value in states] or None
    with _ledger(ledger) as store:
        found = store.list(wanted, limit=limit)
    _show_list(state, found)


@intents.command("show")
@click.argument("key")
@ledger_option
@json_option
@pass_state
def show(state: CliState, key: str, ledger: str) -> None:
    """Show everything recorded of the intent under KEY."""
    with _ledger(ledger) as store:
        intent = store.get(key)
    if intent is None:
        raise K2InputError(f"no intent is recorded under the key {key!r}", field="key")
    _show_one(state, intent)


@intents.command("resolve")
@click.argument("key")
@click.option(
    "--sent/--not-sent",
    default=None,
    help="Your decision: it reached K2 and took effect (--sent: succeeded), or it never did (--not-sent: "
    "recorded again, and the next run or reconcile sends it).",
)
@click.option("--note", required=True, help="Why: who decided, and what they checked.")
@ledger_option
@json_option
@pass_state
def resolve(state: CliState, key: str, sent: bool | None, note: str, ledger: str) -> None:
    """Record a person's decision on an unresolved intent; only --not-sent allows a new attempt."""
    if sent is None:
        raise click.UsageError("say what happened: --sent or --not-sent")
    with open_k2(state, ledger=ledger) as k2:
        intent = k2.intents.resolve(key, sent=sent, note=note)
    _show_one(state, intent)


def _moves(report: ReconcileReport) -> list[dict[str, object]]:
    return [
        {"from": old.value, "to": new.value, "count": count}
        for (old, new), count in sorted(report.moves.items(), key=lambda item: (item[0][0], item[0][1]))
    ]


@intents.command("reconcile")
@click.option(
    "--horizon",
    type=click.FloatRange(min=0),
    default=3600.0,
    show_default=True,
    help="Seconds an ambiguous intent without a Location waits for its callback before it becomes "
    "unresolved (for a person to resolve).",
)
@ledger_option
@json_option
@pass_state
def reconcile(state: CliState, horizon: float, ledger: str) -> None:
    """Move every unsettled intent on once: read sent ones, send recorded ones, settle or give up on
    ambiguous ones. Ambiguous and unresolved intents are never sent again.

    Exits 5 when some intent could not be checked this time (K2 unreachable): run it again later.
    """
    with open_k2(state, ledger=ledger) as k2:
        report = k2.intents.reconcile(horizon=horizon)
    moves = _moves(report)
    document = {
        "moves": moves,
        "intents": [intent_document(intent) for intent in report.intents],
        "errors": [{"key": key, "message": message} for key, message in report.errors],
    }
    fields: dict[str, object] = {f"{move['from']} -> {move['to']}": move["count"] for move in moves} or {
        "moved": 0
    }
    if not (state.json and report.errors):  # with --json, a failure is one {"error": ...} object
        output = Output(state.json)
        output.record(fields, document=document)
        output.table(INTENT_HEADERS, [intent_row(intent) for intent in report.intents])
    if report.errors:
        first_key, first = report.errors[0]
        raise CliError(
            ExitCode.UNAVAILABLE,
            f"{len(report.errors)} intent(s) could not be checked this time (first: {first_key!r}: {first}); "
            "run reconcile again later",
            **document,
        )
