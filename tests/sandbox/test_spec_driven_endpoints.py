"""A new K2 endpoint is a spec edit: the sandbox serves it from the operation registry and the spec.

Each test copies ``openapi/k2connect.yaml`` to a temporary folder and adds what Kopo Kopo might add one
day: a money-moving ``POST /api/v2/refunds`` (``amount``, ``metadata``, ``_links.callback_url``) whose
201 links to ``GET /api/v2/refunds/{id}`` (a pending and a processed example) and whose ``callbacks``
entry is a new ``RefundResult`` path item (a processed example). The client and its registry are then
generated from the copy, exactly as ``make generate`` does, into that folder, and the sandbox CLI is
started on the copy with the folder first on ``PYTHONPATH``: no file of the sandbox is edited, and the
sandbox must still serve the refund (its reader from ``registry.LOCATIONS``, its create by the generic
handler) with bodies that conform to the copied spec, and POST a signed callback to a loopback receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from k2connect_ext.webhooks import verify_signature
from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.spec import load_spec
from k2connect_sandbox.tables import READERS, check_tables
from k2connect_sandbox.validation import SchemaSet
from tests.refund_endpoint import write_refund_spec

from .receiver import Receiver

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
API_KEY = "refund-test-api-key"
# Long enough that the GET right after the create still finds the refund pending, short enough to wait for.
CALLBACK_DELAY = 1.5
RESULT = "/components/schemas/RefundResult"
CALLBACK_BODY = "/components/pathItems/RefundResult/post/requestBody/content/application~1json/schema"
NOT_FOUND = "/components/schemas/ApiError"


def generate_client(spec: Path, folder: Path) -> Path:
    """``make generate``'s client and registry steps, from ``spec`` into ``folder/k2connect_client``."""
    bin_dir = Path(sys.executable).parent
    output = folder / "k2connect_client"
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(REPO / "generator-config.yml"),
            "--meta",
            "none",
            "--fail-on-warning",
            "--custom-template-path",
            str(REPO / "templates"),
            "--output-path",
            str(output),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        cwd=folder,
    )
    shutil.rmtree(output / ".ruff_cache", ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "generate_registry.py"),
            "--spec",
            str(spec),
            "--output",
            str(output / "registry.py"),
        ],
        check=True,
        capture_output=True,
    )
    return output


@dataclass(frozen=True)
class RefundSandbox:
    url: str
    spec: dict[str, Any]
    schemas: SchemaSet
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def errors(self, pointer: str, body: Any) -> list[str]:
        return self.schemas.errors(pointer, body)


@pytest.fixture(scope="module")
def refund_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_refund_spec(tmp_path_factory.mktemp("refund-spec"))


@pytest.fixture(scope="module")
def refund_client(refund_spec: Path) -> Path:
    """The folder holding the client and registry generated from the refund spec."""
    generate_client(refund_spec, refund_spec.parent)
    return refund_spec.parent


