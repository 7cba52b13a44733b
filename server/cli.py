"""``kiosk-server``: run the hub, manage device tokens and the schema, close stale orders, play a demo feed.

Imports stay inside the commands: ``run`` must monkey-patch (gevent/eventlet)
before Flask, sockets or threading locks are created.
"""

# ruff: noqa: PLC0415 (the lazy imports above are the point)

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from datetime import time
from pathlib import Path
from typing import Any

ASYNC_MODES = ("gevent", "eventlet", "threading")

# What pyproject.toml's server extra installs, by import name (tests/packaging/test_extras.py
# keeps them in step).  Only ``run`` needs them; ``devices`` and ``demo-feed`` run without.
SERVER_EXTRA_MODULES = ("flask", "flask_socketio", "gevent", "simple_websocket", "engineio")
EXIT_MISSING_EXTRA = 2


def missing_server_extra() -> str | None:
    """One line naming the extra to install when the server's web stack is not installed."""
    for name in SERVER_EXTRA_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None  # looked up, not imported: no patching yet
        except (ImportError, ValueError):
            found = False
        if not found:
            return (
                f"kiosk-server: the server needs the server extra ({name} is not installed): "
                "pip install 'kiosk[server]' (from a checkout: pip install -e '.[server]')"
            )
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-server", description="The Kiosk order hub (Flask-SocketIO).")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the REST API and Socket.IO")
    run.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the whole network)"
    )
    run.add_argument("--port", type=int, default=5000)
    _add_database(run)
    run.add_argument(
        "--message-queue",
        default=None,
        metavar="URL",
        help="Redis that carries events between server processes, e.g. redis://10.0.0.5:6379/0 "
        "(with --database-url; see docs/deploy.md)",
    )
    run.add_argument(
        "--async-mode",
        choices=ASYNC_MODES,
        default="gevent",
        help="gevent (default, production); eventlet and threading are for comparison",
    )
    run.add_argument(
        "--retention-events", type=int, default=None, help="keep the last N events (default 100000)"
    )
    run.add_argument(
        "--recall-window", type=float, default=None, help="seconds a completed order can be recalled"
    )
    run.add_argument(
        "--revocation-check",
        type=float,
        default=30.0,
        help="seconds between sweeps that disconnect sockets of revoked devices",
    )
    _add_connection_limits(run)
    run.add_argument(
        "--auto-close-after",
        type=float,
        default=None,
        metavar="MINUTES",
        help="close orders still open this long after the kitchen got them (default 360, 0 for never)",
    )
    run.add_argument(
        "--closing-time",
        type=closing_time,
        default=None,
        metavar="HH:MM",
        help="local time at which every order still open is closed, once a day (default: none)",
    )
    run.add_argument(
        "--large-reads-burst",
        type=int,
        default=None,
        help="whole-list reads (orders, payments) a device token may make at once (default 10)",
    )
    run.add_argument(
        "--large-reads-per-minute",
        type=float,
        default=None,
        help="whole-list reads a device token may make per minute once its burst is spent (default 30)",
    )
    run.add_argument(
        "--behind-proxy",
        type=int,
        default=0,
        metavar="N",
        help="N balancers/proxies in front set X-Forwarded-For/-Proto: trust the last N, so that logs, the "
        "failed-login limit and the per-address cap see each screen, not the balancer (default 0: trust none)",
    )
    run.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))

    _add_devices(commands)

    database = commands.add_parser("db", help="the database's schema").add_subparsers(
        dest="action", required=True
    )
    upgrade = database.add_parser(
        "upgrade", help="create the schema or bring it up to this version (required once on PostgreSQL)"
    )
    _add_database(upgrade)

    orders = commands.add_parser("orders", help="orders on a running server").add_subparsers(
        dest="action", required=True
    )
    stale = orders.add_parser("close-stale", help="close orders left open (reason auto_closed)")
    stale.add_argument("--url", default="http://127.0.0.1:5000")
    stale.add_argument("--token", default=os.environ.get("KIOSK_ADMIN_TOKEN"), help="admin token")
    stale.add_argument(
        "--older-than",
        type=float,
        default=None,
        metavar="MINUTES",
        help="open longer than this (default: the server's --auto-close-after; 0 closes every open order)",
    )

    feed = commands.add_parser("demo-feed", help="post realistic food-court traffic to a running server")
    feed.add_argument("--url", default="http://127.0.0.1:5000")
    feed.add_argument("--token", default=os.environ.get("KIOSK_ADMIN_TOKEN"), help="admin token")
    feed.add_argument("--rate", type=float, default=2.0, help="requests per second")
    feed.add_argument("--tenants", type=int, default=3)
    feed.add_argument("--counters", type=int, default=2)
    bound = feed.add_mutually_exclusive_group()
    bound.add_argument("--count", type=int, default=None, help="stop after N requests")
    bound.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    feed.add_argument("--seed", type=int, default=None)
    return parser


