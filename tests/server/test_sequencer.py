"""server/sequencer.py: every seq once, in order, whatever Redis does; the event log fills the holes.

No sleeps: a fake clock is advanced by hand, and the event log and its head are a dict and an
int the tests change (prune, break) between calls.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

import pytest

from server.sequencer import Part, Sequencer

LOGGER = "tests.sequencer"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def parts(seq: int, source: str = "redis") -> list[Part]:
    return [("order.updated", {"seq": seq, "source": source}, ["kitchen"])]


class Rig:
    """A Sequencer wired to an in-memory event log; records what it delivers and reads."""

    def __init__(self, *, start: int | None = 0, **kwargs: Any) -> None:
        self.clock = FakeClock()
        self.log: dict[int, list[Part]] = {}
        self.head = 0
        self.got: list[tuple[int, str]] = []
        self.log_reads: list[tuple[int, int]] = []
        self.head_calls = 0
        self.log_error: Exception | None = None
        self.head_error: Exception | None = None
        self.deliver_error_on: set[int] = set()
        self.during_read: list[tuple[int, list[Part]]] = []  # offered while read_log runs
        self.seq = Sequencer(
            self.deliver,
            self.read_log,
            self.read_head,
            clock=self.clock,
            logger=logging.getLogger(LOGGER),
            **kwargs,
        )
        if start is not None:
            self.seq.start(start)

    def commit(self, first: int, last: int | None = None) -> None:
        for seq in range(first, (last or first) + 1):
            self.log[seq] = parts(seq, "log")
            self.head = max(self.head, seq)

    def deliver(self, seq: int, got: list[Part]) -> None:
        assert got[0][1]["seq"] == seq
        self.got.append((seq, got[0][1]["source"]))
        if seq in self.deliver_error_on:
            raise RuntimeError(f"screen refused {seq}")

    def read_log(self, after: int, through: int) -> list[tuple[int, list[Part]]]:
        self.log_reads.append((after, through))
        for seq, offered in self.during_read:
            self.seq.offer(seq, offered)
        self.during_read = []
        if self.log_error is not None:
            raise self.log_error
        return [(seq, self.log[seq]) for seq in range(after + 1, through + 1) if seq in self.log]

    def read_head(self) -> int:
        self.head_calls += 1
        if self.head_error is not None:
            raise self.head_error
        return self.head

    def offer(self, *seqs: int) -> None:
        for seq in seqs:
            self.seq.offer(seq, parts(seq))

    def later(self, seconds: float) -> None:
        self.clock.now += seconds
        self.seq.tick()

    @property
    def seqs(self) -> list[int]:
        return [seq for seq, _ in self.got]


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_in_order_offers_are_delivered_at_once_without_reading_the_log() -> None:
    rig = Rig()
    rig.commit(1, 3)
    rig.offer(1)
    assert rig.seqs == [1]
    rig.offer(2, 3)
    assert rig.seqs == [1, 2, 3]
    rig.later(0)
    rig.later(5)
    assert rig.log_reads == []
    assert rig.seq.delivered == 3
    counts = rig.seq.counts()
    assert counts["offered"] == counts["delivered"] == 3
    assert counts["lag"] == counts["pending"] == counts["gaps_seen"] == 0
    assert counts["head_reads"] == 2


def test_out_of_order_offers_are_held_then_delivered_in_order() -> None:
    rig = Rig()
    rig.offer(3)
    assert rig.seqs == []
    assert rig.seq.counts()["pending"] == 1
    rig.offer(1)
    assert rig.seqs == [1]
    rig.offer(2)
    assert rig.seqs == [1, 2, 3]
    assert rig.seq.counts()["pending"] == 0
    assert rig.log_reads == []


def test_duplicates_are_ignored_and_counted() -> None:
    rig = Rig()
    rig.offer(1, 1, 3, 3, 2, 2, 1)
    assert rig.seqs == [1, 2, 3]
    counts = rig.seq.counts()
    assert counts["duplicates"] == 4
    assert counts["offered"] == 7
    assert counts["delivered"] == 3


def test_a_gap_is_filled_from_the_log_only_after_the_grace(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(grace_s=0.25)
    rig.commit(1, 3)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        rig.offer(1, 3)
        assert rig.seqs == [1]
        rig.later(0.1)
        rig.later(0.14)
        assert rig.log_reads == []
        assert rig.seqs == [1]
        rig.later(0.01)
    assert rig.log_reads == [(1, 2)]
    assert rig.got == [(1, "redis"), (2, "log"), (3, "redis")]
    counts = rig.seq.counts()
    assert counts["filled_from_log"] == 1
    assert counts["gaps_seen"] == 1
    assert messages(caplog) == ["filled seq 2 from the event log (Redis missed it)"]


def test_a_late_redis_message_inside_the_grace_needs_no_read() -> None:
    rig = Rig()
    rig.commit(1, 3)
    rig.offer(1, 3)
    rig.later(0.2)
    rig.offer(2)
    rig.later(1)
    assert rig.seqs == [1, 2, 3]
    assert rig.log_reads == []


def test_the_log_wins_over_a_buffered_copy_and_nothing_goes_out_twice() -> None:
    rig = Rig()
    rig.commit(1, 4)
    rig.offer(1, 4)
    rig.during_read = [(3, parts(3)), (4, parts(4))]  # 3 arrives while the log is read; 4 again
    rig.later(0.3)
    assert rig.log_reads == [(1, 3)]
    assert rig.got == [(1, "redis"), (2, "log"), (3, "log"), (4, "redis")]
    assert rig.seq.counts()["duplicates"] == 1


def test_a_redis_message_that_overtakes_the_read_is_not_delivered_twice() -> None:
    rig = Rig()
    rig.commit(1, 3)
    rig.offer(1, 3)
    rig.during_read = [(2, parts(2))]
    rig.later(0.3)
    assert rig.got == [(1, "redis"), (2, "redis"), (3, "redis")]
    assert rig.seq.counts()["filled_from_log"] == 0


def test_a_lost_last_message_is_found_by_the_tick_through_the_head(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig()
    rig.commit(1, 3)
    rig.offer(1, 2)  # 3 is lost: no later message shows the hole
    with caplog.at_level(logging.INFO, logger=LOGGER):
        rig.later(0)
        assert rig.seqs == [1, 2]
        assert rig.seq.counts()["lag"] == 1
        rig.later(0.1)  # the head is not read again this soon, nor the log before the grace
        assert rig.head_calls == 1
        assert rig.log_reads == []
        rig.later(0.9)
    assert rig.log_reads == [(2, 3)]
    assert rig.got[-1] == (3, "log")
    counts = rig.seq.counts()
    assert counts["head_reads"] == 2
    assert counts["lag"] == 0
    assert messages(caplog) == ["filled seq 3 from the event log (Redis missed it)"]


def test_a_failing_log_read_delivers_nothing_logs_once_and_recovers(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig()
    rig.commit(1, 3)
    rig.offer(1, 3)
    rig.log_error = OSError("database is down")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        rig.later(0.3)
        rig.later(0.1)  # within one more grace: no second read
        assert len(rig.log_reads) == 1
        for _ in range(5):
            rig.later(1)
        assert rig.seqs == [1]
        assert rig.seq.counts()["read_errors"] == 6
        failures = [m for m in messages(caplog) if "failed" in m]
        assert failures == ["reading seq 2 from the event log failed: OSError('database is down')"]
        rig.later(60)
        assert "(5 more like it since the last line)" in messages(caplog)[-1]
        rig.log_error = None
        rig.later(1)
    assert rig.seqs == [1, 2, 3]
    assert "reading the event log works again" in messages(caplog)


def test_a_failing_head_read_is_counted_and_the_tick_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig()
    rig.commit(1, 2)
    rig.offer(1)
    rig.head_error = ConnectionError("no route")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        rig.later(1)
        rig.later(1)
        rig.offer(2)  # Redis still works meanwhile
    assert rig.seqs == [1, 2]
    assert rig.seq.counts()["read_errors"] == 2
    assert len(messages(caplog)) == 1
    rig.head_error = None
    rig.commit(3)
    rig.later(1)
    rig.later(1)
    assert rig.seqs == [1, 2, 3]


def test_seqs_pruned_from_the_log_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig()
    rig.commit(1, 10)
    for seq in range(1, 6):
        del rig.log[seq]
    rig.offer(8)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        rig.later(0.3)
    assert rig.log_reads == [(0, 7)]
    assert rig.got == [(6, "log"), (7, "log"), (8, "redis")]
    assert rig.seq.counts()["skipped"] == 5
    assert messages(caplog) == ["seq 1–5 gone from the event log: skipped"]


def test_an_empty_log_read_skips_to_the_end_of_the_range() -> None:
    rig = Rig(start=100)
    rig.offer(104)
    rig.later(0.3)  # 101..103 were pruned: the log returns nothing
    assert rig.log_reads == [(100, 103)]
    assert rig.seqs == [104]
    assert rig.seq.counts()["skipped"] == 3


def test_a_long_gap_is_read_in_batches_in_one_tick(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(batch=500)
    rig.commit(1, 2001)
    rig.offer(2001)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        rig.later(0.3)
    assert rig.log_reads == [(0, 500), (500, 1000), (1000, 1500), (1500, 2000)]
    assert rig.seqs == list(range(1, 2002))
    assert rig.seq.counts()["filled_from_log"] == 2000
    assert messages(caplog) == ["filled seq 1–2000 from the event log (Redis missed them)"]


def test_a_long_lost_tail_is_read_in_batches_too() -> None:
    rig = Rig(batch=300)
    rig.commit(1, 1000)
    rig.later(0)
    rig.later(1)
    assert rig.log_reads == [(0, 300), (300, 600), (600, 900), (900, 1000)]
    assert rig.seqs == list(range(1, 1001))


def test_a_deliver_that_raises_does_not_hold_back_the_next_seq(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig()
    rig.deliver_error_on = {2}
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        rig.offer(3, 2, 1, 4)
    assert rig.seqs == [1, 2, 3, 4]
    assert rig.seq.delivered == 4
    assert rig.seq.counts()["deliver_errors"] == 1
    assert messages(caplog) == ["delivering seq 2 failed: RuntimeError('screen refused 2')"]


def test_the_buffer_is_capped_and_the_log_fills_what_it_dropped() -> None:
    rig = Rig(pending_cap=5)
    rig.commit(1, 9)
    rig.offer(3, 4, 5, 6, 7, 8, 9)  # 8 and 9 do not fit
    counts = rig.seq.counts()
    assert counts["pending"] == 5
    assert counts["dropped"] == 2
    rig.offer(1, 2)
    assert rig.seqs == list(range(1, 8))
    rig.later(0.3)
    assert rig.log_reads == [(7, 9)]
    assert rig.got[-2:] == [(8, "log"), (9, "log")]


def test_a_full_buffer_keeps_the_lowest_seqs() -> None:
    rig = Rig(pending_cap=3)
    rig.offer(5, 6, 7, 3)  # 7 makes room for 3
    assert rig.seq.counts()["dropped"] == 1
    rig.offer(1, 2)
    assert rig.seqs == [1, 2, 3]
    rig.offer(4)
    assert rig.seqs == [1, 2, 3, 4, 5, 6]
    assert rig.seq.counts()["lag"] == 1  # 7 is known to exist: the next fill reads it


def test_start_counts_everything_through_the_head_as_delivered() -> None:
    rig = Rig(start=None)
    rig.offer(9, 11, 12)  # heard before start (subscribe first, then read the head)
    rig.later(5)
    assert rig.seqs == []
    assert rig.log_reads == []
    rig.seq.start(10)
    assert rig.seqs == [11, 12]
    rig.offer(10, 3, 12)
    assert rig.seqs == [11, 12]
    assert rig.seq.counts()["duplicates"] == 3
    assert rig.seq.delivered == 12


def test_two_threads_and_a_ticker_deliver_every_seq_once_in_order() -> None:
    rng = random.Random(20_240_611)
    total = 5000
    clock = FakeClock()
    truth = {seq: parts(seq, "log") for seq in range(1, total + 1)}
    got: list[int] = []

    def read_log(after: int, through: int) -> list[tuple[int, list[Part]]]:
        return [(seq, truth[seq]) for seq in range(after + 1, min(through, total) + 1)]

    def deliver(seq: int, delivered: list[Part]) -> None:
        assert delivered[0][1]["seq"] == seq
        got.append(seq)

    committed = [0]  # the database's head: a seq is committed before it is published
    head_lock = threading.Lock()

    def read_head() -> int:
        with head_lock:
            return committed[0]

    sequencer = Sequencer(deliver, read_log, read_head, clock=clock, batch=100)
    sequencer.start(0)
    streams: list[list[int]] = []
    for offset in (1, 2):
        seqs = list(range(offset, total + 1, 2))
        seqs = [s for s in seqs if rng.random() > 0.02]  # Redis loses some
        seqs += rng.sample(seqs, 100)  # and repeats some
        for start in range(0, len(seqs), 64):  # and reorders within a window
            window = seqs[start : start + 64]
            rng.shuffle(window)
            seqs[start : start + 64] = window
        streams.append(seqs)
    barrier = threading.Barrier(3)
    offering = threading.Event()
    offering.set()

    def offer_all(seqs: list[int]) -> None:
        barrier.wait()
        for seq in seqs:
            with head_lock:
                committed[0] = max(committed[0], seq)
            sequencer.offer(seq, parts(seq))

    def ticker() -> None:
        barrier.wait()
        while offering.is_set():
            clock.now += 0.002
            sequencer.tick()

    threads = [threading.Thread(target=offer_all, args=(s,)) for s in streams]
    tick_thread = threading.Thread(target=ticker)
    for thread in [*threads, tick_thread]:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    offering.clear()
    tick_thread.join(timeout=60)
    with head_lock:
        committed[0] = total  # the lost tail, if any, is committed too
    for _ in range(3):
        clock.now += 1
        sequencer.tick()
    assert got == list(range(1, total + 1))
    counts = sequencer.counts()
    assert counts["offered"] == sum(len(s) for s in streams)
    assert counts["delivered"] == total
    assert counts["pending"] == counts["lag"] == 0
    assert counts["filled_from_log"] >= total - sum(len(set(s)) for s in streams)
