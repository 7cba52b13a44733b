"""Fixtures of the packaging proof: one clean-tree build per test session, the frozen server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.frozen import FIGURES, ROOT, Built, FrozenServer, bump_version, export_tree, unpack


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("bundle")
    source = base / "src"
    export_tree(ROOT, source)
    version = bump_version(source / "pyproject.toml")
    out = base / "out"
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            str(source / "packaging" / "build.py"),
            "--app",
            "all",
            "--out",
            str(out),
            "--work",
            str(base / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    report = json.loads((out / "build-report.json").read_text())
    unpacked = base / "unpacked"
    unpacked.mkdir()
    arch = report["arch"]
    kiosk = unpack(out / f"kiosk-{version}-linux-{arch}.tar.gz", unpacked)
    server = unpack(out / f"kiosk-server-{version}-linux-{arch}.tar.gz", unpacked)
    FIGURES["build_seconds_total"] = round(seconds, 1)
    return Built(version, out, report, kiosk, server, seconds)


@pytest.fixture(scope="session", autouse=True)
def write_figures() -> Iterator[None]:
    yield
    if FIGURES:
        target = ROOT / "test-artifacts" if (ROOT / "test-artifacts").is_dir() else None
        text = json.dumps(FIGURES, indent=2)
        print(f"\npackaging figures:\n{text}")
        if target is not None:
            (target / "packaging-figures.json").write_text(text + "\n")


@pytest.fixture
def frozen_server(built: Built, tmp_path: Path) -> Iterator[FrozenServer]:
    server = FrozenServer(built.server_exe, tmp_path / "db" / "kiosk.db", tmp_path / "server-home")
    server.db_path.parent.mkdir()
    server.home.mkdir()
    server.start()
    yield server
    server.stop()
