"""Watch a process as support would: CPU and RSS from /proc, and a deadline (Linux)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mib(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * PAGE / 2**20


@dataclass
class Sample:
    at_s: float
    cpu_s: float
    rss_mib: float


@dataclass
class Watch:
    pid: int
    samples: list[Sample] = field(default_factory=list)

    def sample(self, at_s: float) -> None:
        with contextlib.suppress(OSError, IndexError):  # the process has just exited
            self.samples.append(Sample(at_s, cpu_seconds(self.pid), rss_mib(self.pid)))

    def cpu_share(self, after_s: float) -> float:
        """Average CPU (1.0 = one core) between the first sample at or after ``after_s`` and the last."""
        window = [s for s in self.samples if s.at_s >= after_s]
        if len(window) < 2:
            return 0.0
        return (window[-1].cpu_s - window[0].cpu_s) / (window[-1].at_s - window[0].at_s)

    def rss_growth_mib(self, after_s: float) -> float:
        """RSS at the end less RSS at ``after_s`` (the warm-up: windows built, first chimes loaded)."""
        window = [s for s in self.samples if s.at_s >= after_s]
        return window[-1].rss_mib - window[0].rss_mib if len(window) >= 2 else 0.0

    def peak_rss_mib(self) -> float:
        return max((s.rss_mib for s in self.samples), default=0.0)
