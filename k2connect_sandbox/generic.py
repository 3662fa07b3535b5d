"""Creates served from the spec alone: an endpoint Kopo Kopo adds is a spec edit away from the sandbox.

A create of the generated operation registry (``creates``: a POST answering 201 with the Location of a
GET) that has no hand-written handler in ``api`` is served here, from the spec the sandbox serves:

* the dispatcher has already validated the body against the create's request schema;
* the resource gets a new id in the collection of the GET the create's 201 ``links`` to, stored in that
  GET's table (``tables.READERS``, so the GET's registry-derived reader finds it), and the 201 answers its
  ``Location``;
* the GET answers a body built from that GET's 200 examples: the first whose ``status`` is pending-like
  (``PENDING_WORDS``), else the first; with ``data.id``, every ``_links.self`` and ``_links.callback_url``
  this resource's, every timestamp now, and ``metadata`` the request's where the registry says the
  resource echoes it (null when the request has none, never the example's);
* when the create has a ``callbacks`` entry, the resource stays pending for ``callback_delay`` seconds
  (the lifecycle every pending resource goes through) and then resolves to a body built the same way
  from the callback path item's examples: the first whose status means success (``SUCCESS_WORDS``), else
  the first; the timestamps the pending body had stay (``created_at``), the others are the resolution
  time. The GET then answers that body, and it is POSTed, signed, to the URL the ``callbacks`` expression
  names in the request (``{$request.body#/_links/callback_url}``), like every other callback.

Nothing here knows what the resource means: no ledger effect, no failure outcome, no request field
echoed but ``metadata``. An endpoint that needs behaviour gets a hand-written handler in ``api``, which
takes precedence. A create this module cannot serve (its 201 links to no resource GET of the registry,
the GET or the callback has no example, the callback URL is not taken from the request body) is reported
by ``plan_create`` with the reason, and the dispatcher refuses to start on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from k2connect_client.registry import OPERATIONS, RESOURCES
from starlette.responses import Response

from k2connect_sandbox import resources
from k2connect_sandbox.api import created, record_of
from k2connect_sandbox.clock import iso_ms
from k2connect_sandbox.context import Handler, RequestContext
from k2connect_sandbox.errors import ApiError
from k2connect_sandbox.operations import OperationIndex
from k2connect_sandbox.tables import READERS
from k2connect_sandbox.wire import JsonDict, new_id

__all__ = [
    "PENDING_WORDS",
    "SUCCESS_WORDS",
    "GenericCreate",
    "check_registry",
    "generic_handler",
    "plan_create",
]

PENDING_WORDS = frozenset(
    {"pending", "received", "scheduled", "queued", "processing", "initiated", "accepted"}
)
"""Statuses of a resource not finished yet (compared without case)."""
SUCCESS_WORDS = frozenset(
    {"success", "successful", "succeeded", "processed", "completed", "complete", "paid", "transferred"}
)
"""Statuses of a resource that ended well (compared without case)."""

_BODY_URL = re.compile(r"\{\$request\.body#(/[^}]*)\}")


@dataclass(frozen=True)
class GenericCreate:
    """How one create is served from the spec's examples."""

    operation_id: str
    table: str
    getter_path: str
    """The path of the GET its Location names (``/api/v2/refunds/{id}``)."""
    pending: JsonDict
    outcome: JsonDict | None
    """The callback's example; None when the create has no callback (the resource is final at once)."""
    callback_pointer: str | None
    """Where the request body holds the callback URL (a JSON pointer)."""
    echoes_metadata: bool


def check_registry(operations: OperationIndex) -> None:
    """Raise RuntimeError unless the registry lists exactly the operations served (same method, path).

    The registry is generated from a spec; serving another one with it would answer operations it does
    not describe (or miss some), so a sandbox given ``spec_path`` needs the client generated from it.
    """
    served = {op.operation_id: (op.method, op.path) for op in operations}
    registered = {name: (op.method, op.path) for name, op in OPERATIONS.items()}
    differing = sorted(
        name for name in served.keys() | registered.keys() if served.get(name) != registered.get(name)
    )
    if differing:
        raise RuntimeError(
            "the operation registry (k2connect_client.registry) was not generated from the spec this sandbox "
            f"serves; they differ on {', '.join(differing)}: generate the client and its registry from this "
            "spec (make generate, or openapi-python-client and scripts/generate_registry.py into a folder "
            "first on PYTHONPATH)"
        )


