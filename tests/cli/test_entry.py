"""The console scripts without their extra: one line naming the extra to install, exit 2, no traceback.

Each test runs the installed script (or ``python -m k2connect_cli``) in a real process with a directory on
``PYTHONPATH`` that takes a module away: a ``sitecustomize`` that blocks it (``sys.modules[name] = None``,
as when it is not installed), or a package of the same name that fails to import (a broken install).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from k2connect_cli._entry import CLI, SANDBOX, Extra, missing_extra_message
from k2connect_cli.exit_codes import ExitCode

from .conftest import Invoke, assert_clean

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent

CLI_LINE = "k2connect: the command line needs the \"cli\" extra: pip install 'k2connect-sdk[cli]'"
SANDBOX_LINE = (
    "k2connect-sandbox: the sandbox needs the \"sandbox\" extra: pip install 'k2connect-sdk[sandbox]'"
)
SCRIPTS = {"k2connect": (CLI, CLI_LINE), "k2connect-sandbox": (SANDBOX, SANDBOX_LINE)}
CASES = [(script, module) for script, (extra, _) in SCRIPTS.items() for module in sorted(extra.modules)]


def _run(command: list[str], path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("K2", "PYTHON"))}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def _blocking(tmp_path: Path, *modules: str) -> Path:
    """A directory whose ``sitecustomize`` makes ``modules`` unimportable, as if not installed."""
    lines = ["import sys"] + [f"sys.modules[{name!r}] = None" for name in modules]
    (tmp_path / "sitecustomize.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _broken(tmp_path: Path, module: str, body: str) -> Path:
    """A directory with a package ``module`` (found first) whose import runs ``body``."""
    package = tmp_path / module
    package.mkdir()
    (package / "__init__.py").write_text(body + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("script", "module"), CASES, ids=[f"{s}-{m}" for s, m in CASES])
def test_missing_extra_is_one_line_and_exit_2(script: str, module: str, tmp_path: Path) -> None:
    """Each module of the extra missing: the installed script prints one line naming the extra, exits 2."""
    done = _run([str(BIN / script), "--help"], _blocking(tmp_path, module))
    assert (done.returncode, done.stderr, done.stdout) == (2, SCRIPTS[script][1] + "\n", "")


def test_python_m_k2connect_cli_says_the_same(tmp_path: Path) -> None:
    """``python -m k2connect_cli`` goes through the same entry point."""
    done = _run([sys.executable, "-m", "k2connect_cli", "--help"], _blocking(tmp_path, "click"))
    assert (done.returncode, done.stderr, done.stdout) == (2, CLI_LINE + "\n", "")


def test_shim_run_from_a_prelude_says_the_same() -> None:
    """The entry point itself, with the extra blocked by a ``-c`` prelude rather than a sitecustomize."""
    for name, extra, line in (("main", CLI, CLI_LINE), ("sandbox_main", SANDBOX, SANDBOX_LINE)):
        blocked = "; ".join(f"sys.modules[{module!r}] = None" for module in sorted(extra.modules))
        code = f"import sys; {blocked}; from k2connect_cli._entry import {name}; {name}()"
        done = _run([sys.executable, "-c", code])
        assert (done.returncode, done.stderr, done.stdout) == (2, line + "\n", "")


@pytest.mark.parametrize(("script", "module"), [("k2connect", "click"), ("k2connect-sandbox", "uvicorn")])
def test_installed_but_broken_extra_is_the_same_line(script: str, module: str, tmp_path: Path) -> None:
    """A module of the extra that is there but fails to import (an old version, a broken install) gets
    the same line: installing the extra is what mends it."""
    path = _broken(
        tmp_path, module, f"raise ImportError('cannot import name x from {module}', name={module!r})"
    )
    done = _run([str(BIN / script), "--help"], path)
    assert (done.returncode, done.stderr, done.stdout) == (2, SCRIPTS[script][1] + "\n", "")


@pytest.mark.parametrize(
    ("script", "blocked"),
    [
        ("k2connect", "k2connect_cli.state"),
        ("k2connect", "httpx"),
        ("k2connect-sandbox", "k2connect_sandbox.tls"),
    ],
)
def test_other_import_errors_are_not_hidden(script: str, blocked: str, tmp_path: Path) -> None:
    """An ImportError of a module that is not the extra's (the SDK's own, a core dependency) is a bug or a
    broken install: its traceback is shown, and nothing talks of an extra."""
    done = _run([str(BIN / script), "--help"], _blocking(tmp_path, blocked))
    assert done.returncode == 1, done.stderr
    assert "Traceback" in done.stderr
    assert f"ModuleNotFoundError: import of {blocked} halted" in done.stderr
    assert "extra" not in done.stderr


def test_an_import_error_inside_the_extra_naming_another_module_is_not_hidden(tmp_path: Path) -> None:
    """click is there but itself needs a module that is not: that module's name is in the traceback."""
    path = _broken(tmp_path, "click", "import k2connect_no_such_module")
    done = _run([str(BIN / "k2connect"), "--help"], path)
    assert done.returncode == 1
    assert "No module named 'k2connect_no_such_module'" in done.stderr
    assert "extra" not in done.stderr


