"""``GET /api/reports/prep-times``: how long orders took from order to ready, for one local day.

The owner's question is "how fast is my kitchen, and where is it slow":
count, average, p50 and p90 seconds from order to the first ready, overall,
by tenant, by station (from the order, or an add-on's own time, to the line's
done) and by hour of the order.  A scheduled order counts from its release to
the kitchen (``fire_at - prep_minutes``), not from when it was booked.

The seconds are computed once, when an order first turns ready (``ready_s``)
or a line is done (``done_s``), so the report reads two columns of the day's
rows as contiguous ranges (see ``prep_times``); bench/prep_report.py has the
figures, for a season of 100 000 orders and for all of them on one day.  "Today" is the server's local day, as everywhere else
(``start_of_local_day``).
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from kiosk.protocol import iso
from server.database import Connection


@dataclass(frozen=True)
class Summary:
    count: int
    avg_s: float | None
    p50_s: float | None
    p90_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "avg_s": self.avg_s, "p50_s": self.p50_s, "p90_s": self.p90_s}


def summarise(seconds: list[float]) -> Summary:
    """Count, mean and the 50th/90th percentiles (linear between ranks), to a tenth of a second."""
    if not seconds:
        return Summary(0, None, None, None)
    ordered = sorted(seconds)
    return Summary(
        len(ordered),
        round(math.fsum(ordered) / len(ordered), 1),
        round(_percentile(ordered, 0.5), 1),
        round(_percentile(ordered, 0.9), 1),
    )


def _percentile(ordered: list[float], fraction: float) -> float:
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def day_bounds(day: date) -> tuple[str, str]:
    """The local day as two stored-timestamp strings (UTC ``iso``), start inclusive, end exclusive."""
    start = datetime.combine(day, time()).astimezone()
    end = datetime.combine(day + timedelta(days=1), time()).astimezone()
    return iso(start), iso(end)


def prep_times(conn: Connection, day: date, tenant_id: int | None) -> dict[str, Any]:
    """The report for ``day`` (all tenants, or one); call inside one read transaction.

    Orders are numbered in the order they are made, so a day's orders are one
    range of ids (found from ``orders_by_created`` in two index seeks): the
    orders and, through their primary key ``(order_id, position)``, their lines
    are then read as contiguous ranges, with no index lookup per row.  The
    orders are still filtered by their exact time (a clock set back at
    midnight cannot move an order into the wrong day); their lines follow the
    id range.
    """
    start, end = day_bounds(day)
    low, high = conn.execute(
        "SELECT min(id), max(id) FROM orders WHERE created_at >= ? AND created_at < ?", (start, end)
    ).fetchone()
    overall: list[float] = []
    by_tenant: dict[int, list[float]] = defaultdict(list)
    by_hour: dict[int, list[float]] = defaultdict(list)
    by_station: dict[str, list[float]] = defaultdict(list)
    if low is not None:
        tenant_sql, tenant_args = ("", []) if tenant_id is None else (" AND tenant_id = ?", [tenant_id])
        hour_sql, hour_args = _local_hour_sql(day)
        for tenant, stored_hour, seconds in conn.execute(
            f"SELECT tenant_id, {hour_sql}, ready_s FROM orders WHERE id BETWEEN ? AND ? "  # noqa: S608
            f"AND created_at >= ? AND created_at < ? AND ready_s IS NOT NULL{tenant_sql}",
            [*hour_args, low, high, start, end, *tenant_args],
        ):
            # On a day with a change of summer time the stored time comes back, converted here.
            hour = (
                datetime.fromisoformat(stored_hour).astimezone().hour
                if isinstance(stored_hour, str)
                else stored_hour
            )
            overall.append(seconds)
            by_tenant[tenant].append(seconds)
            by_hour[hour].append(seconds)
        lines = (
            conn.execute(
                "SELECT station, done_s FROM order_items WHERE order_id BETWEEN ? AND ? AND done_s IS NOT NULL",
                (low, high),
            )
            if tenant_id is None
            else conn.execute(
                "SELECT i.station, i.done_s FROM orders o JOIN order_items i ON i.order_id = o.id "
                "WHERE o.tenant_id = ? AND o.id BETWEEN ? AND ? AND i.done_s IS NOT NULL",
                (tenant_id, low, high),
            )
        )
        for station, seconds in lines:
            by_station[station or ""].append(seconds)
    return {
        "date": day.isoformat(),
        "tenant_id": tenant_id,
        "overall": summarise(overall).to_json(),
        "by_tenant": _groups("tenant_id", by_tenant),
        "by_station": _groups("station", by_station),
        "by_hour": _groups("hour", by_hour),
    }


def _local_hour_sql(day: date) -> tuple[str, list[Any]]:
    """SQL for the local hour of a stored UTC time on ``day``: arithmetic on the text when the zone's
    offset is the same all day (no change of summer time that day), else the stored time itself, which
    the caller converts (the same on SQLite and PostgreSQL, whose session time zone is UTC)."""
    first = datetime.combine(day, time()).astimezone().utcoffset()
    last = datetime.combine(day, time(23, 59)).astimezone().utcoffset()
    if first is None or first != last:
        return "created_at", []
    minutes = "(CAST(substr(created_at, 12, 2) AS INTEGER) * 60 + CAST(substr(created_at, 15, 2) AS INTEGER))"
    return f"(({minutes} + ? + 1440) % 1440) / 60", [int(first.total_seconds() // 60)]


def _groups(key: str, found: dict[Any, list[float]]) -> list[dict[str, Any]]:
    return [{key: name, **summarise(found[name]).to_json()} for name in sorted(found)]


def to_csv(report: dict[str, Any]) -> str:
    """One row per group for a spreadsheet: ``group,key,count,avg_s,p50_s,p90_s``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "group", "key", "count", "avg_s", "p50_s", "p90_s"])
    rows: Iterable[tuple[str, Any, dict[str, Any]]] = [
        ("all", "", report["overall"]),
        *(("tenant", row["tenant_id"], row) for row in report["by_tenant"]),
        *(("station", row["station"], row) for row in report["by_station"]),
        *(("hour", row["hour"], row) for row in report["by_hour"]),
    ]
    for group, key, row in rows:
        times = (_cell(row[name]) for name in ("avg_s", "p50_s", "p90_s"))
        writer.writerow([report["date"], group, _text_cell(key), row["count"], *times])
    return out.getvalue()


def _text_cell(value: object) -> str:
    """A station name is free text: one starting like a formula is kept as text by the spreadsheet."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