def _add_devices(commands: Any) -> None:
    """``devices add|list|revoke|approve``."""
    devices = commands.add_parser("devices", help="device tokens").add_subparsers(
        dest="action", required=True
    )
    add = devices.add_parser("add", help="create a device token (printed once, alone on the last line)")
    _add_database(add)
    add.add_argument("--name", required=True)
    add.add_argument("--rooms", required=True, help="comma-separated, e.g. display,kasir-1")
    listing = devices.add_parser("list", help="list devices (never their tokens)")
    _add_database(listing)
    revoke = devices.add_parser("revoke", help="revoke a device token")
    _add_database(revoke)
    approve = devices.add_parser(
        "approve",
        help="approve the pairing code a new screen shows: it gets its token itself, nobody copies it",
    )
    approve.add_argument("code", help="the 6 characters on the screen, e.g. K7M 4QP")
    approve.add_argument("--name", required=True)
    approve.add_argument("--rooms", required=True, help="comma-separated, e.g. display or tenant-3")
    _add_database(approve)
    revoke.add_argument("--name", required=True)


def _add_database(command: argparse.ArgumentParser) -> None:
    """``--db FILE`` (SQLite, the default) or ``--database-url`` (PostgreSQL), on every command that
    opens the database.  The password belongs in PGPASSWORD or ~/.pgpass, not in the URL: a URL is
    visible in the process list."""
    where = command.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, default=None, help="SQLite file (default: the platform data dir)")
    where.add_argument(
        "--database-url",
        default=os.environ.get("KIOSK_DATABASE_URL") or None,
        metavar="URL",
        help="PostgreSQL instead of SQLite, e.g. postgresql://kiosk@10.0.0.5/kiosk (or KIOSK_DATABASE_URL; "
        "needs pip install 'kiosk[cluster]')",
    )


def _add_connection_limits(run: argparse.ArgumentParser) -> None:
    """Slow and greedy clients.  Defaults live in server/config.py (not imported here: ``run``
    must monkey-patch before anything imports socket or threading); docs/server.md says why."""
    run.add_argument(
        "--header-timeout", type=float, default=None, help="seconds a request's line and headers may take"
    )
    run.add_argument(
        "--keepalive-timeout",
        type=float,
        default=None,
        help="seconds an idle keep-alive connection stays open",
    )
    run.add_argument(
        "--max-connections-per-address",
        type=int,
        default=None,
        help="connections one address may hold, 0 for any",
    )
    run.add_argument(
        "--max-socket-queue-bytes",
        type=int,
        default=None,
        help="bytes that may wait for one socket that does not read before it is dropped, 0 for any",
    )


def closing_time(text: str) -> time:
    """``--closing-time 22:30`` → a local time; anything else is refused with the form to use."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time of day such as 22:30") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        refusal = missing_server_extra()
        if refusal is not None:
            print(refusal, file=sys.stderr)
            return EXIT_MISSING_EXTRA
        from server.runner import patch_for

        patch_for(args.async_mode)  # before anything else is imported
        from server.runner import run

        return run(args)
    if args.command == "devices":
        from server.devices_cli import devices_command

        return devices_command(args)
    if args.command == "db":
        from server.devices_cli import db_command

        return db_command(args)
    if args.command == "orders":
        from server.orders_cli import orders_command

        return orders_command(args)
    from server.feed import feed_command

    return feed_command(args)


if __name__ == "__main__":
    sys.exit(main())
