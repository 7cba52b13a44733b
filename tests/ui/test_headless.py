"""Headless mode and the demo, run as people run them: real processes, real server.

Screenshots are kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from kiosk.ui.headless import is_blank
from tests.support.server_process import ServerProcess


def kiosk(*args: str, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_CONFIG=str(tmp_path / "no-config.toml"),
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK_LOG_DIR=str(tmp_path / "logs"),
    )
    env.update(extra)
    return env


def non_blank_png(path: Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image"
    assert not is_blank(image), f"{path} is blank"
    return image


def wait_for_line(path: Path, text: str, child: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        assert child.poll() is None, f"kiosk exited early: {child.communicate()[1][-3000:]}"
        time.sleep(0.05)  # polling another process's log file, bounded by the deadline
    raise AssertionError(f"{text!r} did not appear in {path} within {timeout} s")


def test_headless_run_dumps_the_orders_and_a_screenshot(
    server: ServerProcess, tmp_path: Path, artifacts: Path, qapp: Any
) -> None:
    token = server.add_device("headless-display", ["display"])
    before = server.create_order(customer_name="Rina")
    shot = artifacts / "headless-kitchen.png"
    dump = tmp_path / "state.json"
    child = subprocess.Popen(
        [
            sys.executable, "-m", "kiosk.cli", "--server", server.url, "--room", "display", "--token", token,
            "--offscreen", "--screenshot", str(shot), "--dump-state", str(dump), "--quit-after", "6",
        ],
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        wait_for_line(tmp_path / "logs" / "kiosk.log", "live with 1 orders on screen", child)
        during = server.create_order(customer_name="Tono")
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, stderr[-3000:]
    state = json.loads(dump.read_text())
    assert state["connection"]["state"] == "live"
    assert state["room"] == "display"
    orders = {order["id"]: order for order in state["orders"]}
    assert set(orders) == {before["id"], during["id"]}
    first = orders[before["id"]]
    assert (first["order_number"], first["status"], first["customer_name"]) == (
        before["order_number"],
        "pending",
        "Rina",
    )
    assert first["items"][0]["name"] == "Nasi Goreng Spesial"
    assert state["payments"] == []
    assert state["alerts"] == {"order_created": 1}  # the order that was already there came quietly
    assert state["sounds_played"] == 1
    # the session's own view is part of the dump, its counts under names of their own
    assert state["queued_actions"] == 0 and state["skipped_events"] == 0
    assert {"legacy", "attempts"} <= set(state["connection"])
    assert (state["order_count"], state["payment_count"]) == (2, 0)
    assert state["screen"] == {}  # the kitchen keeps nothing beyond the session's state
    image = non_blank_png(shot)
    assert (image.width(), image.height()) == (1280, 800)
    log_text = (tmp_path / "logs" / "kiosk.log").read_text()
    assert log_text.count("state dump written") == 1 and "first frame after" in log_text


@pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="no X display: scripts/test.sh starts Xvfb and sets DISPLAY"
)
@pytest.mark.skipif(
    shutil.which("Xvfb") is None and not os.environ.get("DISPLAY"), reason="Xvfb not installed"
)
def test_kitchen_screenshot_of_a_real_x_window(
    server: ServerProcess, tmp_path: Path, artifacts: Path
) -> None:
    """Under Xvfb the screenshot is grabbed from the X server, i.e. what a person would see."""
    token = server.add_device("xvfb-display", ["display"])
    for name in ("Yusuf", "Lina", "Hendra"):
        server.create_order(customer_name=name)
    shot = artifacts / "xvfb-kitchen.png"
    done = kiosk(
        "--server", server.url, "--room", "display", "--token", token, "--no-sound",
        "--screenshot", str(shot), "--quit-after", "4",
        env=clean_env(tmp_path, QT_QPA_PLATFORM="xcb"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    non_blank_png(shot)


@pytest.mark.slow
def test_the_demo_runs_headless_and_shows_demo_traffic(tmp_path: Path, artifacts: Path) -> None:
    """The README's first command, headless: server, tokens, feed and kitchen screen, then a clean exit."""
    dump = tmp_path / "demo.json"
    shot = artifacts / "demo-kitchen.png"
    done = kiosk(
        "demo", "--offscreen", "--quit-after", "6", "--seed", "7", "--rate", "5", "--no-sound",
        "--screenshot", str(shot), "--dump-state", str(dump),
        env=clean_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    state = json.loads(dump.read_text())
    assert state["connection"]["state"] == "live"
    assert state["alerts"].get("order_created", 0) >= 1
    assert state["orders"], "the demo feed's orders reached the kitchen screen"
    non_blank_png(shot)
    workdir = next(line for line in done.stderr.splitlines() if "working in" in line).split("working in ")[1]
    assert not Path(workdir).exists()  # the temporary server folder is gone


def child_pids(parent: int) -> set[int]:
    """The live children of a process, from /proc (Linux)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_demo_leaves_no_server_or_feed_behind(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    demo = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "demo", "--offscreen", "--no-sound", "--rate", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        children: set[int] = set()
        while time.monotonic() < deadline and len(children) < 2:
            assert demo.poll() is None, demo.communicate()[1][-3000:]
            children = child_pids(demo.pid)
            time.sleep(0.05)  # polling /proc for another process's children, bounded by the deadline
        assert len(children) == 2, f"expected the demo's server and feed, found {children}"
        demo.kill()  # SIGKILL: no finally block of the demo runs
        demo.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.05)  # polling /proc, bounded by the deadline
        left = [pid for pid in children if alive(pid)]
        assert not left, f"the demo's children outlived it: {left}"
    finally:
        if demo.poll() is None:
            demo.kill()
        for pid in child_pids(demo.pid):
            os.kill(pid, 9)