@contextmanager
def serving(spec: Path, folder: Path, *options: str) -> Iterator[RefundSandbox]:
    """The sandbox CLI serving ``spec``, the client generated from it (in ``folder``) first on the path."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--log-level", "warning"]
    errors = folder / f"stderr-{len(list(folder.glob('stderr-*')))}.txt"
    with errors.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [*command, "--spec", str(spec), *options],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            cwd=folder,
        )
    try:
        url = _printed_url(process, errors)
        _wait_healthy(url)
        token = httpx.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client-id",
                "client_secret": "sandbox-client-secret",
            },
            trust_env=False,
        )
        assert token.status_code == 200, token.text
        loaded = load_spec(spec)
        yield RefundSandbox(
            url, loaded, SchemaSet(loaded, "urn:test:refunds"), str(token.json()["access_token"])
        )
    finally:
        process.terminate()  # the one process this fixture started, by its handle
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def refund_sandbox(refund_spec: Path, refund_client: Path) -> Iterator[RefundSandbox]:
    """The refund spec served with callbacks delivered (to loopback receivers)."""
    with serving(
        refund_spec, refund_client, "--api-key", API_KEY, "--callback-delay", str(CALLBACK_DELAY)
    ) as running:
        yield running


@pytest.fixture(scope="module")
def quiet_refund_sandbox(refund_spec: Path, refund_client: Path) -> Iterator[RefundSandbox]:
    """The refund spec served with delivery off: fuzzed callback URLs are recorded, never POSTed."""
    with serving(refund_spec, refund_client, "--no-deliver", "--callback-delay", "0") as running:
        yield running


def _printed_url(process: subprocess.Popen[str], errors: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while True:
        line = process.stdout.readline()
        if not line or time.monotonic() > deadline:
            if not line:  # the process ended: its stderr says why
                process.wait(timeout=10)
            said = errors.read_text(encoding="utf-8")
            raise AssertionError(f"the sandbox did not start on the refund spec: {said[-3000:]}")
        key, _, value = line.partition(": ")
        if key.strip() == "url":
            return value.strip()


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"{url}/sandbox/health", trust_env=False).raise_for_status()
            return
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _create_refund(sandbox: RefundSandbox, request: dict[str, Any]) -> str:
    response = httpx.post(
        f"{sandbox.url}/api/v2/refunds", json=request, headers=sandbox.headers(), trust_env=False
    )
    assert response.status_code == 201, response.text
    assert response.content == b""
    location = response.headers["location"]
    assert re.fullmatch(re.escape(sandbox.url) + r"/api/v2/refunds/[0-9a-f-]{36}", location), location
    return location


def _read(sandbox: RefundSandbox, location: str) -> dict[str, Any]:
    response = httpx.get(location, headers=sandbox.headers(), trust_env=False)
    assert response.status_code == 200, response.text
    assert sandbox.errors(RESULT, response.json()) == []
    body: dict[str, Any] = response.json()
    return body


def test_a_get_the_registry_gains_is_served(refund_sandbox: RefundSandbox) -> None:
    """The refund GET has a reader, derived from registry.LOCATIONS: an unknown id is the spec's 404."""
    response = httpx.get(
        f"{refund_sandbox.url}/api/v2/refunds/no-such-refund",
        headers=refund_sandbox.headers(),
        trust_env=False,
    )
    assert response.status_code == 404, response.text
    assert refund_sandbox.errors(NOT_FOUND, response.json()) == []
    assert response.json()["error_message"] == "No refund with id 'no-such-refund' was found"


def test_a_create_the_registry_gains_is_served_from_the_spec(refund_sandbox: RefundSandbox) -> None:
    """201 + Location; the GET reads the pending example, then the processed one; the signed callback
    reaches the loopback receiver, carries the GET's final body and conforms to the copied spec."""
    receiver = Receiver()
    try:
        callback_url = receiver.url("refund")
        metadata = {"order": "1234", "attempt": 2}
        location = _create_refund(
            refund_sandbox,
            {
                "amount": {"currency": "KES", "value": 150},
                "metadata": metadata,
                "_links": {"callback_url": callback_url},
            },
        )
        refund_id = location.rsplit("/", 1)[1]

        pending = _read(refund_sandbox, location)
        attributes = pending["data"]["attributes"]
        assert pending["data"]["id"] == refund_id and pending["data"]["type"] == "refund"
        assert attributes["status"] == "Pending"
        assert attributes["_links"] == {"callback_url": callback_url, "self": location}
        assert attributes["metadata"] == metadata
        assert attributes["created_at"] != "2027-03-05T21:23:13.994+03:00", "the example's time, not now"

        (delivered,) = receiver.wait_for(callback_url, timeout=CALLBACK_DELAY + 15)
        signature = delivered.headers["x-kopokopo-signature"]
        verify_signature(delivered.body, signature, API_KEY)
        assert signature == hmac.new(API_KEY.encode(), delivered.body, hashlib.sha256).hexdigest()
        result = json.loads(delivered.body)
        assert refund_sandbox.errors(CALLBACK_BODY, result) == []
        final = result["data"]["attributes"]
        assert result["data"]["id"] == refund_id
        assert final["status"] == "Processed"
        assert final["metadata"] == metadata
        assert final["_links"] == {"callback_url": callback_url, "self": location}
        assert final["created_at"] == attributes["created_at"], "created once, not again on resolution"
        assert final["processed_at"] not in (None, "2027-03-05T21:24:02.120+03:00")

        assert _read(refund_sandbox, location) == result, "the GET answers what the callback carried"
    finally:
        receiver.close()


def test_a_generic_resource_without_metadata_says_null(refund_sandbox: RefundSandbox) -> None:
    """No metadata in the request: the resource echoes null, never the example's metadata."""
    receiver = Receiver()
    try:
        location = _create_refund(
            refund_sandbox,
            {
                "amount": {"currency": "KES", "value": "20.50"},
                "_links": {"callback_url": receiver.url("bare")},
            },
        )
        assert _read(refund_sandbox, location)["data"]["attributes"]["metadata"] is None
    finally:
        receiver.close()


