"""The fault matrix: every fault of ``faultserver`` x every target x every backend, and what each must give.

A *case* is one fault, one target (the token request, a GET of a resource, or one of the twelve creates)
and one backend (sync ``K2`` or async ``AsyncK2`` over httpx; an aiohttp backend slots in as one more
``Backend``). ``run_case`` drives the call against its own listener and returns the problems it found,
checked against the money-safety contract (issue 9):

(a) at most one POST of a create reached the server (the documented 401 replay aside);
(b) only ``K2Error`` subclasses escape;
(c) ``K2AmbiguousOutcomeError`` exactly when the request may have been processed, carrying operation,
    method, url, request_body, callback_url, a hint, and the status when one came;
(d) the call ended within its ``timeout`` plus 0.5 s (the deadline promise, measured, not benchmarked);
(e) GETs and token requests retried cut and reset bodies (the server saw the second attempt);
(f) a 429 to a POST is ``K2RateLimitError`` and was not resent;
(g) nothing reachable from the exception holds the client secret, the api key, an issued token or a
    signature (``secrets_scan``), and no error reporter prints one from its frames' locals (``frame_scan``);
(h) no call reads an answer meant for another request (a stray answer left on a kept-alive connection).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Literal

import httpx

import k2connect_ext as k2x
from k2connect_ext import (
    K2APIError,
    K2ConnectionError,
    K2Error,
    K2NotFoundError,
    K2RateLimitError,
    K2ServerError,
    K2UnexpectedResponseError,
    K2ValidationError,
    RetryPolicy,
)
from tests.creates import BUILDERS, CREATES, sample_arguments

from .faultserver import HTML_PAGE, REDIRECT_TARGET, Fault, FaultServer, Listener, closed_port
from .frame_scan import scan_frames
from .secrets_scan import scan_exception

__all__ = [
    "BACKENDS",
    "CLIENT_ID",
    "FAULTS",
    "TARGETS",
    "Case",
    "CaseResult",
    "all_cases",
    "run_case",
    "run_cases",
    "slice_cases",
]

CLIENT_ID = "reliability-client"
CLIENT_SECRET = f"cs-{uuid.uuid4().hex}-S3cr+t/="  # '+', '/' and '=' change when form- or URL-encoded
API_KEY = f"ak-{uuid.uuid4().hex}"
CALLBACK_URL = "https://example.com/k2/result"
TOLERANCE = 0.5  # the contract: a deadline is enforced to within half a second
# Long enough that a Retry-After of 1 s plus a retry fit on two loaded cores; only hang, stall and trickle
# wait out a deadline, and they use the short one.
TIMEOUT = 3.0
SLOW_TIMEOUT = 1.0  # hang, stall and trickle wait out the whole deadline: keep it short
SHORT_READ = {"hang_read_timeout", "stalled_body_read_timeout"}
SHORT_READ_TIMEOUT = 0.4
POLICY = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2, max_elapsed=30.0)

TargetKind = Literal["token", "get", "create", "create_token"]
ANY = object()  # "any value is fine" for an expected attribute
SENT = object()  # "the Location header the server sent"


# ======================================================================================== faults
def _status_faults() -> list[Fault]:
    faults = []
    for status in (500, 502, 503, 504):
        for when in ("before", "after"):
            for retry_after in (False, True):
                faults.append(
                    Fault(
                        name=f"s{status}_{when}{'_ra' if retry_after else ''}",
                        kind="5xx",
                        aim="api",
                        action="status",
                        status=status,
                        headers=(("Retry-After", "1"),) if retry_after else (),
                        body=b'{"error_code": %d, "error_message": "Something went wrong"}' % status,
                        read_body=when == "after",
                    )
                )
    return faults


def _retry_after_date() -> str:
    return formatdate(time.time() + 1, usegmt=True)


_JSON = (("Content-Type", "application/json"),)
_RATE = b'{"error_code": 429, "error_message": "Too many requests"}'
_FAULTS: list[Fault] = [
    *_status_faults(),
    Fault("s429_seconds", "429", "api", "status", 429, (("Retry-After", "1"),), _RATE),
    # The date is rendered when the case starts (see _fault_for_run): a fixed one would be in the past.
    Fault("s429_date", "429", "api", "status", 429, (("Retry-After", "DATE"),), _RATE),
    Fault("s429_huge", "429", "api", "status", 429, (("Retry-After", "1000000000"),), _RATE),
    Fault("s429_garbage", "429", "api", "status", 429, (("Retry-After", "soon-ish"),), _RATE),
    Fault("s429_negative", "429", "api", "status", 429, (("Retry-After", "-5"),), _RATE),
    Fault("hang", "hang", "api", "hang"),
    Fault("reset_before_headers", "reset", "api", "reset_before"),
    Fault("reset_after_headers", "reset", "api", "reset_after_headers"),
    Fault("cut_body", "cut", "api", "cut"),
    Fault("stalled_body", "stall", "api", "stall"),
    # The same two with a per-read timeout shorter than the deadline: a GET or token request has time to
    # retry after the first read times out, and must.
    Fault("hang_read_timeout", "hang", "api", "hang"),
    Fault("stalled_body_read_timeout", "stall", "api", "stall"),
    Fault("trickled_body", "trickle", "api", "trickle", hold=30.0),
    Fault("no_location", "2xx_no_location", "api", "status", 201, _JSON),
    Fault("malformed_status", "malformed", "api", "raw", body=b"HTTP/1.1 two-hundred OK\r\nX: y\r\n\r\n{}"),
    Fault("html_404", "html", "api", "status", 404, (("Content-Type", "text/html"),), HTML_PAGE),
    Fault("html_502", "html", "api", "status", 502, (("Content-Type", "text/html"),), HTML_PAGE),
    Fault("huge_body", "huge", "api", "huge", 500),
    *[
        Fault(f"redirect_{s}", "redirect", "api", "status", s, (("Location", REDIRECT_TARGET),))
        for s in (301, 302, 307)
    ],
    *[
        Fault(
            f"odd_{s}",
            "odd_2xx",
            "api",
            "status",
            s,
            _JSON if s != 204 else (),
            b"{}" if s != 204 else b"",
            keep_location=True,
        )
        for s in (200, 202, 204)
    ],
    Fault(
        "truncated_json",
        "truncated",
        "api",
        "status",
        200,
        _JSON,
        b'{"data": {"id": "x", "type": "incoming_pay',
    ),
    Fault(
        "echo_secret",
        "echo_secret",
        "api",
        "status",
        400,
        _JSON,
        b'{"error_code": 400, "error_message": "{secret_echo}"}',
    ),
    Fault(
        "unauthorized_once",
        "401",
        "api",
        "status",
        401,
        _JSON,
        b'{"error_code": 401, "error_message": "Token expired"}',
    ),
    Fault("refused", "refused", "api", "refused"),
    # A whole answer with a stray second one behind it, in the same write, on a kept-alive connection; the
    # next request is answered 500. The case calls twice (see PRIMED): the second call must get K2's 500,
    # never the stray answer (a create "made" at the stray Location).
    Fault(
        "stray_response",
        "stray",
        "api",
        "stray",
        500,
        _JSON,
        b'{"error_code": 500, "error_message": "Something went wrong"}',
        times=2,
    ),
    # Aimed at the token endpoint only.
    Fault(
        "token_truncated",
        "token_body",
        "token",
        "status",
        200,
        _JSON,
        b'{"access_token": "{token}", "token_type": "Bear',
    ),
    Fault("token_202", "token_body", "token", "status", 202, _JSON, b"{token_json}"),
    Fault(
        "token_echo_secret",
        "echo_secret",
        "token",
        "status",
        401,
        _JSON,
        b'{"error": "invalid_client", "error_description": "{secret_echo}"}',
    ),
]
FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}
# Fault actions whose case makes one call (which must succeed) before the call that is judged.
PRIMED = {"stray"}
# Faults whose name says "the API", applied to the token endpoint for the token targets.
TOKEN_ONLY = {"token_truncated", "token_202", "token_echo_secret"}


def _aimed(fault: Fault, kind: TargetKind) -> Fault:
    """The fault as served for this target: token targets meet it at the token endpoint."""
    changes: dict[str, Any] = {"aim": "token" if kind in ("token", "create_token") else "api"}
    if any(v == "DATE" for _, v in fault.headers):  # rendered now: a fixed date would be in the past
        changes["headers"] = (("Retry-After", _retry_after_date()),)
    if fault.name == "truncated_json" and changes["aim"] == "token":
        changes["body"] = b'{"access_token": "{token}", "token_type": "Bear'
    return Fault(**{**fault.__dict__, **changes})


# ======================================================================================== targets
@dataclass(frozen=True)
class Target:
    """What the case calls. ``method`` is the facade method; ``path`` the create's endpoint."""

    name: str
    kind: TargetKind
    method: str = ""
    path: str = ""
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    has_callback: bool = True


