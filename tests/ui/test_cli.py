"""``kiosk`` on the command line: version, refusals people can act on, flags from the settings table."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.cli import build_parser
from kiosk.core.config import SETTINGS


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_version_answers_fast_without_loading_qt() -> None:
    started = time.monotonic()
    done = run_cli("--version")
    elapsed = time.monotonic() - started
    assert done.returncode == 0
    assert done.stdout.strip() == f"kiosk {__version__}"
    assert elapsed < 3.0, f"kiosk --version took {elapsed:.2f} s"
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, kiosk.cli; kiosk.cli.main(['--version']); print('PySide6' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().endswith("False")


def test_every_setting_is_a_flag_and_the_issue_names_work() -> None:
    parser = build_parser()
    flags = {option for action in parser._actions for option in action.option_strings}
    for setting in SETTINGS:
        assert setting.flag in flags, setting.name
    args = parser.parse_args(
        [
            "--server",
            "http://10.0.0.5:5000",
            "--room",
            "kasir-1",
            "--token",
            "t",
            "--lang",
            "id",
            "--fullscreen",
        ]
    )
    assert (args.server_url, args.room, args.token, args.language, args.fullscreen) == (
        "http://10.0.0.5:5000",
        "kasir-1",
        "t",
        "id",
        True,
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["--lang", "fr"])


def test_a_bad_setting_is_refused_with_what_is_allowed(tmp_path: Path) -> None:
    done = run_cli(
        "--server",
        "http://127.0.0.1:1",
        "--room",
        "kitchen",
        "--token",
        "t",
        "--offscreen",
        env={"KIOSK_CONFIG": str(tmp_path / "none.toml")},
    )
    assert done.returncode == 2
    assert "room" in done.stderr and "display, board, kasir-N" in done.stderr


def test_offscreen_without_configuration_says_what_to_pass(tmp_path: Path) -> None:
    done = run_cli(
        "--offscreen",
        "--quit-after",
        "1",
        env={"KIOSK_CONFIG": str(tmp_path / "none.toml"), "KIOSK_LOG_DIR": str(tmp_path / "logs")},
    )
    assert done.returncode == 2
    assert "--server URL --room ROOM --token T" in done.stderr