def test_the_scripts_run_with_their_extras() -> None:
    """With everything installed both scripts start (``--help``) and exit 0."""
    for script in SCRIPTS:
        done = _run([str(BIN / script), "--help"])
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(("Usage: k2connect", "usage: k2connect-sandbox"))


def test_entry_point_imports_the_standard_library_only() -> None:
    """Importing the entry point loads nothing outside the standard library and ``k2connect_cli``'s own
    stdlib-only modules, even with every module of both extras blocked."""
    blocked = "; ".join(f"sys.modules[{m!r}] = None" for m in sorted(CLI.modules | SANDBOX.modules))
    code = (
        f"import sys; {blocked}; before = set(sys.modules)\n"
        "import k2connect_cli._entry\n"
        "new = {name.partition('.')[0] for name in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names)))"
    )
    done = _run([sys.executable, "-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['k2connect_cli']"


def test_pyproject_scripts_point_at_the_entry_point() -> None:
    """Both console scripts start in ``k2connect_cli._entry``."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {
        "k2connect": "k2connect_cli._entry:main",
        "k2connect-sandbox": "k2connect_cli._entry:sandbox_main",
    }


def test_message_names_the_extra() -> None:
    assert missing_extra_message(CLI) == CLI_LINE.removeprefix("k2connect: ")
    assert missing_extra_message(SANDBOX) == SANDBOX_LINE.removeprefix("k2connect-sandbox: ")


def test_provides_matches_top_level_modules_only() -> None:
    assert CLI.provides("rich.console") and CLI.provides("click")
    assert not CLI.provides("clickhouse") and not CLI.provides(None) and not CLI.provides("httpx")


# ---------------------------------------------------------------- the module lists follow pyproject


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(extra: str) -> set[str]:
    """The distributions the extra ``extra`` of pyproject.toml names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normal(re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0])
        for req in project["optional-dependencies"][extra]
    }


def _imported(package: str) -> set[str]:
    """The top-level modules the code of ``package`` imports (at import time or inside functions)."""
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.partition(".")[0])
    return found


@pytest.mark.parametrize(("extra", "package"), [(CLI, "k2connect_cli"), (SANDBOX, "k2connect_sandbox")])
def test_modules_checked_are_those_the_code_imports_from_the_extra(extra: Extra, package: str) -> None:
    """The entry point checks exactly the modules ``package`` imports that the extra's distributions
    provide: a library added to the extra and imported is checked, one dropped is not asked for."""
    wanted = _requirements(extra.name)
    owners = metadata.packages_distributions()
    from_extra = {
        module
        for module in _imported(package)
        if any(_normal(dist) in wanted for dist in owners.get(module, ()))
    }
    assert from_extra == extra.modules


# ---------------------------------------------------------------- k2connect sandbox serve


def test_serve_without_the_sandbox_extra_says_which(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """``k2connect sandbox serve`` without the sandbox's libraries: the same words and the same exit 2
    as the ``k2connect-sandbox`` script, in the command line's one ``error:`` line."""
    monkeypatch.delitem(sys.modules, "k2connect_sandbox.__main__", raising=False)
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = run(["sandbox", "serve", "--port", "0"])
    assert_clean(result, int(ExitCode.USAGE))
    assert result.stderr == f"error: {missing_extra_message(SANDBOX)}\n"


def test_serve_does_not_hide_another_import_error(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ImportError that is not the extra's is a bug (exit 70), not "install the sandbox"."""
    monkeypatch.setitem(sys.modules, "k2connect_sandbox.__main__", None)
    result = run(["sandbox", "serve", "--port", "0"])
    assert_clean(result, int(ExitCode.INTERNAL))
    assert "extra" not in result.stderr
    run_debug = run(["sandbox", "serve", "--port", "0"], env={"K2CONNECT_DEBUG": "1"})
    assert isinstance(run_debug.exception, ModuleNotFoundError)
