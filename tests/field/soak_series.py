"""The field soak's runs, one after another in a background thread, started when the tests are collected.

Three runs of three minutes are nine minutes of a mostly idle machine (the
three screens take about a fifth of a core).  Run beside the rest of the
suite, they cost the CI no wall time; the soak tests are moved to the end of
the session and only read each run's result.  That is also closer to the
field: a kitchen PC is never otherwise idle.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.field.watch import Watch

ROOMS = ("display", "kasir-1", "tenant-1")
RATE = 4.0  # demo feed requests a second: orders, status changes, payments, QR scans, alerts
WARM_UP_S = 60.0
SAMPLE_EVERY_S = 2.0


@dataclass
class RunResult:
    run: int
    figures: dict[str, Any] = field(default_factory=dict)
    console: str = ""
    states: dict[str, Any] = field(default_factory=dict)
    server_log: str = ""
    froze: bool = False  # did not quit by itself within its deadline
    returncode: int | None = None
    stop_took_s: float | None = None


def soak_env(environ: dict[str, str], tmp: Path) -> dict[str, str]:
    """The demo's environment: the session's as it was at collection, with its own config and data."""
    env = {k: v for k, v in environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_CONFIG=str(tmp / "no-config.toml"),
        KIOSK_DATA_DIR=str(tmp / "data"),
        KIOSK_LOG_DIR=str(tmp / "logs"),
    )
    return env


def run_once(
    run: int,
    seconds: float,
    *,
    by_signal: bool,
    base: Path,
    running: list[subprocess.Popen[bytes]],
    environ: dict[str, str],
) -> RunResult:
    """One soak run: ``kiosk demo --room all`` with sound and live traffic, watched every 2 s.

    The demo is kept in ``running`` while it runs, so the end of the session can stop it.
    """
    tmp = base / f"run-{run}"
    tmp.mkdir(parents=True)
    dump = tmp / "state.json"
    args = [sys.executable, "-m", "kiosk.cli", "demo", "--room", "all", "--offscreen", "--keep"]
    args += ["--rate", f"{RATE:g}", "--seed", str(run), "--dump-state", str(dump)]
    args += ["--duration", f"{seconds + 120:g}"]
    if not by_signal:
        args += ["--quit-after", f"{seconds:g}"]
    result = RunResult(run)
    console = tmp / "console.log"
    with console.open("w") as out:
        demo = subprocess.Popen(args, env=soak_env(environ, tmp), stdout=out, stderr=subprocess.STDOUT)
        running.append(demo)
        watch = Watch(demo.pid)
        started = time.monotonic()
        try:
            while demo.poll() is None:
                elapsed = time.monotonic() - started
                if elapsed > seconds + 60:
                    result.froze = True
                    break
                if by_signal and elapsed >= seconds:
                    sent = time.monotonic()
                    demo.send_signal(signal.SIGTERM)
                    demo.wait(timeout=15)
                    result.stop_took_s = time.monotonic() - sent
                    break
                watch.sample(elapsed)
                time.sleep(SAMPLE_EVERY_S)  # the sampling period of the watchdog, not a synchronisation
        finally:
            if demo.poll() is None:
                demo.kill()
                demo.wait()
            running.remove(demo)
    result.returncode = demo.returncode
    result.console = console.read_text(errors="replace")
    notifier_lines = [line for line in result.console.splitlines() if "QSocketNotifier" in line]
    result.figures = {
        "run": run,
        "seconds": seconds,
        "stopped_by": "SIGTERM" if by_signal else "--quit-after",
        "stop_took_s": result.stop_took_s,
        "exit_code": demo.returncode,
        "cpu_share": round(watch.cpu_share(WARM_UP_S), 3),
        "rss_growth_mib": round(watch.rss_growth_mib(WARM_UP_S), 1),
        "peak_rss_mib": round(watch.peak_rss_mib(), 1),
        "notifier_warnings_per_min": len(notifier_lines) / (seconds / 60),
    }
    for room in ROOMS:
        dump_file = tmp / f"state-{room}.json"
        if dump_file.exists():  # missing when the stop deadline had to end the process
            state = json.loads(dump_file.read_text())
            result.states[room] = state
            result.figures[f"{room}_heard"] = state["sounds_heard"]
            result.figures[f"{room}_orders"] = len(state["orders"])
    workdir = re.search(r"kiosk demo: working in (\S+)", result.console)
    if workdir is not None:
        server_log = Path(workdir.group(1)) / "server.log"
        result.server_log = server_log.read_text(errors="replace") if server_log.exists() else ""
        shutil.rmtree(workdir.group(1), ignore_errors=True)
    return result


class SoakSeries:
    """The runs in a row on one thread; ``result(run)`` waits for that run."""

    def __init__(self, runs: list[int], seconds: float, last: int) -> None:
        self.runs = runs
        self.seconds = seconds
        self.last = last  # the run stopped by SIGTERM instead of --quit-after
        self._base = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
        self._results: dict[int, RunResult | BaseException] = {}
        self._done = threading.Condition()
        self._running: list[subprocess.Popen[bytes]] = []
        # os.environ as it is now: a foreground test may monkeypatch it while a run starts
        # (XDG_RUNTIME_DIR=/nonexistent once left a whole run without PulseAudio).
        self._environ = dict(os.environ)
        self._stopping = False
        self._thread = threading.Thread(target=self._run_all, name="field-soak", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def result(self, run: int, timeout: float) -> RunResult:
        with self._done:
            if not self._done.wait_for(lambda: run in self._results, timeout=timeout):
                raise AssertionError(f"soak run {run} gave no result within {timeout:.0f} s")
            outcome = self._results[run]
        if isinstance(outcome, BaseException):
            raise AssertionError(f"soak run {run} failed to run: {outcome!r}") from outcome
        return outcome

    def stop(self) -> None:
        """End of session: no further runs, and a demo still running (a run cut short) is stopped."""
        self._stopping = True
        for demo in list(self._running):
            demo.kill()
        self._thread.join(timeout=30)

    def _run_all(self) -> None:
        for run in self.runs:
            outcome: RunResult | BaseException
            try:
                if self._stopping:
                    return
                outcome = run_once(
                    run,
                    self.seconds,
                    by_signal=run == self.last,
                    base=self._base,
                    running=self._running,
                    environ=self._environ,
                )
            except Exception as exc:  # reported by that run's test
                outcome = exc
            with self._done:
                self._results[run] = outcome
                self._done.notify_all()
        shutil.rmtree(self._base, ignore_errors=True)


_series: SoakSeries | None = None


def start(runs: list[int], seconds: float, last: int) -> SoakSeries:
    global _series  # noqa: PLW0603 - one series per test session, read by each soak test
    if _series is None:
        _series = SoakSeries(sorted(runs), seconds, last)
        _series.start()
    return _series


def series() -> SoakSeries | None:
    return _series
