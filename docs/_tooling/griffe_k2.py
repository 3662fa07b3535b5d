"""Griffe extensions of the API reference (mkdocs.yml, mkdocstrings ``extensions``).

``SphinxRoles``: the docstrings are written for ``help()`` and IDEs, with Sphinx roles
(``:class:`~k2connect_ext.Ledger```), which Markdown would print as they are. Each role becomes its name in
code, linked to that name's reference when the site documents it (an optional cross-reference: a name the
reference does not show, such as a private helper, stays plain code rather than failing the build). RST's
``Example::`` before an indented block becomes ``Example:`` (the block is already code in Markdown).

``FacadeMethods``: the create methods of ``K2`` and ``AsyncK2`` documented as the methods they are.
``K2.stk_push = _sync_create(ops.stk_push)`` makes a method at import time, with the builder's parameters
and a docstring made from the builder's (``help(K2.stk_push)`` shows both). Griffe reads the source without
running it, so it sees a class attribute holding a call. This turns each such attribute into a method with
the builder's parameters after ``self`` (read from the source, so their types link to their pages), the
return type ``Prepared[X]`` becomes (``Created[X]`` or ``AsyncCreated[X]``, as ``_facade._describe`` does),
and the docstring the method has at run time. Inspecting the whole package at run time is no way out: the
public names' ``__module__`` is rewritten to ``k2connect_ext``, which makes griffe's inspector see cyclic
aliases.

``TakesOptions``: what ``takes_options`` does at run time, done for the reference. ``K2``, ``AsyncK2``,
``connect`` and ``async_connect`` take ``**options: Unpack[K2Options]`` in the source; at run time their
signature and docstring list each option by name. This writes the same keyword-only parameters (annotated
as ``K2Options`` annotates them, read from the source so their types link; defaults from
``OPTION_DEFAULTS``) in place of ``**options``, and uses the docstring ``help()`` shows.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import griffe

PACKAGE = "k2connect_ext"
TAKES_OPTIONS = "k2connect_ext._settings.takes_options"
OPTIONS = "k2connect_ext._settings.K2Options"
# The functions that make a create method from a builder -> (the handle it returns, whether it is async).
MAKERS = {
    "k2connect_ext._facade._sync_create": ("Created", False),
    "k2connect_ext._facade._async_create": ("AsyncCreated", True),
}

_ROLE = re.compile(r":(?:py:)?(?P<role>class|func|meth|mod|attr|exc|data|obj|const):`(?P<target>[^`]+)`")
_TITLED = re.compile(r"^(?P<title>.+?)\s*<(?P<name>[^<>]+)>$")  # :meth:`title <path>`
_LITERAL_BLOCK = re.compile(r"(?m)(?<=\S)::$")


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles and RST literal-block markers in every docstring of the package as Markdown."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.path != PACKAGE:
            return
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = markdown_of(obj.docstring.value, obj, loader)


class FacadeMethods(griffe.Extension):
    """Replace each ``name = _sync_create(ops.name)`` attribute with the method it makes."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.path != PACKAGE:
            return
        for cls in _objects(pkg):
            if not isinstance(cls, griffe.Class):
                continue
            for name, member in list(cls.members.items()):
                if not member.is_alias and isinstance(member, griffe.Attribute):
                    made = _made_method(cls, member, loader)
                    if made is not None:
                        cls.set_member(name, made)


