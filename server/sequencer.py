"""Every seq exactly once, in seq order, to this process's screens: Redis for speed, the event log for truth.

Why: processes sharing one database hear of each other's commits through Redis pub/sub, which may
reorder, drop, duplicate or be down, and a screen that misses or repeats an event shows a wrong board.
Seqs are gapless and commit in seq order, so a hole proves a loss: after a grace (the message may be
late) it is read from the event log; a lost *last* message leaves no hole, so the tick reads the head
too.  ``offer`` does no I/O (commit path, Redis listener); ``tick`` reads outside the lock; ``deliver``
runs under it (that keeps the order), so it must not call back in.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

Part = tuple[str, dict[str, Any], list[str] | None]  # (event name, envelope with "seq", rooms)
Deliver = Callable[[int, list[Part]], None]
ReadLog = Callable[[int, int], list[tuple[int, list[Part]]]]  # (after, through] ascending; may be short
ReadHead = Callable[[], int]

PENDING_CAP = 10_000  # out-of-order seqs held; past it the log has them anyway
HEAD_EVERY_S = 0.5  # under the ~1 s tick, so each periodic tick reads it, and ticks on offer mostly don't
FILLS_PER_MINUTE = 10.0  # every fill line while fills are rare; a summary when Redis is down (a fill a tick)
COUNTS = "offered delivered duplicates filled_from_log gaps_seen head_reads read_errors skipped dropped deliver_errors"


def _span(lo: int, hi: int) -> str:
    return f"seq {lo}" if lo == hi else f"seq {lo}–{hi}"


class Sequencer:
    """Holds out-of-order seqs, delivers the consecutive run, fills holes from the event log."""

    def __init__(
        self,
        deliver: Deliver,
        read_log: ReadLog,
        read_head: ReadHead,
        *,
        clock: Callable[[], float] = time.monotonic,
        grace_s: float = 0.25,
        batch: int = 500,
        logger: logging.Logger | None = None,
        pending_cap: int = PENDING_CAP,
    ) -> None:
        self._deliver, self._read_log, self._read_head, self._clock = deliver, read_log, read_head, clock
        self._grace, self._batch, self._cap = grace_s, batch, pending_cap
        self._log = logger or logging.getLogger("server.sequencer")
        self._lock, self._reading = threading.Lock(), threading.Lock()  # _reading: one tick reads at a time
        self._started, self._delivered, self._head = False, 0, 0  # head: the highest seq known to exist
        self._pending: dict[int, tuple[list[Part], bool, float]] = {}  # seq -> (parts, from the log, came at)
        self._order: list[int] = []  # the pending seqs ascending: lowest and highest without a scan
        self._gap_at: int | None = None  # ``delivered`` whose hole was dated _gap_since; None: no hole
        self._gap_since = self._head_read_at = float("-inf")
        self._filled: list[int] = []  # seqs delivered from the log in this tick, for its one line
        self._failing: set[str] = set()
        self._buckets: dict[str, tuple[float, float, int]] = {}  # kind of line -> (tokens, when, held back)
        self._counts = dict.fromkeys(COUNTS.split(), 0)

    def start(self, head: int) -> None:
        """Through ``head`` counts as delivered (screens catch up over REST).  Earlier offers are kept:
        subscribe to Redis, read the head, start, and no seq falls between the two."""
        with self._lock:
            self._started, self._delivered, self._head = True, head, max(self._head, head)
            self._pending = {seq: held for seq, held in self._pending.items() if seq > head}
            self._order = [seq for seq in self._order if seq > head]
            self._drain()
            self._note_gap(self._clock())

    def offer(self, seq: int, parts: list[Part]) -> None:
        """A seq from Redis or from this process's own commit, in any order; no I/O here."""
        with self._lock:
            self._counts["offered"] += 1
            if (self._started and seq <= self._delivered) or seq in self._pending:
                self._counts["duplicates"] += 1
                return
            self._head = max(self._head, seq)  # even when dropped below: a known seq is a hole to fill
            now = self._clock()
            if len(self._pending) >= self._cap and not (self._started and seq == self._delivered + 1):
                self._fail("dropped", "the out-of-order buffer is full: the log fills it", None, "dropped")
                if seq > self._order[-1]:
                    return
                del self._pending[self._order.pop()]  # keep the lowest: they are delivered first
            self._pending[seq] = (parts, False, now)
            bisect.insort(self._order, seq)
            self._drain()
            self._note_gap(now)

    def tick(self) -> None:
        """Read the head (at most every HEAD_EVERY_S), fill holes older than the grace; never raises."""
        if not self._reading.acquire(blocking=False):
            return  # another thread is reading; it delivers what it finds
        now = self._clock()
        try:
            self._read_the_head(now)
            self._fill(now)
        except Exception as exc:  # a bug must not end the ticker's loop
            with self._lock:
                self._fail("tick", "the sequencer's tick failed", exc)
        finally:
            self._reading.release()
            with self._lock:
                self._report_fills()

    @property
    def delivered(self) -> int:
        """The highest seq delivered (or skipped): each seq up to it went out once, none after it."""
        return self._delivered

    def counts(self) -> dict[str, int]:
        """For the stats: how often Redis needed the log's help, and how far behind this process is."""
        with self._lock:
            lag = max(0, self._head - self._delivered) if self._started else 0
            return {**self._counts, "pending": len(self._pending), "lag": lag}

    def _read_the_head(self, now: float) -> None:
        with self._lock:
            if not self._started or now - self._head_read_at < HEAD_EVERY_S:
                return
            self._head_read_at = now
        try:
            head = self._read_head()
        except Exception as exc:
            with self._lock:
                self._fail("read_head", "reading the event log's head failed", exc, "read_errors")
            return
        with self._lock:
            self._counts["head_reads"] += 1
            self._recovered("read_head", "reading the event log's head")
            self._head = max(self._head, head)
            self._note_gap(now)

    def _fill(self, now: float) -> None:
        """Read while each read makes progress and the next hole is older than the grace too."""
        while True:
            with self._lock:
                if (due := self._due(now)) is None:
                    return
            after, through, capped = due
            try:
                rows = self._read_log(after, through)
            except Exception as exc:
                with self._lock:
                    self._gap_since = now  # again after one more grace, not on every offer's tick
                    what = f"reading {_span(after + 1, through)} from the event log failed"
                    self._fail("read_log", what, exc, "read_errors")
                return
            with self._lock:
                self._recovered("read_log", "reading the event log")
                before = self._delivered
                self._merge(after, through, rows)
                if self._delivered == before:
                    self._gap_since = now  # no progress: one more grace before the next read
                    return
                if capped and self._delivered >= through:
                    self._gap_at = self._delivered  # the same old hole, one batch shorter
                self._note_gap(now)

    def _drain(self) -> None:
        """Deliver the consecutive run after ``delivered``; a deliver that raises does not stop it."""
        run = 0
        while self._started and run < len(self._order) and self._order[run] == self._delivered + 1 + run:
            run += 1
        seqs, self._order[:run] = self._order[:run], []
        for seq in seqs:
            parts, from_log, _ = self._pending.pop(seq)
            self._delivered = seq
            self._counts["delivered"] += 1
            if from_log:
                self._counts["filled_from_log"] += 1
                self._filled.append(seq)
            try:
                self._deliver(seq, parts)
            except Exception as exc:  # one bad event must not hold back every later one
                self._fail("deliver", f"delivering seq {seq} failed", exc, "deliver_errors")

    def _note_gap(self, now: float) -> None:
        """Date the hole at ``delivered + 1``: it exists since the lowest held seq came (or now)."""
        if not self._started or self._head <= self._delivered:
            self._gap_at = None
        elif self._gap_at != self._delivered:
            self._gap_at = self._delivered
            self._gap_since = self._pending[self._order[0]][2] if self._order else now
            self._counts["gaps_seen"] += 1

    def _due(self, now: float) -> tuple[int, int, bool] | None:
        """(after, through, capped by the batch) of a hole older than the grace, else None."""
        self._note_gap(now)
        if self._gap_at is None or now - self._gap_since < self._grace:
            return None
        end = self._order[0] - 1 if self._order else self._head
        through = min(end, self._delivered + self._batch)
        return self._delivered, through, through < end

    def _merge(self, after: int, through: int, rows: list[tuple[int, list[Part]]]) -> None:
        """Deliver the log's rows (its copy wins over a held one; those offers already passed are
        dropped); skip what the log no longer has (pruned): screens then catch up over REST."""
        first = through + 1  # the lowest seq the log still has in (after, through]
        for seq, parts in rows:
            if after < seq <= through:
                first = min(first, seq)
                if seq > self._delivered:
                    if seq not in self._pending:
                        bisect.insort(self._order, seq)
                    self._pending[seq] = (parts, True, self._clock())
        while True:
            self._drain()
            if self._delivered + 1 >= first:
                return
            nxt = min(self._order[0], first) if self._order else first
            self._counts["skipped"] += nxt - 1 - self._delivered
            self._fail("skipped", f"{_span(self._delivered + 1, nxt - 1)} gone from the event log: skipped")
            self._delivered = nxt - 1

    def _allow(self, kind: str, per_minute: float) -> int | None:
        """A token bucket per kind of line, so what repeats each tick cannot flood the log: None is
        stay quiet, else how many lines of this kind were held back since the last one."""
        now = self._clock()
        tokens, then, held = self._buckets.get(kind, (per_minute, now, 0))
        tokens = min(per_minute, tokens + (now - then) * per_minute / 60.0)
        self._buckets[kind] = (tokens - 1.0, now, 0) if tokens >= 1.0 else (tokens, now, held + 1)
        return held if tokens >= 1.0 else None

    def _fail(self, kind: str, message: str, exc: BaseException | None = None, counter: str = "") -> None:
        """Counted each time, but one line a minute per kind of failure, saying how many it stands for."""
        self._failing.add(kind)
        if counter:
            self._counts[counter] += 1
        if (held := self._allow(kind, 1.0)) is not None:
            more = f" ({held} more like it since the last line)" if held else ""
            self._log.warning("%s%s%s", message, f": {exc!r}" if exc is not None else "", more)

    def _recovered(self, kind: str, what: str) -> None:
        if kind in self._failing:
            self._failing.discard(kind)
            self._log.info("%s works again", what)

    def _report_fills(self) -> None:
        """One line per tick that filled from the log, so a hole Redis left is visible in support logs."""
        filled, self._filled = self._filled, []
        if filled and (held := self._allow("filled", FILLS_PER_MINUTE)) is not None:
            lo, hi, n = filled[0], filled[-1], len(filled)
            what = _span(lo, hi) if n == hi - lo + 1 else f"{n} seqs in {lo}–{hi}"
            more = f"; {held} more fills since the last line" if held else ""
            them = "it" if n == 1 else "them"
            self._log.info("filled %s from the event log (Redis missed %s)%s", what, them, more)
