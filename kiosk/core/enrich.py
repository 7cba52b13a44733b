"""Orders an older backend's events sent in part, completed from its order route, off the GUI thread.

The NotificationService's ``order:created`` carries the number, the customer
and ``items_count`` but not the items; a cook cannot cook from that.  Its
``payment:processed`` carries no order at all, and a receipt lists the items.  The
card is shown at once with what the event has, and this fetches
``GET /api/orders/:id`` (the dialect's ``get_order`` route) and fills in what
the event left out (``Store.fill_in``), never what a later event said.

Fetches are coalesced (an order waiting is not queued twice), bounded
(``MAX_WAITING`` orders; beyond that the snapshot reload fills them), run a
few at a time on the REST client's worker threads, and retried
``ATTEMPTS`` times with a pause before an order is given up on (logged once).
Against Kiosk's own server nothing is ever partial, so nothing is fetched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from kiosk.core.changes import Change, Notice
from kiosk.core.dialects import Dialect
from kiosk.core.rest import ApiRefusedError, RestTransport, ServerUnreachableError
from kiosk.core.store import Store
from kiosk.core.versions import first_error
from kiosk.protocol import Order, Payment
from kiosk.protocol.api import GET_ORDER
from kiosk.protocol.models import EntityId

log = logging.getLogger("kiosk.enrich")

MAX_WAITING = 500
ATTEMPTS = 3
RETRY_S = 2.0
WORKERS = 3  # of the REST client's 4 threads: one stays free for actions
# What a card cannot do without; an event that left any of these out is completed.
NEEDED = ("items", "customer_name", "tenant_id")


def needs_filling(order: Order) -> bool:
    return any(name not in order.model_fields_set for name in NEEDED)


class Enricher:
    """A store listener that queues partial orders, and ``run()``, the task that completes them."""

    def __init__(
        self, rest: RestTransport, store: Store, dialect: Callable[[], Dialect], *, retry_s: float = RETRY_S
    ) -> None:
        self.rest = rest
        self.retry_s = retry_s
        self.store = store
        self.dialect = dialect
        self._waiting: dict[EntityId, int] = {}  # order id -> failed attempts, oldest first
        self._busy: set[EntityId] = set()
        self._wake = asyncio.Event()
        self.fetches = 0  # for the state dump and the figures
        self.filled = 0
        self.given_up = 0

    def on_changes(self, changes: Sequence[Change]) -> None:
        for change in changes:
            entity = change.new
            if isinstance(entity, Order) and needs_filling(entity):
                self._ask(entity.id)
            elif isinstance(entity, Payment) and self._needs_its_order(entity):
                self._ask(entity.order_id)

    def _needs_its_order(self, payment: Payment) -> bool:
        """A payment from events alone (no order in it): its receipt needs the order's customer and items."""
        return payment.order is None and not self.dialect().native

    def _ask(self, order_id: EntityId) -> None:
        if order_id in self._waiting or order_id in self._busy:
            return
        if len(self._waiting) >= MAX_WAITING:
            return  # a burst past this waits for the next snapshot reload, which brings whole rows
        self._waiting[order_id] = 0
        self._wake.set()

    def on_notice(self, notice: Notice) -> None:
        pass

    def waiting(self) -> int:
        return len(self._waiting) + len(self._busy)

    async def run(self) -> None:
        await asyncio.gather(*(self._work() for _ in range(WORKERS)))

    async def _work(self) -> None:
        while True:
            while not self._waiting:
                self._wake.clear()
                await self._wake.wait()
            order_id, failures = next(iter(self._waiting.items()))
            del self._waiting[order_id]
            self._busy.add(order_id)
            try:
                done = await self._fetch(order_id)
            finally:
                self._busy.discard(order_id)
            if done:
                continue
            if failures + 1 >= ATTEMPTS:
                self.given_up += 1
                log.warning("order %s: gave up completing it after %d tries", order_id, ATTEMPTS)
                continue
            await asyncio.sleep(self.retry_s)  # a pause between tries of this worker, not a synchronisation
            self._waiting.setdefault(order_id, failures + 1)

    async def _fetch(self, order_id: EntityId) -> bool:
        """True when the order is complete, gone, or cannot be fetched at all; False to try again."""
        held = self.store.orders.get(order_id)
        paid_for = any(
            p.order_id == order_id and self._needs_its_order(p) for p in self.store.payments.values()
        )
        if not paid_for and (held is None or not needs_filling(held)):
            return True
        dialect = self.dialect()
        route = dialect.route("get_order", GET_ORDER)
        if route is None:
            return True  # nothing to ask: the card shows what the events say
        self.fetches += 1
        try:
            row = await self.rest.call(route.method, route.path(order_id=order_id))
        except ApiRefusedError as exc:
            log.info("order %s could not be completed: %s", order_id, exc.message)
            return exc.status in (403, 404)  # gone or not ours: asking again will not help
        except ServerUnreachableError as exc:
            log.debug("completing order %s failed: %s", order_id, exc)
            return False
        try:
            fetched = Order.model_validate(dialect.translate_order_row(row))
        except ValidationError as exc:
            log.warning("order %s from %s is malformed (%s)", order_id, route.template, first_error(exc))
            return True
        filled = self.store.fill_in(fetched)
        filled = self.store.attach_order(fetched) or filled
        self.filled += filled
        return True
