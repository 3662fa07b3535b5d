"""schemathesis against the sandbox, in process (ASGI, no server, no network).

* ``test_api``: every operation of ``openapi/k2connect.yaml`` (43), every phase pytest runs (explicit
  examples, the deterministic coverage cases, Hypothesis fuzzing; positive and negative data) and every
  built-in check (``case.call_and_validate()`` without ``checks=``/``excluded_checks=`` runs all 14;
  nothing is excluded for any operation). On top of those, ``token_was_honoured``: a request that
  carried our freshly issued token must not be answered 401, so a broken token flow fails the suite
  instead of passing quietly (schemathesis accepts 401 as a valid answer to valid data).
* ``TestStateful``: the stateful phase, ``schema.as_state_machine()``, which follows the spec's explicit
  links (each create's 201 links to its GET through ``$response.header.Location#regex:...``).
* ``test_api_refuses_calls_without_a_valid_token``: every ``/api/`` operation answers 401 to
  schema-valid requests with no token, a made-up token or a revoked one. schemathesis' ``ignored_auth``
  only probes operations that answered 2xx; this covers all of them, whatever they would answer.

The schema is loaded with an explicit config so a stray ``schemathesis.toml`` (auto-discovered from the
working directory upwards) can never change what runs here. Counts of operations, cases and checks are
printed at the end of the pytest run (see conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case as AnyCase
from schemathesis import GenerationMode, Response
from schemathesis.core.result import Ok
from starlette.testclient import TestClient

from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxConfig

from .stats import STATS

Case = AnyCase[Any]

pytestmark = [pytest.mark.contract, pytest.mark.sandbox, pytest.mark.slow]

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "k2connect.yaml"
# Tuned for the whole file to run in well under a minute on 2 cores (about 25 s for test_api).
MAX_EXAMPLES = 25
STATEFUL_EXAMPLES = 100
STATEFUL_STEPS = 6

# deliver=False: fuzzed callback URLs are recorded, never POSTed; callback_delay=0: pending resources
# resolve at once, so the stateful GETs see final states too.
app = create_app(SandboxConfig(deliver=False, callback_delay=0))
schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_str("seed = 20261101\n"))
schema.app = app

# Operations that need the bearer token: every /api/ operation, and the token-info endpoint.
AUTHENTICATED = r"^/api/|^/oauth/token/info$"
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
}


def fetch_token(client: TestClient) -> str:
    response = client.post("/oauth/token", data=TOKEN_FORM)
    # A failing token fetch must fail the run, not leave every case unauthenticated (and 401, which
    # schemathesis would accept).
    assert response.status_code == 200, f"token request failed: {response.status_code} {response.text}"
    return str(response.json()["access_token"])


# retry_on=[]: no silent re-fetch and replay on a 401; a 401 to a token we just issued is a failure.
@schema.auth(retry_on=[]).apply_to(path_regex=AUTHENTICATED)
class ClientCredentials:
    def get(self, case: Case, ctx: Any) -> str:
        return fetch_token(TestClient(ctx.app))

    def set(self, case: Case, data: str, ctx: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


def token_was_honoured(ctx: Any, response: Response, case: Case) -> bool | None:
    """A request sent with the auth provider's token must not be answered 401."""
    sent = str(case.headers.get("Authorization") or "")
    if response.status_code == 401 and sent.startswith("Bearer ") and sent != "Bearer ":
        raise AssertionError(
            f"{case.operation.label}: 401 although the request carried a freshly issued access token: "
            f"{response.text[:200]}"
        )
    return None


@schema.hook
def after_validate(context: Any, case: Case, response: Response, results: list[Any]) -> None:
    STATS.record(case.operation.label, results)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case: Case) -> None:
    case.call_and_validate(additional_checks=[token_was_honoured])


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    def validate_response(
        self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        STATS.stateful_steps += 1
        if case.operation.method.upper() == "GET" and response.status_code == 200:
            STATS.stateful_reads.add(case.operation.label)  # reached through a link: the id existed
        super().validate_response(response, case, [*(additional_checks or []), token_was_honoured], **kwargs)


Workflow.TestCase.settings = settings(
    max_examples=STATEFUL_EXAMPLES,
    stateful_step_count=STATEFUL_STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestStateful = Workflow.TestCase


# ---------------------------------------------------------------- no token, no API


def _operations() -> list[Any]:
    found = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the spec loads without errors
        found.append(result.ok())
    return found


API_OPERATIONS = sorted((op for op in _operations() if op.path.startswith("/api/")), key=lambda op: op.label)


def _revoked_token() -> str:
    client = TestClient(app)
    token = fetch_token(client)
    response = client.post("/oauth/revoke", data={**TOKEN_FORM, "token": token})
    assert response.status_code == 200, response.text
    return token


@pytest.mark.parametrize("operation", API_OPERATIONS, ids=[op.label for op in API_OPERATIONS])
def test_api_refuses_calls_without_a_valid_token(operation: Any) -> None:
    """Schema-valid requests with no token, a made-up or a revoked token answer 401 ApiError."""
    revoked = _revoked_token()
    variants = st.sampled_from([None, "Bearer not-a-token", f"Bearer {revoked}", "Basic c2FuZGJveA=="])

    @given(case=operation.as_strategy(GenerationMode.POSITIVE), authorization=variants)
    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Case, authorization: str | None) -> None:
        case.headers.pop("Authorization", None)  # case-insensitive: drops any spelling
        if authorization is not None:
            case.headers["Authorization"] = authorization
        response = case.call()
        assert response.status_code == 401, f"{operation.label} {authorization!r}: {response.status_code}"
        body = response.json()
        assert body["error_code"] == 401 and body["error_message"], body
        assert response.headers.get("www-authenticate", [""])[0].startswith("Bearer"), response.headers
        STATS.unauthenticated_calls += 1

    check()


def test_the_suite_covers_every_operation() -> None:
    """Sanity: the spec has the 43 operations the contract suite is meant to cover, 39 under /api/."""
    assert len(_operations()) == 43
    assert len(API_OPERATIONS) == 39
