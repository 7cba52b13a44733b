"""Turn the ``--json`` file of ``fanout.py`` into the Markdown tables of docs/benchmarks.md.

    python bench/fanout_report.py /tmp/fanout.json [--max-busy 80]

One row per (N, target): medians over the rounds of p50 / p99 / max, the
losses summed, server CPU per delivered message, the machine's busy share and
load, and the p99 against Node's median p99 at the same N.  ``--max-busy``
leaves out runs during which the machine was busier than that (someone else's
build), and says how many it left out.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def render(runs: list[dict[str, Any]], max_busy: float) -> str:
    ok = [r for r in runs if not r["error"]]
    kept = [r for r in ok if r["machine_cpu_pct"] <= max_busy]
    lines = [
        "| N | target | runs | p50 ms | p99 ms | max ms | lost | dup | server µs/msg | server % | clients % "
        "| machine % | load1 | p99 / Node |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = list(dict.fromkeys((r["screens"], r["target"]) for r in runs))  # run order, Node first
    keys = sorted({(r["screens"], r["target"]) for r in kept}, key=order.index)
    for screens, target in keys:
        group = [r for r in kept if r["screens"] == screens and r["target"] == target]
        node = [r for r in kept if r["screens"] == screens and r["target"] == "node"]
        p99 = _median(group, "p99_ms")
        ratio = f"{p99 / _median(node, 'p99_ms'):.2f}" if node else "–"
        lines.append(
            f"| {screens} | `{target}` | {len(group)} | {_median(group, 'p50_ms'):.1f} | {p99:.1f} "
            f"| {_median(group, 'max_ms'):.1f} | {sum(r['lost'] for r in group)} | {sum(r['duplicates'] for r in group)} "
            f"| {_median(group, 'server_us_per_msg'):.1f} | {_median(group, 'server_cpu_pct'):.0f} "
            f"| {_median(group, 'clients_cpu_pct'):.0f} | {_median(group, 'machine_cpu_pct'):.0f} "
            f"| {_median(group, 'load1'):.2f} | {ratio} |"
        )
    dropped = len(ok) - len(kept)
    failed = len(runs) - len(ok)
    if dropped or failed:
        lines.append("")
        lines.append(
            f"({dropped} run(s) left out: machine busier than {max_busy:.0f} %; {failed} run(s) failed.)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("json_file", type=Path)
    parser.add_argument(
        "--max-busy", type=float, default=100.0, help="leave out runs on a busier machine (%%)"
    )
    args = parser.parse_args(argv)
    data = json.loads(args.json_file.read_text())
    print(f"<!-- {' '.join(data['meta']['argv'])} -->")
    print(render(data["runs"], args.max_busy))


if __name__ == "__main__":
    main()