def _now() -> dt.datetime:
    return dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def _create(name: str, *args: Any, **kwargs: Any) -> Target:
    """A create target: the facade method ``name`` called with these arguments (or, with none, the samples
    of ``tests/creates``). Its path and whether it has a callback come from the operation its builder
    prepares: the registry, generated from the spec."""
    if not args and not kwargs:
        kwargs = sample_arguments(name)
    operation = BUILDERS[name](*args, **kwargs).operation
    return Target(
        name, "create", name, operation.path, args, tuple(kwargs.items()), operation.callback is not None
    )


# Realistic arguments for the creates written out here (optional fields included); any other create of the
# builders is called with the samples of tests/creates, so a new create is in the matrix with no edit here.
_WRITTEN: list[Target] = [
    _create(
        "stk_push",
        phone_number="0712345678",
        amount=100,
        till_number="K000000",
        callback_url=CALLBACK_URL,
        first_name="Jane",
        metadata={"order": "1001"},
    ),
    _create(
        "add_recipient",
        "mobile_wallet",
        first_name="Ann",
        last_name="Wanjiru",
        phone_number="0722000111",
        email="ann@example.com",
    ),
    _create(
        "create_payment",
        destination_type="mobile_wallet",
        destination_reference="c7f300c0-f1ef-4151-9bbe-005005aa3747",
        amount=780,
        description="Salary",
        callback_url=CALLBACK_URL,
    ),
    _create(
        "add_merchant_wallet",
        first_name="Jane",
        last_name="Doe",
        phone_number="0733000444",
    ),
    _create(
        "add_merchant_bank_account",
        account_name="Duka Ltd",
        account_number="0123456789",
        bank_branch_ref="ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
        settlement_method="RTS",
    ),
    _create("settle_funds", callback_url=CALLBACK_URL),
    _create(
        "poll_transactions",
        from_time=_now() - dt.timedelta(hours=1),
        to_time=_now(),
        callback_url=CALLBACK_URL,
    ),
    _create(
        "send_money",
        callback_url=CALLBACK_URL,
        destinations=(k2x.mobile_wallet_destination("0712000999", 150, "Supplier A"),),
        metadata={"batch": "nov-28"},
    ),
    _create(
        "reverse_transaction",
        transaction_reference="OJJ1MPU40Z",
        reason="Customer returned goods",
        callback_url=CALLBACK_URL,
    ),
    _create(
        "create_payment_link",
        till_number="K000000",
        amount=3100,
        callback_url=CALLBACK_URL,
        payment_reference="INV-7",
    ),
    _create(
        "send_sms_notification",
        "5b9e3b4c-2d0f-4d3e-9a38-0f0b6c1b2a11",
        "Thank you for shopping at Duka!",
        CALLBACK_URL,
    ),
    _create(
        "subscribe_webhook",
        "buygoods_transaction_received",
        "https://example.com/k2/webhooks",
        scope="company",
    ),
]
_CREATES: list[Target] = [
    *_WRITTEN,
    *(_create(name) for name in CREATES if name not in {t.name for t in _WRITTEN}),
]

