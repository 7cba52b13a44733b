"""``GET /api/orders``: the list built as JSON by SQLite, in one read transaction, off the event loop.

Why: with 10 000 active orders the answer took 262 ms under the hub's lock,
most of it building pydantic models and dumping them again, and two screens
looping on it pushed every screen's broadcast latency to p50 187 ms.  Now
SQLite's JSON functions write each order's JSON text (the wire shape of
``kiosk.protocol.Order``, field for field, checked when this module loads), on a
read connection of its own (server/read_pool.py), so the hub's lock is never
taken; the route runs it on a native thread, where SQLite works without the
GIL and the event loop keeps broadcasting.  The ``seq`` is read in the same
transaction as the rows, so the list and its seq always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.protocol import ACTIVE_STATUSES, Order, OrderItem
from server.database import Connection, dialect_of, in_list
from server.db import get_meta

# Wire field -> SQL expression.  Must list Order's fields in their order (checked below), so the
# JSON is the one order_rows.dump() writes; tests/server/test_large_reads.py compares the two.
_ITEM_FIELDS = (
    ("id", "i.id"),
    ("name", "i.name"),
    ("qty", "i.qty"),
    ("price", "i.price"),
    ("notes", "i.notes"),
    ("modifiers", "json(i.modifiers)"),  # stored as a JSON array
    ("station", "i.station"),
    ("category", "i.category"),
    ("allergens", "json(i.allergens)"),  # stored as a JSON array
    ("status", "i.status"),
    ("void_reason", "i.void_reason"),
    ("added_at", "i.added_at"),
    ("started_at", "i.started_at"),
    ("done_at", "i.done_at"),
)
_ORDER_FIELDS = (
    ("id", "o.id"),
    ("order_number", "o.order_number"),
    ("tenant_id", "o.tenant_id"),
    ("customer_name", "o.customer_name"),
    ("type", "o.type"),
    ("table", "o.table_label"),
    # Aggregated over the order's rows of order_items, which its primary key (order_id, position)
    # yields in position order: no sorter touches them (the plan is a SEARCH ... USING PRIMARY KEY).
    ("items", "json_group_array(json_object({}))".format(", ".join(f"'{k}', {v}" for k, v in _ITEM_FIELDS))),
    ("total_amount", "o.total_amount"),
    ("items_count", "o.items_count"),
    ("status", "o.status"),
    ("version", "o.version"),
    ("qr_token", "o.qr_token"),
    ("payment_status", "o.payment_status"),
    ("cancel_reason", "o.cancel_reason"),
    ("priority", "o.priority"),
    # Stored as iso() strings, which is what WireTime writes.
    ("fire_at", "o.fire_at"),
    ("prep_minutes", "o.prep_minutes"),
    ("preparing_at", "o.preparing_at"),
    ("ready_at", "o.ready_at"),
    ("completed_at", "o.completed_at"),
    ("cancelled_at", "o.cancelled_at"),
    ("picked_up_at", "o.picked_up_at"),
    ("created_at", "o.created_at"),
    ("updated_at", "o.updated_at"),
)


def _check_shape() -> None:
    for model, fields in ((Order, _ORDER_FIELDS), (OrderItem, _ITEM_FIELDS)):
        if [name for name, _ in fields] != list(model.model_fields):
            raise RuntimeError(
                f"server/order_lists.py lists {[n for n, _ in fields]} but {model.__name__} has "
                f"{list(model.model_fields)}: update the SQL field list"
            )


_check_shape()
_ORDER_JSON = "json_object({})".format(", ".join(f"'{k}', {v}" for k, v in _ORDER_FIELDS))


def _postgres_order_json() -> str:
    """The same object in PostgreSQL's words: json_build_object, the lines by position, arrays cast."""

    def column(sql: str) -> str:  # json(i.modifiers) → i.modifiers::json
        return sql[len("json(") : -1] + "::json" if sql.startswith("json(") else sql

    items = ", ".join(f"'{k}', {column(v)}" for k, v in _ITEM_FIELDS)
    aggregate = f"COALESCE(json_agg(json_build_object({items}) ORDER BY i.position), '[]'::json)"
    fields = ", ".join(f"'{k}', {aggregate if k == 'items' else v}" for k, v in _ORDER_FIELDS)
    return f"json_build_object({fields})"


