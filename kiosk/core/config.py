"""Settings, declared once: the table below drives the dataclass, TOML, env, CLI and checks.

Precedence, lowest first: defaults, the TOML file in the platform config dir,
environment variables ``KIOSK_<NAME>``, command-line flags ``--name``.  A bad
value is refused at start with a ``ConfigError`` naming the key, where it came
from and what is allowed, so an admin fixing thirty screens knows what to type.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
import tomli_w

from kiosk.core.atomic_file import replace_file
from kiosk.protocol import ROOM_FORMS, is_valid_room

APP_NAME = "kiosk"
ENV_PREFIX = "KIOSK_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A refused setting; ``key`` is the setting's name ("" for a broken file)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _check_url(value: Any) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address such as http://192.168.1.10:5000"
    return None


def _check_room(value: Any) -> str | None:
    if value == "" or is_valid_room(value):
        return None
    return f"must be {ROOM_FORMS}"


def _check_printer(value: Any) -> str | None:
    if value == "":
        return None
    kind, _, rest = value.partition(":")
    ok = {
        "file": bool(rest),
        "network": bool(rest.split(":")[0]) and all(p.isdigit() for p in rest.split(":")[1:2]),
        "usb": len(rest.split(":")) == 2 and all(_is_hex(p) for p in rest.split(":")),
    }.get(kind, False)
    if ok:
        return None
    return 'must be "" (no printer), "file:/path", "network:host[:port]" or "usb:VID:PID" (hex ids)'


# How big the kitchen's cards are; kiosk/ui/kitchen/card_layout.py turns each into a target size.
CARD_DENSITIES = ("compact", "normal", "large")

DEFAULT_ALLERGY_KEYWORDS = "alergi, allergy, allergic, kacang, udang, peanut, shrimp, seafood, gluten"


def keyword_list(value: str) -> tuple[str, ...]:
    """``"alergi, kacang"`` -> ``("alergi", "kacang")``."""
    return tuple(word.strip() for word in value.split(",") if word.strip())


_MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta"})


def _check_keys(value: Any) -> str | None:
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


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return bool(text)


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    type: type
    default: Any
    description: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    check: Callable[[Any], str | None] | None = None
    secret: bool = False

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.type is bool:
            return "true or false"
        if self.type in (int, float):
            kind = "a whole number" if self.type is int else "a number"
            return kind if self.minimum is None else f"{kind} >= {self.minimum:g}"
        return "text"


SETTINGS: tuple[Setting, ...] = (
    Setting("server_url", str, "", "address of the order server", check=_check_url),
    Setting("room", str, "", f"the screen's room: {ROOM_FORMS}", check=_check_room),
    Setting("token", str, "", "this device's token, issued by the server admin", secret=True),
    Setting("language", str, "en", "language of the screen", choices=("en", "id")),
    Setting("sound", bool, True, "play sounds for new orders, payments and alerts"),
    Setting("fullscreen", bool, False, "run fullscreen (kiosk mode)"),
    Setting(
        "exit_keys",
        str,
        "",
        "keys that leave fullscreen kiosk mode, e.g. Ctrl+Alt+Shift+F11 (empty: F11 and Esc do nothing there)",
        check=_check_keys,
    ),
    Setting("hide_cursor", bool, False, "hide the mouse cursor (touch screens)"),
    Setting(
        "allergy_keywords",
        str,
        DEFAULT_ALLERGY_KEYWORDS,
        "comma-separated words that mark an item note as an allergy warning on the kitchen cards",
    ),
    Setting(
        "card_density",
        str,
        "normal",
        "size of the kitchen's order cards: compact fits more on a screen, large reads from further away",
        choices=CARD_DENSITIES,
    ),
    Setting("warn_after_s", int, 300, "seconds after which an order card turns yellow", minimum=1),
    Setting("late_after_s", int, 600, "seconds after which an order card turns red", minimum=1),
    Setting("backoff_initial_s", float, 1.0, "first reconnect delay in seconds", minimum=0.01),
    Setting("backoff_max_s", float, 30.0, "longest reconnect delay in seconds", minimum=0.01),
    Setting("stable_after_s", float, 10.0, "seconds a connection must last to reset the delays", minimum=0),
    Setting("poll_interval_s", float, 3.0, "seconds between catch-up polls while offline", minimum=0.05),
    Setting(
        "repeat_chime_s",
        int,
        0,
        "repeat the new-order chime every N s until acknowledged (0 = off)",
        minimum=0,
    ),
    Setting("printer", str, "", "receipt printer", check=_check_printer),
    Setting("shop_name", str, "", "shop name printed at the top of receipts (empty: none)"),
    Setting("shop_address", str, "", "shop address printed under the name on receipts (empty: none)"),
    Setting("keep_final_s", float, 10.0, "seconds a completed or cancelled order stays on screen", minimum=0),
    Setting("dedup_size", int, 100_000, "how many seen event ids are remembered on disk", minimum=100),
    Setting("request_timeout_s", float, 10.0, "timeout of one REST request in seconds", minimum=0.1),
    Setting("log_level", str, "INFO", "log detail", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
)
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """One screen's settings; build it with ``load_config`` so it is validated."""

    server_url: str = ""
    room: str = ""
    token: str = ""
    language: str = "en"
    sound: bool = True
    fullscreen: bool = False
    exit_keys: str = ""
    hide_cursor: bool = False
    allergy_keywords: str = DEFAULT_ALLERGY_KEYWORDS
    card_density: str = "normal"
    warn_after_s: int = 300
    late_after_s: int = 600
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 30.0
    stable_after_s: float = 10.0
    poll_interval_s: float = 3.0
    repeat_chime_s: int = 0
    printer: str = ""
    shop_name: str = ""
    shop_address: str = ""
    keep_final_s: float = 10.0
    dedup_size: int = 100_000
    request_timeout_s: float = 10.0
    log_level: str = "INFO"

    def replace(self, **changes: Any) -> Config:
        """A validated copy with some settings changed."""
        return validate({**dataclasses.asdict(self), **changes})

    def public_dict(self) -> dict[str, Any]:
        """The settings with secrets masked, for logs and the state dump."""
        out = dataclasses.asdict(self)
        for setting in SETTINGS:
            if setting.secret and out[setting.name]:
                out[setting.name] = "***"
        return out


