"""Where each card of the kitchen grid goes: lines of cards, left to right, placed incrementally.

Why not QListView's own layout: QListView lays out every item again on each
insert or removal (its source says "be smarter about inserted items"), asking
every card its size through Python, so at 2000 cards one new order cost
12 ms more than at 100 (bench/burst.py insert).  Here each card's size is
kept, and a change re-places cards only from the line it touches onward: a new
order lands at the end (oldest first), so placing it costs the same with 10 or
10 000 cards on screen.  A removal near the top still moves every card after
it, but from the kept sizes: no card is asked its size again.

The rule is QListView's icon-mode flow, kept so that the screen looks the
same: a card goes on the current line if it fits in the width (or if the line
is empty), else it starts the next line; a line is as tall as its tallest
card.  Pure Python with no Qt objects, so the rules are tested directly
(tests/ui/test_flow_layout.py).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

Size = tuple[int, int]  # (width, height) in pixels


class FlowLayout:
    """Positions of ``len(self)`` cards in lines ``width`` pixels wide."""

    def __init__(self, width: int = 0) -> None:
        self._width = width
        self._w: list[int] = []
        self._h: list[int] = []
        self._x: list[int] = []
        self._y: list[int] = []
        self._line: list[int] = []  # the line each card is on
        self._line_start: list[int] = []  # the first card of each line
        self._line_top: list[int] = []
        self._line_height: list[int] = []

    def __len__(self) -> int:
        return len(self._w)

    @property
    def width(self) -> int:
        return self._width

    @property
    def height(self) -> int:
        """The height of all lines: the scrollable content."""
        if not self._line_top:
            return 0
        return self._line_top[-1] + self._line_height[-1]

    # -- changes: each returns the top (px) of the first line that moved, or None --------------
    def reset(self, sizes: Iterable[Size], width: int | None = None) -> int:
        if width is not None:
            self._width = width
        self._w, self._h = [], []
        for w, h in sizes:
            self._w.append(w)
            self._h.append(h)
        self._x = [0] * len(self._w)
        self._y = [0] * len(self._w)
        self._line = [0] * len(self._w)
        self._line_start, self._line_top, self._line_height = [], [], []
        return self._place_from(0)

    def set_width(self, width: int) -> int | None:
        if width == self._width:
            return None
        self._width = width
        return self._place_from(0)

    def insert(self, first: int, sizes: Sequence[Size]) -> int | None:
        """Cards inserted before card ``first`` (``len(self)``: at the end)."""
        if not sizes:
            return None
        if not 0 <= first <= len(self):
            raise IndexError(f"insert at {first} into {len(self)} cards")
        restart = self._restart_line(first)
        count = len(sizes)
        self._w[first:first] = [w for w, _ in sizes]
        self._h[first:first] = [h for _, h in sizes]
        self._x[first:first] = [0] * count
        self._y[first:first] = [0] * count
        self._line[first:first] = [0] * count
        return self._place_from(restart)

    def remove(self, first: int, count: int) -> int | None:
        if count <= 0:
            return None
        if not (first >= 0 and first + count <= len(self)):
            raise IndexError(f"remove {count} at {first} from {len(self)} cards")
        restart = self._restart_line(first)
        for column in (self._w, self._h, self._x, self._y, self._line):
            del column[first : first + count]
        return self._place_from(restart)

    def resize(self, row: int, size: Size) -> int | None:
        """Card ``row`` has a new size (a cancel reason added a line): the cards flow anew from its line."""
        if (self._w[row], self._h[row]) == size:
            return None
        self._w[row], self._h[row] = size
        return self._place_from(self._restart_line(row))

    # -- queries ---------------------------------------------------------------------------
    def rect(self, row: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of card ``row`` in content coordinates."""
        return self._x[row], self._y[row], self._w[row], self._h[row]

    def size(self, row: int) -> Size:
        return self._w[row], self._h[row]

    def line_of(self, row: int) -> int:
        return self._line[row]

    def lines(self) -> int:
        return len(self._line_start)

    def line_rows(self, line: int) -> range:
        end = self._line_start[line + 1] if line + 1 < len(self._line_start) else len(self)
        return range(self._line_start[line], end)

    def line_at(self, y: int) -> int | None:
        """The line that spans content height ``y`` (None: above or below every line)."""
        line = bisect.bisect_right(self._line_top, y) - 1
        if line < 0 or y >= self._line_top[line] + self._line_height[line]:
            return None
        return line

    def rows_between(self, top: int, bottom: int) -> range:
        """The cards on the lines that overlap content heights [top, bottom): the ones to paint."""
        if not self._line_top or bottom <= top:
            return range(0)
        first = max(0, bisect.bisect_right(self._line_top, top) - 1)
        last = bisect.bisect_left(self._line_top, bottom) - 1
        if last < first:
            return range(0)
        return range(self.line_rows(first).start, self.line_rows(last).stop)

    def row_at(self, x: int, y: int) -> int | None:
        """The card under content point (x, y), if any."""
        line = self.line_at(y)
        if line is None:
            return None
        for row in self.line_rows(line):
            if self._x[row] <= x < self._x[row] + self._w[row] and y < self._y[row] + self._h[row]:
                return row
        return None

    # -- placing -------------------------------------------------------------------------------
    def _restart_line(self, row: int) -> int:
        """The line to re-place from when card ``row`` changes: a card before it may now have room."""
        if row <= 0 or not self._line:
            return 0
        return self._line[min(row, len(self._line)) - 1]

    def _place_from(self, line: int) -> int:
        """Place every card from the start of ``line`` on; returns that line's top."""
        if line < len(self._line_start):
            start, top = self._line_start[line], self._line_top[line]
        else:  # no lines yet
            line, start, top = 0, 0, 0
        del self._line_start[line:], self._line_top[line:], self._line_height[line:]
        width = self._width
        xs, ys, ws, hs, of_line = self._x, self._y, self._w, self._h, self._line
        starts, tops, heights = self._line_start, self._line_top, self._line_height
        x = 0
        current = line - 1
        first_top = top
        for row in range(start, len(ws)):
            w = ws[row]
            if x > 0 and x + w > width:
                top += heights[current]
                x = 0
            if x == 0:
                starts.append(row)
                tops.append(top)
                heights.append(0)
                current += 1
            xs[row] = x
            ys[row] = top
            of_line[row] = current
            x += w
            heights[current] = max(heights[current], hs[row])
        return first_top
