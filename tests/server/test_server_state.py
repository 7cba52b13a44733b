"""The server's objects live under one typed extension, as Flask-SocketIO keeps itself: no string keys to mistype."""

from __future__ import annotations

from pathlib import Path

from server.app import create_app
from server.clock import SystemClock
from server.config import ServerConfig
from server.hub import Hub
from server.read_limiter import LargeReadLimiter
from server.state import ServerState, server_state
from tests.support.backend import config_database


def test_the_app_holds_its_state_under_one_typed_key(tmp_path: Path) -> None:
    config = ServerConfig(
        **config_database(tmp_path), admin_token="a" * 32, async_mode="threading", clock=SystemClock()
    )
    app, _socketio = create_app(config)
    assert set(app.extensions) == {"socketio", "kiosk"}  # before: seven "kiosk_*" keys beside it
    state = server_state(app)
    assert isinstance(state, ServerState) and isinstance(state.hub, Hub) and state.config is config
    assert state.run_blocking is None  # in-process: reads run where they are asked
    config.large_reads_burst = 3  # the limiter is made on first use, from the config as it is then
    limiter = state.read_limiter
    assert isinstance(limiter, LargeReadLimiter) and state.read_limiter is limiter
    state.hub.close()