def test_a_spec_the_registry_was_not_generated_from_is_refused(refund_spec: Path) -> None:
    """In this process the registry is the repository's: serving the refund spec with it would answer
    operations the registry knows nothing of, so the sandbox refuses to start and says what to run."""
    with pytest.raises(
        RuntimeError, match=r"v2_create_refund.*make generate|make generate.*v2_create_refund"
    ):
        create_app(SandboxConfig(spec_path=str(refund_spec)))


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"]
)
def test_schemathesis_finds_nothing_wrong_with_the_generic_endpoint(
    refund_spec: Path, quiet_refund_sandbox: RefundSandbox, mode: GenerationMode
) -> None:
    """Every built-in schemathesis check, on schema-valid and invalid requests to the refund operations."""
    schema = schemathesis.openapi.from_path(
        refund_spec, config=schemathesis.Config.from_str("seed = 20261101\n")
    )
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and result.ok().path.startswith("/api/v2/refunds")
    ]
    assert sorted(op.label for op in operations) == ["GET /api/v2/refunds/{id}", "POST /api/v2/refunds"]
    if mode is GenerationMode.NEGATIVE:  # no GET is invalid: any one path segment is a well-formed id
        operations = [op for op in operations if op.method.upper() == "POST"]
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.headers["Authorization"] = f"Bearer {quiet_refund_sandbox.token}"
            case.call_and_validate(base_url=quiet_refund_sandbox.url)

        check()


def _without_get_examples(spec: dict[str, Any]) -> None:
    del spec["paths"]["/api/v2/refunds/{id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"
    ]


def _without_callback_examples(spec: dict[str, Any]) -> None:
    del spec["components"]["pathItems"]["RefundResult"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]


def _callback_url_from_the_query(spec: dict[str, Any]) -> None:
    item = {"$ref": "#/components/pathItems/RefundResult"}
    spec["paths"]["/api/v2/refunds"]["post"]["callbacks"]["result"] = {"{$request.query.callback}": item}


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_without_get_examples, "v2_get_refund has no example of a resource in its 200 response"),
        (_without_callback_examples, "its callback has no example of a resource"),
        (
            _callback_url_from_the_query,
            "its callback URL '{$request.query.callback}' is not taken from the request",
        ),
    ],
    ids=["get-without-examples", "callback-without-examples", "callback-url-not-in-the-body"],
)
def test_a_create_the_spec_cannot_serve_stops_the_sandbox(
    refund_spec: Path, refund_client: Path, tmp_path: Path, edit: Any, reason: str
) -> None:
    """The refund spec with a piece the generic handler needs taken out (its operations unchanged, so the
    registry generated from it still matches): the CLI refuses to start and names the create and why."""
    spec = load_spec(refund_spec)
    edit(spec)
    variant = tmp_path / "variant.yaml"
    variant.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(refund_client), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--spec", str(variant)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no sandbox handler for spec operations: v2_create_refund (" in done.stderr
    assert reason in done.stderr
    assert done.stdout == "", "nothing is served, so no URL is printed"


def test_a_table_no_registry_get_reads_is_refused() -> None:
    """A table the hand-written code stores in must be one a registry GET reads (a renamed collection)."""
    check_tables(["payments", "recipients"], READERS)
    with pytest.raises(RuntimeError, match=r"no GET of the operation registry reads: refunds_v0 \("):
        check_tables(["payments", "refunds_v0"], READERS)


def test_a_generic_resource_left_pending_resolves_after_a_restart(
    refund_spec: Path, refund_client: Path, tmp_path: Path
) -> None:
    """With --db, a refund still pending when the sandbox stops resolves when it starts again (its
    outcome and callback URL are in the stored record), and its callback is POSTed then."""
    db = str(tmp_path / "sandbox.sqlite3")
    receiver = Receiver()
    try:
        callback_url = receiver.url("restart")
        with serving(refund_spec, refund_client, "--db", db, "--callback-delay", "600") as first:
            location = _create_refund(
                first, {"amount": {"currency": "KES", "value": 5}, "_links": {"callback_url": callback_url}}
            )
            assert _read(first, location)["data"]["attributes"]["status"] == "Pending"
        assert receiver.received(callback_url) == []
        with serving(refund_spec, refund_client, "--db", db, "--callback-delay", "0") as second:
            (delivered,) = receiver.wait_for(callback_url, timeout=15)
            assert json.loads(delivered.body)["data"]["attributes"]["status"] == "Processed"
            moved = location.replace(location.split("/api/")[0], second.url)  # a new port
            assert _read(second, moved)["data"]["attributes"]["status"] == "Processed"
    finally:
        receiver.close()
