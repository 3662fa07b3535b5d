"""The README sections "Use the generated client directly" and "When K2 changes: regenerate", as written.

Every block is read out of README.md by its section heading and its ``<!-- marker -->`` (never a copy of
the code). The Python blocks run against a sandbox started the way the section's bash block starts one
(same credentials, same ``--no-deliver``), on a free loopback port instead of 8765 so that nothing else on
the machine can clash with it. The regenerate walkthrough runs in a temporary copy of the repository: the
spec edit is applied from the README's diff block, then the README's shell block runs there (one
``make generate``, one ``make check-generated``), with the copy's ``generated/`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DIRECT = "The generated client"
REGENERATE = "Regenerating the client when K2 changes"
PYTHON_MARKERS = {
    "generated-client-sync",
    "generated-client-async",
    "generated-client-errors",
    "generated-client-unexpected",
}

pytestmark = pytest.mark.sandbox


def section(heading: str) -> str:
    """The text of the ``## heading`` section, up to the next ``## `` heading (``###`` stay inside)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has no section '## {heading}'"
    return match.group(1)


def fenced_blocks(text: str) -> list[tuple[str | None, str, str]]:
    """Every fenced block of ``text`` as (marker or None, language, code)."""
    pattern = r"(?:<!-- ([\w-]+) -->\n)?^```(\w*)\n(.*?)^```"
    return [(m.group(1), m.group(2), m.group(3)) for m in re.finditer(pattern, text, re.S | re.M)]


def block(heading: str, marker: str, language: str) -> str:
    """The block marked ``<!-- marker -->`` inside the section ``## heading``."""
    found = [(lang, code) for name, lang, code in fenced_blocks(section(heading)) if name == marker]
    assert len(found) == 1, f"section '{heading}' has {len(found)} blocks marked {marker}"
    lang, code = found[0]
    assert lang == language, f"{marker} is a {lang} block, not {language}"
    return code


def test_the_sections_are_where_the_brief_puts_them_and_every_block_is_run() -> None:
    """The generated client and regenerating it come last (a newcomer starts with K2; the order is pinned in
    tests/readme/test_every_block.py), and each block of both is marked and run by this file."""
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert headings.index(DIRECT) + 1 == headings.index(REGENERATE)
    direct = {name: lang for name, lang, _ in fenced_blocks(section(DIRECT))}
    assert direct == {"generated-client-sandbox": "bash"} | dict.fromkeys(PYTHON_MARKERS, "python")
    regenerate = {name: lang for name, lang, _ in fenced_blocks(section(REGENERATE))}
    assert regenerate == {"regenerate-spec-edit": "diff", "regenerate-commands": "bash"}


# ----------------------------------------------------------------------------- the direct client


def sandbox_setup() -> tuple[list[str], dict[str, str]]:
    """The sandbox command line and the exported variables of the section's bash block."""
    command: list[str] = []
    exported: dict[str, str] = {}
    for line in block(DIRECT, "generated-client-sandbox", "bash").splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["k2connect-sandbox"]:
            command = [word for word in words if word != "&"]
        elif words[:1] == ["export"]:
            exported.update(word.partition("=")[::2] for word in words[1:])
    assert command, "the block starts no sandbox"
    return command, exported


@pytest.fixture
def readme_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A sandbox as the README starts it, with exactly the README's K2_* variables (base URL: its port)."""
    from k2connect_sandbox.config import SandboxConfig
    from k2connect_sandbox.server import serve_in_thread

    command, exported = sandbox_setup()
    defaults = SandboxConfig()
    # The block relies on the sandbox's default credentials: no --client-id/--client-secret given.
    assert not {"--client-id", "--client-secret"} & set(command)
    assert exported["K2_CLIENT_ID"] == defaults.client_id
    assert exported["K2_CLIENT_SECRET"] == defaults.client_secret
    port = command[command.index("--port") + 1]
    assert exported["K2_BASE_URL"] == f"http://127.0.0.1:{port}"
    config = SandboxConfig(deliver="--no-deliver" not in command)
    assert not config.deliver
    with serve_in_thread(config) as sandbox:
        for name in list(os.environ):
            if name.startswith("K2_"):
                monkeypatch.delenv(name)
        for name, value in exported.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("K2_BASE_URL", sandbox.base_url)
        yield sandbox