TARGETS: dict[str, Target] = {
    "token": Target("token", "token", "token"),
    "get": Target("get", "get", "get"),
    **{t.name: t for t in _CREATES},
    # An STK push whose token request meets the fault: the POST never left, so never ambiguous.
    "stk_push_token": Target(
        "stk_push_token", "create_token", "stk_push", _CREATES[0].path, (), _CREATES[0].kwargs
    ),
}
GET_PATH = "/api/v2/incoming_payments/"


# ======================================================================================== backends
@dataclass(frozen=True)
class Backend:
    """How the SDK talks: the facade class, whether it is awaited, and extra constructor arguments.

    ``AsyncK2(..., http_backend="aiohttp")`` is ``Backend("aiohttp", True, (("http_backend", "aiohttp"),))``.
    """

    name: str
    is_async: bool
    extra: tuple[tuple[str, Any], ...] = ()


BACKENDS: dict[str, Backend] = {
    "sync": Backend("sync", False),
    "async": Backend("async", True),
    "aiohttp": Backend("aiohttp", True, (("http_backend", "aiohttp"),)),
}


# ======================================================================================== expectations
Outcome = type[BaseException] | Literal["ok"]


@dataclass(frozen=True)
class Expect:
    """What the contract allows for one case.

    ``allowed``: the acceptable outcomes ("ok" or exception classes; subclasses count). ``ambiguous``:
    ``K2AmbiguousOutcomeError`` is required (True) or forbidden (False). ``status``/``location``: what the
    ambiguous error must carry (``ANY``: anything; ``SENT``: the Location the server sent).
    ``min_attempts``: how many requests the faulted endpoint must have seen (a retry proves itself).
    ``max_posts``/``min_posts``: POSTs of the create that may/must have reached the server.
    """

    allowed: tuple[Outcome, ...]
    ambiguous: bool = False
    status: object = ANY
    location: object = ANY
    min_attempts: int = 0
    max_posts: int = 1
    min_posts: int = 0


