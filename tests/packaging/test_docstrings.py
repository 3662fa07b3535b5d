"""Every public callable documents each of its parameters, what it returns, and renders without a warning.

The public surface is what a user can reach: the names in ``k2connect_ext.__all__`` and
``k2connect_ext.webhooks.__all__``, the framework adapters' ``__all__``, and every public method and
property of those classes (inherited ones included, once each). Each callable is one case, named after it,
so a failure says which one to fix.

Docstrings are parsed with griffe's Google parser, the one mkdocstrings uses for the docs site, against the
signature Python reports at run time (``inspect.signature``: the one ``help()`` shows, generated methods
included), so a parameter documented under another name, or forgotten, fails here rather than in the
strict docs build. Griffe's own warnings (an entry it cannot read, a confusing indentation) fail too.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any, is_typeddict

import griffe
import pytest

PUBLIC_MODULES = ("k2connect_ext", "k2connect_ext.webhooks")
ADAPTERS = (
    "k2connect_ext.webhooks.adapters.starlette",
    "k2connect_ext.webhooks.adapters.flask",
    "k2connect_ext.webhooks.adapters.django",
)
# The sections a parameter may be documented in: Args (or Parameters), and Other Parameters.
PARAMETER_SECTIONS = (griffe.DocstringSectionKind.parameters, griffe.DocstringSectionKind.other_parameters)


def _ours(owner: type) -> bool:
    return owner.__module__.startswith("k2connect_ext")


def _public_objects() -> Iterator[tuple[str, Any]]:
    for module_name in (*PUBLIC_MODULES, *ADAPTERS):
        module: ModuleType = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                yield f"{module_name}.{name}", value


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties of ``cls`` that this SDK defines (not ``object``'s or ``Enum``'s)."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((base for base in cls.__mro__ if name in vars(base)), None)
        if owner is None or not _ours(owner):
            continue
        raw = vars(owner)[name]
        if isinstance(raw, property):
            yield name, raw
        elif isinstance(raw, staticmethod | classmethod):
            yield name, getattr(cls, name)
        elif inspect.isfunction(raw):
            yield name, raw


def _cases() -> list[tuple[str, Any]]:
    cases: list[tuple[str, Any]] = []
    seen: set[int] = set()

    def add(name: str, value: Any) -> None:
        identity = id(value.__func__ if inspect.ismethod(value) else value)
        if identity not in seen:
            seen.add(identity)
            cases.append((name, value))

    for name, value in _public_objects():
        add(name, value)
        if inspect.isclass(value):
            for member_name, member in _members(value):
                add(f"{name}.{member_name}", member)
    return cases


CASES = _cases()


# ---------------------------------------------------------------------------------- parsing, as griffe does
class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}


def _annotation(value: object) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _griffe_function(name: str, signature: inspect.Signature) -> griffe.Function:
    parameters = [
        griffe.Parameter(
            parameter.name,
            annotation=_annotation(parameter.annotation),
            kind=_KINDS[parameter.kind],
            default=None if parameter.default is inspect.Parameter.empty else repr(parameter.default),
        )
        for parameter in signature.parameters.values()
    ]
    return griffe.Function(
        name, parameters=griffe.Parameters(*parameters), returns=_annotation(signature.return_annotation)
    )


def _parse(text: str, parent: griffe.Object | None) -> tuple[list[griffe.DocstringSection], list[str]]:
    """The sections of a docstring, and the warnings griffe logs while reading them."""
    docstring = griffe.Docstring(inspect.cleandoc(text), lineno=1, parent=parent)
    handler = _Warnings()
    logger = logging.getLogger("griffe")
    logger.addHandler(handler)
    try:
        sections = griffe.parse_google(docstring)
    finally:
        logger.removeHandler(handler)
    return sections, handler.messages


def _names(sections: list[griffe.DocstringSection], *kinds: griffe.DocstringSectionKind) -> list[str]:
    return [item.name for section in sections if section.kind in kinds for item in section.value]


def _has(sections: list[griffe.DocstringSection], kind: griffe.DocstringSectionKind) -> bool:
    return any(section.kind is kind for section in sections)


def _documentable(signature: inspect.Signature) -> list[inspect.Parameter]:
    """The parameters a docstring documents: all but a method's ``self`` (or a classmethod's ``cls``)."""
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    return parameters


def _starred(parameter: inspect.Parameter) -> str:
    stars: dict[inspect._ParameterKind, str] = {
        inspect.Parameter.VAR_POSITIONAL: "*",
        inspect.Parameter.VAR_KEYWORD: "**",
    }
    return stars.get(parameter.kind, "") + parameter.name


def _parameter_problems(
    parameters: list[inspect.Parameter], documented: list[str], attributes: Sequence[str] = ()
) -> list[str]:
    """Each parameter without an entry, and each entry (under Args) naming no parameter. An attrs class's
    fields are its parameters: an entry under Attributes documents one too, but may name other things."""
    names = {parameter.name for parameter in parameters}
    given = {name.lstrip("*") for name in [*documented, *attributes]}
    missing = [f"parameter {_starred(p)!r} is not documented" for p in parameters if p.name not in given]
    unknown = [
        f"documents {name!r}, which is no parameter" for name in documented if name.lstrip("*") not in names
    ]
    return missing + unknown


def _returns_nothing(signature: inspect.Signature) -> bool:
    return signature.return_annotation in (None, "None")


# ---------------------------------------------------------------------------------- the checks
def _function_problems(name: str, function: Callable[..., Any]) -> list[str]:
    doc = inspect.getdoc(function)
    if not doc:
        return ["has no docstring"]
    signature = inspect.signature(function)
    sections, warnings = _parse(doc, _griffe_function(name, signature))
    documented = _names(sections, *PARAMETER_SECTIONS)
    parameters = _documentable(signature)
    problems = _parameter_problems(parameters, documented)
    if not _returns_nothing(signature) and not _has(sections, griffe.DocstringSectionKind.returns):
        problems.append(f"has no Returns: section (it returns {signature.return_annotation})")
    return problems + _layout_problems(sections) + [f"griffe: {warning}" for warning in warnings]


def _layout_problems(sections: list[griffe.DocstringSection]) -> list[str]:
    """Entries griffe reads apart from what was meant: a continuation line not indented under its entry
    starts a new one (a second return value, or an exception named by the words before a colon)."""
    returned = [
        item
        for section in sections
        if section.kind is griffe.DocstringSectionKind.returns
        for item in section.value
    ]
    raised = [
        str(item.annotation)
        for section in sections
        if section.kind is griffe.DocstringSectionKind.raises
        for item in section.value
    ]
    problems = (
        [f"Returns: has {len(returned)} entries; indent continuation lines"] if len(returned) > 1 else []
    )
    return problems + [
        f"Raises: {name!r} is no exception name"
        for name in raised
        if not all(part.isidentifier() for part in name.split("."))
    ]


def _property_problems(prop: property) -> list[str]:
    doc = inspect.getdoc(prop)
    if not doc:
        return ["has no docstring"]
    sections, warnings = _parse(doc, None)
    return _layout_problems(sections) + [f"griffe: {warning}" for warning in warnings]


def _init_owner(cls: type) -> type | None:
    """The class whose ``__init__`` builds ``cls``, when this SDK wrote that ``__init__`` (``object``'s,
    ``Exception``'s and a ``Protocol``'s stand-in take nothing to document)."""
    owner = next(base for base in cls.__mro__ if "__init__" in vars(base))
    written_here = getattr(vars(owner)["__init__"], "__module__", None) != "typing"
    return owner if _ours(owner) and written_here else None


def _class_problems(cls: type) -> list[str]:
    doc = cls.__doc__
    if not doc or not doc.strip():
        return ["has no docstring of its own"]
    owner = _init_owner(cls)
    if is_typeddict(cls):
        sections, warnings = _parse(doc, None)
        documented = _names(sections, griffe.DocstringSectionKind.attributes)
        missing = [
            f"key {key!r} is not in Attributes:" for key in cls.__annotations__ if key not in documented
        ]
        return missing + [f"griffe: {warning}" for warning in warnings]
    if owner is None or issubclass(cls, enum.Enum):
        return [f"griffe: {warning}" for warning in _parse(doc, None)[1]]
    # The constructor's parameters are documented on the class that defines __init__: in its docstring's
    # Args (or Attributes, for an attrs class whose fields are its parameters), or in __init__'s own.
    signature = inspect.signature(vars(owner)["__init__"])
    init = _griffe_function("__init__", signature)
    parent = griffe.Class(owner.__name__)
    parent.set_member("__init__", init)
    sections, warnings = _parse(owner.__doc__ or "", parent)
    init_sections, init_warnings = _parse(inspect.getdoc(vars(owner)["__init__"]) or "", init)
    documented = _names(sections + init_sections, *PARAMETER_SECTIONS)
    attributes = _names(sections, griffe.DocstringSectionKind.attributes)
    problems = _parameter_problems(_documentable(signature), documented, attributes)
    own_warnings = [] if owner is cls else _parse(doc, None)[1]
    problems += _layout_problems(sections + init_sections)
    return problems + [f"griffe: {warning}" for warning in warnings + init_warnings + own_warnings]


# Public names documented in files another change owns: the docstrings they need are proposed to that file's
# owner. Strict: once a docstring is complete, its case passes, and the entry here must go.
AWAITING: dict[str, str] = {}


def _case(name: str, value: Any) -> Any:
    if name in AWAITING:
        return pytest.param(name, value, id=name, marks=pytest.mark.xfail(strict=True, reason=AWAITING[name]))
    return pytest.param(name, value, id=name)


@pytest.mark.parametrize(("name", "value"), [_case(name, value) for name, value in CASES])
def test_public_callable_is_documented(name: str, value: Any) -> None:
    """Each parameter has an entry, each entry a parameter, and what returns something says what it is."""
    if isinstance(value, property):
        problems = _property_problems(value)
    elif inspect.isclass(value):
        problems = _class_problems(value)
    else:
        problems = _function_problems(name, value)
    assert problems == [], f"{name}: " + "; ".join(problems)


def test_the_surface_is_walked() -> None:
    """The walk reaches classes, their methods (generated ones included) and properties, and the adapters;
    every name awaiting another file's docstring is one it walks."""
    names = {name for name, _ in CASES}
    assert set(AWAITING) <= names
    for expected in (
        "k2connect_ext.K2",
        "k2connect_ext.K2.stk_push",
        "k2connect_ext.AsyncK2.aclose",
        "k2connect_ext.K2.intents",
        "k2connect_ext.Intents.send_money",
        "k2connect_ext.State",
        "k2connect_ext.webhooks.K2Event.is_success",
        "k2connect_ext.webhooks.adapters.django.webhook_view",
        "k2connect_ext.K2InputError",
    ):
        assert expected in names


def test_the_checks_find_each_problem() -> None:
    """A forgotten parameter, one documented under another name, a missing Returns, a continuation line
    that is not indented, and an entry griffe cannot read are each reported."""

    def pay(amount: int, phone: str) -> str:
        """Pay.

        Args:
            amount: the sum.
            phon: the number.
            just words

        Returns:
            The receipt,
            on two lines.
        """
        return ""

    def refund(amount: int) -> str:
        """Refund.

        Args:
            amount: the sum.
        """
        return ""

    problems = _function_problems("pay", pay)
    assert "parameter 'phone' is not documented" in problems
    assert "documents 'phon', which is no parameter" in problems
    assert "Returns: has 2 entries; indent continuation lines" in problems
    assert any(problem.startswith("griffe: ") and "just words" in problem for problem in problems)
    assert _function_problems("refund", refund) == ["has no Returns: section (it returns str)"]
