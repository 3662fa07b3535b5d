"""Write ``generated/k2connect_client/registry.py``: what every K2 operation and resource is, from the spec.

The SDK's layers all need the same few facts about an operation or a resource: which generated functions call
it, its method and path, the status that means success, whether repeating it is safe, whether it moves money,
what its ``Location`` leads to (the resource's kind, the generated GET that reads it, the model it returns)
and which callback reports its outcome. Written by hand, each layer kept its own copy. Here they are read
from ``openapi/k2connect.yaml`` once:

* an operation's success status is its documented 2xx response;
* a create's resource is where the ``links`` of its 2xx lead: the GET operation, whose 200 schema is the
  resource's model; the resource's *kind* is that schema's name in snake case, without ``Result``;
* a resource's Location collections are the paths of the GETs that return its model;
* a create's callback is its ``callbacks`` entry: the path item's operationId ``callback_<type>_result``
  names the ``data.type`` K2 sends;
* whether a result echoes ``metadata`` is whether its schema has ``data.attributes.metadata``;
* the webhook topics are the spec's ``webhooks``, and each version's subscribable topics its
  ``WebhookV1EventType`` / ``WebhookV2EventType`` enums.

What the spec cannot say is said with vendor extensions on the operation: ``x-k2connect-moves-money: true``
(K2 pays money out or asks a customer for it when this create succeeds) and
``x-k2connect-found-by-polling: true`` (the transaction also shows up in ``poll_transactions``, a way to
reconcile an unknown outcome). On a resource's schema, ``x-k2connect-fields`` says where a finished result's
facts live: ``{reference, amount, currency, phone, status}``, each a path in the body (``data.attributes.x``;
``key[]`` reads on in each item of a list, and the fact exists only when one item is reached) or null where K2
sends no such fact. The model template turns them into the model's properties; here each path is checked
against the schema (a typo would otherwise read None forever) and the table is written as ``RESULT_FIELDS``.

    python scripts/generate_registry.py                  # rewrite the module
    python scripts/generate_registry.py --output FILE    # write FILE instead (``make check-generated``)
    python scripts/generate_registry.py --check          # exit 1 when the module is stale
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "openapi" / "k2connect.yaml"
OUTPUT_PATH = REPO_ROOT / "generated" / "k2connect_client" / "registry.py"
MOVES_MONEY = "x-k2connect-moves-money"
FOUND_BY_POLLING = "x-k2connect-found-by-polling"
_METHODS = ("get", "post", "put", "patch", "delete")
_CALLBACK_ID = re.compile(r"callback_([a-z_]+)_result")
RESULT_FIELDS = "x-k2connect-fields"
RESULT_FACTS = ("reference", "amount", "currency", "phone", "status")
# The model template adds these properties: a schema property of the same name would be shadowed.
_RESULT_PROPERTIES = (*RESULT_FACTS, "state")
_FACT_PATH = re.compile(r"[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)*")


class SpecError(Exception):
    """The spec says something the registry cannot hold (a bug to fix in the spec, not to skip)."""


@dataclass(frozen=True)
class Op:
    name: str
    tag: str
    method: str
    path: str
    version: str | None
    success: int
    repeatable: bool
    moves_money: bool
    found_by_polling: bool
    result: str | None  # model class name of the 2xx body, or of the resource a create's Location leads to
    kind: str | None
    callback: str | None
    is_create: bool


@dataclass(frozen=True)
class Kind:
    kind: str
    model: str
    getters: tuple[tuple[str, str, str], ...]  # (version, collection, GET operation name)
    callback: str | None
    echoes_metadata: bool


def _ref_name(schema: Mapping[str, Any] | None) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, Mapping) else None
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def kind_of(model: str) -> str:
    """``IncomingPaymentResult`` -> ``incoming_payment``; ``MerchantAccount`` -> ``merchant_account``."""
    return _snake(model.removesuffix("Result"))


def _resolve(spec: Mapping[str, Any], schema: Any) -> Any:
    seen = 0
    while isinstance(schema, Mapping) and "$ref" in schema:
        seen += 1
        if seen > 20:
            raise SpecError(f"a $ref cycle at {schema['$ref']}")
        node: Any = spec
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _has_path(spec: Mapping[str, Any], schema: Any, path: tuple[str, ...], depth: int = 0) -> bool:
    """Whether some branch of ``schema`` declares the property path ``path``."""
    schema = _resolve(spec, schema)
    if not path:
        return True
    if not isinstance(schema, Mapping) or depth > 30:
        return False
    for key in ("allOf", "oneOf", "anyOf"):
        if any(_has_path(spec, branch, path, depth + 1) for branch in schema.get(key, ())):
            return True
    properties = schema.get("properties", {})
    return path[0] in properties and _has_path(spec, properties[path[0]], path[1:], depth + 1)


def _declares(spec: Mapping[str, Any], schema: Any, steps: tuple[str, ...], depth: int = 0) -> bool:
    """Whether some branch of ``schema`` declares the fact path ``steps`` (``key[]``: the array's items)."""
    schema = _resolve(spec, schema)
    if not steps:
        return True
    if not isinstance(schema, Mapping) or depth > 30:
        return False
    for key in ("allOf", "oneOf", "anyOf"):
        if any(_declares(spec, branch, steps, depth + 1) for branch in schema.get(key, ())):
            return True
    step, rest = steps[0], steps[1:]
    found = schema.get("properties", {}).get(step.removesuffix("[]"))
    if found is not None and step.endswith("[]"):
        found = _resolve(spec, found).get("items")
    return found is not None and _declares(spec, found, rest, depth + 1)


def result_fields(spec: Mapping[str, Any], kinds: list[Kind]) -> dict[str, dict[str, str | None]]:
    """Each kind's ``x-k2connect-fields`` (fact -> path in the body, or None), checked against its schema."""
    kind_of_model = {kind.model: kind.kind for kind in kinds}
    found: dict[str, dict[str, str | None]] = {}
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        fields = schema.get(RESULT_FIELDS) if isinstance(schema, Mapping) else None
        if fields is None:
            continue
        where = f"components.schemas.{name}.{RESULT_FIELDS}"
        if name not in kind_of_model:
            raise SpecError(
                f"{where}: only the model of a resource (what a Location reads) has result fields"
            )
        if not isinstance(fields, Mapping) or sorted(fields) != sorted(RESULT_FACTS):
            raise SpecError(f"{where}: name exactly {', '.join(RESULT_FACTS)} (null where K2 sends none)")
        for fact, path in fields.items():
            if path is not None and not (isinstance(path, str) and _FACT_PATH.fullmatch(path)):
                raise SpecError(f"{where}.{fact}: {path!r} is not a path such as data.attributes.items[].key")
            if path is not None and not _declares(spec, schema, tuple(path.split("."))):
                raise SpecError(f"{where}.{fact}: {name} declares no {path}")
        shadowed = sorted(set(_RESULT_PROPERTIES) & set(schema.get("properties", {})))
        if shadowed:
            raise SpecError(f"{where}: {name} has properties named as result facts: {shadowed}")
        found[kind_of_model[name]] = {fact: fields[fact] for fact in RESULT_FACTS}
    return dict(sorted(found.items()))


def _operations(spec: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                yield path, method.upper(), item[method]


def derive(spec: Mapping[str, Any]) -> tuple[list[Op], list[Kind], list[str], dict[str, str]]:
    """The operations (spec order), the resource kinds (by name), the topics, and each callback's model."""
    by_id = {op["operationId"]: (path, method, op) for path, method, op in _operations(spec)}
    callback_models: dict[str, str] = {}
    for item in spec.get("components", {}).get("pathItems", {}).values():
        post = item.get("post", {})
        match = _CALLBACK_ID.fullmatch(post.get("operationId", ""))
        schema = post.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if match is None or _ref_name(schema) is None:
            raise SpecError(f"callback path item {post.get('operationId')!r} is not callback_<type>_result")
        callback_models[match.group(1)] = str(_ref_name(schema))
    ops: list[Op] = []
    for path, method, op in _operations(spec):
        name = op["operationId"]
        successes = sorted(int(code) for code in op.get("responses", {}) if str(code).startswith("2"))
        if len(successes) != 1:
            raise SpecError(f"{name}: one documented success status expected, got {successes}")
        success = successes[0]
        response = op["responses"][str(success)]
        body = response.get("content", {}).get("application/json", {}).get("schema")
        result = _ref_name(body)
        links = list(response.get("links", {}).values())
        is_create = bool(links)
        if is_create:
            if len(links) != 1:
                raise SpecError(f"{name}: a create links to one GET, not {len(links)}")
            target = links[0]["operationId"]
            if target not in by_id:
                raise SpecError(f"{name}: links to unknown operation {target}")
            _, _, getter = by_id[target]
            result = _ref_name(getter["responses"]["200"]["content"]["application/json"]["schema"])
        callbacks = list(op.get("callbacks", {}).values())
        callback = None
        if callbacks:
            item_ref = next(iter(callbacks[0].values()))
            target_item = _resolve(spec, item_ref)
            match = _CALLBACK_ID.fullmatch(target_item["post"]["operationId"])
            callback = match.group(1) if match else None
        version_match = re.match(r"/api/(v\d)/", path)
        oauth = path.startswith("/oauth/")
        kind = (
            kind_of(result) if result is not None and (is_create or method == "GET") and not oauth else None
        )
        ops.append(
            Op(
                name=name,
                tag=op["tags"][0],
                method=method,
                path=path,
                version=version_match.group(1) if version_match else None,
                success=success,
                repeatable=method == "GET" or oauth,
                moves_money=bool(op.get(MOVES_MONEY, False)),
                found_by_polling=bool(op.get(FOUND_BY_POLLING, False)),
                result=result,
                kind=kind,
                callback=callback,
                is_create=is_create,
            )
        )
        if op.get(MOVES_MONEY) and not is_create:
            raise SpecError(f"{name}: {MOVES_MONEY} is for creates")
    kinds: dict[str, Kind] = {}
    for made in ops:
        if made.method != "GET" or made.kind is None or made.result is None:
            continue
        collection = re.fullmatch(r"/api/(v\d)/([a-z_]+)/\{id\}", made.path)
        if collection is None:
            raise SpecError(f"{made.name}: a resource GET must be /api/<version>/<collection>/{{id}}")
        location = (collection.group(1), collection.group(2), made.name)
        known = kinds.get(made.kind)
        callback = next((c for c, model in callback_models.items() if model == made.result), None)
        schema = spec["components"]["schemas"][made.result]
        echoes = _has_path(spec, schema, ("data", "attributes", "metadata"))
        getters = (*known.getters, location) if known else (location,)
        kinds[made.kind] = Kind(made.kind, made.result, getters, callback, echoes)
    for made in ops:
        if made.callback is not None and made.kind is not None and kinds[made.kind].callback != made.callback:
            raise SpecError(
                f"{made.name}: its callback {made.callback} does not report its resource {made.kind}"
            )
    return ops, sorted(kinds.values(), key=lambda k: k.kind), list(webhook_models(spec)), callback_models


def webhook_models(spec: Mapping[str, Any]) -> dict[str, tuple[str, bool]]:
    """Each webhook topic -> (its K2-format model, whether K2 may send it in Daraja's form instead).

    A topic's body is one schema, or a ``oneOf`` of the K2 form and the Daraja form: the branch that
    requires ``TransactionType`` (Daraja's key) is the Daraja one.
    """
    found: dict[str, tuple[str, bool]] = {}
    for topic, item in spec.get("webhooks", {}).items():
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        branches = schema.get("oneOf", [schema])
        k2_form = [b for b in branches if "TransactionType" not in _resolve(spec, b).get("required", [])]
        if len(k2_form) != 1 or _ref_name(k2_form[0]) is None:
            raise SpecError(f"webhook {topic}: one K2-format body schema ($ref) expected")
        found[topic] = (str(_ref_name(k2_form[0])), len(branches) > len(k2_form))
    return found


def _const(name: str) -> str:
    return name.upper()


def _literal(name: str, values: list[str]) -> Iterator[str]:
    yield f"{name} = Literal["
    for value in values:
        yield f'    "{value}",'
    yield "]"


def render(spec: Mapping[str, Any]) -> str:
    ops, kinds, topics, callback_models = derive(spec)
    facts = result_fields(spec, kinds)
    webhooks = webhook_models(spec)
    models = sorted(
        {op.result for op in ops if op.result}
        | set(callback_models.values())
        | {model for model, _daraja in webhooks.values()}
    )
    lines = [
        '"""What each K2 operation and resource is: generated from openapi/k2connect.yaml by',
        "scripts/generate_registry.py. Do not edit: change the spec and run ``make generate``.",
        "",
        "``OPERATIONS`` (by operationId) and one constant per operation, typed with the model its success",
        "gives (a create: the model its Location reads); ``RESOURCES`` (by kind) with the Location",
        "collections and the GET that reads each; ``LOCATIONS`` ((version, collection) -> that GET);",
        "``CALLBACK_MODELS`` (a callback's ``data.type`` -> its model); the webhook topics, all and per",
        "version.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import functools",
        "import re",
        "from collections.abc import Awaitable, Callable, Mapping",
        "from types import MappingProxyType",
        "from enum import StrEnum",
        "from typing import Any, Final, Generic, Literal, TypeAlias, TypeVar",
        "",
        "import attrs",
        "",
    ]
    for tag in sorted({op.tag for op in ops}):
        names = sorted(op.name for op in ops if op.tag == tag)
        lines.append(f"from .api.{tag} import (")
        lines += [f"    {name}," for name in names]
        lines.append(")")
    lines.append("from .models import (")
    lines += [f"    {model}," for model in models]
    lines.append(")")
    lines += [
        "from .models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES, WebhookV1EventType",
        "from .models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES, WebhookV2EventType",
        "from .types import Response",
        "",
        '__all__ = ["CALLBACK_MODELS", "DARAJA_TOPICS", "LOCATIONS", "OPERATIONS", "RESOURCES",',
        '           "RESULT_FIELDS", "WEBHOOK_MODELS", "WEBHOOK_TOPICS", "CallbackModel", "WebhookModel",',
        '           "WEBHOOK_TOPICS_BY_VERSION", "WEBHOOK_V1_EVENT_TYPE_VALUES",',
        '           "WEBHOOK_V2_EVENT_TYPE_VALUES", "CallbackType", "Operation", "OperationName",',
        '           "Resource", "ResourceFacts", "ResourceKind", "ResultType", "WebhookTopic",',
        '           "WebhookTopicName",',
        '           "WebhookV1EventType", "WebhookV2EventType", "operation_for"]',
        "",
        'T = TypeVar("T")',
        "",
    ]
    lines += _literal("OperationName", [op.name for op in ops])
    lines.append('"""Every operationId of the spec."""')
    lines.append("")
    lines += _literal("ResourceKind", [k.kind for k in kinds])
    lines.append('"""What a Location can lead to (its GET model\'s name in snake case, less ``Result``)."""')
    lines.append("")
    lines += _literal("CallbackType", sorted(callback_models))
    lines.append('"""The ``data.type`` of every callback result."""')
    lines.append("")
    lines += _literal("WebhookTopicName", topics)
    lines.append('"""The ``topic`` of every webhook the spec describes."""')
    lines += [
        "",
        "",
        "class WebhookTopic(StrEnum):",
        '    """The ``topic`` of every K2-format webhook the spec describes."""',
        "",
    ]
    lines += [f'    {topic.upper()} = "{topic}"' for topic in topics]
    lines += [
        "",
        "",
        "class ResultType(StrEnum):",
        '    """The ``data.type`` of every callback result: an event\'s ``topic`` for results."""',
        "",
    ]
    lines += [f'    {name.upper()} = "{name}"' for name in sorted(callback_models)]
    lines += [
        "",
        "Resource: TypeAlias = " + " | ".join(k.model for k in kinds),
        '"""Whatever a K2 Location reads: the model of a resource some create makes."""',
        "",
        "",
        "@attrs.frozen",
        "class Operation(Generic[T]):",
        '    """One operation of the spec. ``T`` is the model its success gives: for a create, the model',
        '    its Location reads (``Created[T]``); for a GET, the model it returns."""',
        "",
        "    name: OperationName",
        "    sync: Callable[..., Response[Any]] = attrs.field(repr=False)",
        "    asyncio: Callable[..., Awaitable[Response[Any]]] = attrs.field(repr=False)",
        '    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]',
        "    path: str",
        '    version: Literal["v1", "v2"] | None',
        "    success_status: int",
        '    """The one 2xx the spec documents: anything else is an answer it does not describe."""',
        "    repeatable: bool",
        '    """A GET, or an OAuth call: sending it twice changes nothing at K2."""',
        "    moves_money: bool",
        '    """A create that pays money out or asks a customer for money."""',
        "    found_by_polling: bool",
        '    """What it makes also shows up in ``poll_transactions``."""',
        "    model: type[T] | None = attrs.field(repr=False)",
        "    kind: ResourceKind | None",
        '    """The resource a create makes (its Location) or a GET reads."""',
        "    callback: CallbackType | None",
        '    """The callback result that reports this create\'s outcome."""',
        "    creates: bool",
        '    """Answers 201 with the Location of what it made."""',
        "",
        "",
        "@attrs.frozen",
        "class ResourceFacts(Generic[T]):",
        '    """One kind of resource: its model, where its Locations point, how its outcome is told."""',
        "",
        "    kind: ResourceKind",
        "    model: type[T] = attrs.field(repr=False)",
        '    getters: tuple[tuple[Literal["v1", "v2"], str, Operation[T]], ...] = attrs.field(repr=False)',
        '    """(version, Location collection, the GET that reads it)."""',
        "    callback: CallbackType | None",
        "    echoes_metadata: bool",
        '    """K2 sends the request\'s ``metadata`` back in this resource (GET and callback)."""',
        "",
        "",
    ]
    kind_by_name = {k.kind: k for k in kinds}
    for op in ops:
        model = op.result if op.result else "None"
        type_arg = op.result if op.result else "None"
        lines += [
            f"{_const(op.name)}: Final[Operation[{type_arg}]] = Operation(",
            f'    name="{op.name}",',
            f"    sync={op.name}.sync_detailed,",
            f"    asyncio={op.name}.asyncio_detailed,",
            f'    method="{op.method}",',
            f'    path="{op.path}",',
            f"    version={None if op.version is None else repr(op.version)},".replace("'", '"'),
            f"    success_status={op.success},",
            f"    repeatable={op.repeatable},",
            f"    moves_money={op.moves_money},",
            f"    found_by_polling={op.found_by_polling},",
            f"    model={model},",
            f"    kind={None if op.kind is None else repr(op.kind)},".replace("'", '"'),
            f"    callback={None if op.callback is None else repr(op.callback)},".replace("'", '"'),
            f"    creates={op.is_create},",
            ")",
        ]
    lines += ["", "OPERATIONS: Final[Mapping[str, Operation[Any]]] = MappingProxyType({"]
    lines += [f'    "{op.name}": {_const(op.name)},' for op in ops]
    lines += ["})", ""]
    for kind in kinds:
        lines.append(f"{_const(kind.kind)}: Final[ResourceFacts[{kind.model}]] = ResourceFacts(")
        lines.append(f'    kind="{kind.kind}",')
        lines.append(f"    model={kind.model},")
        lines.append("    getters=(")
        for version, collection, getter in kind.getters:
            lines.append(f'        ("{version}", "{collection}", {_const(getter)}),')
        lines.append("    ),")
        callback = "None" if kind.callback is None else f'"{kind.callback}"'
        lines.append(f"    callback={callback},")
        lines.append(f"    echoes_metadata={kind.echoes_metadata},")
        lines.append(")")
    lines += ["", "RESOURCES: Final[Mapping[str, ResourceFacts[Any]]] = MappingProxyType({"]
    lines += [f'    "{k.kind}": {_const(k.kind)},' for k in kinds]
    lines += ["})", ""]
    lines.append("LOCATIONS: Final[Mapping[tuple[str, str], Operation[Any]]] = MappingProxyType({")
    for kind in kinds:
        for version, collection, getter in kind.getters:
            lines.append(f'    ("{version}", "{collection}"): {_const(getter)},')
    lines += ["})", '"""(version, collection) of a Location -> the GET that reads it (and its kind)."""', ""]
    lines.append("RESULT_FIELDS: Final[Mapping[str, Mapping[str, str | None]]] = MappingProxyType({")
    for kind_name, fields in facts.items():
        lines.append(f'    "{kind_name}": MappingProxyType({{')
        lines += [
            f'        "{fact}": {"None" if path is None else repr(path)},'.replace("'", '"')
            for fact, path in fields.items()
        ]
        lines.append("    }),")
    lines += [
        "})",
        '"""Where a finished result\'s facts live (the spec\'s x-k2connect-fields): kind -> fact -> path',
        'in the body, or None where K2 sends none; the models read them as properties: result.reference."""',
        "",
    ]
    lines.append("CALLBACK_MODELS: Final[Mapping[str, type[CallbackModel]]] = MappingProxyType({")
    lines += [f'    "{name}": {model},' for name, model in sorted(callback_models.items())]
    lines += ["})", ""]
    lines.append("WEBHOOK_TOPICS: Final[tuple[WebhookTopicName, ...]] = (")
    lines += [f'    "{topic}",' for topic in topics]
    lines += [")", ""]
    lines.append("WebhookModel: TypeAlias = " + " | ".join(model for model, _d in webhooks.values()))
    lines.append('"""The model of every webhook topic\'s K2-format body."""')
    lines.append("CallbackModel: TypeAlias = " + " | ".join(sorted(set(callback_models.values()))))
    lines.append('"""The model of every callback result."""')
    lines.append("")
    lines.append("WEBHOOK_MODELS: Final[Mapping[str, type[WebhookModel]]] = MappingProxyType({")
    lines += [f'    "{topic}": {model},' for topic, (model, _d) in webhooks.items()]
    lines += ["})", '"""A webhook topic -> the model of its K2-format body."""', ""]
    lines.append("DARAJA_TOPICS: Final[frozenset[WebhookTopicName]] = frozenset({")
    lines += [f'    "{topic}",' for topic, (_m, daraja) in webhooks.items() if daraja]
    lines += ["})", '"""The topics K2 may deliver in Safaricom\'s Daraja form instead."""', ""]
    lines += [
        'WEBHOOK_TOPICS_BY_VERSION: Final[Mapping[Literal["v1", "v2"], frozenset[str]]] = MappingProxyType({',
        '    "v1": frozenset(WEBHOOK_V1_EVENT_TYPE_VALUES),',
        '    "v2": frozenset(WEBHOOK_V2_EVENT_TYPE_VALUES),',
        "})",
        '"""What a subscription of each API version may name (WebhookV1EventType, WebhookV2EventType)."""',
        "",
        "# Compiled on first use: importing the registry (webhook code does) costs no regular expressions.",
        "_ROUTES: Final[tuple[tuple[str, str, Operation[Any]], ...]] = (",
    ]
    for op in ops:
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(op.path)) + "/?$"
        lines.append(f'    ("{op.method}", r"{pattern}", {_const(op.name)}),')
    lines += [
        ")",
        "",
        "",
        "@functools.cache",
        "def _compiled_routes() -> tuple[tuple[str, re.Pattern[str], Operation[Any]], ...]:",
        "    return tuple((method, re.compile(pattern), op) for method, pattern, op in _ROUTES)",
        "",
        "",
        "@functools.lru_cache(maxsize=512)  # a create's path is fixed: each is matched once per process",
        "def operation_for(method: str, path: str) -> Operation[Any] | None:",
        '    """The operation a request is (by method and URL path), or ``None`` when the spec has none."""',
        "    for route_method, pattern, operation in _compiled_routes():",
        "        if route_method == method and pattern.search(path):",
        "            return operation",
        "    return None",
    ]
    del kind_by_name
    return _formatted("\n".join(lines) + "\n")


def _formatted(text: str) -> str:
    """``text`` as ``ruff format`` leaves it (the ruff beside this Python, as the generator's hooks use)."""
    ruff = Path(sys.executable).with_name("ruff")
    command = [str(ruff) if ruff.exists() else "ruff", "format", "--line-length", "110", "-"]
    done = subprocess.run(command, input=text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SpecError(f"ruff format failed on the registry: {done.stderr.strip()}")
    return done.stdout


def load_spec(path: Path = SPEC_PATH) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the spec to read")
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH, help="where to write the module")
    parser.add_argument("--check", action="store_true", help="exit 1 if --output differs; write nothing")
    args = parser.parse_args(argv)
    text = render(load_spec(args.spec))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run `make generate`", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
