"""What the packaging proof shares: the clean-tree build, a minimal environment, the frozen server.

The fixtures that use these live in conftest.py; the tests in test_bundle.py
(the artefacts) and test_frozen_apps.py (the frozen programs at work).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.support.server_process import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
MiB = 2**20
FIGURES: dict[str, Any] = {}  # written to test-artifacts/packaging-figures.json at the end


@dataclass(frozen=True)
class Built:
    version: str
    out: Path
    report: dict[str, Any]
    kiosk: Path  # the unpacked kiosk-<v>-linux-<arch>/ folder
    server: Path
    build_seconds: float

    @property
    def kiosk_exe(self) -> Path:
        return self.kiosk / "kiosk" / "kiosk"

    @property
    def server_exe(self) -> Path:
        return self.server / "kiosk-server" / "kiosk-server"


def export_tree(source: Path, dest: Path) -> None:
    """Tracked and not-ignored files only, as a fresh clone with the current changes would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = Path(raw.decode())
        if not (source / relative).is_file():
            continue  # deleted in the work tree but still in the index
        (dest / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, dest / relative)


def bump_version(pyproject: Path) -> str:
    """Give the copy a version no installed metadata has, e.g. 0.1.0 -> 0.1.0.post77."""
    text = pyproject.read_text()
    old = tomllib.loads(text)["project"]["version"]
    new = f"{old}.post77"
    pyproject.write_text(text.replace(f'version = "{old}"', f'version = "{new}"', 1))
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == new
    return new


def frozen_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session gives a program, and nothing of this test's venv."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "KIOSK_LOG_DIR": str(home / "log"),
        "KIOSK_DATA_DIR": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    if os.environ.get("XDG_RUNTIME_DIR"):
        env["XDG_RUNTIME_DIR"] = os.environ["XDG_RUNTIME_DIR"]  # where PulseAudio listens
    env.update(extra)
    return env


def unpack(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="tar")
    (top,) = [p for p in into.iterdir() if tarball.name.startswith(p.name)]
    return top


class FrozenServer(ServerProcess):
    """The fixture's server, but the frozen ``kiosk-server`` binary instead of ``python -m server``."""

    def __init__(self, binary: Path, db_path: Path, home: Path) -> None:
        super().__init__(db_path, admin_token="admin-frozen-test-token")
        self.binary = binary
        self.home = home
        self.env = frozen_env(home, KIOSK_ADMIN_TOKEN=self.admin_token)

    def start(self, timeout: float = 30) -> None:
        self._log = self.log_path.open("ab")
        command = [
            str(self.binary),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db_path),
        ]
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"frozen server exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                if requests.get(f"{self.url}/api/health", timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)  # poll interval of a deadline-bounded wait
        self.kill()
        raise RuntimeError(f"frozen server did not answer /api/health within {timeout} s:\n{self.log_tail()}")

    def add_device(self, name: str, rooms: Sequence[str]) -> str:
        result = subprocess.run(
            [
                str(self.binary),
                "devices",
                "add",
                "--db",
                str(self.db_path),
                "--name",
                name,
                "--rooms",
                ",".join(rooms),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env,
            check=False,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        return result.stdout.strip().splitlines()[-1]


def wait_for_line(path: Path, pattern: str, process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first line of ``path`` matching ``pattern``; fails early if the process died."""
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        for line in path.read_text(errors="replace").splitlines():
            if regex.search(line):
                return line
        if process.poll() is not None:
            break
        time.sleep(0.05)  # poll interval of a deadline-bounded wait
    raise AssertionError(
        f"no line matching {pattern!r} in {path} within {timeout} s:\n{path.read_text()[-3000:]}"
    )


def pulseaudio_up() -> bool:
    return (
        shutil.which("pactl") is not None
        and subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode == 0
    )


# -- the artefacts --------------------------------------------------------------------


def creation_event_id(server: ServerProcess, order_id: int) -> str:
    """The event_id of ``order:created`` for ``order_id``, from the server's catch-up log."""
    events = server.request("GET", "/api/events?room=display&after=0").json()["events"]
    (event,) = [e for e in events if e["type"] == "order_created" and e["data"]["id"] == order_id]
    return str(event["event_id"])


def seen_ids(data_dir: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in data_dir.glob("*.jsonl"))


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the kiosk exited early with {process.returncode}"
        time.sleep(0.05)  # poll interval of a deadline-bounded wait
    raise AssertionError(f"condition not met within {timeout} s")
