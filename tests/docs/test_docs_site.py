"""The documentation site builds with ``--strict`` (any warning fails it) and shows what a reader relies on.

One build into a temporary folder for the module (about 10 s); the checks read the HTML it wrote.
"""

from __future__ import annotations

import fcntl
import html
import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from k2connect_cli.app import cli
from k2connect_ext import K2, AsyncK2
from k2connect_sandbox.__main__ import _parser as sandbox_parser
from tests.docs.test_reference_names import public_names, reexported_from_root
from tests.docs.tooling import event_docs
from tests.fixtures import REPO_ROOT

pytestmark = pytest.mark.slow

_TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The built site and what mkdocs logged: built once per run, even when xdist spreads these tests."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return _build(tmp_path_factory.mktemp("site"))
    shared = tmp_path_factory.getbasetemp().parent / f"docs-site-{run}"  # the workers' common folder
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds; the others wait, then read its site
        log = shared / "mkdocs.log"
        if not log.exists():
            _, logged = _build(shared / "site")
            log.write_text(logged, encoding="utf-8")
        return shared / "site", log.read_text(encoding="utf-8")


def _build(out: Path) -> tuple[Path, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2.0: noise here
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", "mkdocs.yml"]
    done = subprocess.run(
        [*command, "--site-dir", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr[-6000:]}"
    return out, done.stderr


@pytest.fixture(scope="module")
def site(build: tuple[Path, str]) -> Path:
    return build[0]


def page(site: Path, name: str) -> str:
    return (site / name / "index.html" if name else site / "index.html").read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def entry(markup: str, identifier: str) -> str:
    """The HTML of a mkdocstrings entry: from its heading to the next entry's heading."""
    start = markup.find(f'id="{identifier}"')
    assert start >= 0, f"no entry {identifier}"
    following = markup.find('class="doc doc-heading"', markup.find(">", start))
    return markup[start : following if following >= 0 else len(markup)]


def test_the_strict_build_logs_no_warning(build: tuple[Path, str]) -> None:
    assert "WARNING" not in build[1], build[1]


@pytest.mark.parametrize("facade", [K2, AsyncK2], ids=["K2", "AsyncK2"])
def test_the_create_methods_show_their_parameters(site: Path, facade: type[K2] | type[AsyncK2]) -> None:
    """``stk_push`` is made at import time; its entry shows the parameters ``help()`` shows."""
    shown = text_of(entry(page(site, "reference/client"), f"k2connect_ext.{facade.__name__}.stk_push"))
    parameters = list(inspect.signature(facade.stk_push).parameters)[1:]  # after self
    assert parameters and "phone_number" in parameters
    for name in parameters:
        assert re.search(rf"\b{name}\b", shown), f"{facade.__name__}.stk_push: {name} is not shown"
    handle = "AsyncCreated" if facade is AsyncK2 else "Created"
    assert f"{handle}[IncomingPaymentResult]" in shown
    assert ("async" in shown.split("stk_push(")[0]) is (facade is AsyncK2)  # the label before the signature
    # The docstring help() shows: made at import time from the builder's, with what sending may raise.
    summary = (inspect.getdoc(facade.stk_push) or "").splitlines()[0]
    assert summary and summary in shown
    assert "Raises:" in shown and "K2AmbiguousOutcomeError" in shown


@pytest.mark.parametrize("facade", [K2, AsyncK2], ids=["K2", "AsyncK2"])
def test_the_client_shows_every_option_by_name(site: Path, facade: type[K2] | type[AsyncK2]) -> None:
    """The class entry's signature and its Args list each option ``help()`` shows, not ``**options``."""
    shown = text_of(entry(page(site, "reference/client"), f"k2connect_ext.{facade.__name__}"))
    signature, _, described = shown.partition("Parameters:")
    described = described.partition("Raises:")[0]
    assert "**options" not in shown
    parameters = list(inspect.signature(facade).parameters)
    assert {"base_url", "timeout", "retry", "ledger"} <= set(parameters)
    for name in parameters:
        assert re.search(rf"\b{name}\b", signature), f"{facade.__name__}: {name} is not in the signature"
        assert re.search(rf"\b{name}\b", described), f"{facade.__name__}: {name} is not described"


def test_every_public_name_has_its_entry(site: Path) -> None:
    reference = "".join(path.read_text(encoding="utf-8") for path in (site / "reference").rglob("index.html"))
    missing = [
        name
        for name in public_names()
        if f'id="{name}"' not in reference and f'id="{reexported_from_root(name)}"' not in reference
    ]
    assert not missing, missing


def test_docstrings_read_as_markdown(site: Path) -> None:
    """Sphinx roles became code (linked where the reference has the name); RST's ``::`` is gone."""
    reference = "".join(path.read_text(encoding="utf-8") for path in (site / "reference").rglob("index.html"))
    assert not re.search(r":(class|func|meth|mod|attr|exc|data|obj):`", reference)
    assert 'href="#k2connect_ext.Ledger"' in page(site, "reference/intents")


def test_the_errors_page_draws_the_tree(site: Path) -> None:
    shown = text_of(page(site, "reference/errors"))
    assert "├── K2ConfigError" in shown and "K2IntentConflictError" in shown


def test_the_webhooks_page_has_every_event_and_callback(site: Path) -> None:
    markup = page(site, "webhooks")
    spec = event_docs().load_spec(event_docs().K2_SPEC)
    for topic in spec["webhooks"]:
        assert f'id="{topic}"' in markup, topic
    for callback in event_docs().load_callbacks(spec):
        assert f'id="callback-{callback.type}"' in markup, callback.type


def test_the_sandbox_page_has_every_endpoint(site: Path) -> None:
    markup = page(site, "sandbox")
    spec = event_docs().load_spec(event_docs().CONTROL_SPEC)
    for _, _, operation in event_docs()._operations(spec):
        assert f'id="{operation["operationId"]}"' in markup


def _command_paths(group: click.Group, prefix: str) -> Iterator[str]:
    for name, command in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _command_paths(command, f"{prefix} {name}")


def test_the_cli_page_lists_every_subcommand(site: Path) -> None:
    markup = page(site, "cli")
    paths = list(_command_paths(cli, "k2connect"))
    assert "k2connect intents list" in paths
    for path in paths:
        assert f'id="{path.replace(" ", "-")}"' in markup, path
    assert "Sentinel" not in markup  # a default click reports as unset is not shown as a value


def test_the_cli_page_shows_the_exit_codes_and_the_sandbox_options(site: Path) -> None:
    shown = text_of(page(site, "cli"))
    assert "130 interrupted" in shown
    options = [flag for action in sandbox_parser()._actions for flag in action.option_strings]
    assert "--callback-delay" in options
    for flag in options:
        assert flag in shown, flag


def _headings(path: Path) -> list[str]:
    return [
        line.lstrip("#").strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    ]


@pytest.mark.parametrize(
    ("source", "name"),
    [("README.md", ""), ("CONTRIBUTING.md", "CONTRIBUTING"), ("CHANGELOG.md", "CHANGELOG")],
)
def test_the_included_files_are_there_whole(site: Path, source: str, name: str) -> None:
    """README.md, CONTRIBUTING.md and CHANGELOG.md are included, not copied: every section of today's file."""
    shown = text_of(page(site, name))
    lines = (REPO_ROOT / source).read_text(encoding="utf-8").splitlines()
    title = next(line for line in lines if line.startswith("# "))
    assert title.lstrip("# ").strip() in shown
    for heading in _headings(REPO_ROOT / source):
        assert text_of(heading).replace("`", "") in shown, heading