def _resolved(spec: Mapping[str, Any], node: Any) -> Any:
    """``node``, following local ``$ref``s (``#/components/examples/...``)."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        pointer = str(node["$ref"]).removeprefix("#/")
        node = spec
        for token in pointer.split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _examples(spec: Mapping[str, Any], holder: Any) -> list[JsonDict]:
    """The JSON examples of a response or request body whose shape is a resource (``data.attributes``)."""
    media = ((_resolved(spec, holder) or {}).get("content") or {}).get("application/json") or {}
    values = [_resolved(spec, example).get("value") for example in (media.get("examples") or {}).values()]
    if "example" in media:
        values.append(media["example"])
    return [
        value
        for value in values
        if isinstance(value, dict)
        and isinstance(value.get("data"), dict)
        and isinstance(value["data"].get("attributes"), dict)
    ]


def _status(body: JsonDict) -> str:
    return str(body["data"]["attributes"].get("status", "")).lower()


def _first(examples: list[JsonDict], words: frozenset[str]) -> JsonDict:
    return next((example for example in examples if _status(example) in words), examples[0])


def plan_create(spec: Mapping[str, Any], name: str) -> GenericCreate | str:
    """How to serve the registry's create ``name`` from ``spec``, or why it cannot be served so."""
    operation = OPERATIONS[name]
    raw = spec["paths"][operation.path][operation.method.lower()]
    response = _resolved(spec, raw["responses"][str(operation.success_status)])
    links = [_resolved(spec, link) for link in (response.get("links") or {}).values()]
    target = str(links[0].get("operationId")) if len(links) == 1 else ""
    if target not in READERS:
        return f"its {operation.success_status} links to no resource GET of the operation registry"
    getter = OPERATIONS[target]
    pending = _examples(spec, spec["paths"][getter.path]["get"]["responses"]["200"])
    if not pending:
        return f"{target} has no example of a resource in its 200 response"
    outcome: JsonDict | None = None
    pointer: str | None = None
    callbacks = [_resolved(spec, callback) for callback in (raw.get("callbacks") or {}).values()]
    if callbacks:  # K2 reports an outcome once, to one URL: the first callback is the one
        expression, item = next(iter(callbacks[0].items()))
        found = _BODY_URL.fullmatch(str(expression))
        if found is None:
            return f"its callback URL {expression!r} is not taken from the request body"
        outcomes = _examples(spec, (_resolved(spec, item).get("post") or {}).get("requestBody"))
        if not outcomes:
            return "its callback has no example of a resource"
        outcome, pointer = _first(outcomes, SUCCESS_WORDS), found.group(1)
    return GenericCreate(
        operation_id=name,
        table=READERS[target][0],
        getter_path=getter.path,
        pending=_first(pending, PENDING_WORDS),
        outcome=outcome,
        callback_pointer=pointer,
        echoes_metadata=RESOURCES[str(getter.kind)].echoes_metadata,
    )


def _at(body: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        if not isinstance(body, dict):
            return None
        body = body.get(token.replace("~1", "/").replace("~0", "~"))
    return body


def generic_handler(plan: GenericCreate) -> Handler:
    """The handler of one create served from the spec (see the module docstring)."""

    async def create(ctx: RequestContext) -> Response:
        sandbox = ctx.sandbox
        request: JsonDict = ctx.body if isinstance(ctx.body, dict) else {}
        callback_url: str | None = None
        if plan.callback_pointer is not None:
            found = _at(request, plan.callback_pointer)
            if not isinstance(found, str):
                field = ".".join(plan.callback_pointer.split("/")[1:])
                raise ApiError(400, f"{field} is required: the outcome is POSTed there")
            callback_url = found
        metadata = request.get("metadata") if isinstance(request.get("metadata"), dict) else None
        now = sandbox.clock.now()
        resource_id = new_id()
        self_url = ctx.base_url + plan.getter_path.replace("{id}", resource_id)

        def build(example: JsonDict) -> JsonDict:
            return resources.from_example(
                example, resource_id, self_url, callback_url, metadata, plan.echoes_metadata
            )

        body = resources.stamped(build(plan.pending), iso_ms(now))
        record = record_of(ctx, resource_id, self_url, body, now)
        if plan.outcome is None:
            sandbox.store.put(plan.table, resource_id, record)
        else:
            record |= {"callback_url": callback_url, "outcome": build(plan.outcome)}
            sandbox.lifecycle.create_pending(plan.table, record)
        return created(self_url)

    return create
