"""One list of webhook event types, the spec's: the generated Literals, the public enum, the derived sets."""

from __future__ import annotations

from typing import get_args

from k2connect_client.models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES, WebhookV1EventType
from k2connect_client.models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES, WebhookV2EventType
from k2connect_client.registry import WEBHOOK_TOPICS

from k2connect_ext import _topics
from k2connect_ext.webhooks import EventType, WebhookTopic


def _literal_values(alias: object) -> set[str]:
    """Every value of a Literal, or of a union of Literals."""
    values: set[str] = set()
    for arg in get_args(alias):
        values |= {arg} if isinstance(arg, str) else _literal_values(arg)
    return values


def test_event_type_is_the_generated_literals() -> None:
    """``EventType`` (which types ``event_type``) is the spec's two generated Literals, not a copy of them."""
    assert EventType is _topics.EventType
    assert _topics.EventType == WebhookV1EventType | WebhookV2EventType
    assert _literal_values(EventType) == WEBHOOK_V1_EVENT_TYPE_VALUES | WEBHOOK_V2_EVENT_TYPE_VALUES


def test_the_enum_lists_the_generated_values() -> None:
    """``WebhookTopic`` (for readers) lists exactly what the spec lets a subscription name and what it
    describes as webhooks: the enum cannot drift from the spec."""
    topics = {topic.value for topic in WebhookTopic}
    assert topics == WEBHOOK_V1_EVENT_TYPE_VALUES | WEBHOOK_V2_EVENT_TYPE_VALUES
    assert topics == set(WEBHOOK_TOPICS)
    assert len(WebhookTopic) == len(topics)


def test_the_sets_are_the_generated_ones() -> None:
    """Every event and each version's events are the generated value sets."""
    assert _topics.WEBHOOK_EVENT_TYPES == WEBHOOK_V1_EVENT_TYPE_VALUES | WEBHOOK_V2_EVENT_TYPE_VALUES
    assert _topics.EVENT_TYPES_BY_VERSION == {
        "v1": WEBHOOK_V1_EVENT_TYPE_VALUES,
        "v2": WEBHOOK_V2_EVENT_TYPE_VALUES,
    }


def test_the_public_enum_is_the_one_in_topics() -> None:
    """Events, validation and the CLI share one enum, not copies."""
    assert WebhookTopic is _topics.WebhookTopic


def test_the_derived_sets_partition_the_events() -> None:
    """Every event is till- or company-scoped (not both), and each version offers a subset of them all."""
    assert _topics.TILL_SCOPE_EVENTS | _topics.COMPANY_SCOPE_EVENTS == _topics.WEBHOOK_EVENT_TYPES
    assert not _topics.TILL_SCOPE_EVENTS & _topics.COMPANY_SCOPE_EVENTS
    for events in _topics.EVENT_TYPES_BY_VERSION.values():
        assert events < _topics.WEBHOOK_EVENT_TYPES
    assert _topics.DARAJA_EVENTS <= _topics.TILL_SCOPE_EVENTS
