"""The REST wire in the contract: the app serves exactly the declared routes, and the pages fit the models.

Why: paths and page shapes used to be spelled on each side; these tests are
what keeps kiosk/protocol/api.py the one place they are written.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, cast

import pytest
from pydantic import BaseModel

from kiosk.core.store import Store
from kiosk.core.sync import Syncer
from kiosk.protocol.api import (
    API_PREFIX,
    CANCEL_ORDER,
    EVENTS,
    LIST_ORDERS,
    LIST_PAYMENTS,
    ORDER_STATUS,
    REFUND_PAYMENT,
    REVOKE_DEVICE,
    ROUTES,
    EventsPage,
    JoinAck,
    OrdersPage,
    PaymentsPage,
    Route,
)
from server.app import create_app
from server.config import ServerConfig
from server.event_reads import EventPage
from server.order_lists import OrderPage
from tests.support.server_process import ServerProcess

ADMIN_TOKEN = "routes-test-admin"
_IMPLICIT = frozenset({"HEAD", "OPTIONS"})  # Flask adds these to every rule


def _app(tmp_path: Path) -> Any:
    config = ServerConfig(db_path=tmp_path / "k.db", admin_token=ADMIN_TOKEN, async_mode="threading")
    return create_app(config)


def test_the_app_registers_exactly_the_declared_routes(tmp_path: Path) -> None:
    app, _ = _app(tmp_path)
    registered = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule == API_PREFIX or rule.rule.startswith(API_PREFIX + "/")
        for method in (rule.methods or set()) - _IMPLICIT
    }
    declared = {(route.method, API_PREFIX + route.flask_rule) for route in ROUTES}
    assert registered - declared == set(), "served under /api but not declared in kiosk/protocol/api.py"
    assert declared - registered == set(), "declared in kiosk/protocol/api.py but not served"
    assert len(declared) == len(ROUTES), "a route is declared twice"


def test_flask_rules_are_derived_from_the_templates() -> None:
    assert ORDER_STATUS.flask_rule == "/orders/<int:order_id>/status"
    assert REFUND_PAYMENT.flask_rule == "/payments/<int:payment_id>/refund"
    assert REVOKE_DEVICE.flask_rule == "/devices/<name>"
    assert EVENTS.flask_rule == "/events"
    with pytest.raises(ValueError, match="not under /api"):
        _ = Route("GET", "/elsewhere").flask_rule


def test_paths_are_built_from_plain_ids() -> None:
    assert ORDER_STATUS.path(order_id=5) == "/api/orders/5/status"
    assert CANCEL_ORDER.path(order_id="ord-7") == "/api/orders/ord-7"
    assert REFUND_PAYMENT.path(payment_id=12) == "/api/payments/12/refund"
    assert REVOKE_DEVICE.path(name="kasir-1") == "/api/devices/kasir-1"
    assert EVENTS.path() == "/api/events"


@pytest.mark.parametrize(
    "bad",
    ["1/../../payments", "a/b", "/", "..", "../payments", "%2e%2e", "1%2F2", "5%", "", " 5", True, -1, 1.5],
)
def test_path_building_refuses_ids_that_are_not_plain(bad: Any) -> None:
    with pytest.raises(ValueError, match="not a plain id"):
        ORDER_STATUS.path(order_id=bad)


def test_path_building_refuses_missing_or_extra_ids() -> None:
    with pytest.raises(ValueError, match="takes order_id"):
        ORDER_STATUS.path()
    with pytest.raises(ValueError, match="takes no ids"):
        EVENTS.path(order_id=1)


def test_the_raw_json_pages_validate_against_the_models() -> None:
    """event_reads and order_lists write their JSON by hand (speed): it must still be the declared shape."""
    envelope = '{"event_id":"e1","seq":3,"type":"order:new","data":{}}'
    for reset in (True, False):
        for more in (True, False):
            page = EventsPage.model_validate_json(EventPage(envelope, 3, reset, more).to_json())
            assert (page.seq, page.reset, page.more, len(page.events)) == (3, reset, more, 1)
    assert EventsPage.model_validate_json(EventPage("", 0, False, False).to_json()).events == []
    paged = OrdersPage.model_validate_json(OrderPage('{"id":1},{"id":2}', 9, True, 2).to_json())
    assert (paged.seq, paged.more, paged.next_before, len(paged.orders)) == (9, True, 2, 2)
    whole = OrdersPage.model_validate_json(OrderPage("", 9, False, None).to_json())
    assert (whole.orders, whole.more, whole.next_before) == ([], False, None)


def _valid(model: type[BaseModel], server: ServerProcess, route: Route, query: str = "") -> Any:
    response = server.request(route.method, route.path() + query)
    assert response.status_code == 200, response.text
    return model.model_validate(response.json())


def test_the_page_models_accept_what_the_real_server_answers(server: ServerProcess) -> None:
    first = server.create_order()
    server.create_order()
    paid = server.request(
        "POST",
        "/api/payments",
        json={
            "order_id": first["id"],
            "amount_paid": first["total_amount"],
            "payment_method": "cash",
            "counter_id": 1,
        },
    )
    assert paid.status_code == 201, paid.text

    events = _valid(EventsPage, server, EVENTS, "?room=display&after=0")
    assert events.events and isinstance(events.seq, int) and events.reset is False
    active = _valid(OrdersPage, server, LIST_ORDERS, "?active=1")
    assert len(active.orders) == 2 and active.seq == events.seq
    history = _valid(OrdersPage, server, LIST_ORDERS, "?limit=1")
    assert history.more is True and isinstance(history.next_before, int)
    payments = _valid(PaymentsPage, server, LIST_PAYMENTS, "?counter_id=1")
    assert len(payments.payments) == 1 and isinstance(payments.seq, int)
    old = _valid(EventsPage, server, EVENTS, f"?room=kasir-1&after={events.seq}")
    assert old.events == [] and old.more is False


def test_the_join_ack_model_is_what_the_server_sends(tmp_path: Path) -> None:
    app, socketio = _app(tmp_path)
    client = socketio.test_client(app, auth={"token": ADMIN_TOKEN})
    assert client.is_connected()
    ok = client.emit("join", {"room": "display"}, callback=True)
    assert JoinAck.model_validate(ok) == JoinAck(ok=True, room="display", seq=0)
    refused = JoinAck.model_validate(client.emit("join", {"room": "nowhere"}, callback=True))
    assert refused.ok is False and refused.error is not None and refused.error.code
    assert refused.to_wire().keys() == {"ok", "error"}
    client.disconnect()


class _CannedRest:
    """A RestClient stand-in answering each path with one canned body (the kiosk side, no server)."""

    def __init__(self, bodies: dict[str, Any]) -> None:
        self.bodies = bodies
        self.asked: list[str] = []

    async def call(self, method: str, path: str, **_: Any) -> Any:
        self.asked.append(f"{method} {path}")
        return self.bodies[path]


def test_a_catch_up_page_off_the_model_is_the_malformed_answer_reload(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rest = _CannedRest(
        {LIST_ORDERS.path(): {"orders": [], "seq": 4}, EVENTS.path(): {"events": [], "seq": "5"}}
    )
    syncer = Syncer(cast(Any, rest), Store(), "display")
    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        asyncio.run(syncer.catch_up())
    assert syncer.resets == 1 and syncer.legacy is False
    assert "malformed answer (seq: Input should be a valid integer); had seq 4" in caplog.text


def test_older_backend_is_settled_in_one_place_and_stays_older() -> None:
    syncer = Syncer(cast(Any, _CannedRest({})), Store(), "display")
    syncer.settle_backend(older=False, why="a list with a seq")
    assert syncer.legacy is False
    syncer.settle_backend(older=True, why="no answer to join")
    syncer.settle_backend(older=False, why="a later list with a seq")
    assert syncer.legacy is True
