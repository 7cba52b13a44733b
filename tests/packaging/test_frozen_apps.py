"""The frozen programs at work, run from the unpacked tarballs as an admin would.

The server on a real SQLite file; the kiosk offscreen (and on a real X server
when there is one) against it, provisioned by flags, environment or a config
file; start time against the same app run from source.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
import requests

from tests.packaging.frozen import (
    FIGURES,
    ROOT,
    Built,
    FrozenServer,
    creation_event_id,
    frozen_env,
    pulseaudio_up,
    seen_ids,
    wait_for_line,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def test_frozen_kiosk_shows_the_servers_orders_and_chimes_from_bundled_sounds(
    built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    token = frozen_server.add_device("kitchen-1", ["display"])
    first = frozen_server.create_order(tenant_id=1)
    home = tmp_path / "kiosk-home"
    home.mkdir()
    state_file, log_file, shot = tmp_path / "state.json", tmp_path / "kiosk.stderr", tmp_path / "kitchen.png"
    command = [str(built.kiosk_exe), "--server", frozen_server.url, "--room", "display", "--token", token]
    command += [
        "--offscreen",
        "--dump-state",
        str(state_file),
        "--screenshot",
        str(shot),
        "--quit-after",
        "60",
    ]
    with log_file.open("wb") as log:
        kiosk = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=frozen_env(home))
        try:
            wait_for_line(log_file, r"live in display", kiosk, timeout=30)
            second = frozen_server.create_order(tenant_id=2, customer_name="Siti Rahma")
            event_id = creation_event_id(frozen_server, second["id"])
            # The screen writes each applied event's id to its seen-events file (same step as the
            # chime); once it is there, SIGTERM makes the app dump its state and exit cleanly.
            wait_until(lambda: event_id in seen_ids(home / "data"), kiosk, timeout=20)
            kiosk.send_signal(signal.SIGTERM)
            assert kiosk.wait(timeout=30) == 0, log_file.read_text()[-3000:]
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
    state = json.loads(state_file.read_text())
    text = log_file.read_text()
    assert state["connection"]["state"] == "live"
    ids = {order["id"] for order in state["orders"]}
    assert {first["id"], second["id"]} <= ids
    names = {order["customer_name"] for order in state["orders"]}
    assert "Siti Rahma" in names, "the live order arrived whole"
    assert state["sounds_played"] >= 1, "the live order chimed"
    assert "FileNotFoundError" not in text and "not found in" not in text
    if pulseaudio_up():
        assert "carries on without sound" not in text, "a bundled WAV could not be loaded or played"
    assert shot.stat().st_size > 0, "the frozen app rendered its window"
    if (ROOT / "test-artifacts").is_dir():
        shutil.copy2(shot, ROOT / "test-artifacts" / "bundle-kitchen.png")
    internal = built.kiosk / "kiosk" / "_internal"
    for wav in (ROOT / "assets" / "sounds").glob("*.wav"):
        assert (internal / "assets" / "sounds" / wav.name).read_bytes() == wav.read_bytes()


def test_frozen_server_keeps_its_database_where_it_is_told(built: Built, tmp_path: Path) -> None:
    server = FrozenServer(built.server_exe, tmp_path / "var-lib" / "kiosk.db", tmp_path / "home")
    server.db_path.parent.mkdir()
    server.home.mkdir()
    server.start()
    try:
        health = requests.get(f"{server.url}/api/health", timeout=5).json()
        assert health["status"] == "ok"
        order = server.create_order(tenant_id=3)
    finally:
        server.stop()
    assert server.db_path.is_file()
    assert not list(server.home.rglob("*.db")), "nothing may land in the home directory when --db is given"
    server.start()  # same file, new process: the order is still there
    try:
        again = server.request("GET", f"/api/orders/{order['id']}")
        assert again.status_code == 200, again.text
        assert again.json()["customer_name"] == order["customer_name"]
    finally:
        server.stop()


@pytest.mark.parametrize("xdg", [False, True])
def test_frozen_server_default_database_is_in_the_platform_data_dir(
    built: Built, tmp_path: Path, xdg: bool
) -> None:
    """Without --db: $XDG_DATA_HOME/kiosk-server/kiosk.db, else ~/.local/share/kiosk-server/kiosk.db (docs/deploy.md)."""
    home = tmp_path / "home"
    home.mkdir()
    extra = {"XDG_DATA_HOME": str(tmp_path / "xdg-data")} if xdg else {}
    result = subprocess.run(
        [str(built.server_exe), "devices", "add", "--name", "kitchen-1", "--rooms", "display"],
        capture_output=True, text=True, env=frozen_env(home, **extra), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = (tmp_path / "xdg-data" if xdg else home / ".local" / "share") / "kiosk-server" / "kiosk.db"
    assert expected.is_file()
    assert [p for p in tmp_path.rglob("*.db")] == [expected]


def test_frozen_start_is_not_much_slower_than_from_source(
    built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    """Start -> first frame -> exit, frozen vs ``python -m kiosk.cli``.

    Both run the same headless session against the same frozen server with
    ``--quit-after 0 --screenshot``: imports, QApplication, theme, the window
    shown, the session started, one turn of the event loop, the window rendered
    and saved as PNG (the first frame, for real), then a clean shutdown.  The
    first frozen run is the cold one (its files were just unpacked); then three
    warm runs of each.
    """
    token = frozen_server.add_device("timing", ["display"])
    frozen_server.create_order(tenant_id=1)
    shot = tmp_path / "first-frame.png"
    args = ["--server", frozen_server.url, "--room", "display", "--token", token, "--offscreen"]
    args += ["--screenshot", str(shot), "--quit-after", "0"]

    def timed(command: Sequence[str], env: dict[str, str]) -> float:
        started = time.monotonic()
        result = subprocess.run(
            list(command), capture_output=True, text=True, env=env, timeout=120, check=False
        )
        elapsed = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-3000:]
        assert shot.is_file(), "a real frame was rendered and saved"
        shot.unlink()
        return elapsed

    home = tmp_path / "home"
    home.mkdir()
    frozen_cmd = [str(built.kiosk_exe), *args]
    source_cmd = [sys.executable, "-m", "kiosk.cli", *args]
    source_env = {**frozen_env(home), "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    cold = timed(frozen_cmd, frozen_env(home))
    frozen_runs, source_runs = [], []
    for _ in range(3):  # interleaved, so a burst of load on the shared machine hits both alike
        frozen_runs.append(timed(frozen_cmd, frozen_env(home)))
        source_runs.append(timed(source_cmd, source_env))
    frozen, source = statistics.median(frozen_runs), statistics.median(source_runs)
    FIGURES.update(
        start_to_first_frame_and_exit_frozen_cold_s=round(cold, 2),
        start_to_first_frame_and_exit_frozen_median_s=round(frozen, 2),
        start_to_first_frame_and_exit_source_median_s=round(source, 2),
        frozen_over_source=round(frozen / source, 2),
    )
    # The target is 1.5x; the assertion leaves room for a busy CI machine, the figure is reported.
    assert frozen <= 2.5 * source, FIGURES


@pytest.mark.parametrize("source", ["environment", "config file"])
def test_frozen_kiosk_is_provisioned_without_flags(
    built: Built, frozen_server: FrozenServer, tmp_path: Path, source: str
) -> None:
    """Unattended set-up: KIOSK_SERVER_URL/KIOSK_ROOM/KIOSK_TOKEN, or kiosk.toml in the config dir."""
    token = frozen_server.add_device("stall-3", ["tenant-3"])
    frozen_server.create_order(tenant_id=3, customer_name="Dewi")
    home = tmp_path / "home"
    home.mkdir()
    env = frozen_env(home)
    if source == "environment":
        env.update(KIOSK_SERVER_URL=frozen_server.url, KIOSK_ROOM="tenant-3", KIOSK_TOKEN=token)
    else:
        config = Path(env["XDG_CONFIG_HOME"]) / "kiosk" / "kiosk.toml"
        config.parent.mkdir(parents=True)
        config.write_text(f'server_url = "{frozen_server.url}"\nroom = "tenant-3"\ntoken = "{token}"\n')
    state_file, log_file = tmp_path / "state.json", tmp_path / "kiosk.stderr"
    with log_file.open("wb") as log:
        kiosk = subprocess.Popen(
            [str(built.kiosk_exe), "--offscreen", "--dump-state", str(state_file), "--quit-after", "60"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_for_line(log_file, r"live in tenant-3", kiosk, timeout=30)
            kiosk.send_signal(signal.SIGTERM)
            assert kiosk.wait(timeout=30) == 0, log_file.read_text()[-3000:]
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
    state = json.loads(state_file.read_text())
    assert state["room"] == "tenant-3"
    assert [order["customer_name"] for order in state["orders"]] == ["Dewi"]


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X server (scripts/test.sh starts Xvfb)")
def test_frozen_kiosk_runs_on_a_real_x_server(
    built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    """Offscreen proves the app; this proves the bundled xcb platform plugin and X11 libraries load."""
    token = frozen_server.add_device("kitchen-x", ["display"])
    home = tmp_path / "home"
    home.mkdir()
    # QT_QPA_PLATFORM=xcb: Qt aborts instead of falling back if the bundled plugin cannot load.
    env = frozen_env(home, DISPLAY=os.environ["DISPLAY"], QT_QPA_PLATFORM="xcb")
    shot = tmp_path / "x11.png"
    result = subprocess.run(
        [
            str(built.kiosk_exe),
            "--server",
            frozen_server.url,
            "--room",
            "display",
            "--token",
            token,
            "--screenshot",
            str(shot),
            "--quit-after",
            "0",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "could not load the Qt platform plugin" not in result.stderr
    assert shot.stat().st_size > 0
