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
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from kiosk.protocol.fleet import DevicesPage
from kiosk.protocol.limits import PLAIN_ID_RULE, is_plain_id
from kiosk.protocol.live_panel import LivePanel
from kiosk.protocol.models import Alert, EntityId, Notification, Order, Payment
from kiosk.protocol.pairing import (
    ApprovePairing,
    ClaimPairing,
    PairingApproved,
    PairingsPage,
    PairingStarted,
    PairingState,
    StartPairing,
)
from kiosk.protocol.requests import (
    AddItems,
    CancelOrder,
    ChangeItemStatus,
    ChangePriority,
    ChangeStatus,
    CloseStale,
    CreateAlert,
    CreateNotification,
    CreateOrder,
    CreatePayment,
    RefundPayment,
    ScanQr,
)
from kiosk.protocol.screen_commands import ChangeDevice, CommandResults, ScreenCommand

API_PREFIX = "/api"  # the blueprints' url_prefix; ``Route.flask_rule`` is relative to it
_PARAM = re.compile(r"\{([a-z_]+)\}")
QueryKind = Literal["string", "integer", "date", "date-time"]


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
    The rest describes it (server/openapi.py): ``body`` the model the server
    validates the request body with, ``reply`` the success body's model (None:
    no model), ``status`` the success status, ``public`` answered without a
    token, ``keyed`` a write that replays its answer for a repeated
    ``Idempotency-Key``, ``query`` its query parameters and what each holds
    (the handler parses them), ``refusals`` its own refusals (404 no such
    thing, 409 conflict) beyond those of every token, body and query.
    """

    method: str
    template: str
    body: type[BaseModel] | None = None
    reply: type[BaseModel] | None = None
    status: int = 200
    public: bool = False
    keyed: bool = False
    query: tuple[tuple[str, QueryKind], ...] = ()
    refusals: tuple[int, ...] = ()

    GONE: ClassVar[tuple[int, ...]] = (404, 409)

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


# What each route takes and answers (server/openapi.py describes the API from these; the server
# validates a write's body with ``body`` and answers ``status``): declared here, nowhere else.
HEALTH = Route("GET", "/api/health", public=True)
OPENAPI = Route("GET", "/api/openapi.json", public=True)
STATS = Route("GET", "/api/stats")
CREATE_ORDER = Route("POST", "/api/orders", body=CreateOrder, reply=Order, status=201, keyed=True)
LIST_ORDERS = Route(
    "GET",
    "/api/orders",
    reply=OrdersPage,
    query=(("active", "string"), ("tenant_id", "integer"), ("limit", "integer"), ("before", "integer")),
)
GET_ORDER = Route("GET", "/api/orders/{order_id}", reply=Order, refusals=(404,))
ORDER_STATUS = Route(
    "PATCH", "/api/orders/{order_id}/status", body=ChangeStatus, reply=Order, keyed=True, refusals=Route.GONE
)
CANCEL_ORDER = Route(
    "DELETE", "/api/orders/{order_id}", body=CancelOrder, reply=Order, keyed=True, refusals=Route.GONE
)
ITEM_STATUS = Route(
    "PATCH",
    "/api/orders/{order_id}/items/{item_id}/status",
    body=ChangeItemStatus,
    reply=Order,
    keyed=True,
    refusals=Route.GONE,
)
ORDER_PRIORITY = Route(
    "PATCH",
    "/api/orders/{order_id}/priority",
    body=ChangePriority,
    reply=Order,
    keyed=True,
    refusals=Route.GONE,
)
ADD_ITEMS = Route(
    "POST",
    "/api/orders/{order_id}/items",
    body=AddItems,
    reply=Order,
    status=201,
    keyed=True,
    refusals=Route.GONE,
)
CLOSE_STALE = Route("POST", "/api/orders/close-stale", body=CloseStale)
PREP_TIMES = Route(
    "GET", "/api/reports/prep-times", query=(("date", "date"), ("tenant_id", "integer"), ("format", "string"))
)
CREATE_PAYMENT = Route(
    "POST", "/api/payments", body=CreatePayment, reply=Payment, status=201, keyed=True, refusals=Route.GONE
)
LIST_PAYMENTS = Route(
    "GET", "/api/payments", reply=PaymentsPage, query=(("counter_id", "integer"), ("since", "date-time"))
)
REFUND_PAYMENT = Route(
    "POST",
    "/api/payments/{payment_id}/refund",
    body=RefundPayment,
    reply=Payment,
    keyed=True,
    refusals=Route.GONE,
)
SCAN_QR = Route("POST", "/api/qr/scan", body=ScanQr, reply=Order, keyed=True, refusals=Route.GONE)
NOTIFY = Route(
    "POST", "/api/notifications", body=CreateNotification, reply=Notification, status=201, keyed=True
)
ALERT = Route("POST", "/api/alerts", body=CreateAlert, reply=Alert, status=201, keyed=True)
EVENTS = Route("GET", "/api/events", reply=EventsPage, query=(("room", "string"), ("after", "integer")))
LIST_DEVICES = Route("GET", "/api/devices", reply=DevicesPage)
LIVE_PANEL = Route("GET", "/api/live", reply=LivePanel)
REVOKE_DEVICE = Route("DELETE", "/api/devices/{name}", refusals=Route.GONE)
# Steering screens (kiosk/protocol/screen_commands.py): rename, rooms, identify, reload, push settings.
CHANGE_DEVICE = Route("PATCH", "/api/devices/{name}", body=ChangeDevice, refusals=Route.GONE)
DEVICE_COMMAND = Route(
    "POST", "/api/devices/{name}/command", body=ScreenCommand, reply=CommandResults, refusals=Route.GONE
)
ROOM_COMMAND = Route("POST", "/api/rooms/{room}/command", body=ScreenCommand, reply=CommandResults)
# Pairing (kiosk/protocol/pairing.py): a screen with no token asks and polls; the admin lists and approves.
START_PAIRING = Route(
    "POST", "/api/pairing", body=StartPairing, reply=PairingStarted, status=201, public=True, refusals=(429,)
)
CLAIM_PAIRING = Route(
    "POST",
    "/api/pairing/claim",
    body=ClaimPairing,
    reply=PairingState,
    public=True,
    refusals=(404, 409, 410, 429),
)
LIST_PAIRINGS = Route("GET", "/api/pairing", reply=PairingsPage)
APPROVE_PAIRING = Route(
    "POST",
    "/api/pairing/{code}/approve",
    body=ApprovePairing,
    reply=PairingApproved,
    refusals=(404, 409, 410),
)

ROUTES: tuple[Route, ...] = (
    HEALTH,
    OPENAPI,
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
    LIST_DEVICES,
    LIVE_PANEL,
    REVOKE_DEVICE,
    CHANGE_DEVICE,
    DEVICE_COMMAND,
    ROOM_COMMAND,
    START_PAIRING,
    CLAIM_PAIRING,
    LIST_PAIRINGS,
    APPROVE_PAIRING,
)


def first_error(exc: ValidationError) -> str:
    """The first problem of a rejected reply as one readable log line (``seq: Input should be ...``)."""
    found = exc.errors()
    if not found:
        return str(exc)
    where = ".".join(str(part) for part in found[0]["loc"])
    return f"{where}: {found[0]['msg']}" if where else found[0]["msg"]
