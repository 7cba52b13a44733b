"""Today's prep times for a screen's panel: one small GET a minute, quiet when the server has none.

The report (``GET /api/reports/prep-times``) is built by the server from the
day's rows; a screen shows only its overall line ("avg 7:30, p90 12:10, 42
orders").  A backend without the report (an older server, a dialect) answers
404: the panel then hides for good instead of retrying every minute.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core.rest import ApiRefusedError, RestTransport, ServerUnreachableError
from kiosk.protocol.api import PREP_TIMES

log = logging.getLogger("kiosk.sync")

REFRESH_S = 60.0


@dataclass(frozen=True)
class PrepTimes:
    count: int
    avg_s: float | None
    p90_s: float | None


class NoReportError(Exception):
    """This server keeps no prep-time report: stop asking."""


async def fetch_prep_times(rest: RestTransport, today: datetime, tenant_id: int | None) -> PrepTimes | None:
    """The overall line of today's report; None when the server cannot be asked right now."""
    params: dict[str, Any] = {"date": today.astimezone().date().isoformat()}
    if tenant_id is not None:
        params["tenant_id"] = tenant_id
    try:
        body = await rest.call(PREP_TIMES.method, PREP_TIMES.path(), params=params)
    except ServerUnreachableError:
        return None
    except ApiRefusedError as exc:
        if exc.status in (404, 403):
            raise NoReportError(exc.message) from None
        log.warning("prep-time report refused (%d %s): %s", exc.status, exc.code, exc.message)
        return None
    overall = body.get("overall") if isinstance(body, dict) else None
    if not isinstance(overall, dict) or not isinstance(overall.get("count"), int):
        log.warning("prep-time report without an overall line; not shown")
        return None
    return PrepTimes(overall["count"], _seconds(overall.get("avg_s")), _seconds(overall.get("p90_s")))


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
