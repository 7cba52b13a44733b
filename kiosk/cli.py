"""``kiosk``: run a screen, or ``kiosk demo`` for the whole thing on one machine.

``kiosk --server URL --room ROOM --token T [--lang id|en] [--fullscreen]``;
every setting of the core's SETTINGS table is also a flag (``--warn-after-s``
...), so a new setting needs no CLI change.  Headless support mode:
``--offscreen --screenshot out.png --dump-state state.json --quit-after S``.

Qt and the core are imported only once the arguments are understood, so
``kiosk --version`` and ``kiosk --help`` answer at once.
"""

# Imports inside functions are the point here: --version and --help stay instant.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__

STARTED = time.monotonic()  # the zero of "first frame after N ms" in the log

# Short names people type (and the command line) for some settings.
ALIASES: dict[str, tuple[str, ...]] = {"server_url": ("--server",), "language": ("--lang",)}

METAVARS = {"server_url": "URL", "room": "ROOM", "token": "T", "printer": "DEVICE"}

EXIT_CONFIG = 2

# What the optional extras of pyproject.toml install, by import name: a screen needs the
# app extra, the demo the server extra as well.  tests/packaging/test_extras.py keeps these
# in step with pyproject.toml.
APP_EXTRA_MODULES = ("PySide6", "qasync", "escpos", "aiohttp", "tomli_w")
SERVER_EXTRA_MODULES = ("flask", "flask_socketio", "gevent", "simple_websocket", "engineio")


def missing_module(modules: Sequence[str]) -> str | None:
    """The first of ``modules`` that is not installed; looked up, not imported (so no Qt yet)."""
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return name
    return None


def missing_extra(args_list: Sequence[str]) -> str | None:
    """One line naming the extra to install, when this command cannot run without it."""
    if args_list[:1] == ["demo"]:
        missing = missing_module(APP_EXTRA_MODULES) or missing_module(SERVER_EXTRA_MODULES)
        needs, extra = "the demo needs the app and server extras", "all"
    else:
        missing = missing_module(APP_EXTRA_MODULES)
        needs, extra = "the screens need the app extra", "app"
    if missing is None:
        return None
    return (
        f"kiosk: {needs} ({missing} is not installed): pip install 'kiosk[{extra}]' "
        f"(from a checkout: pip install -e '.[{extra}]')"
    )


def build_parser() -> argparse.ArgumentParser:
    from kiosk.core.config_flags import add_arguments

    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Kitchen display, cashier counter and tenant stall screens. "
        "'kiosk demo' runs a server, a demo order feed and the screens on this machine.",
        epilog="Settings are read from the config file, then KIOSK_* environment variables, then these flags.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="settings file (default: the platform config dir)"
    )
    add_arguments(parser, aliases=ALIASES, metavars=METAVARS)  # the short name first, as people type it
    parser.add_argument(
        "--pair",
        action="store_true",
        help="show a pairing code for the admin to approve (with --server URL); the screen then receives "
        "its token itself and goes live",
    )
    add_headless_arguments(parser)
    return parser


def build_demo_parser() -> argparse.ArgumentParser:
    """``kiosk demo``'s arguments; kiosk/demo.py runs what they ask (and never imports this module)."""
    from kiosk.demo import ROOMS

    parser = argparse.ArgumentParser(
        prog="kiosk demo",
        description="Run a demo server, a demo order feed and the screens on this machine.",
    )
    parser.add_argument("--room", choices=sorted(ROOMS), default="display", help="which screen(s) to open")
    parser.add_argument("--lang", choices=("en", "id"), default="en", help="language of the screens")
    parser.add_argument("--rate", type=float, default=2.0, help="demo feed requests per second (default 2)")
    parser.add_argument("--duration", type=float, help="seconds of demo traffic (default: until you quit)")
    parser.add_argument("--seed", type=int, help="make the demo traffic repeatable")
    parser.add_argument("--fullscreen", action="store_true", help="open the screen fullscreen")
    parser.add_argument("--no-sound", dest="sound", action="store_false", help="stay silent")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    add_headless_arguments(parser)
    return parser


def add_headless_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("headless mode (support and tests)")
    group.add_argument("--offscreen", action="store_true", help="render without a display")
    group.add_argument("--screenshot", type=Path, metavar="PNG", help="save a screenshot at exit")
    group.add_argument(
        "--dump-state", type=Path, metavar="JSON", help="write connection, orders, payments at exit"
    )
    group.add_argument("--quit-after", type=float, metavar="S", help="quit after S seconds")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    refusal = None if args_list[:1] in (["--version"], ["-V"]) else missing_extra(args_list)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return EXIT_CONFIG
    if args_list[:1] == ["demo"]:
        from kiosk.demo import run as run_demo

        code: int = run_demo(build_demo_parser().parse_args(args_list[1:]))
        return code
    if args_list[:1] in (["--version"], ["-V"]):
        print(f"kiosk {__version__}")
        return 0
    args = build_parser().parse_args(args_list)
    return run(args)


def run(args: argparse.Namespace) -> int:
    from kiosk.core.config import ConfigError, config_file_in_use, is_configured, load_config
    from kiosk.core.config_flags import overrides_from_args

    overrides = overrides_from_args(args)
    try:
        config = load_config(path=args.config, overrides=overrides)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.quit_after is not None and args.quit_after < 0:
        print("kiosk: --quit-after must be 0 or more seconds", file=sys.stderr)
        return EXIT_CONFIG

    from kiosk.ui.app import run_app
    from kiosk.ui.headless import HeadlessOptions
    from kiosk.ui.logging_setup import setup_logging

    log_file = setup_logging(config.log_level)
    print(f"kiosk: logging to {log_file}", file=sys.stderr)
    headless = HeadlessOptions(
        offscreen=args.offscreen,
        screenshot=args.screenshot,
        dump_state=args.dump_state,
        quit_after=args.quit_after,
    )
    if args.pair:
        if not config.server_url:
            print(
                "kiosk: --pair needs the server's address: --server URL (or server_url in the config)",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        return run_app([config], headless, started=STARTED, pair_to=config_file_in_use(args.config))
    configured = config if is_configured(config) else _first_run(config, args)
    if configured is None:
        return EXIT_CONFIG
    config = configured
    return run_app([config], headless, started=STARTED, config_path=config_file_in_use(args.config))


def _first_run(config: Any, args: argparse.Namespace) -> Any:
    """Nothing configured: the setup dialog, or one line saying what to give (None: nothing to show).

    ``Any``: kiosk.core.config is imported only when the screens run (see ``missing_extra``)."""
    from kiosk.ui.app import setup_if_needed

    if args.offscreen:
        print(
            "kiosk: not configured: give --server URL --room ROOM --token T "
            "(or KIOSK_SERVER_URL/KIOSK_ROOM/KIOSK_TOKEN, or the config file), or --server URL --pair",
            file=sys.stderr,
        )
        return None
    configured = setup_if_needed(config, args.config)
    if configured is None:
        print("kiosk: setup was cancelled; nothing to show", file=sys.stderr)
    return configured


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
