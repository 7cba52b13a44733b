"""Item bumps, add-ons and rush through the real REST API: each one full-snapshot event, version bumped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.server.conftest import ClientFactory
from tests.support.flows import advance, pay
from tests.support.server_process import ServerProcess, order_body


def _line(order: dict[str, Any], position: int = 0) -> int:
    return int(order["items"][position]["id"])


def _item_status(
    server: ServerProcess, order: dict[str, Any], item_id: int, status: str, **extra: Any
) -> Any:
    return server.request(
        "PATCH", f"/api/orders/{order['id']}/items/{item_id}/status", json={"status": status, **extra}
    )


def _grill_order(server: ServerProcess, tenant_id: int = 21, **overrides: Any) -> dict[str, Any]:
    items = [
        {
            "name": "Sate Ayam",
            "qty": 1,
            "price": 30000,
            "station": "grill",
            "category": "mains",
            "allergens": ["peanut"],
        },
        {"name": "Es Teh Manis", "qty": 2, "price": 5000, "station": "drinks"},
    ]
    return server.create_order(tenant_id, items=items, **overrides)


def test_lines_carry_ids_stations_allergens_and_status(shared_server: ServerProcess) -> None:
    order = _grill_order(shared_server)
    assert [(item["id"], item["station"], item["status"]) for item in order["items"]] == [
        (1, "grill", "pending"),
        (2, "drinks", "pending"),
    ]
    assert order["items"][0]["allergens"] == ["peanut"] and order["items"][1]["allergens"] == []
    assert [item["category"] for item in order["items"]] == ["mains", None]  # once "is not a known field"
    listed = shared_server.request("GET", "/api/orders?active&tenant_id=21").json()["orders"]
    assert (
        next(found for found in listed if found["id"] == order["id"]) == order
    )  # SQLite's JSON = the model's


def test_item_bump_starts_the_order_and_stamps_its_times(shared_server: ServerProcess) -> None:
    order = _grill_order(shared_server)
    started = _item_status(shared_server, order, 1, "started")
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["status"] == "preparing" and body["version"] == 2 and body["preparing_at"] is not None
    assert body["items"][0]["status"] == "started" and body["items"][0]["started_at"] is not None
    done = _item_status(shared_server, order, 1, "done").json()
    assert done["items"][0]["status"] == "done" and done["items"][0]["done_at"] is not None
    assert done["status"] == "preparing" and done["version"] == 3
    drinks = _item_status(shared_server, order, 2, "done").json()  # pending → done in one touch
    assert all(item["status"] == "done" for item in drinks["items"])
    assert drinks["status"] == "preparing"  # the server never readies an order: the expo does
    ready = shared_server.request(
        "PATCH", f"/api/orders/{order['id']}/status", json={"status": "ready"}
    ).json()
    assert ready["status"] == "ready" and ready["ready_at"] is not None
    redo = _item_status(shared_server, order, 2, "pending").json()  # a remake puts it back on the rail
    assert redo["status"] == "preparing" and redo["items"][1]["done_at"] is None


def test_a_void_needs_a_reason_and_is_final_and_leaves_the_total(shared_server: ServerProcess) -> None:
    order = _grill_order(shared_server)
    missing = _item_status(shared_server, order, 2, "voided")
    assert missing.status_code == 422 and "reason" in missing.json()["error"]["message"]
    voided = _item_status(shared_server, order, 2, "voided", reason="stok habis").json()
    assert voided["items"][1]["status"] == "voided" and voided["items"][1]["void_reason"] == "stok habis"
    assert voided["total_amount"] == 30000 and voided["items_count"] == 1
    again = _item_status(shared_server, order, 2, "started")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_an_add_on_marks_its_lines_and_brings_a_ready_order_back(shared_server: ServerProcess) -> None:
    order = advance(shared_server, _grill_order(shared_server), "ready")
    extra = {"name": "Es Jeruk", "qty": 1, "price": 8000, "station": "drinks", "allergens": ["citrus"]}
    added = shared_server.request("POST", f"/api/orders/{order['id']}/items", json={"items": [extra]})
    assert added.status_code == 201, added.text
    body = added.json()
    assert [item["id"] for item in body["items"]] == [1, 2, 3]
    assert [item["added_at"] is not None for item in body["items"]] == [False, False, True]
    assert (
        body["total_amount"] == order["total_amount"] + 8000
        and body["items_count"] == order["items_count"] + 1
    )
    assert body["status"] == "preparing" and body["version"] == order["version"] + 1


def test_an_add_on_to_a_paid_order_is_refused(shared_server: ServerProcess) -> None:
    order = _grill_order(shared_server)
    pay(shared_server, order)
    before = shared_server.seq()
    refused = shared_server.request(
        "POST",
        f"/api/orders/{order['id']}/items",
        json={"items": [{"name": "Kerupuk", "qty": 1, "price": 2000}]},
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "order_paid"
    assert "new order" in refused.json()["error"]["message"] and shared_server.seq() == before


def test_rush_is_set_once_and_the_same_again_sends_nothing(shared_server: ServerProcess) -> None:
    order = _grill_order(shared_server)
    rushed = shared_server.request("PATCH", f"/api/orders/{order['id']}/priority", json={"priority": "rush"})
    assert rushed.status_code == 200 and rushed.json()["priority"] == "rush"
    assert rushed.json()["version"] == order["version"] + 1
    seq = shared_server.seq()
    same = shared_server.request("PATCH", f"/api/orders/{order['id']}/priority", json={"priority": "rush"})
    assert same.status_code == 200 and same.json() == rushed.json() and shared_server.seq() == seq
    created_rush = shared_server.create_order(21, priority="rush")
    assert created_rush["priority"] == "rush"


def test_each_change_is_one_full_snapshot_event_with_what_changed(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    listener = clients(shared_server.url, shared_server.admin_token)
    assert listener.join("tenant-22")["ok"]
    order = _grill_order(shared_server, 22)
    _item_status(shared_server, order, 1, "started")
    shared_server.request("PATCH", f"/api/orders/{order['id']}/priority", json={"priority": "rush"})
    shared_server.request(
        "POST",
        f"/api/orders/{order['id']}/items",
        json={"items": [{"name": "Kerupuk", "qty": 1, "price": 2000}]},
    )
    got = listener.wait_seq(shared_server.seq())
    assert [name for name, _ in got] == [
        "order:created", "order:item_status_changed", "order:priority_changed", "order:items_added",
    ]  # fmt: skip
    versions = [envelope["data"]["version"] for _, envelope in got]
    assert versions == [1, 2, 3, 4]
    started, rushed, added = (envelope["data"] for _, envelope in got[1:])
    assert (started["item_id"], started["previous_item_status"], started["new_item_status"]) == (
        1,
        "pending",
        "started",
    )
    assert (started["previous_status"], started["new_status"]) == ("pending", "preparing")
    assert (rushed["previous_priority"], rushed["new_priority"]) == ("normal", "rush")
    assert added["added_item_ids"] == [3] and len(added["items"]) == 3
    final = shared_server.request("GET", f"/api/orders/{order['id']}").json()
    strip = ("added_item_ids", "previous_status", "new_status")
    assert {key: value for key, value in added.items() if key not in strip} == final


def test_a_scheduled_order_keeps_its_fire_time_and_prep(shared_server: ServerProcess) -> None:
    fire_at = (datetime.now(UTC) + timedelta(minutes=40)).replace(microsecond=0)
    order = shared_server.create_order(23, fire_at=fire_at.isoformat(), prep_minutes=10)
    assert datetime.fromisoformat(order["fire_at"]) == fire_at and order["prep_minutes"] == 10
    default_prep = shared_server.create_order(23, fire_at=fire_at.isoformat())
    assert default_prep["prep_minutes"] == 15


def test_a_tenant_bumps_only_its_own_lines(shared_server: ServerProcess) -> None:
    own = _grill_order(shared_server, 24)
    other = _grill_order(shared_server, 25)
    token = shared_server.add_device("tenant-24-stall", ["tenant-24"])
    mine = shared_server.request(
        "PATCH", f"/api/orders/{own['id']}/items/1/status", json={"status": "started"}, token=token
    )
    assert mine.status_code == 200
    before = shared_server.seq()
    for method, path, body in (
        ("PATCH", f"/api/orders/{other['id']}/items/1/status", {"status": "started"}),
        ("PATCH", f"/api/orders/{other['id']}/priority", {"priority": "rush"}),
        (
            "POST",
            f"/api/orders/{other['id']}/items",
            {"items": [{"name": "Kerupuk", "qty": 1, "price": 2000}]},
        ),
    ):
        refused = shared_server.request(method, path, json=body, token=token)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found", (
            path,
            refused.text,
        )
    assert shared_server.seq() == before
    assert shared_server.request("GET", f"/api/orders/{other['id']}").json() == other


def test_the_kitchen_bumps_lines_but_rings_up_no_add_on(shared_server: ServerProcess) -> None:
    order = _grill_order(shared_server, 26)
    kitchen = shared_server.add_device("kitchen-26", ["display"])
    assert _item_status_as(shared_server, order, kitchen).status_code == 200
    refused = shared_server.request(
        "POST", f"/api/orders/{order['id']}/items", json={"items": [{"name": "Kerupuk", "qty": 1, "price": 2000}]},
        token=kitchen,
    )  # fmt: skip
    assert refused.status_code == 403 and "kasir-N" in refused.json()["error"]["message"]


def _item_status_as(server: ServerProcess, order: dict[str, Any], token: str) -> Any:
    return server.request(
        "PATCH", f"/api/orders/{order['id']}/items/1/status", json={"status": "started"}, token=token
    )


def _past() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


BAD = [
    ("unknown line", "PATCH", "/items/99/status", {"status": "started"}, 404, "not_found", "item_id"),
    ("unknown item status", "PATCH", "/items/1/status", {"status": "cooking"}, 422, "invalid_field", "status"),
    ("same item status", "PATCH", "/items/1/status", {"status": "pending"}, 409, "invalid_transition", "status"),
    ("reason without void", "PATCH", "/items/1/status", {"status": "done", "reason": "x"}, 422, "invalid_field", None),
    ("unknown priority", "PATCH", "/priority", {"priority": "urgent"}, 422, "invalid_field", "priority"),
    ("empty add-on", "POST", "/items", {"items": []}, 422, "invalid_field", "items"),
    ("add-on with a price as text", "POST", "/items", {"items": [{"name": "a", "qty": 1, "price": "5"}]}, 422, "invalid_field", "items.0.price"),
    ("add-on with an unknown field", "POST", "/items", {"items": [{"name": "a", "qty": 1, "price": 5, "colour": "red"}]}, 422, "unknown_field", "items.0.colour"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[case[0] for case in BAD])
def test_bad_input_is_refused_with_the_usual_shape_and_changes_nothing(
    shared_server: ServerProcess, case: tuple[str, str, str, Any, int, str, str | None]
) -> None:
    _, method, suffix, body, status, code, field = case
    order = _grill_order(shared_server, 27)
    before = shared_server.seq()
    refused = shared_server.request(method, f"/api/orders/{order['id']}{suffix}", json=body)
    assert refused.status_code == status, refused.text
    error = refused.json()["error"]
    assert error["code"] == code and error["message"]
    if field is not None:
        assert error["field"] == field
    assert shared_server.seq() == before
    assert shared_server.request("GET", f"/api/orders/{order['id']}").json() == order


def test_closed_orders_and_bad_schedules_are_refused(shared_server: ServerProcess) -> None:
    done = advance(shared_server, _grill_order(shared_server, 28), "completed")
    before = shared_server.seq()
    for method, suffix, body in (
        ("PATCH", "/priority", {"priority": "rush"}),
        ("PATCH", "/items/1/status", {"status": "done"}),
        ("POST", "/items", {"items": [{"name": "Kerupuk", "qty": 1, "price": 2000}]}),
    ):
        refused = shared_server.request(method, f"/api/orders/{done['id']}{suffix}", json=body)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "order_closed", refused.text
        assert "completed" in refused.json()["error"]["message"]
    for overrides, says in (
        ({"fire_at": _past()}, "not in the future"),
        ({"fire_at": (datetime.now(UTC) + timedelta(days=8)).isoformat()}, "7 days"),
        ({"fire_at": "2026-12-03T18:30:00"}, "time zone"),
        ({"prep_minutes": 10}, "send fire_at"),
        ({"priority": "asap"}, "rush"),
    ):
        refused = shared_server.request("POST", "/api/orders", json=order_body(28, **overrides))
        assert refused.status_code == 422 and says in refused.json()["error"]["message"], refused.text
    assert shared_server.seq() == before
