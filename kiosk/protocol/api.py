"""The REST wire: every route under /api declared once, and the shapes of the pages the kiosk reads.

Why: the paths were spelled in the server's decorators, the kiosk's sync and
actions, the setup dialog and the demo feed, and drifted one at a time.  Now
the server takes its Flask rule from a ``Route`` here (``flask_rule``), the
kiosk builds its paths from the same ``Route`` (``path``), and
tests/protocol/test_api_routes.py checks that the app registers exactly these.

Paths are built only from plain ids (``is_plain_id``): an id such as
``1/../../payments`` (from a damaged queue file, or in an event from a hostile
server) would otherwise name another endpoint, and percent-encoding it does
not help.  Plain Python + pydantic: no Flask, no HTTP client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from kiosk.protocol.limits import PLAIN_ID_RULE, is_plain_id
from kiosk.protocol.models import EntityId

API_PREFIX = "/api"  # the blueprints' url_prefix; ``Route.flask_rule`` is relative to it
_PARAM = re.compile(r"\{([a-z_]+)\}")


def path_segment(entity_id: EntityId) -> str:
    """The id as a URL path segment; ``ValueError`` unless it is a plain id (``is_plain_id``).

    Only plain ids are ever put in a path: see the module docstring.
    """
    if not is_plain_id(entity_id):
        raise ValueError(f"id {entity_id!r:.60} is not a plain id ({PLAIN_ID_RULE}); not sent")
    return str(entity_id)


@dataclass(frozen=True)
class Route:
    """One REST route: its method and path template (``{order_id}`` style placeholders).

    A placeholder ending in ``_id`` is a whole number on the server
    (``<int:...>``); any other (a device name) is a plain string segment.
    """

    method: str
    template: str

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.template))

    @property
    def flask_rule(self) -> str:
        """The rule for ``Blueprint.route`` under ``url_prefix=API_PREFIX``: ``/orders/<int:order_id>/status``."""
        if not self.template.startswith(API_PREFIX + "/"):
            raise ValueError(f"{self.template} is not under {API_PREFIX}")
        relative = self.template[len(API_PREFIX) :]
        return _PARAM.sub(lambda m: f"<int:{m[1]}>" if m[1].endswith("_id") else f"<{m[1]}>", relative)

    def path(self, **ids: EntityId) -> str:
        """The concrete path; ``ValueError`` for a missing, extra or non-plain id (never sent)."""
        if set(ids) != set(self.params):
            raise ValueError(f"{self.template} takes {', '.join(self.params) or 'no ids'}, got {sorted(ids)}")
        return _PARAM.sub(lambda m: path_segment(ids[m[1]]), self.template)


HEALTH = Route("GET", "/api/health")
STATS = Route("GET", "/api/stats")
CREATE_ORDER = Route("POST", "/api/orders")
LIST_ORDERS = Route("GET", "/api/orders")
GET_ORDER = Route("GET", "/api/orders/{order_id}")
ORDER_STATUS = Route("PATCH", "/api/orders/{order_id}/status")
CANCEL_ORDER = Route("DELETE", "/api/orders/{order_id}")
ITEM_STATUS = Route("PATCH", "/api/orders/{order_id}/items/{item_id}/status")
ORDER_PRIORITY = Route("PATCH", "/api/orders/{order_id}/priority")
ADD_ITEMS = Route("POST", "/api/orders/{order_id}/items")
CLOSE_STALE = Route("POST", "/api/orders/close-stale")
PREP_TIMES = Route("GET", "/api/reports/prep-times")
CREATE_PAYMENT = Route("POST", "/api/payments")
LIST_PAYMENTS = Route("GET", "/api/payments")
REFUND_PAYMENT = Route("POST", "/api/payments/{payment_id}/refund")
SCAN_QR = Route("POST", "/api/qr/scan")
NOTIFY = Route("POST", "/api/notifications")
ALERT = Route("POST", "/api/alerts")
EVENTS = Route("GET", "/api/events")
REVOKE_DEVICE = Route("DELETE", "/api/devices/{name}")

ROUTES: tuple[Route, ...] = (
    HEALTH,
    STATS,
    CREATE_ORDER,
    LIST_ORDERS,
    GET_ORDER,
    ORDER_STATUS,
    CANCEL_ORDER,
    ITEM_STATUS,
    ORDER_PRIORITY,
    ADD_ITEMS,
    CLOSE_STALE,
    PREP_TIMES,
    CREATE_PAYMENT,
    LIST_PAYMENTS,
    REFUND_PAYMENT,
    SCAN_QR,
    NOTIFY,
    ALERT,
    EVENTS,
    REVOKE_DEVICE,
)


class _Page(BaseModel):
    """Pages are read leniently where the kiosk always was (extra keys ignored, items checked one by one).

    Items stay raw (``list[Any]``): each order, payment or envelope is
    validated on its own, so one bad item is skipped rather than the page.
    Numbers and flags are strict: ``"5"`` is not a seq.
    """

    model_config = ConfigDict(extra="ignore")


class EventsPage(_Page):
    """``GET /api/events``: envelopes after ``after``; ``reset`` = reload; ``more`` = ask again."""

    events: list[Any] = Field(default_factory=list)
    seq: StrictInt | None = None
    reset: StrictBool = False
    more: StrictBool = False


class OrdersPage(_Page):
    """``GET /api/orders``: active orders whole, or one history page (``more``, ``next_before``)."""

    orders: list[Any] = Field(default_factory=list)
    seq: StrictInt | None = None
    more: StrictBool = False
    next_before: StrictInt | None = None


class PaymentsPage(_Page):
    """``GET /api/payments``: the payments asked for and the seq they were read at."""

    payments: list[Any] = Field(default_factory=list)
    seq: StrictInt | None = None


class ErrorDetail(_Page):
    """The ``error`` of a refusal (kiosk/protocol/errors.py): stable code, readable message, field."""

    code: str
    message: str
    field: str | None = None


class JoinAck(_Page):
    """The answer to a Socket.IO join/leave: ``{"ok": true, "room", "seq"}`` or ``{"ok": false, "error"}``."""

    ok: bool
    room: str | None = None
    seq: StrictInt | None = None
    error: ErrorDetail | None = None

    def to_wire(self) -> dict[str, Any]:
        """The dict sent as the ack: only the keys that apply (as the server always sent it)."""
        return self.model_dump(exclude_none=True)


def first_error(exc: ValidationError) -> str:
    """The first problem of a rejected reply as one readable log line (``seq: Input should be ...``)."""
    found = exc.errors()
    if not found:
        return str(exc)
    where = ".".join(str(part) for part in found[0]["loc"])
    return f"{where}: {found[0]['msg']}" if where else found[0]["msg"]
