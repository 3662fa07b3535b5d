"""Adding a K2 endpoint is a spec edit, a builder and two facade lines: proved on a copy of the repository.

The test copies the repository, adds a money-moving ``POST /api/v2/refunds`` with its GET and callback to the
copy's spec (``tests/refund_endpoint.py``), runs ``make generate`` there, and writes what CONTRIBUTING.md's
"Add an endpoint" lists by hand: the builder (``_operations.py``), one line in each facade (``_facade.py``)
and, because the refund is a new kind of resource, what its statuses mean (one row of ``_outcomes.py``).
Nothing else is edited. Then, in the copy: the sandbox serves the refund, ``invoke`` and the facade create
one, its Location is readable by ``get()`` and ``wait()``, its callback verifies, parses and settles, and the
fault matrix covers it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.refund_endpoint import write_refund_spec

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)  # the virtual environment the tests run in (make generate uses its tools)

BUILDER = '''

def refund(
    *,
    amount: Decimal | int | str | float,
    callback_url: str,
    currency: str = "KES",
    metadata: Mapping[str, Any] | None = None,
) -> Prepared[RefundResult]:
    """Refund a customer."""
    body = _m.RefundRequest(
        amount=_amount(amount, currency), field_links=_links(callback_url), metadata=_metadata(metadata)
    )
    return Prepared(registry.V2_CREATE_REFUND, body)
'''
STATUS_ROW = '    "refund": Statuses(frozenset({"processed"}), _FAILED, frozenset({"pending"})),\n'

# What runs inside the copy, with the copy first on the import path.
DRIVER = """
import asyncio, hashlib, hmac, json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from k2connect_client import registry
from k2connect_ext import K2, AsyncK2, State, invoke, outcome_of
from k2connect_ext import _operations as ops
from k2connect_ext.webhooks import ResultType, construct_event

