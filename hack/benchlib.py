"""What the benchmarks share: progress on stderr, a result table, a rate meter."""

from __future__ import annotations

import asyncio
import glob
import os
import sys
import time
from collections.abc import Awaitable, Callable


class Report:
    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.rows: list[tuple[str, str, str]] = []

    def progress(self, msg: str) -> None:
        print(f"[{self.tag}] {msg}", file=sys.stderr, flush=True)

    def row(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))
        self.progress(f"{name}: {value} {note}")

    def print_table(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        print(f"\n{'measure'.ljust(width)}  {'value':>28}  note")
        for name, value, note in self.rows:
            print(f"{name.ljust(width)}  {value:>28}  {note}")


async def rate(n: int, fn: Callable[[int], Awaitable[object]], concurrency: int) -> float:
    """Operations per second of fn(0..n-1) with `concurrency` calls in flight."""
    it = iter(range(n))

    async def worker() -> None:
        for i in it:
            await fn(i)

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - t)


def rss_bytes(pid: int) -> int:
    """A process's resident memory, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def store_bytes(data_dir: str) -> int:
    """What a vapi data dir's SQLite store takes on disk (file and WAL)."""
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(data_dir, "store.db*")))