def run_python(marker: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the block as a script would run (``__name__`` is not ``__main__``: nothing relies on it)."""
    code = block(DIRECT, marker, "python")
    exec(compile(code, f"README.md#{marker}", "exec"), {"__name__": f"readme_{marker.replace('-', '_')}"})
    return capsys.readouterr().out


def created_location(out: str, base_url: str) -> str:
    match = re.search(r"^created: 201 (\S+)$", out, re.M)
    assert match, out
    location = match.group(1)
    assert re.fullmatch(rf"{re.escape(base_url)}/api/v2/incoming_payments/[\w-]+", location), location
    return location


def status_in_sandbox(sandbox: Any, location: str) -> str:
    """The payment's status as the sandbox has it, read with a token of its own."""
    import httpx

    answer = httpx.get(location, headers={"Authorization": f"Bearer {sandbox.token()}"})
    answer.raise_for_status()
    status: str = answer.json()["data"]["attributes"]["status"]
    return status


@pytest.mark.parametrize("marker", ["generated-client-sync", "generated-client-async"])
def test_an_stk_push_through_the_generated_client(
    marker: str, readme_sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sync and async: the create answers 201 with a Location the sandbox knows, and the generated GET of
    it parses into IncomingPaymentResult with the payment's status."""
    out = run_python(marker, capsys)
    location = created_location(out, readme_sandbox.base_url)
    printed = re.search(r"^status: (\w+)$", out, re.M)
    assert printed, out
    assert printed.group(1) in {"Pending", "Success"}
    assert status_in_sandbox(readme_sandbox, location) in {"Pending", "Success"}


def test_the_errors_block_shows_each_error(readme_sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A 400 and a 404 are K2APIError subclasses with their status, the injected 500 to the STK push is
    ambiguous (and its fault was used up), and a port nobody listens on is a K2ConnectionError."""
    out = run_python("generated-client-errors", capsys)
    lines = out.splitlines()
    assert re.fullmatch(r"refused: 400 subscriber\.phone_number .+", lines[0]), out
    assert lines[1] == "not found: 404"
    assert lines[2].startswith("ambiguous: 500 "), out
    assert "Do not send it again" in lines[2]
    assert lines[3] == "no answer: K2ConnectionError"
    assert len(lines) == 4, out
    assert readme_sandbox.control("GET", "/sandbox/faults").json()["faults"] == []


def test_an_undocumented_status_bare_and_through_invoke(
    readme_sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bare, the generated code raises UnexpectedStatus(204); through invoke, K2UnexpectedResponseError
    with status_code 204."""
    out = run_python("generated-client-unexpected", capsys)
    lines = out.splitlines()
    assert lines[0] == "bare: UnexpectedStatus 204"
    assert lines[1].startswith("invoke: K2UnexpectedResponseError 204 "), out
    assert "v2_get_incoming_payment" in lines[1]
    assert "204" in lines[1].split(" ", 3)[3]
    assert len(lines) == 2, out


# ----------------------------------------------------------------------------- regenerate

# What the walkthrough needs is the build tree (openapi/, generator-config.yml, templates/, Makefile,
# generated/, pyproject.toml, scripts/ and whatever else a `make generate` step may read); what it must not
# take is the virtual environment, git's data and caches.
NOT_COPIED = shutil.ignore_patterns(
    ".venv",
    ".git",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".schemathesis",
    ".coverage*",
    "htmlcov",
    "node_modules",
    "st-report",
    "bench-results",
    "build",
    "dist",
    "*.egg-info",
)
MODEL = Path("generated/k2connect_client/models/incoming_payment_attributes.py")


def apply_diff_block(diff: str, target: Path) -> None:
    """Apply the README's diff (context lines start with a space, added ones with +, removed with -)."""
    old: list[str] = []
    new: list[str] = []
    for line in diff.splitlines():
        kind, text = line[:1], line[1:]
        assert kind in {" ", "+", "-"}, f"not a diff line: {line!r}"
        if kind != "+":
            old.append(text)
        if kind != "-":
            new.append(text)
    assert new != old, "the diff changes nothing"
    spec = target.read_text()
    before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
    assert spec.count(before) == 1, "the diff's context is not found exactly once in the spec"
    target.write_text(spec.replace(before, after))


def repository_copy(destination: Path) -> Path:
    """A copy of the working tree whose .venv borrows this one's contents and has a fresh install stamp.

    The stamp is the copy's own file, newer than the copied pyproject.toml and requirements-dev.txt, so
    make never reinstalls anything (a reinstall would point the shared venv's editable install at the copy).
    """
    copy = destination / "repo"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED, symlinks=True)
    venv = copy / ".venv"
    venv.mkdir()
    for entry in (ROOT / ".venv").iterdir():  # bin, lib, pyvenv.cfg...: python finds its packages
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (venv / ".installed").touch()
    return copy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_the_regenerate_walkthrough_runs_in_a_copy_of_the_repository(tmp_path: Path) -> None:
    """In a copy: the README's spec edit, then its commands. `make generate` writes the new field into the
    model, the snippet reads and writes it, `make check-generated` passes, and this checkout is untouched."""
    ours = digest(ROOT / MODEL)
    copy = repository_copy(tmp_path)
    apply_diff_block(block(REGENERATE, "regenerate-spec-edit", "diff"), copy / "openapi" / "k2connect.yaml")
    assert not re.search(r"^    note:", (copy / MODEL).read_text(), re.M)

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("K2_", "VIRTUAL_ENV", "PYTHON", "MAKE")) and k != "MFLAGS"
    }
    # The copy's client, not the one this venv installed (and the copy's own packages, should a step of
    # `make generate` import them and write next to them).
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "generated"), str(copy)])
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block(REGENERATE, "regenerate-commands", "bash")],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # about 10 s: one generation for each make target
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]

    model = (copy / MODEL).read_text()
    assert re.search(r"^    note: str \| Unset = UNSET$", model, re.M), model
    assert re.search(r"^note: table 4$", result.stdout, re.M), output[-4000:]
    assert re.search(r"^to_dict: .*'note': 'table 4'", result.stdout, re.M), output[-4000:]
    assert re.search(r"^optional: True$", result.stdout, re.M), output[-4000:]
    assert re.search(r"^generated/ matches openapi/k2connect.yaml$", result.stdout, re.M), output[-4000:]
    assert digest(ROOT / MODEL) == ours, "the walkthrough changed this checkout's generated client"


