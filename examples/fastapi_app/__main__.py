"""``python -m examples.fastapi_app subscribe``: subscribe PUBLIC_URL/k2/webhooks to K2's webhooks.

Reads the same environment as the app. Run it once per PUBLIC_URL: every run creates new subscriptions.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from k2connect_ext import AsyncK2, K2Error
from k2connect_ext.webhooks import WebhookTopic

from .app import WEBHOOK_TOPICS, subscribe_webhooks
from .settings import Settings


async def _subscribe(settings: Settings, event_types: Sequence[str]) -> None:
    async with AsyncK2(settings.client_id, settings.client_secret, base_url=settings.base_url) as k2:
        for location in await subscribe_webhooks(k2, settings, event_types):
            print(f"subscribed: {location}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.fastapi_app")
    commands = parser.add_subparsers(dest="command", required=True)
    subscribe = commands.add_parser("subscribe", help="subscribe PUBLIC_URL/k2/webhooks to K2 webhooks")
    subscribe.add_argument(
        "event_types",
        nargs="*",
        default=[topic.value for topic in WEBHOOK_TOPICS],
        help="default: %(default)s",
    )
    args = parser.parse_args(argv)
    # Checked here, not with choices=: argparse (3.11) also checks a list default against the choices.
    unknown = sorted(set(args.event_types) - {topic.value for topic in WebhookTopic})
    if unknown:
        parser.error(f"unknown event types: {', '.join(unknown)}")
    try:
        asyncio.run(_subscribe(Settings.from_env(), args.event_types))
    except K2Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
