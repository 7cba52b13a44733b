"""The command-line side of the settings table: one ``--flag`` per setting, and reading them back.

Apart from kiosk/core/config.py (the table, files and checks) because only
the app's entry point needs argparse; the flags are still derived from the
one table, so a new setting gets its flag without a line here.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from kiosk.core.config import SETTINGS, WORDS, Setting


def add_arguments(
    parser: argparse.ArgumentParser,
    *,
    aliases: Mapping[str, tuple[str, ...]] | None = None,
    metavars: Mapping[str, str] | None = None,
) -> None:
    """One ``--flag`` per setting (``--sound/--no-sound`` for switches), all defaulting to None.

    ``aliases`` are shorter flags listed first (``--lang``), ``metavars`` the
    placeholder shown in ``--help``; a setting with choices lists them instead.
    """
    aliases, metavars = aliases or {}, metavars or {}
    for setting in SETTINGS:
        flags = (*aliases.get(setting.name, ()), setting.flag)
        help_text = f"{setting.description} ({setting.allowed()}; env {setting.env_var})"
        if setting.type is bool:
            parser.add_argument(
                *flags, dest=setting.name, action=argparse.BooleanOptionalAction, default=None, help=help_text
            )
        else:
            choices = list(setting.choices) if setting.choices is not None else None
            parser.add_argument(
                *flags,
                dest=setting.name,
                default=None,
                choices=choices,
                metavar=None if choices else metavars.get(setting.name, _metavar(setting)),
                help=help_text,
            )


def _metavar(setting: Setting) -> str:
    return "NAMES" if setting.type == WORDS else setting.type.__name__.upper()


def overrides_from_args(namespace: argparse.Namespace) -> dict[str, object]:
    """The settings given on the command line, ready for ``load_config(overrides=...)``."""
    return {
        s.name: getattr(namespace, s.name) for s in SETTINGS if getattr(namespace, s.name, None) is not None
    }