def _ambiguous(status: object, *, location: object) -> Expect:
    return Expect((_ambiguous_class(),), ambiguous=True, status=status, location=location, min_posts=1)


def _ambiguous_class() -> type[BaseException]:
    return k2x.K2AmbiguousOutcomeError


def expect(fault: Fault, target: Target) -> Expect | None:
    """The contract's answer for ``fault`` at ``target``; ``None`` when the pair means nothing."""
    kind = target.kind
    name, action, status = fault.name, fault.action, fault.status
    if name in TOKEN_ONLY and kind not in ("token", "create_token"):
        return None
    if name == "no_location" and kind != "create":
        return None  # only a create needs a Location
    if name == "unauthorized_once" and kind not in ("create", "get"):
        return None  # a 401 from the token endpoint is token_echo_secret's case
    if action in PRIMED and kind not in ("create", "get"):
        return None  # a second token() call is answered from the cache: it never meets the fault
    if kind in ("token", "create_token"):
        return _expect_repeatable(fault, token=True, create=kind == "create_token")
    if kind == "get":
        return _expect_repeatable(fault, token=False, create=False)
    # A create: a POST that moves money.
    if action == "refused":
        return Expect((K2ConnectionError,), min_posts=0, max_posts=0)
    if name == "unauthorized_once":
        return Expect(("ok",), max_posts=2, min_posts=2)  # K2 refused before acting: one replay
    if status == 429:
        return Expect((K2RateLimitError,), min_posts=1)
    if name == "html_404":
        return Expect((K2NotFoundError,), min_posts=1)
    if action == "stray":
        # Both calls' POSTs reached K2; the second's real answer is a 500, with nothing created.
        return Expect(
            (_ambiguous_class(),), ambiguous=True, status=status, location=None, min_posts=2, max_posts=2
        )
    if name == "echo_secret":
        return Expect((K2ValidationError,), min_posts=1)
    if action in ("status", "huge"):
        # 5xx, 3xx, a 2xx the spec does not describe for a create (truncated_json is a 200, no_location a
        # 201 without its header): it may have been processed. The Location to GET is the one a 2xx
        # carried; a redirect's Location is not a resource, and must not be offered as one.
        return _ambiguous(status, location=SENT if fault.keep_location else None)
    if action in ("cut", "stall", "trickle"):
        # The 201 and its Location arrived; the body did not.
        return _ambiguous(201, location=SENT)
    if action == "reset_after_headers":
        # Linux drops received bytes the client had not read yet when the RST lands: on a loaded machine
        # the headers may never reach it. Status and Location are checked by cut, stall and trickle.
        return _ambiguous(ANY, location=ANY)
    # No status line came: hang, reset before headers, a malformed status line.
    return _ambiguous(None, location=None)


