"""Config: one table drives defaults, TOML, env, CLI flags and refusals naming the key."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

import pytest

from kiosk.core.config import (
    SETTINGS,
    Config,
    ConfigError,
    is_configured,
    load_config,
    save_config,
)
from kiosk.core.config_flags import add_arguments, overrides_from_args


def test_defaults_without_file_or_env(tmp_path: Path) -> None:
    config = load_config(path=tmp_path / "missing.toml", env={})
    assert config == Config()
    assert not is_configured(config)
    assert config.warn_after_s == 300 and config.late_after_s == 600


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('server_url = "http://10.0.0.2:5000"\nroom = "kasir-1"\ntoken = "t"\nsound = false\n')
    env = {"KIOSK_ROOM": "tenant-3", "KIOSK_WARN_AFTER_S": "120", "KIOSK_SOUND": "yes"}
    config = load_config(path=path, env=env, overrides={"language": "id", "sound": None})
    assert config.server_url == "http://10.0.0.2:5000"
    assert config.room == "tenant-3"
    assert config.warn_after_s == 120
    assert config.sound is True
    assert config.language == "id"
    assert is_configured(config)


def test_cli_flags_are_derived_from_the_table(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--room", "display", "--no-sound", "--late-after-s", "900"])
    overrides = overrides_from_args(args)
    assert overrides == {"room": "display", "sound": False, "late_after_s": "900"}
    config = load_config(path=tmp_path / "none.toml", env={}, overrides=overrides)
    assert config.late_after_s == 900 and config.sound is False
    flags = {action.dest for action in parser._actions}
    assert {s.name for s in SETTINGS} <= flags


@pytest.mark.parametrize(
    ("env", "key", "words"),
    [
        ({"KIOSK_LANGUAGE": "fr"}, "language", "en, id"),
        ({"KIOSK_ROOM": "kitchen"}, "room", "display, board, kasir-N"),
        ({"KIOSK_SOUND": "maybe"}, "sound", "true or false"),
        ({"KIOSK_WARN_AFTER_S": "soon"}, "warn_after_s", "whole number"),
        ({"KIOSK_WARN_AFTER_S": "0"}, "warn_after_s", ">= 1"),
        ({"KIOSK_SERVER_URL": "ftp://x"}, "server_url", "http://"),
        ({"KIOSK_PRINTER": "lpt1"}, "printer", "network:host"),
        ({"KIOSK_WARN_AFTER_S": "700"}, "late_after_s", "greater than warn_after_s"),
        ({"KIOSK_BACKOFF_MAX_S": "0.5"}, "backoff_max_s", "at least backoff_initial_s"),
    ],
)
def test_bad_values_are_refused_naming_key_source_and_allowed(
    tmp_path: Path, env: dict[str, str], key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(path=tmp_path / "none.toml", env=env)
    assert caught.value.key == key
    assert key in str(caught.value) and words in str(caught.value)


@pytest.mark.parametrize(
    "printer", ["", "file:/tmp/r.bin", "network:10.0.0.9", "network:p:9100", "usb:04b8:0202"]
)
def test_printer_forms(tmp_path: Path, printer: str) -> None:
    assert load_config(path=tmp_path / "x.toml", env={"KIOSK_PRINTER": printer}).printer == printer


def test_broken_or_unknown_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("room = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path=path, env={})
    path.write_text('rom = "display"\n')
    with pytest.raises(ConfigError, match="unknown setting 'rom'") as caught:
        load_config(path=path, env={})
    assert caught.value.key == "rom"


def test_save_round_trips_and_keeps_the_token_private(tmp_path: Path) -> None:
    config = load_config(
        path=tmp_path / "none.toml",
        env={},
        overrides={
            "server_url": "https://orders.example",
            "room": "tenant-2",
            "token": "s3cret",
            "sound": False,
        },
    )
    path = save_config(config, tmp_path / "conf" / "kiosk.toml")
    assert load_config(path=path, env={}) == config
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.public_dict()["token"] == "***"


def test_env_selects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('room = "user-4"\n')
    assert load_config(env={"KIOSK_CONFIG": str(path)}).room == "user-4"


def test_replace_validates() -> None:
    with pytest.raises(ConfigError):
        Config().replace(language="xx")
    assert Config().replace(room="display").room == "display"
