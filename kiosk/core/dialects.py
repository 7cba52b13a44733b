"""What a backend calls things: a dialect, declared in TOML, and its translation into Kiosk's own wire.

Restaurants already run socket.io backends that name events, fields and rooms
their own way (``order_id`` for ``id``, ``new_status``, alerts without a
``data``, payments that exist only as events).  A screen pointed at one keeps
its whole machinery - store, dedup, cards, receipts - and only this module
knows the difference: each of that backend's events and REST rows is turned
into the native shape at the edge, then handled as if Kiosk's server had sent
it.  Kiosk's own protocol is the native dialect, which translates nothing.

The shipped dialects are TOML files in ``assets/dialects/``; a restaurant with
a third variant writes one more (docs/dialects.md), not code.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.core.versions import SkipError, first_error
from kiosk.paths import assets_dir
from kiosk.protocol import Event
from kiosk.protocol.api import Route

NATIVE = "native"
AUTO = "auto"
_DIALECTS_DIR = "dialects"
_ENVELOPE_KEYS = ("type", "timestamp")
_NO_DATA = "{}"


class _Declared(BaseModel):
    # A misspelt key in a restaurant's TOML must be an error, not a silently ignored rule.
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventRule(_Declared):
    """How one of the backend's events becomes a Kiosk event."""

    event: Event | None = None  # the Kiosk event; None: the wire name is one
    entity: Literal["data", "payload", "wrapped"] = "data"
    fields: dict[str, str] = Field(default_factory=dict)  # its name -> ours; "" drops it
    values: dict[str, dict[str, str]] = Field(default_factory=dict)  # our field -> its value -> ours
    set: dict[str, str | int] = Field(default_factory=dict)
    content_id: bool = False


class RowRule(_Declared):
    fields: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)


class Rows(_Declared):
    order: RowRule = RowRule()
    item: RowRule = RowRule()


class JoinRule(_Declared):
    style: Literal["ack", "room-events", "authenticate"]
    event: str = "authenticate"
    reply: str = "authenticated"
    room: str = ""


class Dialect(_Declared):
    name: str
    title: str
    detect: bool = False  # chosen automatically when an older backend is found
    catch_up: bool = True
    payments_list: bool = True
    sends_token: bool = True  # false: a backend without auth is never sent the device's token
    poll_s: float | None = Field(default=None, gt=0)
    join: JoinRule
    rows: Rows = Rows()
    routes: dict[str, str] = Field(default_factory=dict)
    events: dict[str, EventRule] = Field(default_factory=dict)

    @property
    def native(self) -> bool:
        return self.name == NATIVE

    def route(self, name: str, native: Route) -> Route | None:
        """Where this backend takes an action (``native`` in Kiosk's protocol); None: it has no such route."""
        if self.native:
            return native
        declared = self.routes.get(name)
        if not declared:
            return None
        method, _, template = declared.partition(" ")
        return Route(method, template)

    def wire_events(self) -> dict[str, Event]:
        """Its event name -> the Kiosk event it becomes (what a socket subscribes to)."""
        return {name: rule.event or Event(name) for name, rule in self.events.items()}

    def translate_event(self, wire_name: str, payload: object) -> dict[str, Any]:
        """The Kiosk envelope ``{type, timestamp, data}`` for one of its events; SkipError if it cannot be."""
        rule = self.events.get(wire_name)
        if rule is None:
            raise SkipError(f"{wire_name!r:.60} is not an event of the {self.name} dialect")
        if not isinstance(payload, dict):
            raise SkipError(
                f"{wire_name} must be a JSON object, got {type(payload).__name__}: {payload!r:.120}"
            )
        if rule.entity == "data":
            source = payload.get("data")
            if not isinstance(source, dict):
                raise SkipError(f"{wire_name} without a data object: {payload!r:.200}")
        elif rule.entity == "payload":
            source = payload
        else:
            source = {"data": payload}
        entity = _renamed(source, rule.fields, rule.values)
        entity.update(rule.set)
        if isinstance(entity.get("items"), list):
            entity["items"] = [self._item(item) for item in entity["items"]]
        if rule.content_id and "id" not in entity:
            entity["id"] = content_id(payload)
        event = rule.event or Event(wire_name)
        _derive_payment_amount(event, entity)
        return {"type": event.type, "timestamp": payload.get("timestamp"), "data": entity}

    def translate_order_row(self, row: object) -> object:
        """One order of its REST lists in Kiosk's field names (anything but an object left to the parser)."""
        if self.native or not isinstance(row, dict):
            return row
        order = _renamed(row, self.rows.order.fields, self.rows.order.values)
        if isinstance(order.get("items"), list):
            order["items"] = [self._item(item) for item in order["items"]]
        return order

    def _item(self, item: object) -> object:
        if not isinstance(item, dict):
            return item
        return _renamed(item, self.rows.item.fields, self.rows.item.values)