def _expect_repeatable(fault: Fault, *, token: bool, create: bool) -> Expect:
    """GETs and token requests: retried on transient faults, definite errors otherwise, never ambiguous."""
    name, action, status = fault.name, fault.action, fault.status
    max_posts = 1 if create else 0
    api_error: type[BaseException] = K2APIError if token else K2ServerError

    def ok(min_attempts: int = 2) -> Expect:
        return Expect(("ok",), min_attempts=min_attempts, min_posts=max_posts, max_posts=max_posts)

    def error(*classes: type[BaseException], also_ok: bool = False) -> Expect:
        allowed: tuple[Outcome, ...] = classes + (("ok",) if also_ok else ())
        return Expect(allowed, max_posts=max_posts)

    if action == "refused":
        return error(K2ConnectionError)
    if action == "stray":
        return error(K2ServerError)  # K2's own 500 to the second GET, not the stray answer
    if action in ("reset_before", "reset_after_headers", "cut", "raw"):
        return ok()
    if name in SHORT_READ:
        return ok()
    if action in ("hang", "stall", "trickle"):
        # The first attempt may use the whole deadline; a retry within it is welcome, not required.
        return error(K2ConnectionError, also_ok=True)
    if status in (502, 503, 504) and name != "huge_body":
        return ok()
    if status == 429:
        if name in ("s429_seconds", "s429_date"):
            return ok()
        return error(K2RateLimitError, also_ok=True)  # an absurd Retry-After: not waited for, or backoff
    if status == 500 or name == "huge_body":
        return error(K2ServerError if not token else K2APIError, K2ConnectionError)
    if name == "unauthorized_once":
        return ok(min_attempts=2)
    if name in ("html_404",):
        return error(K2NotFoundError if not token else K2APIError)
    if name in ("echo_secret", "token_echo_secret"):
        return error(K2APIError if token else K2ValidationError)
    if name.startswith("redirect_"):
        return error(K2UnexpectedResponseError)
    if name in ("odd_200", "odd_202", "odd_204", "token_202", "token_truncated", "truncated_json"):
        return error(K2UnexpectedResponseError)
    return error(api_error)


# ======================================================================================== cases
@dataclass(frozen=True)
class Case:
    fault: Fault
    target: Target
    backend: Backend

    @property
    def id(self) -> str:
        return f"{self.fault.name}-{self.target.name}-{self.backend.name}"

    @property
    def timeout_arg(self) -> float | httpx.Timeout:
        """What the client is built with: a whole-call bound, or phases whose longest bounds the call."""
        if self.fault.name in SHORT_READ:
            return httpx.Timeout(self.timeout, read=SHORT_READ_TIMEOUT)
        return self.timeout

    @property
    def calls_before(self) -> int:
        """Calls made, and required to succeed, before the one that is judged and timed."""
        return 1 if self.fault.action in PRIMED else 0

    @property
    def timeout(self) -> float:
        if self.fault.name in SHORT_READ:
            return TIMEOUT
        return SLOW_TIMEOUT if self.fault.action in ("hang", "stall", "trickle") else TIMEOUT


def all_cases(backends: Iterable[str] = BACKENDS) -> list[Case]:
    return [
        Case(fault, target, BACKENDS[b])
        for fault in _FAULTS
        for target in TARGETS.values()
        for b in backends
        if expect(fault, target) is not None
    ]


