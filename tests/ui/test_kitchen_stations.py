"""A station screen (config ``stations``) against the real server: its orders, its lines, its counts.

Orders for the grill, for drinks only, and with lines of no station (which
belong to every station); the grill screen shows the grill's and the
station-less ones, says how many it leaves out, and counts only its lines in
the all-day panel.  ``other_stations`` decides whether a grill order's drinks
are greyed or not shown at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.config import ConfigError
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.ui.kitchen.card_layout import Role
from kiosk.ui.kitchen.screen import KitchenScreen
from kiosk.ui.window import MainWindow
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config
from tests.ui.test_kitchen_screen import WAIT_MS, kitchen_of, open_window

GRILL_AND_DRINK = [
    {"name": "Sate Kambing", "qty": 2, "price": 30000, "station": "grill"},
    {"name": "Es Teh", "qty": 3, "price": 5000, "station": "drinks"},
]
DRINKS_ONLY = [{"name": "Es Teh", "qty": 1, "price": 5000, "station": "drinks"}]
NO_STATION = [{"name": "Kerupuk", "qty": 4, "price": 2000}]


def station_screen(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
    **settings: object,
) -> tuple[KitchenScreen, dict[str, dict[str, Any]], MainWindow]:
    orders = {
        "grill": server.create_order(customer_name="Andi", items=GRILL_AND_DRINK),
        "drinks1": server.create_order(customer_name="Budi", items=DRINKS_ONLY),
        "none": server.create_order(customer_name="Citra", items=NO_STATION),
    }
    config = make_config(server, "display", tmp_path, **settings)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    window = open_window(qtbot, session, config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    return screen, orders, window  # the window too: dropped, Qt would delete the screen with it


@pytest.mark.usefixtures("kiosk_data_dir")
def test_a_grill_screen_shows_only_grill_orders_says_how_many_it_hides_and_counts_grill_lines(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
    artifacts: Path,
) -> None:
    screen, orders, window = station_screen(qtbot, server, tmp_path, make_session, stations="grill")
    shown = {order.id for order in screen.model.orders()}
    assert shown == {orders["grill"]["id"], orders["none"]["id"]}  # no station: every station's
    assert screen.hidden_for_stations() == 1
    assert "1 order(s) for other stations hidden" in screen.station_text()
    # another drinks-only order arrives: one more hidden, none more shown
    server.create_order(customer_name="Dewi", items=DRINKS_ONLY)
    qtbot.waitUntil(lambda: screen.hidden_for_stations() == 2, timeout=WAIT_MS)
    assert "2 order(s) for other stations hidden" in screen.station_text()
    assert screen.model.rowCount() == 2
    assert screen.header_hidden_count() == 2
    # all day: the grill's and the station-less lines, not the drinks
    qtbot.waitUntil(lambda: "2 × Sate Kambing" in screen.all_day.text(), timeout=WAIT_MS)
    assert "4 × Kerupuk" in screen.all_day.text()
    assert "Es Teh" not in screen.all_day.text()
    # the grill order's drinks line is there, greyed, and not the cursor's
    grill_id = orders["grill"]["id"]
    placed = screen.card_layout(grill_id)
    assert placed is not None
    drinks = [line for line in placed[1].lines if line.text == "3× Es Teh"]
    assert len(drinks) == 1 and drinks[0].foreign
    order = screen.model.order_at(screen.model.row_of(grill_id))
    assert screen.delegate.bumpable_lines(order) == [orders["grill"]["items"][0]["id"]]
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.size().width() == 1366, timeout=WAIT_MS)
    assert window.grab().save(str(artifacts / "kitchen-station-grill-1366x768.png"))


@pytest.mark.usefixtures("kiosk_data_dir")
def test_other_stations_hide_leaves_the_foreign_lines_off_the_card(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
) -> None:
    screen, orders, _window = station_screen(
        qtbot, server, tmp_path, make_session, stations="Grill", other_stations="hide"
    )
    text = screen.card_text(orders["grill"]["id"])
    assert text is not None
    assert "2× Sate Kambing" in text.lines() and "3× Es Teh" not in text.lines()
    placed = screen.card_layout(orders["grill"]["id"])
    assert placed is not None
    assert [line.text for line in placed[1].lines if line.role is Role.ITEM] == ["2× Sate Kambing"]


def test_the_station_settings_are_checked_once_in_the_table(tmp_path: Path) -> None:
    from kiosk.core.config import SETTINGS_BY_NAME, load_config

    assert SETTINGS_BY_NAME["stations"].default == ()
    assert SETTINGS_BY_NAME["other_stations"].choices == ("grey", "hide")
    absent = tmp_path / "absent.toml"
    assert load_config(path=absent, env={"KIOSK_STATIONS": "grill, drinks"}).stations == ("grill", "drinks")
    toml = tmp_path / "kiosk.toml"
    toml.write_text('stations = ["grill"]\nother_stations = "hide"\n')
    loaded = load_config(path=toml, env={})
    assert (loaded.stations, loaded.other_stations) == (("grill",), "hide")
    with pytest.raises(ConfigError, match="other_stations"):
        load_config(path=absent, env={"KIOSK_OTHER_STATIONS": "blur"})
    toml.write_text("stations = 3\n")
    with pytest.raises(ConfigError, match="stations"):
        load_config(path=toml, env={})
