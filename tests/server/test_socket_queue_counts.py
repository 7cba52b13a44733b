"""The byte count of server/socket_queue.py on both real queue classes engine.io uses here.

The cap is only as good as the count: it must come back to zero however the
packets leave (one ``get`` at a time, or a waiting getter handed the item
directly), ignore engine.io's ``None`` sentinel, and refuse exactly past the cap.
"""

from __future__ import annotations

import queue
from typing import Any

import gevent
import gevent.queue
import pytest
from engineio import packet as eio_packet

from server.broadcast import FramedPacket
from server.socket_queue import counting_queue, packet_bytes
from server.ws_frames import Framed, ws_frame

QUEUES = [pytest.param(gevent.queue.JoinableQueue, id="gevent"), pytest.param(queue.Queue, id="stdlib")]


def _message(text: str) -> Any:
    return eio_packet.Packet(eio_packet.MESSAGE, text)


@pytest.mark.parametrize("base", QUEUES)
def test_the_count_follows_every_packet_in_and_out(base: type) -> None:
    overflowed: list[object] = []
    q = counting_queue(base, 1000, overflowed.append)()
    frame = FramedPacket(Framed(ws_frame(b"x" * 200)))
    q.put(frame)
    q.put(_message("y" * 99))
    q.put(None)
    assert q.queued_bytes == len(frame.frame) + 100 == packet_bytes(frame) + packet_bytes(_message("y" * 99))
    assert q.get() is frame
    assert q.queued_bytes == 100
    q.get()
    assert q.get() is None
    assert q.queued_bytes == 0 and not overflowed


def test_an_item_handed_to_a_waiting_getter_is_counted_out_too() -> None:
    q = counting_queue(gevent.queue.JoinableQueue, 1000, lambda _: None)()
    got: list[Any] = []
    waiter = gevent.spawn(lambda: got.append(q.get()))
    gevent.sleep(0)  # the getter is now waiting
    q.put(_message("z" * 10))
    waiter.join(timeout=5)
    assert len(got) == 1 and q.queued_bytes == 0


@pytest.mark.parametrize("base", QUEUES)
def test_past_the_cap_the_queue_refuses_once_and_then_takes_nothing_but_the_sentinel(base: type) -> None:
    overflowed: list[object] = []
    q = counting_queue(base, 300, overflowed.append)()
    q.put(_message("a" * 199))  # 200 bytes
    q.put(_message("b" * 99))  # 300: exactly the cap is allowed
    q.put(_message("c"))  # 302: past it
    q.put(_message("d"))
    q.put(None)  # engine.io closing the socket: always accepted
    assert overflowed == [q]
    assert q.qsize() == 3 and q.queued_bytes == 300


@pytest.mark.parametrize("base", QUEUES)
def test_a_cap_of_zero_means_no_cap(base: type) -> None:
    overflowed: list[object] = []
    q = counting_queue(base, 0, overflowed.append)()
    for _ in range(100):
        q.put(_message("m" * 10_000))
    assert q.queued_bytes == 100 * 10_001 and not overflowed