# The slice `make test` runs (about a third): every fault at the token endpoint, a GET and an STK push
# (5xx once per status: after processing, with and without Retry-After), and every create against the
# faults that decide between "retry" and "ambiguous". `make reliability` runs everything.
_SLICE_TARGETS = {"token", "get", "stk_push", "stk_push_token"}
_SLICE_FAULTS_ALL_CREATES = {"cut_body", "s503_after", "no_location", "s429_seconds", "reset_after_headers"}


def slice_cases() -> list[Case]:
    return [
        c
        for c in all_cases()
        if (c.target.name in _SLICE_TARGETS and not c.fault.name.endswith(("_before", "_before_ra")))
        or (c.target.kind == "create" and c.fault.name in _SLICE_FAULTS_ALL_CREATES)
    ]


@dataclass
class CaseResult:
    case: Case
    outcome: str = ""
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)
    rerun: bool = False  # the deadline overran under load, so the case ran again alone
    error: BaseException | None = field(default=None, repr=False)
    secrets: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def scan_frames(self) -> None:
        """(g), the second half: no error reporter prints a secret from the error's frame locals."""
        if self.error is not None:
            found = scan_frames(self.error, dict(self.secrets))
            self.problems += [f"(g) {finding}" for finding in found[:3]]
        self.error = None  # its traceback keeps every frame alive


def _client_kwargs(case: Case, base_url: str) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "base_url": base_url,
        "api_key": API_KEY,
        "timeout": case.timeout_arg,
        "retry": POLICY,
        "environ": {},
        **dict(case.backend.extra),
    }


def _call(k2: Any, case: Case, base_url: str) -> Any:
    target = case.target
    if target.kind == "token":
        return k2.token()
    if target.kind == "get":
        return k2.get(f"{base_url}{GET_PATH}{uuid.uuid4()}")
    return getattr(k2, target.method)(*target.args, **dict(target.kwargs))


def _drive(case: Case, base_url: str) -> tuple[Any, BaseException | None, float]:
    """Build the client (not timed), make the call (timed); return (result, exception, seconds)."""
    if case.backend.is_async:
        return asyncio.run(_adrive(case, base_url))
    k2 = k2x.K2(**_client_kwargs(case, base_url))
    try:
        for _ in range(case.calls_before):
            _call(k2, case, base_url)
        started = time.monotonic()
        try:
            result, error = _call(k2, case, base_url), None
        except BaseException as exc:  # (b) is checked on whatever escapes
            result, error = None, exc
        return result, error, time.monotonic() - started
    finally:
        k2.close()


async def _adrive(case: Case, base_url: str) -> tuple[Any, BaseException | None, float]:
    k2 = k2x.AsyncK2(**_client_kwargs(case, base_url))
    try:
        for _ in range(case.calls_before):
            await _call(k2, case, base_url)
        started = time.monotonic()
        try:
            result, error = await _call(k2, case, base_url), None
        except BaseException as exc:
            result, error = None, exc
        return result, error, time.monotonic() - started
    finally:
        await k2.aclose()


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    status = getattr(error, "status_code", None)
    return f"{type(error).__name__}" + (f"({status})" if status is not None else "")


def run_case(case: Case, server: FaultServer) -> CaseResult:
    """Run one case against its own listener and check it against the contract."""
    expected = expect(case.fault, case.target)
    assert expected is not None, case.id
    result = CaseResult(case)
    served = _aimed(case.fault, case.target.kind)
    if case.fault.action == "refused":
        base_url = f"http://127.0.0.1:{closed_port()}"
        value, error, elapsed = _safe_drive(case, base_url, result)
        listener = None
    else:
        with server.listen(served, name=case.id) as listener:
            value, error, elapsed = _safe_drive(case, listener.base_url, result)
            listener.settle()
            _check(case, expected, listener, value, error, result)
    result.elapsed = elapsed
    result.outcome = _describe(error)
    if listener is None:
        _check(case, expected, None, value, error, result)
    if elapsed > case.timeout + TOLERANCE:
        result.problems.append(f"(d) took {elapsed:.2f} s, deadline {case.timeout} s + {TOLERANCE} s")
    return result


