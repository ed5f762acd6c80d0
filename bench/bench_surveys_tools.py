"""What bench_surveys measures with: timed steps, a local SMTP server process, profiles.

A step is timed on the wall clock and in CPU seconds per process (this one, the database
server, the SMTP server), with this process's peak resident memory sampled every 20 ms and
the 1-minute load average when it ends: on a shared 2-core machine CPU seconds and ratios
move less than wall times.
"""

from __future__ import annotations

import cProfile
import multiprocessing
import os
import pstats
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CpuSources = dict[str, Callable[[], float]]


@dataclass
class Step:
    """One measured step: wall seconds, CPU seconds by process, peak memory, load, rows."""

    name: str
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    peak_mb: float = 0.0
    load: float = 0.0
    count: int = 0  # messages, rows, answers: what `per_second` divides
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_BYTES / 2**20


@contextmanager
def measured(name: str, sources: CpuSources) -> Iterator[Step]:
    """Time a step on the wall clock and in each source's CPU seconds; sample memory."""
    step = Step(name)
    peak = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    before = {label: read() for label, read in sources.items()}
    start = time.perf_counter()
    try:
        yield step
    finally:
        step.seconds = time.perf_counter() - start
        for label, read in sources.items():
            step.cpu[label] = step.cpu.get(label, 0.0) + read() - before[label]
        done.set()
        sampler.join()
        step.peak_mb = max(step.peak_mb, peak[0], rss_mb())
        step.load = os.getloadavg()[0]


# --- a local SMTP server in its own process ---------------------------------------------------


def _serve(
    port: Synchronized[int],
    received: Synchronized[int],
    received_bytes: Synchronized[int],
    ready: Any,
    stop: Any,
) -> None:
    """Run the test suite's aiosmtpd mailbox, counting messages instead of keeping them."""
    from aiosmtpd.smtp import Envelope
    from aiosmtpd.smtp import Session as SmtpSession
    from tests.mailbox import Mailbox

    class CountingMailbox(Mailbox):
        async def handle_DATA(self, server: Any, session: SmtpSession, envelope: Envelope) -> str:
            content = envelope.original_content or envelope.content or b""
            with received.get_lock():
                received.value += 1
                received_bytes.value += len(content)
            return "250 Message accepted"

    mailbox = CountingMailbox()
    mailbox.start()
    port.value = mailbox.port
    ready.set()
    stop.wait()
    mailbox.stop()


class SmtpServer:
    """A real SMTP server (aiosmtpd) in a child process: its port, what it received, its CPU."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._port = context.Value("i", 0)
        self._received = context.Value("q", 0)
        self._bytes = context.Value("q", 0)
        self._ready, self._stop = context.Event(), context.Event()
        self._process = context.Process(
            target=_serve,
            args=(self._port, self._received, self._bytes, self._ready, self._stop),
            daemon=True,
        )

    def __enter__(self) -> SmtpServer:
        self._process.start()
        if not self._ready.wait(60):
            raise SystemExit("the SMTP server did not start within 60 s")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(30)

    @property
    def port(self) -> int:
        return int(self._port.value)

    @property
    def received(self) -> int:
        return int(self._received.value)

    @property
    def received_bytes(self) -> int:
        return int(self._bytes.value)

    def cpu(self) -> float:
        from bench.bench_ingest import process_cpu

        assert self._process.pid is not None
        return process_cpu(self._process.pid)


# --- profiles ----------------------------------------------------------------------------------


def _label(key: tuple[str, int, str]) -> str:
    file, line, name = key
    if file == "~":
        return name.strip("<>").replace("built-in method ", "")
    # The path from the package down: headway/…, sqlalchemy/orm/…, email/… (the stdlib).
    where = Path(file).as_posix()
    for root in ("/site-packages/", "/src/", "/lib/python3.11/"):
        where = where.rpartition(root)[2] if root in where else where
    return f"{name} ({where}:{line})"


def profile(call: Callable[[], object]) -> pstats.Stats:
    """Run a call once under cProfile."""
    profiler = cProfile.Profile()
    profiler.runcall(call)
    return pstats.Stats(profiler)


def top_functions(stats: pstats.Stats, count: int = 3) -> list[str]:
    """The functions with the most time of their own (callees excluded)."""
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    return [f"{_label(key)} {values[2]:.2f} s" for key, values in rows[:count]]


def split_by_step(
    stats: pstats.Stats, function: str, *, share: float = 0.04, expand: float = 0.25
) -> list[str]:
    """Where a function's time goes: its callees above `share` of it, the big ones opened."""
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    top = next(k for k in entries if k[2] == function and "headway" in k[0])
    total = entries[top][3]
    stats.calc_callees()
    callees: dict[Any, Any] = stats.all_callees  # type: ignore[attr-defined]
    lines = [f"{_label(top)}: {total:.2f} s, of which its own code {entries[top][2]:.2f} s"]

    def walk(key: Any, depth: int) -> None:
        for callee, edge in sorted(callees.get(key, {}).items(), key=lambda i: -i[1][3]):
            seconds = edge[3]
            if seconds < share * total:
                continue
            lines.append(f"{'  ' * depth}- {_label(callee)}: {seconds:.2f} s")
            if depth < 3 and "headway" in callee[0] and seconds >= expand * total:
                walk(callee, depth + 1)

    walk(top, 1)
    return lines