class TakesOptions(griffe.Extension):
    """Replace ``**options`` with each option by name where ``@takes_options`` decorates."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.path != PACKAGE:
            return
        options = loader.modules_collection.get_member(OPTIONS)
        for obj in _objects(pkg):
            if isinstance(obj, griffe.Class | griffe.Function) and _takes_options(obj):
                function = obj.members["__init__"] if isinstance(obj, griffe.Class) else obj
                assert isinstance(function, griffe.Function), function
                function.parameters = griffe.Parameters(
                    *(p for p in function.parameters if p.kind is not griffe.ParameterKind.var_keyword),
                    *_option_parameters(options),
                )
                docstring = inspect.getdoc(_runtime(obj))
                assert obj.docstring is not None and docstring, obj.path
                obj.docstring.value = markdown_of(docstring, obj, loader)


def _takes_options(obj: griffe.Class | griffe.Function) -> bool:
    return any(decorator.callable_path == TAKES_OPTIONS for decorator in obj.decorators)


def _option_parameters(options: griffe.Object) -> list[griffe.Parameter]:
    """Each attribute of the ``K2Options`` TypedDict as a keyword-only parameter, with its default."""
    defaults = vars(importlib.import_module("k2connect_ext._settings"))["OPTION_DEFAULTS"]
    return [
        griffe.Parameter(
            name,
            kind=griffe.ParameterKind.keyword_only,
            annotation=attribute.annotation,
            default=_written(defaults[name]),
        )
        for name, attribute in options.members.items()
        if isinstance(attribute, griffe.Attribute)
    ]


def _written(value: object) -> str:
    """A default as source would write it: ``time.time``, not ``<built-in function time>``."""
    if callable(value):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


def _runtime(obj: griffe.Object) -> Any:
    return getattr(importlib.import_module(obj.module.path), obj.name)


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    """``obj`` and every object defined in it (aliases, which live elsewhere, left out)."""
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            found += _objects(member)
    return found


def markdown_of(docstring: str, owner: griffe.Object, loader: griffe.GriffeLoader) -> str:
    """``docstring`` with its roles as (optionally linked) code and ``X::`` as ``X:``."""

    def replace(role: re.Match[str]) -> str:
        written = role["target"]
        titled = _TITLED.match(written)
        name = (titled["name"] if titled else written).lstrip("~!")
        if titled:
            shown = titled["title"]
        else:
            shown = name.rsplit(".", 1)[-1] if written.startswith("~") else name
            if role["role"] in ("func", "meth"):
                shown += "()"
        code = f"<code>{shown}</code>"
        target = _resolve(name, owner, loader)
        if target is None:
            return code
        return f'<autoref identifier="{target}" optional>{code}</autoref>'

    return _LITERAL_BLOCK.sub(":", _ROLE.sub(replace, docstring))


def _resolve(name: str, owner: griffe.Object, loader: griffe.GriffeLoader) -> str | None:
    """The path of what ``name`` means in ``owner``'s scope, or None when griffe cannot tell."""
    first, _, rest = name.partition(".")
    scope: griffe.Object | None = owner
    path: str | None = None
    while scope is not None and path is None:
        try:
            path = scope.resolve(first)
        except (griffe.NameResolutionError, ValueError):
            scope = scope.parent
    candidates = [f"{path}.{rest}" if rest else path] if path else []
    candidates.append(name)  # a full dotted path
    for candidate in candidates:
        try:
            found = loader.modules_collection.get_member(candidate)
            return str(found.final_target.path if found.is_alias else found.path)
        except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue
    return None


def _made_method(
    cls: griffe.Class, attribute: griffe.Attribute, loader: griffe.GriffeLoader
) -> griffe.Function | None:
    call = attribute.value
    if not isinstance(call, griffe.ExprCall) or len(call.arguments) != 1:
        return None
    maker = MAKERS.get(_canonical(call.function))
    argument = call.arguments[0]
    if maker is None or not isinstance(argument, griffe.Expr):
        return None
    builder = loader.modules_collection.get_member(argument.canonical_path)
    if not isinstance(builder, griffe.Function):
        return None
    handle, is_async = maker
    method = griffe.Function(
        attribute.name,
        lineno=attribute.lineno,
        endlineno=attribute.endlineno,
        parameters=griffe.Parameters(
            griffe.Parameter("self", kind=griffe.ParameterKind.positional_only),
            *builder.parameters,
        ),
        returns=_handle_of(builder.returns, handle, cls),
        parent=cls,
    )
    docstring = runtime_docstring(cls, attribute.name)
    if docstring:
        method.docstring = griffe.Docstring(
            markdown_of(docstring, method, loader),
            lineno=attribute.lineno,
            parent=method,
            parser=loader.docstring_parser,  # the style mkdocs.yml sets (Google), as every other docstring
            parser_options=loader.docstring_options,
        )
    if is_async:
        method.labels.add("async")
    return method


def runtime_docstring(cls: griffe.Class, name: str) -> str | None:
    """The docstring ``cls.name`` has once its module has run (the one ``help()`` shows)."""
    return inspect.getdoc(getattr(_runtime(cls), name))


def _canonical(expression: str | griffe.Expr) -> str:
    return expression.canonical_path if isinstance(expression, griffe.Expr) else expression


def _handle_of(returns: str | griffe.Expr | None, handle: str, cls: griffe.Class) -> str | griffe.Expr | None:
    """``Prepared[X]`` -> ``Created[X]`` (or ``AsyncCreated[X]``); anything else unchanged."""
    if isinstance(returns, griffe.ExprSubscript) and _canonical(returns.left).endswith(".Prepared"):
        return griffe.ExprSubscript(griffe.ExprName(handle, parent=cls), returns.slice)
    return returns
