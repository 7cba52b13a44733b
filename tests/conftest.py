"""Shared fixtures: a real server process on a loopback port with a fresh SQLite file."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import backend
from tests.support.server_process import ServerProcess

pytest_plugins = ["tests.support.service_fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Without pytest-qt (the server-only venv of .ci/run) its settings in pyproject.toml are
    declared here, unused, so that ``--strict-config`` still passes for the server's tests."""
    if importlib.util.find_spec("pytestqt") is None:
        parser.addini("qt_api", "pytest-qt's; unused without it")
        parser.addini("qt_log_level_fail", "pytest-qt's; unused without it")
        parser.addini("qt_log_ignore", "pytest-qt's; unused without it", type="linelist")


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "kiosk.db", log_path=tmp_path / "server.log")
    process.start()
    yield process
    process.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"\n----- server log ({process.log_path}) -----\n{process.log_tail(200)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item so fixtures can print logs on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The field soak's tests go last: its runs happen in the background meanwhile.  On PostgreSQL
    (tests/support/backend.py) the tests of the SQLite file itself are skipped, with their reason."""
    items.sort(key=lambda item: item.get_closest_marker("field_soak") is not None)
    if backend.on_postgres():
        for item in items:
            marker = item.get_closest_marker("sqlite_only")
            if marker is not None:
                why = marker.args[0] if marker.args else "about the SQLite file"
                item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


@pytest.fixture(scope="session", autouse=True)
def _test_backend(request: pytest.FixtureRequest) -> Iterator[None]:
    """On PostgreSQL, the session's cluster, started before any server (module fixtures included)."""
    if not backend.on_postgres():
        yield
        return
    backend.use_cluster(request.getfixturevalue("postgres_cluster"))
    yield
    backend.use_cluster(None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start what takes minutes of wall time but little of the machine: the soak runs, the bundle build."""
    if session.config.option.collectonly:
        return
    soak_runs = [
        item.callspec.params["run"]
        for item in session.items
        if item.get_closest_marker("field_soak") is not None and hasattr(item, "callspec")
    ]
    if soak_runs:
        from tests.field import soak_series, test_soak

        soak_series.start(soak_runs, test_soak.SOAK_S, last=test_soak.RUNS - 1)
    if any("built" in getattr(item, "fixturenames", ()) for item in session.items):
        from tests.packaging import prebuild  # only when packaging tests run

        prebuild.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A build or soak run nobody waited for (a run stopped early, -x) is stopped, not left running."""
    prebuild = sys.modules.get("tests.packaging.prebuild")
    if prebuild is not None:
        prebuild.discard()
    soak_series = sys.modules.get("tests.field.soak_series")
    series = soak_series.series() if soak_series is not None else None
    if series is not None:
        series.stop()
