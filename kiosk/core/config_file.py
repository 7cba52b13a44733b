"""The settings file: read whole or refused in one sentence, and old setting names migrated.

Apart from kiosk/core/config.py (the declarations, validation and the order
of sources) because this is about files people edit by hand and keep across
releases: a damaged file is one line naming it, never a traceback, and a
setting renamed in a release is read under its new name with one warning
instead of stopping every screen that still has the old ``kiosk.toml``.
"""

from __future__ import annotations

import difflib
import logging
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from kiosk.core.setting_checks import ConfigError

log = logging.getLogger("kiosk.config")

# A setting renamed in a release: old name -> new name.  A kiosk.toml or KIOSK_* variable from before
# keeps working (read under the new name, with one warning saying what to change), so an upgrade never
# stops a screen over a name.  Never delete an entry: a screen may skip releases.
RENAMED: dict[str, str] = {}
# A setting a release dropped -> why; an old file that still sets it is read with one warning.
REMOVED: dict[str, str] = {}

MAX_CONFIG_BYTES = 1024 * 1024  # the settings are a few hundred bytes; more is not a settings file
_REWRITE = "write it again as plain text (name = value lines), or delete it to run the setup again"


def read_toml(path: Path) -> dict[str, Any]:
    """The file's settings; every way it can be broken is one ConfigError naming the file.

    A binary or damaged file (a disk error, a wrong file copied over it) used
    to end in a UnicodeDecodeError traceback; it gets the same kind of
    sentence as invalid TOML.  A UTF-8 byte-order mark, which some Windows
    editors write, is accepted.
    """
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(
                "", f"{path} is not valid TOML: it is over {MAX_CONFIG_BYTES // 1024} KiB; {_REWRITE}"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError("", f"cannot read {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            "",
            f"{path} is not valid TOML: it is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}; a binary or damaged file?); {_REWRITE}",
        ) from None
    if "\x00" in text:
        raise ConfigError(
            "",
            f"{path} is not valid TOML: it holds NUL bytes (the first at offset {data.index(0)}; "
            f"a binary or damaged file?); {_REWRITE}",
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML: {exc}") from None
    # A [kiosk] table is accepted as well as top-level keys.
    table = raw.get("kiosk", raw) if isinstance(raw.get("kiosk"), dict) else raw
    return dict(table)


def migrate(
    values: dict[str, Any],
    where: str,
    *,
    known: Iterable[str],
    renamed: Mapping[str, str],
    removed: Mapping[str, str],
    spell: Callable[[str], str] = str,
) -> dict[str, Any]:
    """Old setting names read under their new names, dropped ones ignored, each with one warning.

    ``spell`` writes a name as ``where`` spells it (``KIOSK_ROOM`` for the
    environment).  An unknown name left after that is refused, naming the
    nearest known one: a typo must not be silently ignored.
    """
    out = dict(values)
    for old, new in renamed.items():
        if old not in out:
            continue
        value = out.pop(old)
        if new in out:
            log.warning(
                "%s sets both %s and its new name %s: using %s", where, spell(old), spell(new), spell(new)
            )
        else:
            out[new] = value
            log.warning(
                "%s: %s is now called %s; read as %s (rename it there)",
                where,
                spell(old),
                spell(new),
                spell(new),
            )
    for name, why in removed.items():
        if name in out:
            out.pop(name)
            log.warning("%s: %s is no longer a setting (%s); ignored", where, spell(name), why)
    known = list(known)
    unknown = sorted(set(out) - set(known))
    if unknown:
        near = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f"did you mean {spell(near[0])!r}? " if near else ""
        raise ConfigError(
            unknown[0],
            f"{where}: unknown setting {spell(unknown[0])!r}; {hint}known settings: {', '.join(known)}",
        )
    return out
