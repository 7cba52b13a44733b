"""Shared GUI fixtures: an offscreen Qt, a qasync loop that qtbot can drive, a
kiosk Session against the real ``server`` fixture.

How async works in these tests: ``aloop`` is a qasync ``QEventLoop`` created
with ``already_running=True``, so asyncio callbacks run whenever Qt processes
events.  A test schedules a coroutine with ``run_async(...)`` (or
``aloop.create_task``) and waits with ``qtbot.waitUntil``; never call
``qtbot.waitUntil`` from inside a coroutine (that would re-enter the loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from pytestqt.qtbot import QtBot

# Offscreen by default: one QApplication per process, so a test that needs a
# real X display (Xvfb) runs the app in a subprocess instead.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from kiosk.core.config import Config
    from kiosk.core.session import Session

T = TypeVar("T")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked running, serviced by Qt's event processing (qtbot waits)."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        deadline = loop.time() + 5
        while any(not task.done() for task in pending) and loop.time() < deadline:
            qapp.processEvents()
        # Not loop.stop(): that calls QApplication.exit(), which would end the
        # next test's waits at once.  Mark the loop idle and close it instead.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        with contextlib.suppress(RuntimeError, TypeError):
            qapp.aboutToQuit.disconnect(loop._after_run_forever)  # type: ignore[attr-defined]
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)
        loop._timer.deleteLater()  # type: ignore[attr-defined]  # its Qt timers die on this thread
        qapp.processEvents()
        del loop
        gc.collect()


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_the_gui_thread() -> Iterator[None]:
    """Collect a test's cyclic garbage here, after its widgets are closed.

    Left to chance, Python's collector may run in an executor thread (a REST
    call) and destroy Qt objects there ("Timers cannot be stopped from another
    thread", and sometimes a crash).  The app avoids it with GuiThreadCollector.
    """
    yield
    gc.collect()


RunAsync = Callable[..., Any]


@pytest.fixture
def run_async(aloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> RunAsync:
    """``run_async(coro, timeout=10)``: run a coroutine on the Qt loop and return its result."""

    def run(coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        task = aloop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
        return task.result()

    return run


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots are kept for a person to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def kiosk_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data/log/config dirs in tmp, so tests never touch the user's real kiosk state."""
    data = tmp_path / "kiosk-data"
    data.mkdir()
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "kiosk-logs"))
    # receipts are saved to ~/Documents/Kiosk receipts: a home of the test's own
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return data


def make_config(server: Any, room: str, tmp_path: Path, **overrides: object) -> Config:
    """A Config for ``room`` with a fresh device token from the real server CLI."""
    from kiosk.core.config import load_config

    token = server.add_device(f"ui-{room}-{len(list(tmp_path.iterdir()))}", [room])
    values: dict[str, object] = {"server_url": server.url, "room": room, "token": token}
    values.update(overrides)
    return load_config(path=tmp_path / "absent.toml", env={}, overrides=values)


@pytest.fixture
def display_config(server: Any, tmp_path: Path, kiosk_data_dir: Path) -> Config:
    return make_config(server, "display", tmp_path)


@pytest.fixture
def make_session(
    aloop: asyncio.AbstractEventLoop, qtbot: QtBot, kiosk_data_dir: Path
) -> Iterator[Callable[..., Session]]:
    """``make_session(config, clock=None)``: a started Session, stopped at teardown."""
    from kiosk.core.session import Session

    sessions: list[Session] = []

    def make(config: Config, clock: Any = None) -> Session:
        session = Session(config, clock=clock, data_dir=kiosk_data_dir)
        sessions.append(session)
        task = aloop.create_task(session.start())
        qtbot.waitUntil(task.done, timeout=10_000)
        task.result()
        return session

    yield make
    for session in sessions:
        task = aloop.create_task(session.stop())
        qtbot.waitUntil(task.done, timeout=10_000)


@pytest.fixture
def live_session(make_session: Callable[..., Session], display_config: Config, qtbot: QtBot) -> Session:
    """A display Session that has joined its room and loaded the snapshot."""
    from kiosk.core.connection_status import ConnectionState

    session = make_session(display_config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=10_000)
    return session


@pytest.fixture
def x_session(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, int, int]]:
    """An Xvfb of the size in ``request.param`` with openbox managing it: (DISPLAY, width, height).

    Parametrize it indirectly: ``@pytest.mark.parametrize("x_session", [(1366, 768)], indirect=True)``.
    """
    from tests.ui.x_display import xvfb_with_openbox

    width, height = request.param
    with xvfb_with_openbox(tmp_path, width, height) as display:
        yield display, width, height
