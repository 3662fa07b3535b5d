"""How an intent is tagged in its request, so that K2's answer finds it again without its Location.

A process can crash after a create reached K2 and before its Location was stored: the only handle left is
what K2 sends back on its own, the callback. Every intent is therefore tagged with its id where K2 echoes it:

* in ``metadata`` (key :data:`TAG_KEY`), where the resource's result carries the request's metadata back
  (the registry's ``echoes_metadata``, read from the spec: STK pushes, payments, send money, reversals,
  payment links);
* otherwise in the callback URL's query string (``?k2connect_intent=<id>``), which K2 posts to as given
  (settlement transfers, whose results carry no metadata).

The caller keeps the remaining metadata pairs: K2 accepts five, one is the tag's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from k2connect_client.registry import RESOURCES

from k2connect_ext._exceptions import K2InputError
from k2connect_ext._validation import MAX_METADATA_PAIRS

__all__ = ["TAG_KEY", "intent_id_of", "tag_arguments", "tagged_in_metadata"]

TAG_KEY: Final = "k2connect_intent"
"""The metadata key and the callback URL's query parameter that carry the intent id."""
_ID: Final = re.compile(r"[0-9a-f]{32}")


def tagged_in_metadata(kind: str) -> bool:
    """Whether results of this resource kind carry the request's metadata back (the spec says so)."""
    facts = RESOURCES.get(kind)
    return facts is not None and facts.echoes_metadata


def tag_arguments(kind: str, arguments: Mapping[str, Any], intent_id: str) -> dict[str, Any]:
    """A create's keyword arguments with the intent id added where K2 will echo it (see the module doc).

    Raises:
        K2InputError: the caller's metadata already holds the tag's key, or all five pairs K2 accepts
            (``field="metadata"``: one pair is the intent's).
    """
    tagged = dict(arguments)
    if tagged_in_metadata(kind):
        metadata = dict(tagged.get("metadata") or {})
        if TAG_KEY in metadata:
            raise K2InputError(f"metadata key {TAG_KEY!r} is the intent's own: use another", field="metadata")
        if len(metadata) >= MAX_METADATA_PAIRS:
            raise K2InputError(
                f"metadata has {len(metadata)} pairs; an intent keeps one of the {MAX_METADATA_PAIRS} K2 "
                f"accepts for its tag ({TAG_KEY}), so at most {MAX_METADATA_PAIRS - 1} are yours",
                field="metadata",
            )
        tagged["metadata"] = {**metadata, TAG_KEY: intent_id}
        return tagged
    callback = tagged.get("callback_url")
    if isinstance(callback, str):
        tagged["callback_url"] = _with_query(callback, intent_id)
    return tagged


def intent_id_of(body: Mapping[str, Any], url: str | None = None) -> str | None:
    """The intent id a result carries: in its ``metadata``, or in the query of the URL it was posted to."""
    data = body.get("data") if isinstance(body, Mapping) else None
    attributes = data.get("attributes") if isinstance(data, Mapping) else None
    metadata = attributes.get("metadata") if isinstance(attributes, Mapping) else None
    found = metadata.get(TAG_KEY) if isinstance(metadata, Mapping) else None
    if found is None and url is not None:
        try:
            query = urlsplit(url).query
        except ValueError:
            query = ""
        found = dict(parse_qsl(query)).get(TAG_KEY)
    return found if isinstance(found, str) and _ID.fullmatch(found) else None


def _with_query(url: str, intent_id: str) -> str:
    parts = urlsplit(url)
    query = [
        (name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != TAG_KEY
    ]
    return urlunsplit(parts._replace(query=urlencode([*query, (TAG_KEY, intent_id)])))
