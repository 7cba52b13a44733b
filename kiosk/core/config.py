"""Settings, declared once: the table below drives the dataclass, TOML, env, CLI and checks.

Precedence, lowest first: defaults, the TOML file in the platform config dir,
the settings pushed from the console beside it (``pushed_settings_file``),
environment variables ``KIOSK_<NAME>``, command-line flags ``--name``.  A bad
value is refused at start with a ``ConfigError`` naming the key, where it came
from and what is allowed, so an admin fixing thirty screens knows what to type.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from kiosk.core.atomic_file import replace_file
from kiosk.core.config_file import REMOVED, RENAMED, migrate, read_toml
from kiosk.core.setting_checks import (
    CARD_DENSITIES,
    DEFAULT_ALLERGY_KEYWORDS,
    KITCHEN_VIEWS,
    OTHER_STATIONS,
    ConfigError,
    check_dialect,
    check_keys,
    check_printer,
    check_room,
    check_stations,
    check_url,
    keyword_list,
    word_list,
)
from kiosk.protocol import ROOM_FORMS

# The setting checks' names the screens read (they import the settings from here).
__all__ = [
    "CARD_DENSITIES",
    "DEFAULT_ALLERGY_KEYWORDS",
    "KITCHEN_VIEWS",
    "OTHER_STATIONS",
    "SETTINGS",
    "SETTINGS_BY_NAME",
    "Config",
    "ConfigError",
    "Setting",
    "config_path",
    "data_dir",
    "is_configured",
    "keyword_list",
    "load_config",
    "log_dir",
    "migrate",
    "save_config",
    "validate",
]

log = logging.getLogger("kiosk.config")

APP_NAME = "kiosk"
ENV_PREFIX = "KIOSK_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
WORDS = tuple[str, ...]  # a list setting: a TOML array, or "a, b" from the environment or a flag


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
        if self.type == WORDS:
            return 'a list of names (a TOML array, or "a, b" in the environment or a flag)'

        if self.type in (int, float):
            kind = "a whole number" if self.type is int else "a number"
            return kind if self.minimum is None else f"{kind} >= {self.minimum:g}"
        return "text"


def _setting(
    default: Any,
    description: str,
    *,
    choices: tuple[Any, ...] | None = None,
    minimum: float | None = None,
    check: Callable[[Any], str | None] | None = None,
    secret: bool = False,
) -> Any:
    """A Config field that declares its setting (the rest of ``Setting`` comes from the field)."""
    meta = {
        "description": description,
        "choices": choices,
        "minimum": minimum,
        "check": check,
        "secret": secret,
    }
    return dataclasses.field(default=default, metadata={"setting": meta})


@dataclass(frozen=True)
class Config:
    """One screen's settings; build it with ``load_config`` so it is validated.

    Each field is the one declaration of its setting (type, default, what it
    is for, its limits): the table ``SETTINGS``, the ``KIOSK_*`` variables,
    the command-line flags and the setup all read it from here.
    """

    server_url: str = _setting("", "address of the order server", check=check_url)
    room: str = _setting("", f"the screen's room: {ROOM_FORMS}", check=check_room)
    token: str = _setting("", "this device's token, issued by the server admin", secret=True)
    language: str = _setting("en", "language of the screen", choices=("en", "id"))
    sound: bool = _setting(True, "play sounds for new orders, payments and alerts")
    fullscreen: bool = _setting(False, "run fullscreen (kiosk mode)")
    exit_keys: str = _setting(
        "",
        "keys that leave fullscreen kiosk mode, e.g. Ctrl+Alt+Shift+F11 (empty: F11 and Esc do nothing there)",
        check=check_keys,
    )
    hide_cursor: bool = _setting(False, "hide the mouse cursor (touch screens)")
    allergy_keywords: str = _setting(
        DEFAULT_ALLERGY_KEYWORDS,
        "comma-separated words that mark an item note as an allergy warning on the kitchen cards",
    )
    card_density: str = _setting(
        "normal",
        "size of the kitchen's order cards: compact fits more on a screen, large reads from further away",
        choices=CARD_DENSITIES,
    )
    view: str = _setting(
        "cards",
        "what a display room shows: cards (the cooks' order cards) or expo (the pass: each order's "
        "progress per station, bumped to ready when every line is done)",
        choices=KITCHEN_VIEWS,
    )
    stations: tuple[str, ...] = _setting(
        (),
        "the kitchen stations this screen cooks for, e.g. grill, drinks (empty: every station); "
        "a line with no station belongs to every station",
        check=check_stations,
    )
    other_stations: str = _setting(
        "grey",
        "lines of other stations on this screen's cards: grey (shown dimmed) or hide",
        choices=OTHER_STATIONS,
    )
    warn_after_s: int = _setting(300, "seconds after which an order card turns yellow", minimum=1)
    late_after_s: int = _setting(600, "seconds after which an order card turns red", minimum=1)
    backoff_initial_s: float = _setting(1.0, "first reconnect delay in seconds", minimum=0.01)
    backoff_max_s: float = _setting(30.0, "longest reconnect delay in seconds", minimum=0.01)
    stable_after_s: float = _setting(10.0, "seconds a connection must last to reset the delays", minimum=0)
    poll_interval_s: float = _setting(3.0, "seconds between catch-up polls while offline", minimum=0.05)
    repeat_chime_s: int = _setting(
        0, "repeat the new-order chime every N s until acknowledged (0 = off)", minimum=0
    )
    printer: str = _setting("", "receipt printer", check=check_printer)
    shop_name: str = _setting("", "shop name printed at the top of receipts (empty: none)")
    shop_address: str = _setting("", "shop address printed under the name on receipts (empty: none)")
    keep_final_s: float = _setting(10.0, "seconds a completed or cancelled order stays on screen", minimum=0)
    dedup_size: int = _setting(100_000, "how many seen event ids are remembered on disk", minimum=100)
    request_timeout_s: float = _setting(10.0, "timeout of one REST request in seconds", minimum=0.1)
    backend_dialect: str = _setting(
        "auto",
        "how the order backend names things: auto (Kiosk's server, or the NotificationService when an older "
        "backend is found), native, notification-service, admin-room, or the path of a .toml file (docs/dialects.md)",
        check=check_dialect,
    )
    log_level: str = _setting("INFO", "log detail", choices=("DEBUG", "INFO", "WARNING", "ERROR"))

    def replace(self, **changes: Any) -> Config:
        """A validated copy with some settings changed."""
        return validate({**dataclasses.asdict(self), **changes})

    def pushed(self, changes: Mapping[str, Any], *, source: str) -> Config:
        """A copy with settings pushed from ``source``: checked as a file's, refused with the same messages."""
        return validate({**dataclasses.asdict(self), **changes}, dict.fromkeys(changes, source))

    def public_dict(self) -> dict[str, Any]:
        """The settings with secrets masked, for logs and the state dump."""
        out = dataclasses.asdict(self)
        for setting in SETTINGS:
            if setting.secret and out[setting.name]:
                out[setting.name] = "***"
        return out


