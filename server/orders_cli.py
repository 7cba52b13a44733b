"""``kiosk-server orders close-stale``: the admin's end-of-day close, through the running server.

Through the REST API rather than the SQLite file: the server is the one that
emits, so every screen drops the closed orders at once (a write to the file
would leave them on screen until the next resync).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import requests

from kiosk.protocol.api import CLOSE_STALE

TIMEOUT_S = 30.0


def orders_command(args: argparse.Namespace) -> int:
    if not args.token:
        print("kiosk-server orders: needs the admin token: --token or KIOSK_ADMIN_TOKEN", file=sys.stderr)
        return 2
    body: dict[str, Any] = {}
    if args.older_than is not None:
        body["older_than_minutes"] = args.older_than
    url = args.url.rstrip("/") + CLOSE_STALE.path()
    try:
        answer = requests.post(
            url, json=body, headers={"Authorization": f"Bearer {args.token}"}, timeout=TIMEOUT_S
        )
    except requests.RequestException as exc:
        print(f"kiosk-server orders close-stale: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    try:
        reply = answer.json()
    except ValueError:
        reply = {}
    if answer.status_code != 200:
        message = reply.get("error", {}).get("message") if isinstance(reply, dict) else None
        print(
            f"kiosk-server orders close-stale: the server refused ({answer.status_code}): "
            f"{message or answer.text[:200]}",
            file=sys.stderr,
        )
        return 1
    closed = reply.get("closed", [])
    print(f"closed {len(closed)} order(s){': ' + ', '.join(closed) if closed else ''}")
    return 0
