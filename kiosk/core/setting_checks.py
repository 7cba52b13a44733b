"""What each setting accepts beyond its type, and the error that says why not: addresses, rooms, printers, key combinations, keyword lists.

Apart from kiosk/core/config.py (the declarations and the loading) so that
the table of settings reads as a table; each check returns why a value is
refused, in words an admin can act on, or None.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kiosk.core.dialects import DialectError, load_dialect
from kiosk.protocol import ROOM_FORMS, is_valid_room


class ConfigError(ValueError):
    """A refused setting; ``key`` is the setting's name ("" for a broken file)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def check_url(value: Any) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address such as http://192.168.1.10:5000"
    return None


def check_room(value: Any) -> str | None:
    if value == "" or is_valid_room(value):
        return None
    return f"must be {ROOM_FORMS}"


def check_dialect(value: Any) -> str | None:
    try:
        load_dialect(value)
    except DialectError as exc:
        return str(exc)
    return None


def check_printer(value: Any) -> str | None:
    if value == "":
        return None
    kind, _, rest = value.partition(":")
    ok = {
        "file": bool(rest),
        "network": bool(rest.split(":")[0]) and all(p.isdigit() for p in rest.split(":")[1:2]),
        "usb": len(rest.split(":")) == 2 and all(is_hex(p) for p in rest.split(":")),
    }.get(kind, False)
    if ok:
        return None
    return 'must be "" (no printer), "file:/path", "network:host[:port]" or "usb:VID:PID" (hex ids)'


# How big the kitchen's cards are; kiosk/ui/kitchen/card_layout.py turns each into a target size.
CARD_DENSITIES = ("compact", "normal", "large")

DEFAULT_ALLERGY_KEYWORDS = "alergi, allergy, allergic, kacang, udang, peanut, shrimp, seafood, gluten"


KITCHEN_VIEWS = ("cards", "expo")  # a display room's screen: the cooks' cards or the expeditor's pass
OTHER_STATIONS = ("grey", "hide")  # what a station screen does with the lines of other stations
MAX_STATION = 40  # as the server takes a line's station (kiosk/protocol/requests.py)


def word_list(value: object) -> tuple[str, ...] | None:
    """A list setting from TOML (an array of strings) or env/CLI (``"grill, drinks"``); None if neither."""
    if isinstance(value, str):
        return keyword_list(value)
    if isinstance(value, list | tuple) and all(isinstance(word, str) for word in value):
        return tuple(word.strip() for word in value if word.strip())
    return None


def check_stations(value: Any) -> str | None:
    """Station names as the orders spell them: short printable words, compared without case."""
    for word in value:
        if len(word) > MAX_STATION or not word.isprintable():
            return f"has {word!r:.50}, not a station name (1-{MAX_STATION} printable characters)"
    return None


def keyword_list(value: str) -> tuple[str, ...]:
    """``"alergi, kacang"`` -> ``("alergi", "kacang")``."""
    return tuple(word.strip() for word in value.split(",") if word.strip())


_MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta"})


def check_keys(value: Any) -> str | None:
    """A key combination as Qt spells it ("Ctrl+Alt+Shift+F11"): modifiers, then one key."""
    if value == "":
        return None
    parts = [part.strip() for part in str(value).split("+")]
    modifiers, key = parts[:-1], parts[-1]
    if (
        key
        and key.lower() not in _MODIFIERS
        and all(m.lower() in _MODIFIERS for m in modifiers)
        and modifiers
    ):
        return None
    return 'must be "" or modifiers and a key, e.g. "Ctrl+Alt+Shift+F11" (at least one of Ctrl, Alt, Shift, Meta)'


def is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return bool(text)
