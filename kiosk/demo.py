"""``kiosk demo``: the whole system on one machine, in one command.

Starts the order server on a temporary SQLite file and a free loopback port
(as a subprocess: the kiosk never imports the server), creates a device token
per screen with the server's own CLI, starts the demo order feed, and opens
the kitchen display (or a cashier counter, a tenant stall, or all three).
Everything it started is stopped, and its temporary folder removed, on exit.
"""

# The Qt app is imported only once the servers are up, so errors come quickly.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import requests

from kiosk.protocol.api import HEALTH

log = logging.getLogger("kiosk.demo")

ROOMS = {"display": ["display"], "kasir-1": ["kasir-1"], "tenant-1": ["tenant-1"], "board": ["board"]}
ROOMS["all"] = ["display", "kasir-1", "tenant-1"]
START_TIMEOUT_S = 30.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class DemoError(RuntimeError):
    """Something the demo needs did not start; the message says what and where its log is."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """In a child, before exec: on Linux, get SIGTERM when the demo dies, even by SIGKILL.

    ``kiosk demo`` stops its server and feed on every ordinary exit; this covers
    the rest (SIGKILL, a crash), so no server is left holding a port.  Runs
    before any thread is started (the children are started before Qt).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the demo died before prctl took effect
        os._exit(1)


def feed_arguments(url: str, admin: str, *, rate: float, duration: float, seed: int | None) -> list[str]:
    """The demo feed's command line.

    ``--token=X``, never ``--token X``: a urlsafe token may start with "-", which
    argparse takes for an option, and the feed then exited at once (1 start in 64).
    The demo's cashier screen is kasir-1: every payment goes there so it is never idle.
    """
    args = ["demo-feed", f"--url={url}", f"--token={admin}", f"--rate={rate:g}", f"--duration={duration:g}"]
    args.append("--counters=1")
    if seed is not None:
        args.append(f"--seed={seed}")
    return args


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "server", *args]


def add_device(db: Path, name: str, room: str, env: dict[str, str]) -> str:
    """Create a device token with the server's CLI (which prints it alone on its last line)."""
    done = subprocess.run(
        server_command("devices", "add", "--db", str(db), "--name", name, "--rooms", room),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise DemoError(
            f"could not create a device token for {room}: {done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout.strip().splitlines()[-1].strip()


def wait_healthy(url: str, process: subprocess.Popen[bytes], log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoError(
                f"the server exited with code {process.returncode}; see {log_file}:\n{tail(log_file)}"
            )
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}{HEALTH.path()}", timeout=1).ok:
                return
        time.sleep(0.1)  # polling a subprocess we do not control; bounded by the deadline
    raise DemoError(
        f"the server did not answer {url}{HEALTH.path()} within {START_TIMEOUT_S:.0f} s; see {log_file}"
    )


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(*processes: tuple[subprocess.Popen[bytes] | None, str]) -> None:
    """Terminate them all at once, then wait for each (5 s, then kill): a stopping demo stays quick."""
    running = [
        (process, what) for process, what in processes if process is not None and process.poll() is None
    ]
    for process, _ in running:
        process.terminate()
    for process, what in running:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within 5 s; killing it", what)
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def demo_backend(
    workdir: Path, rooms: Sequence[str], *, rate: float, duration: float, seed: int | None
) -> Iterator[tuple[str, dict[str, str]]]:
    """Server + tokens + feed; yields (server URL, room → token) and stops them all after."""
    db = workdir / "demo.db"
    admin = secrets.token_urlsafe(24)
    env = {**os.environ, "KIOSK_ADMIN_TOKEN": admin, "PYTHONUNBUFFERED": "1"}
    tokens = {room: add_device(db, f"demo-{room}", room, env) for room in rooms}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = workdir / "server.log"
    feed_log = workdir / "feed.log"
    server: subprocess.Popen[bytes] | None = None
    feed: subprocess.Popen[bytes] | None = None
    with server_log.open("ab") as server_out, feed_log.open("ab") as feed_out:
        try:
            server = subprocess.Popen(
                server_command("run", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)),
                stdout=server_out,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - no threads yet; see die_with_parent
            )
            wait_healthy(url, server, server_log)
            log.info("demo server on %s (log %s)", url, server_log)
            feed_args = feed_arguments(url, admin, rate=rate, duration=duration, seed=seed)
            feed = subprocess.Popen(
                server_command(*feed_args),
                stdout=feed_out,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - no threads yet; see die_with_parent
            )
            log.info("demo feed started at %g requests/s for %g s (log %s)", rate, duration, feed_log)
            yield url, tokens
        finally:
            stop((feed, "the demo feed"), (server, "the demo server"))


def run(args: argparse.Namespace) -> int:
    """Run the demo with the arguments ``kiosk demo`` parsed (kiosk/cli.py owns the command line)."""
    from kiosk.core.config import load_config
    from kiosk.ui.app import run_app
    from kiosk.ui.headless import HeadlessOptions
    from kiosk.ui.logging_setup import setup_logging

    workdir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    os.environ["KIOSK_DATA_DIR"] = str(workdir / "kiosk-data")  # a demo leaves the real kiosk state alone
    setup_logging("INFO", directory=workdir)
    duration = args.duration or (args.quit_after + 30 if args.quit_after is not None else 8 * 3600)
    rooms = ROOMS[args.room]
    print(f"kiosk demo: working in {workdir}", file=sys.stderr)
    try:
        with demo_backend(workdir, rooms, rate=args.rate, duration=duration, seed=args.seed) as (url, tokens):
            configs = [
                load_config(
                    path=workdir / "no-config.toml",
                    env={},
                    overrides={
                        "server_url": url,
                        "room": room,
                        "token": tokens[room],
                        "language": args.lang,
                        "sound": args.sound,
                        "fullscreen": args.fullscreen,
                    },
                )
                for room in rooms
            ]
            headless = HeadlessOptions(
                offscreen=args.offscreen,
                screenshot=args.screenshot,
                dump_state=args.dump_state,
                quit_after=args.quit_after,
            )
            return run_app(configs, headless, language=args.lang)
    except DemoError as exc:
        print(f"kiosk demo: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kiosk demo: kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
