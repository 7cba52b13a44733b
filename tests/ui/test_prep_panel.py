"""Today's prep times on the stall screen, from the real server's report, asked once a minute."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock, SystemClock
from kiosk.core.connection_status import ConnectionState
from kiosk.ui.tenant.screen import TenantScreen
from kiosk.ui.widgets.prep_panel import PrepPanel
from tests.support.flows import advance
from tests.ui.conftest import make_config


def test_the_panel_shows_todays_figures_and_asks_again_only_after_a_minute(
    server,
    make_session,
    tmp_path: Path,
    qtbot: QtBot,  # type: ignore[no-untyped-def]
) -> None:
    for _ in range(2):
        advance(server, server.create_order(71), "ready")
    session = make_session(make_config(server, "tenant-71", tmp_path))
    clock = FakeClock(datetime.now(UTC))  # today: the report is of the screen's local day
    panel = PrepPanel(session.rest, clock, 71)
    qtbot.addWidget(panel)
    panel.tick()
    qtbot.waitUntil(lambda: panel.figures is not None, timeout=10_000)
    assert panel.figures is not None and panel.figures.count == 2 and panel.figures.p90_s is not None
    assert panel.text().startswith("Today: avg 0:0") and "2 order(s) to ready" in panel.text()
    assert not panel.isHidden()
    advance(server, server.create_order(71), "ready")
    clock.advance(59)
    panel.tick()
    assert panel._asked_at == 1000.0
    clock.advance(1)
    panel.tick()
    qtbot.waitUntil(lambda: panel.figures is not None and panel.figures.count == 3, timeout=10_000)


def test_a_server_that_refuses_the_report_hides_the_panel_for_good(
    server,
    make_session,
    tmp_path: Path,
    qtbot: QtBot,  # type: ignore[no-untyped-def]
) -> None:
    session = make_session(make_config(server, "tenant-72", tmp_path))
    clock = FakeClock()
    panel = PrepPanel(session.rest, clock, 73)  # another stall's report: 403
    qtbot.addWidget(panel)
    panel.tick()
    qtbot.waitUntil(lambda: not panel.enabled, timeout=10_000)
    assert panel.isHidden()
    clock.advance(120)
    panel.tick()
    assert panel._asked_at == 1000.0


def test_the_stall_screen_carries_the_panel(
    server,
    make_session,
    tmp_path: Path,
    qtbot: QtBot,
    kiosk_data_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    advance(server, server.create_order(74), "ready")
    config = make_config(server, "tenant-74", tmp_path)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=10_000)
    screen = TenantScreen(session, config, SystemClock())
    qtbot.addWidget(screen)
    screen.show()
    screen.tick()
    qtbot.waitUntil(screen.prep_panel.isVisible, timeout=10_000)
    assert "1 order(s) to ready" in screen.prep_panel.text()