def _safe_drive(case: Case, base_url: str, result: CaseResult) -> tuple[Any, BaseException | None, float]:
    try:
        return _drive(case, base_url)
    except Exception as exc:  # the client could not be built or primed: a finding, not a crash of the matrix
        when = "a call before the judged one" if case.calls_before else "client construction"
        result.problems.append(f"{when} raised {type(exc).__name__}: {exc}")
        return None, exc, 0.0


def _check(
    case: Case,
    expected: Expect,
    listener: Listener | None,
    value: Any,
    error: BaseException | None,
    result: CaseResult,
) -> None:
    problems = result.problems
    target = case.target
    # (b) only K2Error subclasses escape
    if error is not None and not isinstance(error, K2Error):
        name = f"{type(error).__module__}.{type(error).__name__}"
        problems.append(f"(b) {name} escaped: {_short(error)}")
    # (c) the outcome, and ambiguity exactly when the request may have been processed
    ambiguous_cls = _ambiguous_class()
    is_ambiguous = isinstance(error, ambiguous_cls)
    outcome_ok = any(
        (a == "ok" and error is None) or (isinstance(a, type) and isinstance(error, a))
        for a in expected.allowed
    )
    if expected.ambiguous and error is not None and not is_ambiguous:
        problems.append(f"(c) raised {_describe(error)}, expected K2AmbiguousOutcomeError: {_short(error)}")
    elif not expected.ambiguous and is_ambiguous:
        problems.append(f"(c) raised K2AmbiguousOutcomeError for a definite outcome: {_short(error)}")
    elif not outcome_ok:
        wanted = " or ".join(a if a == "ok" else a.__name__ for a in expected.allowed)
        got = _describe(error) + ("" if error is None else f": {_short(error)}")
        problems.append(f"(c) got {got}; expected {wanted}")
    if is_ambiguous and error is not None:
        problems += _check_ambiguous(error, case, expected, listener)
    if error is None:
        problems += _check_value(value, case)
    # (f) a 429 to a POST carries its Retry-After
    retry_after = getattr(error, "retry_after", None)
    rate_limited = isinstance(error, K2RateLimitError) and case.fault.name == "s429_seconds"
    if rate_limited and target.kind == "create" and retry_after != 1.0:
        problems.append(f"(f) retry_after is {retry_after!r}, K2 said 1")
    # (g) no secret reachable from the exception
    if error is not None:
        secrets = {"client_secret": [CLIENT_SECRET], "api_key": [API_KEY]}
        if listener is not None:
            secrets["token"] = list(listener.issued.tokens)
            secrets["signature"] = list(listener.issued.signatures)
        for finding in scan_exception(error, secrets)[:3]:
            problems.append(f"(g) {finding}")
        # The frame locals reporters print are scanned once every case has run (see run_cases): rendering
        # holds the GIL for milliseconds, which would throw the other cases' timers off.
        result.error, result.secrets = error, secrets
    if listener is None:
        return
    # (h) an answer is read for the request it answers: a stray one's Location never comes back
    stray = set(listener.issued.stray_locations)
    if stray & {getattr(value, "location", None), getattr(error, "location", None)}:
        problems.append("(h) a stray answer was read as the call's own: its Location came back")
    # (a)/(f) POSTs of the create that reached the server
    if target.kind in ("create", "create_token"):
        posts = listener.count("POST", target.path)
        # A create whose token request failed must not have sent its POST at all.
        limit = 0 if target.kind == "create_token" and error is not None else expected.max_posts
        if posts > limit:
            problems.append(f"(a) {posts} POSTs of {target.method} reached the server, at most {limit}")
        elif posts < expected.min_posts:
            problems.append(
                f"{posts} POSTs of {target.method} reached the server, expected {expected.min_posts}"
            )
    # (e) the retry that proves itself
    if expected.min_attempts and error is None:
        aim = "token" if target.kind in ("token", "create_token") else "api"
        seen = listener.count(aim=aim)
        if seen < expected.min_attempts:
            problems.append(f"(e) the server saw {seen} {aim} request(s), expected a retry")
    problems += [f"fault server error: {e}" for e in listener.errors]
    # A redirect is never followed: the bearer token would go wherever it points.
    if listener.count(path=REDIRECT_TARGET):
        problems.append("the redirect was followed")