def _renamed(
    source: Mapping[str, Any], names: Mapping[str, str], values: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """``source`` with its keys renamed ("" drops one), nulls left out and values mapped; our own names win."""
    out: dict[str, Any] = {}
    renamed: dict[str, Any] = {}
    for key, value in source.items():
        target = names.get(key, key)
        if target == "" or value is None:  # a NULL column is a field not given: Kiosk's default
            continue
        (out if target == key else renamed)[target] = value
    for key, value in renamed.items():
        out.setdefault(key, value)
    for key, mapping in values.items():
        if isinstance(out.get(key), str) and out[key] in mapping:
            out[key] = mapping[out[key]]
    return out


def _derive_payment_amount(event: Event, entity: dict[str, Any]) -> None:
    """Kiosk's ``amount`` is what the order cost; a backend that sends only what was paid and the change implies it."""
    if event is Event.PAYMENT_PROCESSED and "amount" not in entity:
        paid, change = entity.get("amount_paid"), entity.get("change", 0)
        if isinstance(paid, int) and isinstance(change, int):
            entity["amount"] = paid - change


def content_id(payload: Mapping[str, Any]) -> str:
    """An id for an entity the backend sends without one: the same content gives the same id."""
    digest = hashlib.sha1(
        orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str), usedforsecurity=False
    )
    return f"c-{digest.hexdigest()[:16]}"


# ------------------------------------------------------------------ loading


def native_dialect() -> Dialect:
    """Kiosk's own protocol: the join with an ack, events as they are."""
    return Dialect(name=NATIVE, title="Kiosk", join=JoinRule(style="ack"))


def bundled_names() -> list[str]:
    return sorted(path.stem for path in (assets_dir() / _DIALECTS_DIR).glob("*.toml"))


def load_dialect(choice: str) -> Dialect:
    """``native``, a bundled dialect's name, or the path of a TOML file; DialectError says what is wrong."""
    if choice in (NATIVE, AUTO):
        return native_dialect()
    path = Path(choice) if choice.endswith(".toml") else assets_dir() / _DIALECTS_DIR / f"{choice}.toml"
    if not path.is_file():
        known = ", ".join([NATIVE, *bundled_names()])
        raise DialectError(f"backend dialect {choice!r}: no such dialect (known: {known}, or a .toml file)")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DialectError(f"backend dialect {path}: {exc}") from None
    try:
        dialect = Dialect.model_validate(table)
    except ValidationError as exc:
        raise DialectError(f"backend dialect {path}: {first_error(exc)}") from None
    for name, declared in dialect.routes.items():
        method, _, template = declared.partition(" ")
        if method not in ("GET", "POST", "PATCH", "PUT", "DELETE") or not template.startswith("/"):
            raise DialectError(f'backend dialect {path}: route {name} = {declared!r} is not "METHOD /path"')
    for name in dialect.events:
        if dialect.events[name].event is None and name not in Event._value2member_map_:
            raise DialectError(
                f"backend dialect {path}: event {name!r} needs event = one of {[e.value for e in Event]}"
            )
    return dialect


def detected_dialect() -> Dialect:
    """The dialect an older backend found by detection speaks (the bundled one marked ``detect``)."""
    for name in bundled_names():
        dialect = load_dialect(name)
        if dialect.detect:
            return dialect
    raise DialectError(f"no bundled dialect in {assets_dir() / _DIALECTS_DIR} is marked detect = true")


class DialectError(ValueError):
    """A dialect that cannot be used, said so a support person can fix the file."""
