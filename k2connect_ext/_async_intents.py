"""``AsyncK2.intents``: the asyncio twin of ``_intents.Intents``, the same steps and rules, awaited.

The ledger calls run in worker threads (:class:`~k2connect_ext.AsyncLedger`); the sends go through
``AsyncK2``. ``run_batch`` runs its rows as tasks, ``concurrency`` at a time.
"""

from __future__ import annotations

import asyncio
import builtins
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from k2connect_ext import _call
from k2connect_ext._exceptions import (
    K2Error,
    K2InputError,
    K2IntentConflictError,
    K2StoreUnavailableError,
)
from k2connect_ext._intent import Intent, IntentState, States
from k2connect_ext._intent_poll import DEFAULT_POLL_WINDOW, asettle_from_polling
from k2connect_ext._intent_sender import AsyncSender
from k2connect_ext._intent_settle import SETTLEABLE, asettle
from k2connect_ext._intents import (
    DEFAULT_SENDING_GRACE,
    MONEY_OPERATIONS,
    NOT_SENT,
    PAGE,
    STALE_SENDING,
    BatchReport,
    BatchRow,
    CreatePaymentIntent,
    CreatePaymentLinkIntent,
    ReconcileReport,
    ReconcileTally,
    ReverseTransactionIntent,
    RowDone,
    RowProblem,
    SendMoneyIntent,
    SettleFundsIntent,
    StkPushIntent,
    arguments_of,
    batch_report,
    check_concurrency,
    check_rows,
    check_seconds,
    checked_request,
    describe,
    past_horizon,
    prepare,
    refuse_rows,
    resolution,
    unstored,
    verdict_of_failure,
)
from k2connect_ext._ledger import AsyncLedger
from k2connect_ext._ledger_schema import DEFAULT_LIST_LIMIT
from k2connect_ext._sealed import asealed, sealed

__all__ = ["AsyncIntents"]


