"""``kiosk-server devices add|list|revoke`` and ``db upgrade``, against the database (server may be running)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from pydantic import ValidationError

from kiosk.protocol import ProtocolError
from kiosk.protocol.pairing import ApprovePairing, shown_code
from server import auth, db, pairing
from server.clock import SystemClock
from server.config import default_db_path
from server.database import Connection, DatabaseTarget
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


def _approve(conn: Connection, args: argparse.Namespace, now: datetime) -> int:
    try:
        asked = ApprovePairing(name=args.name, rooms=[r.strip() for r in args.rooms.split(",") if r.strip()])
        with db.transaction(conn):
            approved = pairing.approve(conn, args.code, asked, now)
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"kiosk-server devices approve: {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    except pairing.PairingRefusedError as exc:
        print(f"kiosk-server devices approve: {exc.message}", file=sys.stderr)
        return 2
    print(
        f"approved {shown_code(approved['code'])}: the screen becomes {approved['name']!r} in "
        f"{', '.join(approved['rooms'])} and takes its token within a few seconds"
    )
    return 0


def devices_command(args: argparse.Namespace) -> int:
    target = target_of(args)
    try:
        conn = open_database(target)
    except db.DatabaseUnavailableError as exc:
        print(f"kiosk-server devices: {exc}", file=sys.stderr)
        return 2
    actions = {"add": _add, "list": _list, "revoke": _revoke, "approve": _approve}
    try:
        return actions[args.action](conn, args, SystemClock().now())
    finally:
        conn.close()


def _add(conn: Connection, args: argparse.Namespace, now: datetime) -> int:
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


def _list(conn: Connection, args: argparse.Namespace, _now: datetime) -> int:
    devices = auth.list_devices(conn)
    if not devices:
        print(f"no devices in {target_of(args).describe()}; add one with `kiosk-server devices add`")
    for device in devices:
        state = f"revoked {device.revoked_at}" if device.revoked_at else "active"
        print(f"{device.name}\trooms={','.join(device.rooms)}\tcreated={device.created_at}\t{state}")
    return 0


def _revoke(conn: Connection, args: argparse.Namespace, now: datetime) -> int:
    try:
        with db.transaction(conn):
            auth.revoke_device(conn, args.name, now)
    except auth.UnknownDeviceError as exc:
        print(f"kiosk-server devices revoke: {exc}", file=sys.stderr)
        return 2
    print(f"device {args.name!r} revoked; its token no longer works for REST or new connections")
    return 0