def _check_ambiguous(
    error: BaseException, case: Case, expected: Expect, listener: Listener | None
) -> list[str]:
    problems = []
    target = case.target
    operation = getattr(error, "operation", None)
    if not isinstance(operation, str) or not operation:
        problems.append(f"(c) ambiguous error has no operation ({operation!r})")
    if getattr(error, "method", None) != "POST":
        problems.append(f"(c) ambiguous error method is {getattr(error, 'method', None)!r}")
    url = getattr(error, "url", None)
    if not isinstance(url, str) or not url.endswith(target.path):
        problems.append(f"(c) ambiguous error url is {url!r}, expected …{target.path}")
    body = getattr(error, "request_body", None)
    if not isinstance(body, dict) or not body:
        problems.append(f"(c) ambiguous error request_body is {type(body).__name__}, expected the sent body")
    callback = getattr(error, "callback_url", None)
    if target.has_callback and callback != CALLBACK_URL:
        problems.append(f"(c) ambiguous error callback_url is {callback!r}")
    hint = getattr(error, "hint", None)
    if not isinstance(hint, str) or not hint.strip() or "\n" in hint.strip():
        problems.append(f"(c) ambiguous error hint is {hint!r}, expected one line")
    status = getattr(error, "status_code", "<missing>")
    if expected.status is not ANY and status != expected.status:
        problems.append(f"(c) ambiguous error status_code is {status!r}, expected {expected.status!r}")
    location = getattr(error, "location", "<missing>")
    sent = listener.issued.locations if listener is not None else []
    if expected.location is SENT and (location not in sent or not sent):
        problems.append(f"(c) ambiguous error location is {location!r}, expected the Location K2 sent")
    elif expected.location is None and location is not None:
        problems.append(f"(c) ambiguous error location is {location!r}, but no resource Location came")
    if case.fault.name.startswith("redirect_") and REDIRECT_TARGET in str(hint):
        problems.append(f"(c) the hint sends the caller to the redirect target: {hint!r}")
    if isinstance(error, K2ConnectionError):
        problems.append(
            "(c) K2AmbiguousOutcomeError is still a K2ConnectionError: "
            "`except K2ConnectionError: retry` would pay twice"
        )
    return problems


def _check_value(value: Any, case: Case) -> list[str]:
    kind = case.target.kind
    if kind == "token" and not str(getattr(value, "value", "")).startswith("tok-"):
        return [f"token() returned {type(value).__name__} without the issued token"]
    if kind == "get" and value is None:
        return ["get() returned None"]
    if kind in ("create", "create_token") and not getattr(value, "location", None):
        return [f"{case.target.method}() returned {type(value).__name__} without a location"]
    return []


def _short(error: BaseException | None) -> str:
    text = " ".join(str(error).split())
    return text[:160] + ("…" if len(text) > 160 else "")


def run_cases(
    cases: Iterable[Case],
    server: FaultServer,
    *,
    workers: int = 12,
    progress: Callable[[CaseResult], None] | None = None,
) -> dict[str, CaseResult]:
    """Run cases concurrently (each on its own port); most of a case's time is spent waiting.

    A case that overran its deadline runs once more, alone, and that run is the verdict: with a dozen
    cases sharing the GIL and two loaded cores, a timer that fired on time can still be scheduled late
    (and a late call can fail in other ways, e.g. its deadline passes before the POST leaves). A real
    overrun repeats.
    """
    results: dict[str, CaseResult] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="matrix") as pool:
        for res in pool.map(lambda c: run_case(c, server), list(cases)):
            results[res.case.id] = res
    for case_id, res in list(results.items()):
        if any(p.startswith("(d)") for p in res.problems):
            again = run_case(res.case, server)
            again.rerun = True
            results[case_id] = again
    for res in results.values():
        res.scan_frames()
    if progress is not None:
        for res in results.values():
            progress(res)
    return results


def new_server() -> FaultServer:
    return FaultServer(client_secret=CLIENT_SECRET, api_key=API_KEY)
