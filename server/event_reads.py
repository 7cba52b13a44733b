"""``GET /api/events`` (the catch-up): one page of the log read in a snapshot, without the hub's lock.

Why: every screen asks for it after each reconnect, and it used to run its SQL
under the hub's lock (the one every write and every broadcast takes), on the
writer's connection, then decode each stored envelope only for the route to
encode it again.  Now the page, ``seq`` and ``pruned_through`` are read in one
read transaction on a read connection of its own (server/read_pool.py), so they
agree with each other exactly as the hub's own answer did: both meta rows are
written in the same transaction as the events they count (``Tx.publish``,
``Hub._maybe_prune``).  The envelopes are stored as the JSON text that was
broadcast, so SQLite joins them into one text and the reply is spliced around
it: nothing is decoded, and the native thread the route runs this on hardly
needs the GIL (one row back, not one per event).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.protocol import EVERYONE
from kiosk.protocol.rooms import board
from server.database import Connection, dialect_of
from server.db import get_meta

BOARD_ROOM = board()

# The room's events and everyone's, merged by seq: two index range scans of at most limit + 1 rows
# each, no sort of the whole log.  One row more than the page says whether there is more; the
# row_number() keeps that row out of the joined text.  group_concat takes the rows in the order of
# the ordered subquery (SQLite 3.40 has no ORDER BY inside an aggregate, and does not flatten a
# subquery with a LIMIT into an aggregate); tests/server/test_catch_up_reads.py checks the order.
_PAGE = (
    "SELECT count(*), group_concat(CASE WHEN n <= :limit THEN envelope END, ',') FROM ("
    " SELECT row_number() OVER (ORDER BY seq) AS n, envelope FROM events WHERE seq IN ("
    "  SELECT seq FROM (SELECT seq FROM event_rooms WHERE room = :room AND seq > :after ORDER BY seq LIMIT :more)"
    "  UNION ALL"
    "  SELECT seq FROM (SELECT seq FROM event_rooms WHERE room = :everyone AND seq > :after ORDER BY seq LIMIT :more)"
    " ) ORDER BY seq LIMIT :more"
    ")"
)


# The board room's own events are read from board_envelopes (their customer-safe copies), the
# events for everyone from the log itself; the same paging otherwise.
_BOARD_PAGE = (
    "SELECT count(*), group_concat(CASE WHEN n <= :limit THEN envelope END, ',') FROM ("
    " SELECT row_number() OVER (ORDER BY seq) AS n, envelope FROM ("
    "  SELECT seq, envelope FROM board_envelopes WHERE seq IN (SELECT seq FROM ("
    "   SELECT seq FROM event_rooms WHERE room = :room AND seq > :after ORDER BY seq LIMIT :more))"
    "  UNION ALL"
    "  SELECT seq, envelope FROM events WHERE seq IN (SELECT seq FROM ("
    "   SELECT seq FROM event_rooms WHERE room = :everyone AND seq > :after ORDER BY seq LIMIT :more))"
    " ) ORDER BY seq LIMIT :more"
    ")"
)


# The same two pages in PostgreSQL's words: string_agg ordered inside the aggregate, and every
# subquery in FROM named (PostgreSQL 15 requires it).
_POSTGRES_PAGE = (
    "SELECT count(*), string_agg(CASE WHEN n <= :limit THEN envelope END, ',' ORDER BY n) FROM ("
    " SELECT row_number() OVER (ORDER BY seq) AS n, envelope FROM events WHERE seq IN ("
    "  SELECT seq FROM (SELECT seq FROM event_rooms WHERE room = :room AND seq > :after ORDER BY seq"
    "   LIMIT :more) AS mine"
    "  UNION ALL"
    "  SELECT seq FROM (SELECT seq FROM event_rooms WHERE room = :everyone AND seq > :after ORDER BY seq"
    "   LIMIT :more) AS everyone"
    " ) ORDER BY seq LIMIT :more"
    ") AS page"
)
_POSTGRES_BOARD_PAGE = (
    "SELECT count(*), string_agg(CASE WHEN n <= :limit THEN envelope END, ',' ORDER BY n) FROM ("
    " SELECT row_number() OVER (ORDER BY seq) AS n, envelope FROM ("
    "  SELECT seq, envelope FROM board_envelopes WHERE seq IN (SELECT seq FROM ("
    "   SELECT seq FROM event_rooms WHERE room = :room AND seq > :after ORDER BY seq LIMIT :more) AS mine)"
    "  UNION ALL"
    "  SELECT seq, envelope FROM events WHERE seq IN (SELECT seq FROM ("
    "   SELECT seq FROM event_rooms WHERE room = :everyone AND seq > :after ORDER BY seq LIMIT :more) AS everyone)"
    " ) AS merged ORDER BY seq LIMIT :more"
    ") AS page"
)
_PAGES = {"sqlite": (_PAGE, _BOARD_PAGE), "postgresql": (_POSTGRES_PAGE, _POSTGRES_BOARD_PAGE)}


@dataclass(frozen=True)
class EventPage:
    events: str  # the envelopes' JSON texts, oldest first, joined by commas
    seq: int
    reset: bool
    more: bool

    def to_json(self) -> bytes:
        """The answer's body, ``{"events":[...],"seq":N,"reset":b,"more":b}``, as orjson wrote it."""
        return (
            f'{{"events":[{self.events}],"seq":{self.seq},'
            f'"reset":{"true" if self.reset else "false"},"more":{"true" if self.more else "false"}}}'
        ).encode()


def find_page(conn: Connection, room: str, after: int, limit: int) -> EventPage:
    """Events of ``room`` and of everyone after ``after``, oldest first, at most ``limit``.

    Call inside one read transaction (read_pool.in_snapshot).  ``reset`` when
    ``after`` is older than the retained log: the caller reloads its snapshot.
    """
    seq = int(get_meta(conn, "seq") or 0)
    if after < int(get_meta(conn, "pruned_through") or 0):
        return EventPage("", seq, reset=True, more=False)
    page, board_page = _PAGES[dialect_of(conn)]
    found, texts = conn.execute(
        board_page if room == BOARD_ROOM else page,
        {"room": room, "everyone": EVERYONE, "after": after, "limit": limit, "more": limit + 1},
    ).fetchone()
    return EventPage(texts or "", seq, reset=False, more=found > limit)