class AsyncIntents:
    """``AsyncK2.intents``: the asyncio twin of :class:`~k2connect_ext.Intents`; the same methods, awaited.

    ``run_batch`` takes a ``threading.Event`` or an ``asyncio.Event`` as ``stop``. The ledger's calls run
    in worker threads, so a slow disk or database never stalls the event loop.

    Args:
        k2: the client that sends.
        ledger: where the intents are recorded.
    """

    send_money: SendMoneyIntent[Awaitable[Intent]]
    stk_push: StkPushIntent[Awaitable[Intent]]
    create_payment: CreatePaymentIntent[Awaitable[Intent]]
    settle_funds: SettleFundsIntent[Awaitable[Intent]]
    reverse_transaction: ReverseTransactionIntent[Awaitable[Intent]]
    create_payment_link: CreatePaymentLinkIntent[Awaitable[Intent]]

    def __init__(self, k2: AsyncSender, ledger: AsyncLedger) -> None:
        self._k2 = k2
        self._ledger = ledger

    @property
    def ledger(self) -> AsyncLedger:
        """Where the intents are recorded."""
        return self._ledger

    def __repr__(self) -> str:
        return f"AsyncIntents({self._ledger.ledger!r})"

    # ------------------------------------------------------------------ reading
    @asealed
    async def get(self, key: str) -> Intent | None:
        """The intent recorded under ``key``.

        Args:
            key: the idempotency key it was recorded under.

        Returns:
            The intent as the ledger holds it now, or None if no intent has this key.

        Raises:
            K2StoreUnavailableError: the ledger could not be read.
        """
        return await self._ledger.get(key)

    @asealed
    async def list(
        self, states: States | None = None, *, limit: int = DEFAULT_LIST_LIMIT
    ) -> builtins.list[Intent]:
        """The intents recorded, oldest first (see :meth:`Intents.list`).

        Args:
            states: only intents in this state or these states; every state if None.
            limit: the most intents returned (1000 by default).

        Returns:
            Up to ``limit`` intents, oldest first.

        Raises:
            K2InputError: an unknown state, or a ``limit`` below 1.
            K2StoreUnavailableError: the ledger could not be read.
        """
        return await self._ledger.list(states, limit=limit)

    @asealed
    async def wait(self, key: str, *, timeout: float | None = None) -> Intent:
        """Follow the intent's Location until K2's resource is final, and settle it (see ``Intents.wait``).

        Args:
            key: the idempotency key it was recorded under.
            timeout: the most seconds to wait; the client's ``PollSettings.timeout`` if None.

        Returns:
            The intent: ``succeeded`` or ``failed`` once K2's resource is final, else as it was.

        Raises:
            K2InputError: no intent has this key.
            K2PollTimeoutError: K2's resource was not final within ``timeout``; the intent is unchanged.
            K2StoreUnavailableError: the ledger could not be read or written.
        """
        intent = await self._existing(key)
        if intent.state not in SETTLEABLE or intent.location is None:
            return intent
        resource = await self._k2.wait_for(intent.location, timeout=timeout, raise_on_failure=False)
        return await asettle(self._ledger, intent, resource.to_dict())

    @asealed
    async def settle_from_polling(
        self, result: object, *, window: float = DEFAULT_POLL_WINDOW
    ) -> builtins.list[Intent]:
        """Settle STK push intents from a transaction polling result (see ``Intents.settle_from_polling``).

        Args:
            result: the polling result: the model ``wait()`` returns, or the callback's JSON body.
            window: seconds after an intent was recorded in which a payment can be its payment.

        Returns:
            The intents it settled.

        Raises:
            K2InputError: ``result`` is not a polling result, or ``window`` is not a positive number.
            K2StoreUnavailableError: the ledger failed.
        """
        return await asettle_from_polling(self._ledger, result, window=window)

    # ------------------------------------------------------------------ sending
    async def _send(self, name: str, key: str, arguments: Mapping[str, Any]) -> Intent:
        intent, _ = await self._ledger.record(key, name, checked_request(name, arguments))
        return await self._send_if_recorded(intent)

    async def _send_if_recorded(self, intent: Intent) -> Intent:
        """Send ``intent`` if nothing has yet (it is ``recorded``); any other state is returned as it is."""
        if intent.state is not IntentState.RECORDED:
            return intent
        return await self._send_recorded(intent)

    async def _send_recorded(self, intent: Intent) -> Intent:
        prepared = prepare(intent.operation, arguments_of(intent.request), intent.id)
        try:
            sending = await self._ledger.transition(
                intent.id, IntentState.SENDING, expect=IntentState.RECORDED
            )
        except K2IntentConflictError:
            return await self._ledger.get_by_id(intent.id) or intent
        with _call.scope(intent.operation) as call:
            try:
                created = await self._k2._create(prepared, intent.operation)
            except Exception as exc:
                verdict = verdict_of_failure(exc, left=call.request is not None)
                after = await self._answer(
                    sending, verdict.to, location=verdict.location, last_error=verdict.last_error
                )
                if verdict.raise_it:
                    raise
                return after
        return await self._answer(sending, IntentState.SENT, location=created.location)

    async def _answer(
        self, intent: Intent, to: IntentState, *, location: str | None, last_error: str | None = None
    ) -> Intent:
        try:
            return await self._ledger.transition(
                intent.id, to, expect=IntentState.SENDING, location=location, last_error=last_error
            )
        except K2IntentConflictError:
            return await self._ledger.get_by_id(intent.id) or intent
        except K2StoreUnavailableError as exc:
            raise unstored(intent, to, location, exc) from None

    async def _existing(self, key: str) -> Intent:
        intent = await self._ledger.get(key)
        if intent is None:
            raise K2InputError(f"no intent is recorded under the key {key!r}", field="key")
        return intent

    # ------------------------------------------------------------------ reconciling
    @asealed
    async def reconcile(
        self,
        *,
        horizon: float = 3600.0,
        sending_grace: float = DEFAULT_SENDING_GRACE,
        now: float | None = None,
    ) -> ReconcileReport:
        """Move every unsettled intent on, once (see :meth:`Intents.reconcile` for each move).

        Args:
            horizon: seconds an ``ambiguous`` intent without a Location waits for its callback before it
                becomes ``unresolved`` (an hour by default).
            sending_grace: seconds a ``sending`` intent may be in flight in another process before it is
                called ``ambiguous`` (60 by default).
            now: the time the ages are measured at, in epoch seconds; the clock's if None.

        Returns:
            What the pass did: the moves, the intents it moved, and the errors it met.

        Raises:
            K2InputError: a ``horizon``, ``sending_grace`` or ``now`` that is not a finite number of seconds,
                zero or more.
            K2StoreUnavailableError: the ledger failed; the pass stopped there (run it again).
        """
        horizon = check_seconds(horizon, "horizon")
        sending_grace = check_seconds(sending_grace, "sending_grace")
        at = time.time() if now is None else check_seconds(now, "now")
        tally = ReconcileTally()
        async for intent in self._every(IntentState.SENT):
            await self._checked(tally, intent, self._read_sent)
        async for intent in self._every(IntentState.AMBIGUOUS):
            if intent.location is not None:
                await self._checked(tally, intent, self._read_ambiguous)
            elif at - intent.updated_at >= horizon:
                tally.moved(intent, await self._move(intent, IntentState.UNRESOLVED, past_horizon(horizon)))
        async for intent in self._every(IntentState.SENDING):
            if at - intent.updated_at >= sending_grace:
                tally.moved(intent, await self._move(intent, IntentState.AMBIGUOUS, STALE_SENDING))
        async for intent in self._every(IntentState.RECORDED):
            await self._checked(tally, intent, self._send_recorded)
        return tally.report()

    async def _every(self, state: IntentState) -> AsyncIterator[Intent]:
        after: Intent | None = None
        while True:
            page = await self._ledger.list(state, limit=PAGE, after=after)
            for intent in page:
                yield intent
            if len(page) < PAGE:
                return
            after = page[-1]

    async def _checked(
        self, tally: ReconcileTally, intent: Intent, step: Callable[[Intent], Awaitable[Intent]]
    ) -> None:
        try:
            tally.moved(intent, await step(intent))
        except K2StoreUnavailableError:
            raise
        except K2Error as exc:
            tally.failed(intent, exc)
            tally.moved(intent, await self._ledger.get_by_id(intent.id) or intent)

    async def _read_sent(self, intent: Intent) -> Intent:
        assert intent.location is not None  # a sent intent always has its Location
        resource = await self._k2.get(intent.location)
        return await asettle(self._ledger, intent, resource.to_dict())

    async def _read_ambiguous(self, intent: Intent) -> Intent:
        after = await self._read_sent(intent)
        if after.state is IntentState.AMBIGUOUS:
            return await self._move(after, IntentState.SENT, None)
        return after

    async def _move(self, intent: Intent, to: IntentState, reason: str | None) -> Intent:
        try:
            return await self._ledger.transition(intent.id, to, expect=intent.state, last_error=reason)
        except K2IntentConflictError:
            return await self._ledger.get_by_id(intent.id) or intent

    @asealed
    async def resolve(self, key: str, *, sent: bool, note: str) -> Intent:
        """A person's decision on an ``unresolved`` intent, recorded with ``note`` (see ``Intents.resolve``).

        Args:
            key: the idempotency key it was recorded under.
            sent: whether the payment reached K2 and took effect: True makes it ``succeeded``; False makes
                it ``recorded``, and the next call with its key (or ``reconcile()``) sends it.
            note: who decided and what they checked; kept with the intent.

        Returns:
            The intent, ``succeeded`` or ``recorded``.

        Raises:
            K2InputError: no intent has this key, or ``note`` is blank.
            K2IntentConflictError: the intent is not ``unresolved`` (nothing changed).
        """
        intent = await self._existing(key)
        to, text = resolution(intent.state, sent, note)
        return await self._ledger.transition(intent.id, to, expect=IntentState.UNRESOLVED, note=text)

    # ------------------------------------------------------------------ batches
    @sealed
    def check_rows(self, rows: Sequence[BatchRow]) -> tuple[RowProblem, ...]:
        """Every problem of every row, found without sending or recording anything (no I/O: not awaited).

        Args:
            rows: the batch's rows.

        Returns:
            Each problem, with its row's index, key and field; empty when every row is good.
        """
        return check_rows(rows)

    @asealed
    async def run_batch(
        self,
        rows: Iterable[BatchRow],
        *,
        concurrency: int = 4,
        stop: threading.Event | asyncio.Event | None = None,
        on_progress: Callable[[Intent], object] | None = None,
    ) -> BatchReport:
        """Send many creates, each once, ``concurrency`` tasks at a time (see :meth:`Intents.run_batch`).

        If the call itself is cancelled, the rows already running finish first (none is left half sent),
        then the cancellation goes on.

        Args:
            rows: the creates to send, one :class:`~k2connect_ext.BatchRow` each.
            concurrency: how many rows are sent at once (4 by default).
            stop: a ``threading.Event`` or ``asyncio.Event`` that, once set, starts no new row.
            on_progress: called with each row's intent as it is done.

        Returns:
            What the run did: each row's intent, the counts per state, the rows not sent this time, and
                whether it was stopped.

        Raises:
            K2InputError: bad rows (nothing recorded), or a ``concurrency`` below 1.
            K2StoreUnavailableError: the ledger failed; no new row started after it (run again later).
        """
        batch = builtins.list(rows)
        problems = check_rows(batch)
        if problems:
            raise refuse_rows(problems, len(batch))
        workers = check_concurrency(concurrency)
        results: builtins.list[Intent | None] = [None] * len(batch)
        found: builtins.list[RowProblem] = []
        earlier = 0
        started = 0
        failure: BaseException | None = None
        running: dict[asyncio.Task[RowDone], int] = {}
        try:
            while True:
                while failure is None and started < len(batch) and len(running) < workers:
                    if stop is not None and stop.is_set():
                        break
                    task = asyncio.create_task(self._batch_row(started, batch[started]))
                    running[task] = started
                    started += 1
                if not running:
                    break
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(done, key=running.__getitem__):
                    index = running.pop(task)
                    try:
                        row_done = task.result()
                    except Exception as exc:  # the ledger failed (or a bug): finish what runs, then raise
                        failure = failure or exc
                        continue
                    results[index] = intent = row_done.intent
                    found.extend([row_done.problem] if row_done.problem is not None else [])
                    earlier += row_done.earlier
                    if on_progress is not None and intent is not None:
                        on_progress(intent)
        finally:
            if running:  # cancelled, or on_progress raised: no row is left half sent
                await asyncio.wait(running)
        if failure is not None:
            raise failure
        return batch_report(results, found, stopped=started < len(batch), from_earlier_runs=earlier)

    async def _batch_row(self, index: int, row: BatchRow) -> RowDone:
        try:
            request = checked_request(row.operation, row.arguments)
            intent, recorded_now = await self._ledger.record(row.key, row.operation, request)
        except K2InputError as exc:  # the key is recorded for another request
            return RowDone(None, RowProblem(index, row.key, exc.field, str(exc)))
        try:
            return RowDone(await self._send_if_recorded(intent), None, earlier=not recorded_now)
        except NOT_SENT as exc:  # never processed: the intent is back to recorded, for the next run
            problem = RowProblem(index, row.key, None, f"not sent: {exc}")
            return RowDone(await self._ledger.get(row.key), problem, earlier=not recorded_now)


def _intent_method(name: str) -> Callable[..., Awaitable[Intent]]:
    async def method(self: AsyncIntents, /, *, key: str, **arguments: Any) -> Intent:
        return await self._send(name, key, arguments)

    describe(method, name, "AsyncIntents", "Intent")
    return asealed(method)


for _name in MONEY_OPERATIONS:  # one method per money-moving create, each with its builder's signature
    setattr(AsyncIntents, _name, _intent_method(_name))
