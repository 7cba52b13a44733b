"""Garbage engine.io frames from a client without a token: one log line, no traceback, no flood.

Each undecodable frame used to end in a gevent traceback (about 45 lines),
so anyone on the LAN could fill the server's log, and so its disk, without a token.
"""

from __future__ import annotations

import time

import websocket

from tests.support.server_process import ServerProcess

GARBAGE = ["garbage", "4garbage", "\x00\x01", "42[", "4" * 1000, "40{bad"]


def test_garbage_frames_are_dropped_with_one_line_and_no_traceback(server: ServerProcess) -> None:
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    closed = 0
    for round_ in range(30):
        ws = websocket.create_connection(url, timeout=5)
        assert ws.recv().startswith("0{")  # engine.io's open packet: a real handshake
        ws.send(GARBAGE[round_ % len(GARBAGE)])
        try:
            while ws.recv():  # drain until the server closes the connection
                pass
            closed += 1
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            closed += 1
        finally:
            ws.close()
    assert closed == 30  # every garbage connection was closed by the server
    assert server.request("GET", "/api/health").status_code == 200
    deadline = time.monotonic() + 5
    log = server.log_path.read_text()
    while "not an engine.io/Socket.IO packet" not in log and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the log file with a deadline
        log = server.log_path.read_text()
    assert "Traceback" not in log
    assert log.count("not an engine.io/Socket.IO packet") + log.count("not an HTTP request") <= 2, log[-2000:]