def _assert_table_matches_dataclass() -> None:
    fields = {f.name: f.default for f in dataclasses.fields(Config)}
    declared = {s.name: s.default for s in SETTINGS}
    if fields != declared:  # pragma: no cover - a programming error caught at import
        raise RuntimeError(f"Config and SETTINGS disagree: {fields} != {declared}")


_assert_table_matches_dataclass()


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "kiosk.toml"


def data_dir() -> Path:
    """Where the dedup file and the offline action queue live (``KIOSK_DATA_DIR`` overrides)."""
    override = os.environ.get(ENV_PREFIX + "DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get(ENV_PREFIX + "LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def coerce(setting: Setting, value: Any, source: str) -> Any:
    """Turn a TOML value, an env string or a CLI value into the setting's type."""
    where = f"{setting.name} (from {source})"
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ConfigError(setting.name, f"{where}: {value!r} is not allowed; use {setting.allowed()}")
    if setting.type in (int, float):
        if isinstance(value, bool):
            raise ConfigError(setting.name, f"{where}: {value!r} is not allowed; use {setting.allowed()}")
        try:
            number = setting.type(value.strip()) if isinstance(value, str) else value
            if setting.type is int and isinstance(number, float):
                if not number.is_integer():
                    raise ValueError
                number = int(number)
            if not isinstance(number, int | float):
                raise TypeError
            return setting.type(number)
        except (TypeError, ValueError):
            raise ConfigError(
                setting.name, f"{where}: {value!r} is not allowed; use {setting.allowed()}"
            ) from None
    if not isinstance(value, str):
        raise ConfigError(setting.name, f"{where}: {value!r} is not allowed; use {setting.allowed()}")
    return value.strip()


def validate(values: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> Config:
    """Check every value against the table and the cross-field rules; build a Config."""
    sources = sources or {}
    typed: dict[str, Any] = {}
    for setting in SETTINGS:
        source = sources.get(setting.name, "defaults")
        value = coerce(setting, values.get(setting.name, setting.default), source)
        problem: str | None = None
        if setting.choices is not None and value not in setting.choices:
            problem = f"{value!r} is not allowed; use {setting.allowed()}"
        elif setting.minimum is not None and value < setting.minimum:
            problem = f"{value!r} is too small; use {setting.allowed()}"
        elif setting.check is not None and (reason := setting.check(value)) is not None:
            problem = f"{value!r} {reason}"
        if problem is not None:
            raise ConfigError(setting.name, f"{setting.name} (from {source}): {problem}")
        typed[setting.name] = value
    if typed["late_after_s"] <= typed["warn_after_s"]:
        raise ConfigError(
            "late_after_s",
            f"late_after_s ({typed['late_after_s']}) must be greater than warn_after_s ({typed['warn_after_s']})",
        )
    if typed["backoff_max_s"] < typed["backoff_initial_s"]:
        raise ConfigError(
            "backoff_max_s",
            f"backoff_max_s ({typed['backoff_max_s']}) must be at least backoff_initial_s ({typed['backoff_initial_s']})",
        )
    return Config(**typed)


MAX_CONFIG_BYTES = 1024 * 1024  # the settings are a few hundred bytes; more is not a settings file
_REWRITE = "write it again as plain text (name = value lines), or delete it to run the setup again"


def _read_toml(path: Path) -> dict[str, Any]:
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
    unknown = sorted(set(table) - set(SETTINGS_BY_NAME))
    if unknown:
        raise ConfigError(
            unknown[0],
            f"{path}: unknown setting {unknown[0]!r}; known settings: {', '.join(SETTINGS_BY_NAME)}",
        )
    return dict(table)


def load_config(
    *,
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Config:
    """Defaults < TOML file < ``KIOSK_*`` environment < ``overrides`` (CLI flags)."""
    env = os.environ if env is None else env
    if path is None:
        path = Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else config_path()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, value in _read_toml(path).items():
        values[name], sources[name] = value, str(path)
    for setting in SETTINGS:
        if setting.env_var in env:
            values[setting.name], sources[setting.name] = env[setting.env_var], setting.env_var
    for name, value in (overrides or {}).items():
        if name not in SETTINGS_BY_NAME:
            raise ConfigError(
                name, f"unknown setting {name!r}; known settings: {', '.join(SETTINGS_BY_NAME)}"
            )
        if value is not None:
            values[name], sources[name] = value, SETTINGS_BY_NAME[name].flag
    return validate(values, sources)


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the settings (atomically, readable by the owner only: it holds the token)."""
    path = path or config_path()
    replace_file(path, tomli_w.dumps(dataclasses.asdict(config)).encode(), mode=0o600)
    return path


def is_configured(config: Config) -> bool:
    return bool(config.server_url and config.room and config.token)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One ``--flag`` per setting (``--sound/--no-sound`` for switches), all defaulting to None."""
    for setting in SETTINGS:
        help_text = f"{setting.description} ({setting.allowed()}; env {setting.env_var})"
        if setting.type is bool:
            parser.add_argument(
                setting.flag,
                dest=setting.name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=help_text,
            )
        else:
            parser.add_argument(
                setting.flag,
                dest=setting.name,
                default=None,
                metavar=setting.type.__name__.upper(),
                help=help_text,
            )


def overrides_from_args(namespace: argparse.Namespace) -> dict[str, object]:
    """The settings given on the command line, ready for ``load_config(overrides=...)``."""
    return {
        s.name: getattr(namespace, s.name) for s in SETTINGS if getattr(namespace, s.name, None) is not None
    }
