"""Settings that survive upgrades: a renamed or dropped setting in an old kiosk.toml never stops a screen.

The tables ``RENAMED`` and ``REMOVED`` are declared once in kiosk/core/config_file.py; each entry is
tested here, and the mechanism with an injected table (so it is tested before the first real rename).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import tomli_w

from kiosk.core.config import SETTINGS_BY_NAME, Config, ConfigError, load_config
from kiosk.core.config_file import REMOVED, RENAMED

OLD_NAMES = {"kitchen_room": "room", "warn_s": "warn_after_s"}


def test_an_old_name_in_the_file_is_read_under_the_new_one_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('kitchen_room = "display"\nwarn_s = 120\n')
    with caplog.at_level(logging.WARNING, "kiosk.config"):
        config = load_config(path=path, env={}, renamed=OLD_NAMES, removed={})
    assert (config.room, config.warn_after_s) == ("display", 120)  # before: "unknown setting" stopped it
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [
        f"{path}: kitchen_room is now called room; read as room (rename it there)",
        f"{path}: warn_s is now called warn_after_s; read as warn_after_s (rename it there)",
    ]


def test_the_new_name_wins_over_the_old_and_an_old_environment_variable_is_migrated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('kitchen_room = "kasir-1"\nroom = "display"\n')
    with caplog.at_level(logging.WARNING, "kiosk.config"):
        config = load_config(path=path, env={"KIOSK_WARN_S": "90"}, renamed=OLD_NAMES, removed={})
    assert config.room == "display" and config.warn_after_s == 90
    assert any("KIOSK_WARN_S is now called KIOSK_WARN_AFTER_S" in r.getMessage() for r in caplog.records)
    assert any("sets both kitchen_room and its new name room" in r.getMessage() for r in caplog.records)


def test_a_dropped_setting_is_ignored_with_its_reason_and_a_typo_is_still_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('room = "display"\nflash_cards = true\n')
    with caplog.at_level(logging.WARNING, "kiosk.config"):
        config = load_config(path=path, env={}, renamed={}, removed={"flash_cards": "cards no longer flash"})
    assert config.room == "display"
    assert "flash_cards is no longer a setting (cards no longer flash); ignored" in caplog.text
    path.write_text('rom = "display"\n')
    with pytest.raises(ConfigError, match="unknown setting 'rom'; did you mean 'room'"):
        load_config(path=path, env={}, renamed={}, removed={})


def test_each_declared_rename_and_removal_is_migrated(tmp_path: Path) -> None:
    """Every entry of the shipped tables: it points at a real setting, and an old file using it loads."""
    assert not set(REMOVED) & set(SETTINGS_BY_NAME)
    path = tmp_path / "kiosk.toml"
    for old, new in RENAMED.items():
        assert new in SETTINGS_BY_NAME and old not in SETTINGS_BY_NAME, (old, new)
        default = getattr(Config(), new)
        path.write_text(tomli_w.dumps({old: default}))
        assert getattr(load_config(path=path, env={}), new) == default
    for name in REMOVED:
        path.write_text(tomli_w.dumps({name: 1}))
        assert load_config(path=path, env={}) == Config()
