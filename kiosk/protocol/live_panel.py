"""The console's live panel (``GET /api/live``): how busy the server is now, and what went wrong lately.

The questions an admin asks on a busy evening: is the food court sending
orders (events per minute), which stall is drowning (orders open per
tenant), are the screens there (connections per room), and did anything get
refused or announced (the last refusals, the last alerts).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

RECENT = 10  # refusals and alerts kept for the panel


class Refusal(BaseModel):
    """A request or a join the server refused, as its log line says it."""

    at: str
    who: str
    what: str  # "POST /api/orders", "join kasir-3"
    status: int
    code: str
    message: str


class RecentAlert(BaseModel):
    at: str
    severity: str
    message: str


class LivePanel(BaseModel):
    seq: int
    events_per_minute: int | None = None  # None until the server has watched for a minute
    connections: int
    rooms: dict[str, int] = Field(default_factory=dict)
    orders_today: int
    orders_open: dict[str, int] = Field(default_factory=dict)  # tenant id → orders not yet completed
    refusals: list[Refusal] = Field(default_factory=list)  # newest first (this server process's)
    alerts: list[RecentAlert] = Field(default_factory=list)  # newest first