def _derive_settings() -> tuple[Setting, ...]:
    hints = typing.get_type_hints(Config)
    return tuple(
        Setting(field.name, hints[field.name], field.default, **field.metadata["setting"])
        for field in dataclasses.fields(Config)
    )


SETTINGS: tuple[Setting, ...] = _derive_settings()
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def pushed_settings_file(config: Path) -> Path:
    """Where the settings pushed from the console are kept: ``kiosk.pushed.toml`` beside ``kiosk.toml``.

    A file of its own, so a push never rewrites what the admin wrote by hand,
    nor bakes a flag or a ``KIOSK_*`` variable into the config; it is read
    after the config file (so a pushed value wins over it) and before the
    environment.  Deleting it goes back to the config file's values.
    """
    return config.with_name(config.stem + ".pushed.toml")


def pushed_toml(config: Config, names: Iterable[str], path: Path) -> bytes:
    """The pushed-settings file with ``names`` set to their values in ``config`` (earlier pushes kept)."""
    kept = read_toml(path)
    for name in names:
        value = getattr(config, name)
        kept[name] = list(value) if isinstance(value, tuple) else value
    return tomli_w.dumps(kept).encode()


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "kiosk.toml"


def config_file_in_use(path: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The config file read: ``path`` (``--config``), else ``KIOSK_CONFIG``, else the platform's."""
    env = os.environ if env is None else env
    if path is not None:
        return path
    return Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else config_path()


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
    if setting.type == WORDS:
        words = word_list(value)
        if words is None:
            raise ConfigError(setting.name, f"{where}: {value!r} is not allowed; use {setting.allowed()}")
        return words
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


def load_config(
    *,
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
    renamed: Mapping[str, str] = RENAMED,
    removed: Mapping[str, str] = REMOVED,
) -> Config:
    """Defaults < TOML file < ``KIOSK_*`` environment < ``overrides`` (CLI flags); old names migrated."""
    env = os.environ if env is None else env
    path = config_file_in_use(path, env)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    from_file = migrate(read_toml(path), str(path), known=SETTINGS_BY_NAME, renamed=renamed, removed=removed)
    for name, value in from_file.items():
        values[name], sources[name] = value, str(path)
    pushed_path = pushed_settings_file(path)
    from_console = migrate(
        read_toml(pushed_path), str(pushed_path), known=SETTINGS_BY_NAME, renamed=renamed, removed=removed
    )
    for name, value in from_console.items():
        values[name], sources[name] = value, f"{pushed_path}, pushed from the admin console"
    old_env = {
        name: env[ENV_PREFIX + name.upper()]
        for name in (*renamed, *removed)
        if ENV_PREFIX + name.upper() in env
    }
    for name, value in migrate(
        old_env,
        "the environment",
        known=SETTINGS_BY_NAME,
        renamed=renamed,
        removed=removed,
        spell=lambda n: ENV_PREFIX + n.upper(),
    ).items():
        values[name], sources[name] = value, ENV_PREFIX + name.upper()
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
