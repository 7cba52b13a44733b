"""A database file with many active orders, written in-process in a few transactions (seconds, not minutes).

For the large-read tests and ``bench/large_reads.py``: 10 000 orders through
the REST API take minutes; through the hub's own write path, with one
transaction per thousand orders, they are the same rows and events.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.protocol.requests import CreateOrder, validate_body
from server import orders
from server.clock import SystemClock
from server.hub import Hub
from tests.support.backend import hub_connection
from tests.support.server_process import order_body

PER_TRANSACTION = 1000


def make_active_orders(path: Path, count: int, *, tenants: int = 5) -> None:
    """``count`` pending orders spread over ``tenants`` tenants, in a new or existing file at ``path``."""
    hub = Hub(hub_connection(path), SystemClock(), retention_events=max(1000, count * 2))
    try:
        bodies = [validate_body(CreateOrder, order_body(tenant_id=1 + i % tenants)) for i in range(tenants)]
        made = 0
        while made < count:
            with hub.write() as tx:
                for _ in range(min(PER_TRANSACTION, count - made)):
                    orders.create(tx, bodies[made % tenants])
                    made += 1
    finally:
        hub.close()
