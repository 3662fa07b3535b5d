"""``python -m k2connect_sandbox`` / ``k2connect-sandbox``: serve a local K2 Connect sandbox.

Prints the URL and the credentials (and, with ``--tls``, the path of the CA certificate clients must
trust), one ``key: value`` per line on stdout, then serves until interrupted, printing a line per
callback/webhook delivery attempt on stderr (``console``).

Why stderr: stdout is the machine-read part (scripts and tests parse its ``key: value`` lines, and
uvicorn's access log goes there too); delivery lines are diagnostics, like uvicorn's own server log,
which is on stderr. ``--quiet`` leaves them out; ``--log-level warning`` keeps only failed attempts,
``error`` none.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

import uvicorn

from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import DEFAULT_API_KEY, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxConfig
from k2connect_sandbox.console import LEVELS, attach_delivery_console
from k2connect_sandbox.server import PortInUseError, bind_socket
from k2connect_sandbox.tls import make_tls_material

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="k2connect-sandbox", description="A local, stateful Kopo Kopo K2 Connect sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 picks a free one)")
    parser.add_argument(
        "--client-id", default=DEFAULT_CLIENT_ID, help=f"OAuth client id (default: {DEFAULT_CLIENT_ID})"
    )
    parser.add_argument(
        "--client-secret",
        default=DEFAULT_CLIENT_SECRET,
        help=f"OAuth client secret (default: {DEFAULT_CLIENT_SECRET})",
    )
    parser.add_argument(
        "--api-key",
        default=DEFAULT_API_KEY,
        help=f"key of the X-KopoKopo-Signature HMAC (default: {DEFAULT_API_KEY})",
    )
    parser.add_argument(
        "--callback-delay",
        type=float,
        default=0.5,
        help="seconds before pending resources resolve (default: 0.5)",
    )
    parser.add_argument(
        "--token-ttl", type=int, default=3600, help="access token lifetime in seconds (default: 3600)"
    )
    parser.add_argument(
        "--db", metavar="PATH", help="persist state in this SQLite file (default: memory only)"
    )
    parser.add_argument(
        "--base-url", help="scheme://host[:port] for Location headers (default: from each request)"
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a throwaway CA (its path is printed)",
    )
    parser.add_argument(
        "--delivery-ca", metavar="PEM", help="extra CA trusted when POSTing to https receivers"
    )
    parser.add_argument(
        "--no-deliver",
        action="store_true",
        help="record callbacks and webhooks without POSTing them (for fuzzers that invent callback URLs)",
    )
    parser.add_argument(
        "--allow-http",
        action="store_true",
        help="also POST callbacks/webhooks over plain http to non-loopback hosts",
    )
    parser.add_argument(
        "--spec",
        metavar="PATH",
        help="serve this OpenAPI document (the client and its registry generated from it must be importable)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        type=str.lower,
        choices=list(LEVELS),
        help="uvicorn's log level and the delivery lines' (warning: failed attempts only; default: info)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no line per callback/webhook delivery attempt on stderr",
    )
    return parser


def _raise_system_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = SandboxConfig(
            client_id=args.client_id,
            client_secret=args.client_secret,
            api_key=args.api_key,
            callback_delay=args.callback_delay,
            token_ttl=args.token_ttl,
            sqlite_path=args.db,
            base_url=args.base_url,
            delivery_ca_file=args.delivery_ca,
            allow_plain_http=args.allow_http,
            deliver=not args.no_deliver,
            spec_path=args.spec,
        )
        app = create_app(config)  # before binding: a spec the registry does not match ends here
        sock = bind_socket(args.host, args.port)
    except PortInUseError as exc:
        print(
            f"k2connect-sandbox: {exc}; pass --port 0 for a free one or stop the other server",
            file=sys.stderr,
        )
        return 2
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"k2connect-sandbox: {exc}", file=sys.stderr)
        return 2
    material = make_tls_material() if args.tls else None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    lines = [
        f"url: {'https' if material else 'http'}://{shown}:{port}",
        f"client_id: {config.client_id}",
        f"client_secret: {config.client_secret}",
        f"api_key: {config.api_key}",
    ]
    if material is not None:
        lines.append(f"ca_file: {material.ca_file}")
    if config.sqlite_path:
        lines.append(f"db: {config.sqlite_path}")
    if not config.deliver:
        lines.append("delivery: off")
    print("k2connect sandbox", *lines, sep="\n", flush=True)
    console = None if args.quiet else attach_delivery_console(app, sys.stderr, level=args.log_level)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=args.log_level,
            lifespan="on",
            ssl_certfile=str(material.cert_file) if material else None,
            ssl_keyfile=str(material.key_file) if material else None,
        )
    )
    # uvicorn re-raises the signal that stopped it once it has shut down; make SIGTERM an exception
    # (like Ctrl-C already is) so the TLS material below is removed instead of the process dying.
    signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        if console is not None:
            console.close()
        sock.close()
        if material is not None:
            material.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
