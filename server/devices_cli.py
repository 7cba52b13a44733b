"""``kiosk-server devices add|list|revoke`` and ``db upgrade``, against the database (server may be running)."""

from __future__ import annotations

import argparse
import sys

from kiosk.protocol import ProtocolError
from server import auth, db
from server.clock import SystemClock
from server.config import default_db_path
from server.database import DatabaseTarget
from server.schema import open_database, upgrade_database


def target_of(args: argparse.Namespace) -> DatabaseTarget:
    """The database a command was pointed at: ``--db``, else ``--database-url`` (or KIOSK_DATABASE_URL),
    else the default file."""
    if args.db is None and getattr(args, "database_url", None):
        return DatabaseTarget(url=args.database_url)
    return DatabaseTarget(path=args.db or default_db_path())


def db_command(args: argparse.Namespace) -> int:
    try:
        print(upgrade_database(target_of(args)))
    except db.DatabaseUnavailableError as exc:
        print(f"kiosk-server db upgrade: {exc}", file=sys.stderr)
        return 2
    return 0


def devices_command(args: argparse.Namespace) -> int:
    target = target_of(args)
    path = target.describe()
    try:
        conn = open_database(target)
    except db.DatabaseUnavailableError as exc:
        print(f"kiosk-server devices: {exc}", file=sys.stderr)
        return 2
    now = SystemClock().now()
    try:
        if args.action == "add":
            try:
                rooms = auth.parse_rooms(args.rooms)
                with db.transaction(conn):
                    token = auth.add_device(conn, args.name, rooms, now)
            except (ProtocolError, ValueError) as exc:
                print(f"kiosk-server devices add: {exc}", file=sys.stderr)
                return 2
            shown = ", ".join(sorted(str(room) for room in rooms))
            print(f"device {args.name!r} may join: {shown}")
            print("its token follows; it is shown only this once (only a hash is stored):")
            print(token)
            return 0
        if args.action == "list":
            devices = auth.list_devices(conn)
            if not devices:
                print(f"no devices in {path}; add one with `kiosk-server devices add`")
            for device in devices:
                state = f"revoked {device.revoked_at}" if device.revoked_at else "active"
                print(f"{device.name}\trooms={','.join(device.rooms)}\tcreated={device.created_at}\t{state}")
            return 0
        try:
            with db.transaction(conn):
                auth.revoke_device(conn, args.name, now)
        except auth.UnknownDeviceError as exc:
            print(f"kiosk-server devices revoke: {exc}", file=sys.stderr)
            return 2
        print(f"device {args.name!r} revoked; its token no longer works for REST or new connections")
        return 0
    finally:
        conn.close()
