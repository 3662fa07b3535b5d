"""Load the K2 OpenAPI document and the sandbox's own control-API document.

The wheel ships the K2 spec as package data (``k2connect_sandbox/spec/k2connect.yaml``); in a source
checkout with an editable install it lives at ``<repo>/openapi/k2connect.yaml``. The package copy wins
so an installed sandbox never reads a stray file from the working directory. ``SandboxConfig.spec_path``
serves another copy instead (``load_spec``): a spec with a new endpoint, once the client and its operation
registry are generated from it.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["control_spec", "k2_spec", "k2_spec_source", "load_spec"]

_PACKAGE = "k2connect_sandbox"
_REPO_SPEC = Path(__file__).resolve().parents[1] / "openapi" / "k2connect.yaml"


class _JsonCompatibleLoader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 timestamps: a date in an example must stay a string, or the
    document could not be served as JSON."""


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse(text: str, origin: str) -> dict[str, Any]:
    document = yaml.load(text, Loader=_JsonCompatibleLoader)  # a SafeLoader subclass: no arbitrary objects
    if not isinstance(document, dict):
        raise ValueError(f"{origin} is not an OpenAPI document")
    return document


def k2_spec_source() -> str:
    """Where the K2 spec is read from: the package resource, else the repository file."""
    packaged = resources.files(_PACKAGE).joinpath("spec", "k2connect.yaml")
    if packaged.is_file():
        return f"package:{_PACKAGE}/spec/k2connect.yaml"
    if _REPO_SPEC.is_file():
        return str(_REPO_SPEC)
    raise FileNotFoundError(
        f"K2 OpenAPI spec not found: neither the package resource {_PACKAGE}/spec/k2connect.yaml "
        f"(installed wheel) nor {_REPO_SPEC} (source checkout) exists"
    )


@functools.cache
def k2_spec() -> dict[str, Any]:
    """The K2 Connect OpenAPI 3.1 document (parsed once; treat as read-only)."""
    source = k2_spec_source()
    if source.startswith("package:"):
        text = resources.files(_PACKAGE).joinpath("spec", "k2connect.yaml").read_text(encoding="utf-8")
    else:
        text = Path(source).read_text(encoding="utf-8")
    return _parse(text, source)


def load_spec(path: str | Path) -> dict[str, Any]:
    """The OpenAPI document at ``path`` (YAML or JSON), parsed afresh: for ``SandboxConfig.spec_path``."""
    return _parse(Path(path).read_text(encoding="utf-8"), str(path))


@functools.cache
def control_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the sandbox-only ``/sandbox/`` control API."""
    text = resources.files(_PACKAGE).joinpath("control-api.yaml").read_text(encoding="utf-8")
    return _parse(text, "control-api.yaml")
