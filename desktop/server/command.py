"""`frontdesk server`: its options, and starting it (kept out of desktop/cli.py)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop.server.client_address import TrustedProxies
from desktop.server.limits import Limit, RateLimits

if TYPE_CHECKING:
    from desktop.config import Settings

DEFAULTS = RateLimits()


def _limit(text: str) -> Limit:
    try:
        return Limit.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _proxies(text: str) -> TrustedProxies:
    try:
        return TrustedProxies.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"“{text}” is not a port (1 to 65535)")
    return port


def _shown(limit: Limit | None) -> str:
    return f"{limit.requests}/{limit.per_seconds:g}" if limit else "off"


def add_server_command(commands: Any) -> None:
    server = commands.add_parser(
        "server",
        help="serve the clinic's shared store (HTTP API over PostgreSQL) for several PCs",
        description="Serve the /v1 API over a PostgreSQL database. Run `frontdesk db upgrade` "
        "against the database first. Several instances may share one database.",
    )
    server.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the PostgreSQL database (postgresql+psycopg://user@host/db)",
    )
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    server.add_argument("--port", type=_port, default=8765, help="port to listen on (8765)")
    server.add_argument(
        "--rate-limit-token",
        type=_limit,
        default=DEFAULTS.per_token,
        metavar="N/SECONDS",
        help=f"requests per session token ({_shown(DEFAULTS.per_token)})",
    )
    server.add_argument(
        "--rate-limit-address",
        type=_limit,
        default=DEFAULTS.per_address,
        metavar="N/SECONDS",
        help=f"requests per client address ({_shown(DEFAULTS.per_address)})",
    )
    server.add_argument(
        "--rate-limit-sign-in",
        type=_limit,
        default=DEFAULTS.sign_in,
        metavar="N/SECONDS",
        help=f"sign-in attempts per client address ({_shown(DEFAULTS.sign_in)})",
    )
    server.add_argument(
        "--no-rate-limits", action="store_true", help="switch rate limiting off altogether"
    )
    server.add_argument(
        "--trusted-proxy",
        type=_proxies,
        default=TrustedProxies.parse("127.0.0.1"),
        metavar="ADDRESSES",
        help="proxies whose X-Forwarded-For is believed: addresses or networks, "
        "comma-separated, or * (127.0.0.1)",
    )
    server.add_argument(
        "--no-senders",
        action="store_true",
        help="do not send to Xero or send messages from this instance (another instance, "
        "or `frontdesk xero worker` and `frontdesk messages send-due`, does)",
    )
    server.set_defaults(handler=run_server)


def run_server(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.server.app import ServerConfig
    from desktop.server.run import Listen, serve

    limits = None
    if not args.no_rate_limits:
        limits = RateLimits(args.rate_limit_token, args.rate_limit_address, args.rate_limit_sign_in)
    serve(
        ServerConfig(settings.database_url, rate_limits=limits, trusted_proxies=args.trusted_proxy),
        Listen(args.host, args.port),
        senders=not args.no_senders,
    )
    return 0
