"""The operation registry ``k2connect_client.registry``, generated from the spec (generate_registry.py).

It must equal what the spec generates today (so it cannot drift), and say what the spec says: these tests
read the spec themselves for the facts they check, rather than trusting the generator.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from k2connect_client import registry

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "k2connect.yaml").read_text(encoding="utf-8"))
MONEY_CREATES = {
    "v1_create_incoming_payment",
    "v2_create_incoming_payment",
    "v1_create_payment",
    "v1_create_settlement_transfer",
    "v2_create_send_money",
    "v2_create_reversal",
    "v2_create_payment_link",
}


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_registry", ROOT / "scripts" / "generate_registry.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_registry", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _spec_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in ("get", "post"):
                found[op["operationId"]] = (method.upper(), path, op)
    return found


def test_the_committed_registry_is_what_the_spec_generates() -> None:
    generator = _generator()
    assert (ROOT / "generated" / "k2connect_client" / "registry.py").read_text(
        encoding="utf-8"
    ) == generator.render(SPEC), "generated/k2connect_client/registry.py is stale: run `make generate`"


def test_every_operation_of_the_spec_is_in_the_registry() -> None:
    spec_ops = _spec_operations()
    assert set(registry.OPERATIONS) == set(spec_ops)
    assert len(registry.OPERATIONS) >= 43
    for name, (method, path, op) in spec_ops.items():
        entry = registry.OPERATIONS[name]
        assert (entry.method, entry.path) == (method, path)
        documented = [int(code) for code in op["responses"] if code.startswith("2")]
        assert [entry.success_status] == documented
        assert entry.sync.__module__.endswith(f".{name}") and entry.asyncio.__module__.endswith(f".{name}")


def test_money_moving_creates_are_exactly_the_marked_ones() -> None:
    assert {name for name, op in registry.OPERATIONS.items() if op.moves_money} == MONEY_CREATES
    assert all(registry.OPERATIONS[name].creates for name in MONEY_CREATES)
    polled = {name for name, op in registry.OPERATIONS.items() if op.found_by_polling}
    assert polled == {"v1_create_incoming_payment", "v2_create_incoming_payment"}


def test_a_create_leads_to_the_kind_its_link_reads() -> None:
    spec_ops = _spec_operations()
    creates = [op for op in registry.OPERATIONS.values() if op.creates]
    assert len(creates) >= 19
    for create in creates:
        (link,) = spec_ops[create.name][2]["responses"]["201"]["links"].values()
        getter = registry.OPERATIONS[link["operationId"]]
        assert create.kind is not None and create.kind == getter.kind
        assert create.model is getter.model
        assert getter in [g for _v, _c, g in registry.RESOURCES[create.kind].getters]


def test_locations_name_every_resource_get() -> None:
    gets = {op.name for op in registry.OPERATIONS.values() if op.method == "GET" and op.kind is not None}
    assert {op.name for op in registry.LOCATIONS.values()} == gets
    for (version, collection), getter in registry.LOCATIONS.items():
        assert getter.path == f"/api/{version}/{collection}/{{id}}"
        assert getter.kind is not None
        assert getter.model is registry.RESOURCES[getter.kind].model


def test_callbacks_report_the_resource_their_create_makes() -> None:
    for op in registry.OPERATIONS.values():
        if op.callback is not None:
            assert op.kind is not None
            assert registry.RESOURCES[op.kind].callback == op.callback
            assert registry.CALLBACK_MODELS[op.callback] is op.model
    assert set(registry.CALLBACK_MODELS) == {r.callback for r in registry.RESOURCES.values() if r.callback}


def test_metadata_echo_follows_the_result_schema() -> None:
    echoed = {kind for kind, facts in registry.RESOURCES.items() if facts.echoes_metadata}
    # Read from the schemas by hand: which results have data.attributes.metadata.
    assert "incoming_payment" in echoed and "webhook_subscription" not in echoed


@pytest.mark.parametrize("name", sorted(registry.OPERATIONS))
def test_operation_for_finds_each_operation_by_method_and_path(name: str) -> None:
    op = registry.OPERATIONS[name]
    path = re.sub(r"\{[a-z_]+\}", "0f9e8d7c-1234", op.path)
    assert registry.operation_for(op.method, path) is op
    assert registry.operation_for(op.method, "/prefix" + path + "/") is op  # a base URL with a path
    assert registry.operation_for("DELETE", path) is None


def test_topics_are_the_specs_webhooks_and_versions_a_subset() -> None:
    assert list(registry.WEBHOOK_TOPICS) == list(SPEC["webhooks"])
    for version, topics in registry.WEBHOOK_TOPICS_BY_VERSION.items():
        assert topics <= set(registry.WEBHOOK_TOPICS), version


def test_the_public_enums_are_the_specs() -> None:
    """``ResultType`` and ``WebhookTopic`` are generated with the registry: a topic or callback type the spec
    gains is a member with no edit."""
    from k2connect_ext.webhooks import ResultType, WebhookTopic

    assert [member.value for member in ResultType] == sorted(registry.CALLBACK_MODELS)
    assert [member.value for member in WebhookTopic] == list(registry.WEBHOOK_TOPICS)
    assert ResultType.INCOMING_PAYMENT.value == "incoming_payment"
    assert WebhookTopic.BUYGOODS_TRANSACTION_RECEIVED.value == "buygoods_transaction_received"


def test_every_create_of_the_spec_has_a_builder() -> None:
    """A create the spec gains without a builder (and so without a facade method) fails here."""
    from tests.creates import CREATES, builder_model

    built = {builder_model(name) for name in CREATES}
    for op in registry.OPERATIONS.values():
        if op.creates:
            assert op.model is not None and op.model.__name__ in built, f"{op.name} has no builder"
