"""What the store tells its listeners: precise changes for Qt models, and notices of new things.

Apart from the store so that the screens and their models can speak of
changes without importing the store's machinery (kiosk.core.store re-exports
them for older imports).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kiosk.protocol import Alert, Envelope, Event, Notification, Order, Payment
from kiosk.protocol.models import EntityId


class ChangeKind(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    REMOVED = "removed"


Entity = Order | Payment


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    collection: str  # "orders" | "payments"
    key: EntityId
    old: Entity | None
    new: Entity | None


@dataclass(frozen=True)
class Notice:
    """One genuinely new thing.  ``first_seen``: the order was not on this screen before."""

    event: Event
    entity: Order | Payment | Alert | Notification
    envelope: Envelope | None
    first_seen: bool = False


class StoreListener(Protocol):
    def on_changes(self, changes: Sequence[Change]) -> None: ...

    def on_notice(self, notice: Notice) -> None: ...
