"""Each command says which extra to install when its packages are missing, in one line, exit 2.

The commands run in a subprocess whose ``sys.meta_path`` makes the named
modules unimportable, as on a machine where that extra was never installed
(.ci/run also runs ``kiosk`` in a real server-only venv).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# python -c WRAPPER "mod1,mod2" package args...: run ``python -m package args`` without those modules.
WRAPPER = """
import importlib.abc, runpy, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled(set(sys.argv[1].split(","))))
package = sys.argv[2]
sys.argv = [package, *sys.argv[3:]]
runpy.run_module(package, run_name="__main__", alter_sys=True)
"""


def run_without(missing: str, package: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WRAPPER, missing, package, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_names_the_extra(done: subprocess.CompletedProcess[str], extra: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"pip install 'kiosk[{extra}]'" in lines[0]


@pytest.mark.parametrize("missing", ["PySide6", "qasync", "PySide6,qasync,escpos,aiohttp,tomli_w"])
def test_a_screen_without_the_app_extra_names_it(missing: str) -> None:
    done = run_without(
        missing, "kiosk.cli", "--server", "http://127.0.0.1:9", "--room", "display", "--token", "t"
    )
    assert_names_the_extra(done, "app")
    assert "the screens need the app extra" in done.stderr


def test_kiosk_help_without_qt_names_the_extra_and_version_still_answers() -> None:
    assert_names_the_extra(run_without("PySide6", "kiosk.cli", "--help"), "app")
    version = run_without("PySide6", "kiosk.cli", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("kiosk ")


@pytest.mark.parametrize("missing", ["PySide6", "flask", "gevent"])
def test_the_demo_without_either_extra_names_both(missing: str) -> None:
    done = run_without(missing, "kiosk.cli", "demo", "--offscreen", "--quit-after", "1")
    assert_names_the_extra(done, "all")
    assert f"{missing} is not installed" in done.stderr


@pytest.mark.parametrize("missing", ["flask", "gevent", "flask_socketio,gevent,simple_websocket"])
def test_the_server_without_the_server_extra_names_it(missing: str, tmp_path: Path) -> None:
    done = run_without(missing, "server", "run", "--port", "9", "--db", str(tmp_path / "kiosk.db"))
    assert_names_the_extra(done, "server")
    assert "the server needs the server extra" in done.stderr
    assert not (tmp_path / "kiosk.db").exists()


def test_device_tokens_need_no_server_extra(tmp_path: Path) -> None:
    """``devices`` is SQLite and the contract only: it works on a screen-only install too."""
    done = run_without(
        "flask,flask_socketio,gevent,simple_websocket",
        "server",
        "devices",
        "list",
        "--db",
        str(tmp_path / "kiosk.db"),
    )
    assert done.returncode == 0, done.stderr
