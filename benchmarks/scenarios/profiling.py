"""pyinstrument around the measured windows of a worker (``--profile DIR``).

Writes, per scenario and client: a call tree (library frames folded, and a ``-full`` one
with every frame), a flat list of frames by self time, and self
time grouped by library (this package, aiohttp, pydantic, asyncio, ...), so the report can
say where the client's CPU goes. Imported only when profiling, so it never skews a figure.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from pyinstrument import Profiler

from . import drivers

__all__ = ["ProfileHooks"]

LIBRARIES = (
    "pinecone_assistant_async",
    "pinecone",
    "aiohttp",
    "pydantic_core",
    "pydantic",
    "anyio",
    "tenacity",
    "httpx",
    "httpcore",
    "h11",
    "msgspec",
    "orjson",
    "multidict",
    "yarl",
    "asyncio",
    "json",
    "selectors",
    "ssl",
    "concurrent",
    "threading",
)


def library_of(path: str | None) -> str:
    if not path:
        return "(native)"
    parts = path.replace("\\", "/").split("/")
    for lib in LIBRARIES:
        if lib in parts:
            return lib
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if "benchmarks" in parts:
        return "benchmarks"
    return "stdlib/other"


IDLE = ("_run_once", "select", "epoll.poll", "poll")


def by_library(root: Any) -> Counter[str]:
    """Self time per library. The event loop's wait for sockets (``select``/``epoll.poll``
    and the loop's own self time around it) is idle time, kept apart as "(idle)"."""
    totals: Counter[str] = Counter()
    stack = [root]
    while stack:
        frame = stack.pop()
        name = "(idle)" if frame.function in IDLE else library_of(frame.file_path)
        totals[name] += frame.total_self_time
        stack.extend(c for c in frame.children if not c.is_synthetic)
    return totals


class ProfileHooks:
    """Starts the profiler when a measured window opens; writes reports when it closes."""

    def __init__(self, directory: str, label: str) -> None:
        self._dir = directory
        self._label = label
        self._profiler = Profiler(interval=0.0005, async_mode="disabled")

    def install(self) -> None:
        drivers.HOOKS["start"] = self.start
        drivers.HOOKS["stop"] = self.stop

    def start(self) -> None:
        if not self._profiler.is_running:
            self._profiler.start()

    def stop(self) -> None:
        if self._profiler.is_running:
            self._profiler.stop()

    def write(self) -> list[str]:
        os.makedirs(self._dir, exist_ok=True)
        base = os.path.join(self._dir, self._label)
        written = []
        tree = self._profiler.output_text(unicode=True, show_all=False)
        full = self._profiler.output_text(unicode=True, show_all=True)
        flat = self._profiler.output_text(unicode=True, flat=True, show_all=True)
        root = self._profiler.last_session.root_frame() if self._profiler.last_session else None
        libs = by_library(root) if root is not None else Counter()
        total = sum(libs.values()) or 1.0
        lib_text = "\n".join(
            f"{100 * t / total:6.1f}%  {t:8.3f}s  {name}" for name, t in libs.most_common()
        )
        for suffix, text in (("tree", tree), ("full", full), ("flat", flat), ("libs", lib_text)):
            path = f"{base}-{suffix}.txt"
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            written.append(path)
        return written
