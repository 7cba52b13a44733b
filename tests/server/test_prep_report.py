"""The prep-time report on an injected clock: exact seconds, local days and hours, tenant scope, CSV."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from server.app import create_app
from server.clock import FakeClock
from server.config import ServerConfig
from server.prep_report import summarise
from tests.support.backend import config_database
from tests.support.server_process import ServerProcess, order_body

ADMIN = {"Authorization": "Bearer in-process-admin"}


@pytest.fixture
def jakarta() -> Iterator[None]:
    """The server's local zone is UTC+7: a day there starts at 17:00 UTC the day before."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Jakarta"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 2, 17, 30, tzinfo=UTC))  # 00:30 on 3 December in Jakarta


@pytest.fixture
def client(tmp_path: Path, clock: FakeClock, jakarta: None) -> FlaskClient:
    config = ServerConfig(
        **config_database(tmp_path), admin_token="in-process-admin", async_mode="threading", clock=clock
    )
    app, _ = create_app(config)
    return app.test_client()


def _order(client: FlaskClient, tenant_id: int, **overrides: Any) -> int:
    items = [
        {"name": "Sate", "qty": 1, "price": 1000, "station": "grill"},
        {"name": "Es Teh", "qty": 1, "price": 500, "station": "drinks"},
    ]
    answer = client.post("/api/orders", json=order_body(tenant_id, items=items, **overrides), headers=ADMIN)
    assert answer.status_code == 201, answer.get_json()
    return int(answer.get_json()["id"])


def _line(client: FlaskClient, order_id: int, item_id: int, status: str) -> None:
    answer = client.patch(
        f"/api/orders/{order_id}/items/{item_id}/status", json={"status": status}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.get_json()


def _status(client: FlaskClient, order_id: int, status: str) -> None:
    answer = client.patch(f"/api/orders/{order_id}/status", json={"status": status}, headers=ADMIN)
    assert answer.status_code == 200, answer.get_json()


def test_seconds_by_tenant_station_and_local_hour(client: FlaskClient, clock: FakeClock) -> None:
    first = _order(client, 1)  # 00:30 local
    second = _order(client, 2)
    clock.advance(60)
    _line(client, first, 2, "done")  # drinks after 60 s
    clock.advance(240)
    _line(client, first, 1, "done")  # grill after 300 s
    _status(client, first, "ready")  # ready 300 s after order
    clock.advance(300)
    _line(client, second, 1, "done")  # grill after 600 s
    _line(client, second, 2, "done")  # drinks after 600 s
    _status(client, second, "ready")  # 600 s
    clock.advance(3600)  # 01:40 local: a third order in the next hour, never ready
    _order(client, 1)
    report = client.get("/api/reports/prep-times?date=2026-12-03", headers=ADMIN).get_json()
    assert report["overall"] == {"count": 2, "avg_s": 450.0, "p50_s": 450.0, "p90_s": 570.0}
    assert [(row["tenant_id"], row["count"], row["avg_s"]) for row in report["by_tenant"]] == [
        (1, 1, 300.0),
        (2, 1, 600.0),
    ]
    assert [(row["station"], row["count"], row["avg_s"], row["p90_s"]) for row in report["by_station"]] == [
        ("drinks", 2, 330.0, 546.0),
        ("grill", 2, 450.0, 570.0),
    ]
    assert [(row["hour"], row["count"]) for row in report["by_hour"]] == [(0, 2)]  # local hours, not UTC 17
    # The UTC day of the same orders is another local day: nothing in it.
    assert (
        client.get("/api/reports/prep-times?date=2026-12-02", headers=ADMIN).get_json()["overall"]["count"]
        == 0
    )


def test_a_scheduled_order_counts_from_its_release(client: FlaskClient, clock: FakeClock) -> None:
    order_id = _order(client, 1, fire_at="2026-12-02T18:30:00Z", prep_minutes=20)  # released 18:10 UTC
    clock.advance(40 * 60 + 5 * 60)  # 18:15: five minutes after its release
    _status(client, order_id, "preparing")
    _status(client, order_id, "ready")
    report = client.get("/api/reports/prep-times?date=2026-12-03", headers=ADMIN).get_json()
    assert report["overall"]["avg_s"] == 300.0


def test_csv_for_a_spreadsheet(client: FlaskClient, clock: FakeClock) -> None:
    order_id = _order(client, 1)
    clock.advance(90)
    _status(client, order_id, "preparing")
    _status(client, order_id, "ready")
    answer = client.get("/api/reports/prep-times?date=2026-12-03&format=csv&tenant_id=1", headers=ADMIN)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "prep-times-2026-12-03-tenant-1.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["date", "group", "key", "count", "avg_s", "p50_s", "p90_s"]
    assert rows[1] == ["2026-12-03", "all", "", "1", "90.0", "90.0", "90.0"]
    assert ["2026-12-03", "tenant", "1", "1", "90.0", "90.0", "90.0"] in rows


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date=03-12-2026", "date"),
        ("date=2026-02-30", "date"),
        ("format=xlsx", "format"),
        ("tenant_id=0", "tenant_id"),
    ],
)
def test_bad_queries_are_refused_with_the_field(client: FlaskClient, query: str, field: str) -> None:
    answer = client.get(f"/api/reports/prep-times?{query}", headers=ADMIN)
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == field


def test_the_percentiles_interpolate_between_ranks() -> None:
    assert summarise([]).count == 0 and summarise([]).p90_s is None
    assert summarise([42.0]).to_json() == {"count": 1, "avg_s": 42.0, "p50_s": 42.0, "p90_s": 42.0}
    found = summarise([float(n) for n in range(1, 11)])
    assert (found.avg_s, found.p50_s, found.p90_s) == (5.5, 5.5, 9.1)


def test_a_tenant_reads_only_its_own_report(shared_server: ServerProcess) -> None:
    stall = shared_server.add_device("report-stall-41", ["tenant-41"])
    own = shared_server.request("GET", "/api/reports/prep-times", token=stall)
    assert own.status_code == 200 and own.json()["tenant_id"] == 41
    other = shared_server.request("GET", "/api/reports/prep-times?tenant_id=42", token=stall)
    assert other.status_code == 403 and "tenant 41" in other.json()["error"]["message"]
    counter = shared_server.add_device("report-kasir-1", ["kasir-1"])
    assert shared_server.request("GET", "/api/reports/prep-times", token=counter).status_code == 403
    kitchen = shared_server.add_device("report-kitchen", ["display"])
    assert (
        shared_server.request("GET", "/api/reports/prep-times?tenant_id=42", token=kitchen).status_code == 200
    )