base_url, api_key = sys.argv[1], sys.argv[2]
received = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append((body, self.headers["X-KopoKopo-Signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
callback = f"http://127.0.0.1:{server.server_address[1]}/k2/result"
options = dict(base_url=base_url, api_key=api_key, environ={})

with K2("sandbox-client-id", "sandbox-client-secret", **options) as k2:
    created = k2.refund(amount=150, callback_url=callback, metadata={"order": "7781"})
    assert created.kind == "refund", created
    assert type(k2.get(created)).__name__ == "RefundResult"
    done = created.wait(timeout=20)
    assert outcome_of("refund", done.to_dict()).state is State.SUCCEEDED, done.to_dict()
    prepared = ops.refund(amount=99, callback_url=callback)
    answer = invoke(prepared.name, registry.V2_CREATE_REFUND.sync, client=k2.client, body=prepared.body)
    assert answer.status_code == 201 and "/api/v2/refunds/" in answer.headers["location"]
    assert k2.wait_for(answer.headers["location"], timeout=20).data.attributes.status == "Processed"


async def main():
    async with AsyncK2("sandbox-client-id", "sandbox-client-secret", **options) as k2:
        created = await k2.refund(amount=50, callback_url=callback)
        await created.wait(timeout=20)

asyncio.run(main())
for _ in range(200):
    if len(received) >= 3:
        break
    threading.Event().wait(0.05)
assert len(received) >= 3, received
for body, signature in received:
    event = construct_event(body, signature, api_key)
    assert event.topic is ResultType.REFUND and event.is_success, event
    assert outcome_of("refund", json.loads(body)).state is State.SUCCEEDED
print("refund: served, created, read, waited, called back and settled")
"""

MATRIX = """
from tests.reliability.matrix import BACKENDS, TARGETS, all_cases, new_server, run_cases

assert TARGETS["refund"].path == "/api/v2/refunds" and TARGETS["refund"].has_callback
cases = [c for c in all_cases() if c.target.name == "refund"]
assert len(cases) >= 3 * 20, len(cases)
server = new_server()
try:
    results = run_cases(cases, server)
finally:
    server.close()
problems = [f"{r.case.id}: {p}" for r in results.values() for p in r.problems]
assert not problems, "\\n".join(problems)
print(f"refund: {len(results)} fault-matrix cases, 0 problems")
"""


def _copy_repository(target: Path) -> None:
    """The repository's files (tracked and new, not ignored) with their times, so make rebuilds nothing."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _insert_after(path: Path, anchor: str, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(anchor) == 1, f"{path.name}: {anchor!r}"
    path.write_text(content.replace(anchor, anchor + text), encoding="utf-8")


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def test_a_new_money_moving_create_needs_a_spec_edit_a_builder_and_two_facade_lines(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    copy = tmp_path / "repo"
    _copy_repository(copy)
    spec = copy / "openapi" / "k2connect.yaml"
    write_refund_spec(tmp_path, source=spec)
    shutil.copy2(tmp_path / "k2connect.yaml", spec)

    # The generated client, its registry and the payload rules, as a contributor makes them.
    env = {**os.environ, "PYTHONPATH": f"{copy}{os.pathsep}{copy / 'generated'}"}
    stamp = str(VENV / ".installed")
    _run(["make", "generate", f"VENV={VENV}", "-o", stamp], copy, env, timeout=300)
    registry = (copy / "generated" / "k2connect_client" / "registry.py").read_text(encoding="utf-8")
    assert "V2_CREATE_REFUND" in registry and "moves_money=True" in registry

    # The hand-written part: the builder, two facade lines, and the new kind's statuses.
    operations = copy / "k2connect_ext" / "_operations.py"
    _insert_after(operations, "        PaybillDestination,\n", "        RefundResult,\n")
    operations.write_text(operations.read_text(encoding="utf-8") + BUILDER, encoding="utf-8")
    facade = copy / "k2connect_ext" / "_facade.py"
    _insert_after(
        facade,
        "    create_payment_link = _sync_create(ops.create_payment_link)\n",
        "    refund = _sync_create(ops.refund)\n",
    )
    _insert_after(
        facade,
        "    create_payment_link = _async_create(ops.create_payment_link)\n",
        "    refund = _async_create(ops.refund)\n",
    )
    _insert_after(
        copy / "k2connect_ext" / "_outcomes.py",
        '    "payment_link": Statuses(frozenset({"paid"}), _FAILED, frozenset({"active", "processed"})),\n',
        STATUS_ROW,
    )
    changed = subprocess.run(
        ["git", "diff", "--no-index", "--stat", str(REPO / "k2connect_ext"), str(copy / "k2connect_ext")],
        capture_output=True,
        text=True,
    ).stdout
    # Compiled files are not written by hand: the checkout has them from the tests that imported it, and the
    # copy only those its make generate imported.
    by_hand = [
        line
        for line in changed.splitlines()
        if "|" in line and "_payload_rules.py" not in line and ".pyc" not in line
    ]
    assert len(by_hand) == 3, changed  # _operations, _facade, _outcomes (_payload_rules is generated)

    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "k2connect_sandbox",
            "--port",
            "0",
            "--api-key",
            "refund-api-key",
            "--callback-delay",
            "0.3",
            "--log-level",
            "warning",
        ],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert sandbox.stdout is not None
        url = ""
        for line in sandbox.stdout:
            key, _, value = line.partition(": ")
            if key.strip() == "url":
                url = value.strip()
                break
        assert url, sandbox.stderr.read() if sandbox.stderr else "the sandbox printed no url"
        driver = tmp_path / "drive_refund.py"
        driver.write_text(textwrap.dedent(DRIVER), encoding="utf-8")
        said = _run([sys.executable, str(driver), url, "refund-api-key"], copy, env, timeout=120)
        assert "settled" in said
    finally:
        sandbox.terminate()  # the one process this test started, by its handle
        sandbox.wait(timeout=10)

    matrix = tmp_path / "matrix_refund.py"
    matrix.write_text(textwrap.dedent(MATRIX), encoding="utf-8")
    said = _run(
        [sys.executable, str(matrix)],
        copy,
        {**env, "PYTHONPATH": f"{copy}{os.pathsep}{env['PYTHONPATH']}"},
        timeout=300,
    )
    assert "0 problems" in said
