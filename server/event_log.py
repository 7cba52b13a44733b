"""The committed event log read back as deliveries: what Redis lost, the sequencer reads here.

Each seq comes back as the parts the writer emitted (server/hub.py): the event
for its rooms (None for everyone), and the board's own envelope when it has one.
"""

from __future__ import annotations

from collections import defaultdict

import orjson

from kiosk.protocol import EVERYONE, Event
from kiosk.protocol.rooms import board
from server.database import Connection
from server.sequencer import Part

BOARD_ROOM = board()
_EVENT_BY_TYPE = {event.type: event.value for event in Event}


def read_head(conn: Connection) -> int:
    """The last committed seq (meta's ``seq`` is written in the same transaction as its events)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    return int(row[0]) if row is not None else 0


def read_deliveries(conn: Connection, after: int, through: int) -> list[tuple[int, list[Part]]]:
    """Seqs in (after, through], ascending, as (seq, parts); a pruned seq is simply absent."""
    window = (after, through)
    rooms: dict[int, list[str]] = defaultdict(list)
    for seq, room in conn.execute(
        "SELECT seq, room FROM event_rooms WHERE seq > ? AND seq <= ? ORDER BY seq, room", window
    ):
        rooms[int(seq)].append(str(room))
    boards = {
        int(seq): orjson.loads(text)
        for seq, text in conn.execute(
            "SELECT seq, envelope FROM board_envelopes WHERE seq > ? AND seq <= ?", window
        )
    }
    found: list[tuple[int, list[Part]]] = []
    for seq, kind, text in conn.execute(
        "SELECT seq, type, envelope FROM events WHERE seq > ? AND seq <= ? ORDER BY seq", window
    ):
        name = _EVENT_BY_TYPE.get(str(kind), str(kind).replace("_", ":", 1))
        filed = [room for room in rooms.get(int(seq), []) if room != BOARD_ROOM]
        parts: list[Part] = []
        if filed:
            parts.append((name, orjson.loads(text), None if filed == [EVERYONE] else filed))
        if int(seq) in boards:
            parts.append((name, boards[int(seq)], [BOARD_ROOM]))
        found.append((int(seq), parts))
    return found
