"""The percentile every bench prints, in one place so that their p99s are the same statistic.

Nearest rank on the sorted values, ``q`` in percent (50, 99), no
interpolation: a printed p99 is a delay some event really had.  Empty input
gives NaN rather than an error, so a phase that measured nothing (a dropped
screen, a reader that never got an answer) still prints its row.
"""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """The value at rank ``q`` % of ``values`` (any order); NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]
