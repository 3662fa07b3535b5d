"""Every logger of the SDK lives under ``k2connect.*``, so one ``logging.getLogger("k2connect")`` setting
reaches all of them (and none is named after a private module that may move)."""

from __future__ import annotations

import ast
import pathlib

import k2connect_ext

PACKAGE = pathlib.Path(k2connect_ext.__file__).parent


def _logger_names() -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "getLogger"
            ):
                arg = node.args[0] if node.args else None
                value = arg.value if isinstance(arg, ast.Constant) else ast.unparse(arg) if arg else None
                found.setdefault(str(path.relative_to(PACKAGE)), []).append(value)
    return found


def test_every_logger_is_under_k2connect() -> None:
    """Each getLogger call names a literal ``k2connect.<area>`` logger (not ``__name__``, not the root); only
    ``_logging`` (``K2CONNECT_LOG``'s handler) reaches for the package's own ``k2connect`` logger."""
    names = _logger_names()
    assert names, "no logger found: the scan is broken"
    for module, values in names.items():
        for value in values:
            assert isinstance(value, str), (module, value)
            assert value.startswith("k2connect.") or (module, value) == ("_logging.py", "k2connect")
