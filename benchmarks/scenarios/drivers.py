"""The timed loops, written once and run with any client adapter.

Each driver warms the client up (connections opened, host looked up, code paths imported),
then times only the measured part and returns its figures with the wall-clock window it
covered (for the server's CPU share) and the client process's CPU seconds in that window.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import psutil

from .spec import CHAT_ASSISTANT, QUESTION, Adapter, Sizes

__all__ = ["DRIVERS", "HOOKS", "Measured", "Timer"]

HARD_LIMIT = 300.0
"""No driver may run longer than this (seconds), whatever the sizes say."""

HOOKS: dict[str, Callable[[], None]] = {}
"""Optional "start"/"stop" callbacks run around every measured window (the profiler's)."""


@dataclass
class Measured:
    metrics: dict[str, float]
    window: tuple[float, float] = (0.0, 0.0)
    client_cpu: float = 0.0
    notes: list[str] = field(default_factory=list)


class Timer:
    """Marks the measured window: wall clock (epoch, for the server sampler) and own CPU."""

    def __init__(self) -> None:
        self.start_wall = self.end_wall = 0.0
        self.start_cpu = self.end_cpu = 0.0

    def __enter__(self) -> Timer:
        if "start" in HOOKS:
            HOOKS["start"]()
        self.start_cpu = time.process_time()
        self.start_wall = time.time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.end_wall = time.time()
        self.end_cpu = time.process_time()
        if "stop" in HOOKS:
            HOOKS["stop"]()

    def finish(self, metrics: dict[str, float], operations: int | None = None) -> Measured:
        """The figures; with ``operations``, also this process's CPU microseconds per one."""
        cpu = self.end_cpu - self.start_cpu
        if operations:
            metrics = {**metrics, "cpu_us_per_op": cpu / operations * 1e6}
        return Measured(metrics, (self.start_wall, self.end_wall), cpu)


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[98]


async def sequential_chat(adapter: Adapter, sizes: Sizes, job: Any, plain: Adapter) -> Measured:
    """a. One chat after another: latency per call."""
    for _ in range(sizes.seq_warmup):
        await adapter.chat(CHAT_ASSISTANT, QUESTION)
    latencies: list[float] = []
    with Timer() as timer:
        for _ in range(sizes.seq_calls):
            started = time.perf_counter()
            await adapter.chat(CHAT_ASSISTANT, QUESTION)
            latencies.append(time.perf_counter() - started)
    return timer.finish(
        {"median_ms": statistics.median(latencies) * 1e3, "p99_ms": p99(latencies) * 1e3},
        len(latencies),
    )


async def concurrent_chat(adapter: Adapter, sizes: Sizes, job: Any, plain: Adapter) -> Measured:
    """b. ``conc_tasks`` tasks chatting in a loop for ``conc_seconds``: calls per second."""
    await asyncio.gather(*(adapter.chat(CHAT_ASSISTANT, QUESTION) for _ in range(sizes.conc_tasks)))
    done = 0
    deadline = time.perf_counter() + sizes.conc_seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await adapter.chat(CHAT_ASSISTANT, QUESTION)
            done += 1

    with Timer() as timer:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(sizes.conc_tasks)))
        elapsed = time.perf_counter() - started
    return timer.finish({"calls_per_s": done / elapsed, "calls": float(done)}, done)


async def chat_stream(adapter: Adapter, sizes: Sizes, job: Any, plain: Adapter) -> Measured:
    """c. A chat stream of ``stream_chunks`` content chunks: chunks/s (counted from the first
    chunk to the end, so that it is the client's reading rate) and time to first chunk.

    The emulator builds such a stream whole before its first byte, so its time to first
    chunk is mostly the server's; ``ttfc_short_ms`` (median over ``short_streams`` streams
    of ordinary length, read by ``plain``, a client without the control header) shows the
    client's own share."""
    await adapter.stream(CHAT_ASSISTANT, QUESTION)
    await plain.stream(CHAT_ASSISTANT, QUESTION)
    rates: list[float] = []
    firsts: list[float] = []
    with Timer() as timer:
        for _ in range(sizes.stream_repeats):
            started = time.perf_counter()
            chunks, first = await adapter.stream(CHAT_ASSISTANT, QUESTION)
            elapsed = time.perf_counter() - started
            if chunks != sizes.stream_chunks:
                raise RuntimeError(f"expected {sizes.stream_chunks} chunks, got {chunks}")
            rates.append(chunks / max(elapsed - first, 1e-9))  # from the first chunk on
            firsts.append(first)
    shorts = []
    for _ in range(sizes.short_streams):
        shorts.append((await plain.stream(CHAT_ASSISTANT, QUESTION))[1])
    return timer.finish(
        {
            "chunks_per_s": statistics.median(rates),
            "ttfc_ms": statistics.median(firsts) * 1e3,
            "ttfc_short_ms": statistics.median(shorts) * 1e3,
        },
        sizes.stream_chunks * sizes.stream_repeats,
    )


def bulk_paths(directory: str, count: int) -> list[str]:
    names = sorted(n for n in os.listdir(directory) if n.endswith(".txt"))
    if len(names) < count:
        raise RuntimeError(f"{directory} holds {len(names)} files, {count} needed")
    return [os.path.join(directory, n) for n in names[:count]]


async def bulk_upload(adapter: Adapter, sizes: Sizes, job: Any, plain: Adapter) -> Measured:
    """d. ``bulk_files`` small files at ``bulk_concurrency``, each until Available.

    One more file is uploaded first, untimed, to warm up (lazy imports, thread pool)."""
    *paths, spare = bulk_paths(job.bulk_dir, sizes.bulk_files + 1)
    await adapter.upload_many(job.assistant, [spare], 1)
    with Timer() as timer:
        started = time.perf_counter()
        uploaded = await adapter.upload_many(job.assistant, paths, sizes.bulk_concurrency)
        elapsed = time.perf_counter() - started
    return timer.finish({"files_per_s": uploaded / elapsed}, uploaded)


def rss() -> int:
    return int(psutil.Process().memory_info().rss)


class PeakRSS:
    """Samples this process's RSS every 2 ms in a thread; ``ru_maxrss`` catches the rest."""

    def __init__(self) -> None:
        self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        proc = psutil.Process()
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, int(proc.memory_info().rss))

    def __enter__(self) -> PeakRSS:
        self._maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if maxrss > self._maxrss_before:
            self.peak = max(self.peak, maxrss)


async def big_upload(adapter: Adapter, sizes: Sizes, job: Any, plain: Adapter) -> Measured:
    """e. One large file: peak RSS above the RSS just before the upload."""
    assistant = job.assistant
    await adapter.upload_big(assistant, bulk_paths(job.bulk_dir, 1)[0])
    before = rss()
    with Timer() as timer, PeakRSS() as peak:
        started = time.perf_counter()
        await adapter.upload_big(assistant, job.big_file)
        elapsed = time.perf_counter() - started
    return timer.finish(
        {
            "peak_rss_mb": (peak.peak - before) / 2**20,
            "rss_before_mb": before / 2**20,
            "upload_s": elapsed,
        }
    )


Driver = Callable[[Adapter, Sizes, Any, Adapter], Awaitable[Measured]]

DRIVERS: dict[str, Driver] = {
    "a": sequential_chat,
    "b": concurrent_chat,
    "c": chat_stream,
    "d": bulk_upload,
    "e": big_upload,
}
