"""Snapshot, catch-up and legacy resync: how the store is brought level with the server.

On every (re)connect, and on every poll while the socket is down, the session
calls ``Syncer.catch_up``.  Against this project's server that pages through
``GET /api/events?room=&after=seq``; when the log no longer reaches back
(``reset``), or the server's seq went backwards (a fresh database), it reloads
the snapshot.  Against an older order backend - detected, never configured:
no ``seq`` in its order list, or a 404 from /api/events, all decided in
``Syncer.settle_backend`` - it resyncs from ``GET /api/orders`` each time instead.
Paths and page shapes come from kiosk/protocol/api.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.core.atomic_file import replace_file
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.dialects import AUTO, Dialect, detected_dialect, load_dialect
from kiosk.core.rest import ApiRefusedError, RestTransport
from kiosk.core.store import Store
from kiosk.protocol import Order, Payment, RoomKind, iso, parse_room, start_of_local_day
from kiosk.protocol.api import (
    EVENTS,
    HEALTH,
    LIST_ORDERS,
    LIST_PAYMENTS,
    EventsPage,
    OrdersPage,
    PaymentsPage,
    first_error,
)
from kiosk.protocol.limits import MAX_SEQ, is_valid_seq

log = logging.getLogger("kiosk.sync")

MAX_PAGES = 1000  # a guard against a server that always says "more"
# Refusals of a resumed catch-up that say nothing about the seq: the token (401, 403), an
# older backend (404, handled below), too many requests (429).  Any other 4xx means reload.
_NOT_ABOUT_THE_SEQ = frozenset({401, 403, 404, 429})


class Syncer:
    def __init__(
        self,
        rest: RestTransport,
        store: Store,
        room: str,
        *,
        clock: Clock | None = None,
        dialect: str = AUTO,
        on_dialect: Callable[[Dialect], None] = lambda _dialect: None,
    ) -> None:
        self.rest = rest
        self.store = store
        self.room = parse_room(room)
        self.clock: Clock = clock or SystemClock()
        # What the backend calls things (kiosk/core/dialects.py): native until detection says
        # otherwise under "auto"; a dialect named in the settings is final from the start.
        self.dialect: Dialect = load_dialect(dialect)
        self._detect_dialect = dialect == AUTO
        self._on_dialect = on_dialect  # told the dialect once it is known (the session withholds tokens)
        on_dialect(self.dialect)
        self.legacy: bool | None = None  # None until the server has shown what it can do
        if not self.dialect.native:
            log.info("backend dialect %s, as set in backend_dialect", self.dialect.title)
            if not self.dialect.catch_up:
                self.legacy = True
        self.loaded = False  # a first snapshot has been applied
        self.resets = 0
        # The seq this screen had reached before the app restarted: catching up
        # from it (with the persisted seen ids) announces what arrived while the
        # app was closed, and nothing it had already announced.
        self.resume_seq: int | None = None

    async def catch_up(self) -> None:
        """Bring the store level with the server; raises ServerUnreachableError / ApiRefusedError."""
        if self.store.seq is None and self.resume_seq is not None and not self.loaded:
            self.store.seq, self.resume_seq = self.resume_seq, None
            log.info("resuming %s from seq %s (where it was before the restart)", self.room, self.store.seq)
        # Still resuming until a snapshot has been loaded, also when the first try got no answer:
        # the seq is then still the saved one, which this server has not confirmed.
        resuming = not self.loaded and self.store.seq is not None
        if self.legacy is True or (not resuming and self.store.seq is None):
            await self.snapshot(notify_new=self.loaded)
        if self.legacy is True:
            return
        if await self._page_events(resuming=resuming) and resuming:
            await self.snapshot(notify_new=False)  # the orders from before the resume point, quietly

    async def _page_events(self, *, resuming: bool = False) -> bool:
        """Apply the room's events after ``store.seq``; False if it fell back to a snapshot.

        ``resuming``: the seq is the one saved before a restart, not one this
        server gave in this run, so a refusal of it (4xx) means reload, not retry.
        """
        after = self.store.seq or 0
        for _ in range(MAX_PAGES):
            try:
                body = await self.rest.call(
                    EVENTS.method, EVENTS.path(), params={"room": str(self.room), "after": after}
                )
            except ApiRefusedError as exc:
                if resuming and exc.status not in _NOT_ABOUT_THE_SEQ:
                    # The server will never take this resume point (a file from another server, a
                    # bug, a hand edit): start over from the snapshot instead of asking forever.
                    await self._reload(f"the server refused to resume from seq {after} ({exc.message})")
                    return False
                if exc.status != 404:
                    raise
                self.settle_backend(older=True, why=f"the server has no {EVENTS.template}")
                await self.snapshot(notify_new=True)
                return False
            try:
                page = EventsPage.model_validate(body)
            except ValidationError as exc:
                await self._reload(
                    f"malformed answer ({first_error(exc)}); had seq {after}, server at {_seq_of(body)}"
                )
                return False
            current = page.seq
            if page.reset or (current is not None and current < after):
                why = (
                    "the event log no longer reaches back"
                    if page.reset
                    else "the server's seq went back (a new database?)"
                )
                await self._reload(f"{why}; had seq {after}, server at {current}")
                return False
            events = page.events
            # one store emit per page (the server's catch-up page), as for live bursts: one model insert, one relayout
            self.store.apply_batch((raw, True) for raw in events)
            if page.more and events:
                last = events[-1].get("seq") if isinstance(events[-1], dict) else None
                after = last if isinstance(last, int) and last > after else (self.store.seq or after)
                continue
            if current is not None and (self.store.seq is None or current > self.store.seq):
                self.store.seq = current
            if events:
                log.info(
                    "caught up %d event(s) for %s, now at seq %s", len(events), self.room, self.store.seq
                )
            return True
        log.error("catch-up for %s still had more after %d pages; continuing next time", self.room, MAX_PAGES)
        return True

    def settle_backend(self, *, older: bool, why: str) -> None:
        """The one place a screen decides it talks to an older order backend (``legacy``), or not.

        Never configured, only detected, so that one kiosk build works against
        this server and the backends that came before it.  The signs, each
        reported here by the code that sees it:

        - a 404 from ``GET /api/events`` (no catch-up log): older (this module);
        - the first fetched list (orders, payments, or /api/health) has no
          integer ``seq``: older, else newer (``snapshot``);
        - no answer to the ``join`` event within the join timeout: older
          (kiosk/core/connection.py ``Connector.join``);
        - a live event with neither ``seq`` nor ``event_id`` before anything
          else decided: older (connection.py ``_on_live_event``).

        Older is final for this run: such a screen resyncs from /api/orders on
        every catch-up and saves no resume point.  ``older=False`` only settles
        a question still open, it never undoes an older verdict.
        """
        if older:
            if self.legacy is not True:
                if self._detect_dialect and self.dialect.native:
                    self.dialect = detected_dialect()
                    self._on_dialect(self.dialect)
                log.info(
                    "older backend: %s protocol, no catch-up: resync on reconnect (%s)",
                    self.dialect.title,
                    why,
                )
            self.legacy = True
        elif self.legacy is None:
            self.legacy = False

    async def _reload(self, why: str) -> None:
        self.resets += 1
        log.warning("reloading the snapshot of %s: %s", self.room, why)
        await self.snapshot(notify_new=True)

    async def snapshot(self, *, notify_new: bool) -> None:
        """Load what the room shows: active orders (display, tenant, board), the day's payments (kasir, tenant).

        The seq comes with the data it describes; a room that loads neither
        (user-N) takes it from /api/health.  A fetched list without a seq means
        an older backend.
        """
        seq: object = None
        fetched = False
        orders_body: Any = None
        # Counter and user rooms receive no order events: a snapshot of orders would only go stale.
        if self.room.kind in (RoomKind.DISPLAY, RoomKind.TENANT, RoomKind.BOARD):
            params: dict[str, str | int] = {"active": "1"}
            if self.room.kind is RoomKind.TENANT and self.room.id is not None:
                params["tenant_id"] = self.room.id
            orders_body = await self._get_or_empty(self._list_orders_path(), params)
            seq, fetched = _seq_of(orders_body), bool(orders_body)
        payments_body: Any = None
        if self.room.kind in (RoomKind.KASIR, RoomKind.TENANT) and self.dialect.payments_list:
            payment_params: dict[str, str | int] = {"since": iso(start_of_local_day(self.clock.now()))}
            if self.room.kind is RoomKind.KASIR and self.room.id is not None:
                payment_params["counter_id"] = self.room.id
            payments_body = await self._get_or_empty(LIST_PAYMENTS.path(), payment_params)
            if not fetched:
                seq, fetched = _seq_of(payments_body), bool(payments_body)
        if not fetched:
            body = await self._get_or_empty(HEALTH.path(), {})
            seq, fetched = _seq_of(body), bool(body)
        if self.legacy is None and fetched:
            # Decided before the rows are read: an older backend's rows are in its own names.
            self.settle_backend(older=not isinstance(seq, int), why="the server's lists carry no seq")
        orders: list[Order] = []
        if orders_body is not None:
            orders, _ = self._read(orders_body, "orders", OrdersPage, Order)
        payments: list[Payment] | None = None
        if payments_body is not None:
            payments, _ = self._read(payments_body, "payments", PaymentsPage, Payment)
        self.store.load_snapshot(
            orders, payments, seq if isinstance(seq, int) else None, notify_new=notify_new and self.loaded
        )
        self.loaded = True
        log.info("snapshot of %s: %d active order(s), seq %s", self.room, len(orders), seq)

    def _list_orders_path(self) -> str:
        route = self.dialect.routes.get("list_orders")
        return route.split(" ", 1)[1] if route else LIST_ORDERS.path()

    def _read(
        self, body: Any, key: str, page: type[OrdersPage | PaymentsPage], model: type[Any]
    ) -> tuple[list[Any], object]:
        if self.dialect.native:
            return _read_list(body, key, page, model)
        if not body:  # not available to this screen (403, 404)
            return [], None
        rows = body.get(key, body.get("data")) if isinstance(body, dict) else body
        if not isinstance(rows, list):
            log.warning("the %s list is not a list in the %s dialect: showing none", key, self.dialect.name)
            return [], None
        translate = self.dialect.translate_order_row if model is Order else (lambda row: row)
        return _parse_items([translate(row) for row in rows], model), None

    async def _get_or_empty(self, path: str, params: dict[str, str | int]) -> Any:
        try:
            return await self.rest.call("GET", path, params=params)
        except ApiRefusedError as exc:
            if exc.status in (403, 404):
                log.info("%s is not available to this screen (%s); showing none", path, exc.message)
                return {}
            raise


def _seq_of(body: Any) -> object:
    return body.get("seq") if isinstance(body, dict) else None


def _read_list(
    body: Any, key: str, page: type[OrdersPage | PaymentsPage], model: type[Any]
) -> tuple[list[Any], object]:
    """The items and the seq of a snapshot list: this server's page, or an older backend's shape.

    This server answers ``{key: [...], "seq": N}`` (checked through ``page``); older
    backends a bare list or ``{"data": [...]}``.  A malformed page shows none of its
    items, and its seq (whatever it is) still tells ``settle_backend`` what it needs.
    """
    if isinstance(body, dict) and key in body:
        try:
            parsed = page.model_validate(body)
        except ValidationError as exc:
            log.warning("malformed %s page in the snapshot (%s): showing none", key, first_error(exc))
            return [], body.get("seq")
        items: object = parsed.orders if isinstance(parsed, OrdersPage) else parsed.payments
        return _parse_items(items, model), parsed.seq
    return _parse_items(_legacy_items(body), model), _seq_of(body)


def _legacy_items(body: Any) -> object:
    return body if isinstance(body, list) else body.get("data") if isinstance(body, dict) else None


def _parse_items(items: object, model: type[Any]) -> list[Any]:
    if not isinstance(items, list):
        return []
    parsed = []
    for item in items:
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            log.warning("skipped a malformed %s in the snapshot: %s", model.__name__, exc.errors()[0]["msg"])
    return parsed


class ResumePoint:
    """The seq reached before the app closed, saved beside the seen ids (per room and server)."""

    def __init__(self, path: Path, server_url: str) -> None:
        self.path = path
        self.server_url = server_url
        self._saved: int | None = None

    def load(self) -> int | None:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s (%s): loading a fresh snapshot", self.path, exc)
            return None
        if not isinstance(state, dict) or state.get("server_url") != self.server_url:
            return None
        seq = state.get("seq")
        if not is_valid_seq(seq):
            # -5 or 2^60 is refused by the server on every catch-up: the screen would show no
            # orders until someone deleted the file.  A snapshot costs only the "while closed" chimes.
            log.warning(
                "ignoring the resume point in %s: seq %.40r is not a whole number from 0 to %d; "
                "loading a fresh snapshot",
                self.path,
                seq,
                MAX_SEQ,
            )
            return None
        assert isinstance(seq, int)  # for mypy: is_valid_seq said so
        self._saved = seq
        return seq

    def save(self, seq: int | None, *, legacy: bool | None) -> None:
        """Write the seq if it moved (cheap: called every second)."""
        if seq is None or seq == self._saved or legacy:
            return
        try:
            replace_file(self.path, json.dumps({"server_url": self.server_url, "seq": seq}).encode())
            self._saved = seq
        except OSError as exc:
            log.warning("cannot save %s (%s): a restart will reload the snapshot", self.path, exc)
