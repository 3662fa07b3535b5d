"""One list of webhook event types: the enum, the Literal that types ``event_type``, and the derived sets."""

from __future__ import annotations

from typing import get_args

from k2connect_ext import _topics
from k2connect_ext.webhooks import WebhookTopic


def test_the_literal_and_the_enum_list_the_same_events() -> None:
    """``EventType`` (for type checkers) and ``WebhookTopic`` (for readers) cannot drift apart."""
    assert list(get_args(_topics.EventType)) == [topic.value for topic in WebhookTopic]


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