_POSTGRES_ORDER_JSON = _postgres_order_json()


@dataclass(frozen=True)
class OrderPage:
    orders: str  # the orders' JSON texts, oldest first, joined by commas
    seq: int
    more: bool
    next_before: int | None

    def to_json(self) -> bytes:
        """The answer's body; the orders' texts are spliced in as they are (SQLite wrote valid JSON)."""
        tail = f'],"seq":{self.seq},"more":{"true" if self.more else "false"}'
        if self.more:
            tail += f',"next_before":{self.next_before}'
        return ('{"orders":[' + self.orders + tail + "}").encode()


def find_page(
    conn: Connection,
    *,
    active: bool,
    tenant_ids: frozenset[int] | None,
    tenant_id: int | None,
    limit: int | None = None,
    before_id: int | None = None,
) -> OrderPage:
    """Orders oldest first; call inside one read transaction (read_pool.in_snapshot).

    ``tenant_ids`` None means every tenant the caller may see.  With ``limit``
    the page holds the newest ``limit`` orders below ``before_id``: a list of a
    whole season must not be built in one answer.
    """
    where: list[str] = []
    args: list[Any] = []
    if active:
        marks, values = in_list(sorted(ACTIVE_STATUSES))
        where.append(f"status IN {marks}")
        args.extend(values)
    if tenant_ids is not None:
        marks, values = in_list(sorted(tenant_ids))
        where.append(f"tenant_id IN {marks}")
        args.extend(values)
    if tenant_id is not None:
        where.append("tenant_id = ?")
        args.append(tenant_id)
    if before_id is not None:
        where.append("id < ?")
        args.append(before_id)
    chosen = f"SELECT * FROM orders{' WHERE ' + ' AND '.join(where) if where else ''}"  # noqa: S608 (marks only)
    if limit is not None:
        chosen += " ORDER BY id DESC LIMIT ?"  # one more than asked: is there an older page?
        args.append(limit + 1)
    seq = int(get_meta(conn, "seq") or 0)  # same transaction as the rows below: they agree
    more = False
    if limit is not None:
        found, oldest = conn.execute(f"SELECT count(*), min(id) FROM ({chosen}) AS page", args).fetchone()  # noqa: S608
        if found > limit:  # leave out the oldest: it only said that there is an older page
            more = True
            chosen = f"SELECT * FROM ({chosen}) AS page WHERE id > {int(oldest)}"  # noqa: S608 (an integer)
    # One correlated subquery per order builds its whole JSON: the items' aggregate is an argument of
    # the same json_object, so it stays JSON (a subquery's result would be quoted as a string).  The
    # orders are joined into one text by SQLite too: one row back, so this thread hardly takes the
    # GIL from the event loop (10 000 rows fetched one by one handed it back and forth 10 000 times).
    # group_concat takes the rows in the order of the ordered subquery (SQLite 3.40 has no ORDER BY
    # inside an aggregate); test_an_active_list_is_oldest_first_across_statuses checks it.
    if dialect_of(conn) == "sqlite":
        sql = (
            f"SELECT min(id), group_concat(order_json, ',') FROM ("  # noqa: S608 (no caller text: only marks)
            f"SELECT o.id AS id, (SELECT {_ORDER_JSON} FROM order_items AS i WHERE i.order_id = o.id) AS order_json "
            f"FROM ({chosen}) AS o ORDER BY o.id) AS page"
        )
    else:  # PostgreSQL orders inside the aggregate itself
        sql = (
            f"SELECT min(id), string_agg(order_json::text, ',' ORDER BY id) FROM ("  # noqa: S608 (only marks)
            f"SELECT o.id AS id, (SELECT {_POSTGRES_ORDER_JSON} FROM order_items AS i WHERE i.order_id = o.id) "
            f"AS order_json FROM ({chosen}) AS o) AS page"
        )
    first, texts = conn.execute(sql, args).fetchone()
    return OrderPage(texts or "", seq, more, int(first) if more else None)
