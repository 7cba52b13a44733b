"""The session's one bundle build, started as soon as the tests are collected.

Freezing both apps takes minutes of one core, and the packaging tests come
after the field soak, which leaves a core idle for its nine minutes.  Started
at collection, the build runs beside the soak; the ``built`` fixture then only
waits for what is left of it.  Run alone, ``tests/packaging`` starts it at its
first test, as before.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.packaging.frozen import ROOT, bump_version, export_tree

BUILD_TIMEOUT_S = 1500


@dataclass
class Build:
    base: Path
    out: Path
    version: str
    process: subprocess.Popen[str]
    started: float


_build: Build | None = None


def start() -> Build:
    """Start the build of a clean copy of the tree (once); returns at once."""
    global _build  # noqa: PLW0603 - one build per test session, shared by every packaging test
    if _build is not None:
        return _build
    base = Path(tempfile.mkdtemp(prefix="kiosk-bundle-"))
    source = base / "src"
    export_tree(ROOT, source)
    version = bump_version(source / "pyproject.toml")
    out = base / "out"
    log = (base / "build.log").open("w", encoding="utf-8")
    cmd = [
        sys.executable, str(source / "packaging" / "build.py"), "--app", "all",
        "--out", str(out), "--work", str(base / "work"),
    ]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
    log.close()  # the child holds its own copy
    _build = Build(base, out, version, process, time.monotonic())
    return _build


def wait() -> tuple[Build, float]:
    """The finished build and its wall time; fails the caller with the build's log if it failed."""
    build = start()
    try:
        code = build.process.wait(timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        build.process.kill()
        raise AssertionError(
            f"the bundle build ran past {BUILD_TIMEOUT_S} s; see {build.base / 'build.log'}"
        ) from None
    seconds = time.monotonic() - build.started
    if code != 0:
        tail = (build.base / "build.log").read_text(encoding="utf-8", errors="replace")[-6000:]
        raise AssertionError(f"build failed (exit {code}):\n{tail}")
    return build, seconds


def discard() -> None:
    """End of session: stop a build nobody waited for, remove its scratch space."""
    global _build  # noqa: PLW0603
    if _build is None:
        return
    if _build.process.poll() is None:
        _build.process.kill()
        _build.process.wait()
    shutil.rmtree(_build.base, ignore_errors=True)
    _build = None
