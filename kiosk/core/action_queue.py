"""The offline action queue: what a screen did while the server was away, on disk until it is sent.

An ``Action`` keeps the ``Idempotency-Key`` it got when it was taken, through
the file and every retry, so the server applies it once.  The file is ours,
but it lives on a disk where anything may happen to it (a crash mid-write of
an older version, a hand edit, a copy from another screen), and an entry in it
becomes a request with this screen's token: an ``order_id`` of
``"1/../../payments"`` once became ``DELETE /api/payments``, and an unknown
kind was sent as a cancel.  So every line is checked on load as strictly as
the server would check it (``parse_queued``), and request paths are built
only from plain ids (``Route.path`` in kiosk/protocol/api.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.atomic_file import replace_file
from kiosk.protocol import ProtocolError
from kiosk.protocol.api import CANCEL_ORDER, ITEM_STATUS, ORDER_PRIORITY, ORDER_STATUS, Route, path_segment
from kiosk.protocol.limits import MAX_IDEMPOTENCY_KEY, PLAIN_ID_RULE, is_plain_id
from kiosk.protocol.models import EntityId
from kiosk.protocol.requests import (
    CancelOrder,
    ChangeItemStatus,
    ChangePriority,
    ChangeStatus,
    validate_body,
)

log = logging.getLogger("kiosk.actions")

# "item": one line's status (``status`` is the ItemStatus, ``item_id`` the line, ``reason`` a void's);
# "priority": rush or normal (``status`` holds the Priority).  One shape for all four keeps the
# queue file's lines alike, and an older file (no ``item_id``) still reads.
ACTION_KINDS = ("status", "cancel", "item", "priority")
_ACTION_FIELDS = ("kind", "order_id", "status", "reason", "key", "taken_at", "item_id")
# The route name each kind goes to, as a backend dialect names it (kiosk/core/dialects.py).
ROUTE_NAMES = {
    "status": "order_status",
    "cancel": "cancel_order",
    "item": "item_status",
    "priority": "order_priority",
}
NATIVE_ROUTES: dict[str, Route] = {
    "order_status": ORDER_STATUS,
    "cancel_order": CANCEL_ORDER,
    "item_status": ITEM_STATUS,
    "order_priority": ORDER_PRIORITY,
}
MAX_TAKEN_AT = 64  # an ISO-8601 time with offset is 32 characters
MAX_LOGGED_REJECTS = 10  # per load: the rest of a damaged file is counted, not written line by line


@dataclass(frozen=True)
class Action:
    kind: str  # one of ACTION_KINDS
    order_id: EntityId
    status: str | None = None
    reason: str | None = None
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    taken_at: str = ""
    item_id: int | None = None  # the line of an "item" action

    @property
    def label(self) -> str:
        if self.kind in ("status", "item", "priority"):
            return f"{self.kind}:{self.status}"
        return self.kind

    def request(
        self,
        status_route: Route = ORDER_STATUS,
        cancel_route: Route = CANCEL_ORDER,
        routes: dict[str, Route] | None = None,
    ) -> tuple[str, str, dict[str, Any]]:
        """Method, path and body (at the routes of the backend's dialect); ``ValueError`` for a bad id or kind.

        ``routes`` (route name -> Route) are the dialect's routes for the kinds
        beyond status and cancel; the native ones by default.
        """
        path_segment(self.order_id)  # the id first: a damaged line says so whatever its kind
        chosen = {**NATIVE_ROUTES, **(routes or {})}
        if self.kind == "status":
            return status_route.method, status_route.path(order_id=self.order_id), {"status": self.status}
        if self.kind == "cancel":
            return cancel_route.method, cancel_route.path(order_id=self.order_id), {"reason": self.reason}
        if self.kind == "item":
            if not isinstance(self.item_id, int) or isinstance(self.item_id, bool) or self.item_id < 1:
                raise ValueError(f"item_id {self.item_id!r:.40} is not a line number (1 or more)")
            route = chosen["item_status"]
            body: dict[str, Any] = {"status": self.status}
            if self.reason is not None:
                body["reason"] = self.reason
            return route.method, route.path(order_id=self.order_id, item_id=self.item_id), body
        if self.kind == "priority":
            route = chosen["order_priority"]
            return route.method, route.path(order_id=self.order_id), {"priority": self.status}
        raise ValueError(f"unknown action kind {self.kind!r}; known: {', '.join(ACTION_KINDS)}")

    @property
    def route_name(self) -> str:
        return ROUTE_NAMES.get(self.kind, "cancel_order")


def parse_queued(raw: object) -> Action:
    """A queued action read back from disk, checked as strictly as the server would check it.

    Raises ``ValueError`` with a sentence saying what is wrong.  The queue
    file is ours, but it lives on a disk where anything may happen to it (a
    crash mid-write on an old version, a hand edit, a copy from another
    screen); an entry that passes here is one the server could accept.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"not a JSON object but {type(raw).__name__}")
    unknown = sorted(str(name) for name in set(raw) - set(_ACTION_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r:.40}")
    kind, order_id, status, reason = (
        raw.get("kind"),
        raw.get("order_id"),
        raw.get("status"),
        raw.get("reason"),
    )
    if kind not in ACTION_KINDS:
        raise ValueError(f"kind {kind!r:.40} is not one of {', '.join(ACTION_KINDS)}")
    if not is_plain_id(order_id):
        raise ValueError(f"order_id {order_id!r:.60} is not a plain id ({PLAIN_ID_RULE})")
    item_id = raw.get("item_id")
    _check_body(str(kind), status, reason, item_id)
    key, taken_at = raw.get("key"), raw.get("taken_at", "")
    if not (isinstance(key, str) and key.strip() and len(key) <= MAX_IDEMPOTENCY_KEY and key.isprintable()):
        raise ValueError(f"key {key!r:.40} is not 1-{MAX_IDEMPOTENCY_KEY} printable characters")
    if not (isinstance(taken_at, str) and len(taken_at) <= MAX_TAKEN_AT):
        raise ValueError(f"taken_at {taken_at!r:.40} is not a time")
    assert isinstance(order_id, int | str) and isinstance(kind, str)  # for mypy: checked above
    return Action(
        kind,
        order_id,
        status=status if isinstance(status, str) else None,
        reason=reason if isinstance(reason, str) else None,
        key=key,
        taken_at=taken_at,
        item_id=item_id if isinstance(item_id, int) else None,
    )


def _check_body(kind: str, status: object, reason: object, item_id: object) -> None:
    """The body of a queued action, as the server's request models check it."""
    if kind == "item":
        if not isinstance(item_id, int) or isinstance(item_id, bool) or not 1 <= item_id <= 2_000_000_000:
            raise ValueError(f"item_id {item_id!r:.40} is not a line number (1 or more)")
    elif item_id is not None:
        raise ValueError(f"a {kind} action carries no item_id")
    if kind != "item" and reason is not None and kind != "cancel":
        raise ValueError(f"a {'status' if kind == 'status' else kind} change carries no reason")
    if kind == "cancel" and status is not None:
        raise ValueError("a cancel carries no status")
    try:
        if kind == "status":
            validate_body(ChangeStatus, {"status": status})
        elif kind == "item":
            validate_body(
                ChangeItemStatus, {"status": status, **({} if reason is None else {"reason": reason})}
            )
        elif kind == "priority":
            validate_body(ChangePriority, {"priority": status})
        else:
            validate_body(CancelOrder, {"reason": reason})
    except ProtocolError as exc:
        raise ValueError(exc.message) from None


class ActionQueue:
    """Actions waiting for the server, one JSON object per line, rewritten atomically.

    Each line is checked on load (``parse_queued``); a line that fails is never
    sent: it is logged with its line number and moved to ``<file>.rejected``
    for support, and the queue file is rewritten without it.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._items: list[Action] = []
        if path is not None:
            self._load(path)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Any:
        return iter(list(self._items))

    def append(self, action: Action) -> None:
        self._items.append(action)
        self._save()

    def remove(self, action: Action) -> None:
        self._items = [item for item in self._items if item.key != action.key]
        self._save()

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.error("cannot read the offline action queue %s (%s); queued actions are lost", path, exc)
            return
        rejected: list[str] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                self._items.append(parse_queued(json.loads(line)))
            except (ValueError, RecursionError) as exc:
                rejected.append(line)
                if len(rejected) <= MAX_LOGGED_REJECTS:
                    log.warning(
                        "skipped an unreadable queued action on line %d of %s, not sent: %s",
                        number,
                        path,
                        exc,
                    )
        if rejected:
            self._set_aside(path, rejected)
        if self._items:
            log.info("%d action(s) taken offline are waiting to be sent", len(self._items))

    def _set_aside(self, path: Path, rejected: list[str]) -> None:
        """Keep the refused lines for support, and drop them from the queue file."""
        aside = path.with_name(path.name + ".rejected")
        more = len(rejected) - MAX_LOGGED_REJECTS
        try:
            with aside.open("a", encoding="utf-8") as handle:
                handle.writelines(line + "\n" for line in rejected)
        except OSError as exc:
            log.error("cannot keep the skipped queued actions in %s (%s)", aside, exc)
        else:
            log.warning(
                "%d queued action(s) in %s skipped%s; kept in %s",
                len(rejected),
                path,
                f" ({more} more than listed above)" if more > 0 else "",
                aside,
            )
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            replace_file(self.path, ((json.dumps(asdict(item)) + "\n").encode() for item in self._items))
        except OSError as exc:
            log.error(
                "cannot save the offline action queue %s (%s); it is kept in memory only", self.path, exc
            )