def test_the_malformed_body_sentence_holds(readme_sandbox: Any) -> None:
    """The section's sentence on the `malformed_json` fault: bare, the generated ResponseParseError (the
    parser's json.JSONDecodeError its cause); through invoke, K2UnexpectedResponseError, status_code 200."""
    import json

    from k2connect_client import errors as generated_errors
    from k2connect_client.api.v2 import v2_create_incoming_payment, v2_get_incoming_payment
    from k2connect_client.models import Amount, CallbackLinks, IncomingPaymentRequest, Subscriber

    from k2connect_ext import K2UnexpectedResponseError, connect, invoke

    sentence = " ".join(section(DIRECT).split())
    assert "the sandbox's `malformed_json` fault answers a 200 whose body is not JSON" in sentence
    assert "`ResponseParseError`" in sentence
    assert "`json.JSONDecodeError`" in sentence
    assert "wrapped, `K2UnexpectedResponseError` with `status_code` 200" in sentence
    body = IncomingPaymentRequest(
        payment_channel=None,
        till_number="K000000",
        subscriber=Subscriber(phone_number="+254712345678"),
        amount=Amount(currency="KES", value="1"),
        field_links=CallbackLinks(callback_url="https://example.com/k2/stk-result"),
    )
    with connect() as client:
        location = v2_create_incoming_payment.sync_detailed(client=client, body=body).headers["Location"]
        payment_id = location.rsplit("/", 1)[-1]
        fault = {"operation_id": "v2_get_incoming_payment", "kind": "malformed_json", "count": 2}
        readme_sandbox.control("POST", "/sandbox/faults", fault).raise_for_status()
        with pytest.raises(generated_errors.ResponseParseError) as bare:
            v2_get_incoming_payment.sync_detailed(payment_id, client=client)
        assert isinstance(bare.value.__cause__, json.JSONDecodeError)
        assert bare.value.status_code == 200
        with pytest.raises(K2UnexpectedResponseError) as wrapped:
            invoke(
                "v2_get_incoming_payment", v2_get_incoming_payment.sync_detailed, payment_id, client=client
            )
        assert wrapped.value.status_code == 200
