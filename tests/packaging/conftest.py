"""Fixtures of the packaging proof: one clean-tree build per test session, the frozen server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging import prebuild
from tests.packaging.frozen import FIGURES, ROOT, Built, FrozenServer, unpack


@pytest.fixture(scope="session")
def built() -> Iterator[Built]:
    """The bundle build the session started at collection (see prebuild.py), unpacked."""
    build, seconds = prebuild.wait()
    out = build.out
    report = json.loads((out / "build-report.json").read_text())
    unpacked = build.base / "unpacked"
    unpacked.mkdir()
    arch = report["arch"]
    kiosk = unpack(out / f"kiosk-{build.version}-linux-{arch}.tar.gz", unpacked)
    server = unpack(out / f"kiosk-server-{build.version}-linux-{arch}.tar.gz", unpacked)
    FIGURES["build_seconds_total"] = round(seconds, 1)
    yield Built(build.version, out, report, kiosk, server, seconds)
    prebuild.discard()


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
