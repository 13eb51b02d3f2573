"""The benchmark server: the emulator in instant mode in its own process, and its CPU meter.

``start_server`` runs ``python -m pinecone_assistant_async.testing --port P --instant``;
``CpuSampler`` records the server's CPU seconds every 20 ms so that the CPU it used during
any measured window (a worker reports the window in epoch seconds) can be read back as a
share of one core. ``prepare`` creates the assistants the scenarios use, with raw aiohttp.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp
import psutil

from .client_raw import raw_headers
from .spec import CHAT_ASSISTANT

__all__ = [
    "CpuSampler",
    "free_port",
    "fresh_assistant",
    "make_files",
    "prepare",
    "start_server",
    "stop_server",
]

KNOWLEDGE = """Engineering handbook.

The deployment checklist has five steps: freeze the branch, run the full test suite, tag the
release, deploy to the canary region and watch its error rate for thirty minutes, then deploy
everywhere. A failed canary rolls back automatically.

The on-call rota changes every Monday at ten. The engineer on call answers pages within fifteen
minutes, writes an incident note for every page and hands over open incidents at the rota
change. Escalations go to the team lead, then to the head of engineering.

Code review needs one approval from a code owner. Reviews should be small: under four hundred
changed lines. Every change carries tests; flaky tests are quarantined within a day.
"""

FALLBACK = """
import asyncio, sys
from pinecone_assistant_async.testing import Emulator
async def main():
    async with Emulator(port=int(sys.argv[1]), instant=True) as emu:
        print("listening on", emu.url, flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _has_cli(repo: Path) -> bool:
    return (repo / "pinecone_assistant_async" / "testing" / "__main__.py").exists()


def start_server(repo: Path, port: int, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the emulator process; return it once it answers HTTP, and how it was started."""
    if _has_cli(repo):
        args = [sys.executable, "-m", "pinecone_assistant_async.testing"]
        args += ["--port", str(port), "--instant"]
        how = "python -m pinecone_assistant_async.testing --instant"
    else:
        args = [sys.executable, "-c", FALLBACK, str(port)]
        how = "Emulator(instant=True) (no CLI in this checkout)"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(args, cwd=repo, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, how
        except OSError:
            time.sleep(0.05)
    stop_server(proc)
    raise RuntimeError("the server did not start listening within 30 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class CpuSampler:
    """Samples a process's CPU seconds (user + system) every ``interval`` in a thread."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self._proc = psutil.Process(pid)
        self._interval = interval
        self._times: list[float] = []
        self._cpu: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            cpu = self._proc.cpu_times()
        except psutil.Error:
            return
        with self._lock:
            self._times.append(time.time())
            self._cpu.append(cpu.user + cpu.system)

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(self._interval):
            self._sample()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _at(self, when: float) -> float:
        with self._lock:
            times, cpu = self._times, self._cpu
            i = bisect.bisect_left(times, when)
            if i <= 0:
                return cpu[0] if cpu else 0.0
            if i >= len(times):
                return cpu[-1]
            t0, t1 = times[i - 1], times[i]
            share = (when - t0) / (t1 - t0) if t1 > t0 else 1.0
            return cpu[i - 1] + share * (cpu[i] - cpu[i - 1])

    def share(self, start: float, end: float) -> float | None:
        """CPU seconds used in [start, end] divided by its wall time (1.0 = one core busy)."""
        if end <= start:
            return None
        time.sleep(2 * self._interval)  # let the sampler pass the window's end
        return (self._at(end) - self._at(start)) / (end - start)


async def _check(resp: aiohttp.ClientResponse) -> dict[str, object]:
    body = await resp.json()
    if resp.status >= 300:
        raise RuntimeError(f"{resp.method} {resp.url} -> {resp.status}: {body}")
    assert isinstance(body, dict)
    return body


async def _until(session: aiohttp.ClientSession, url: str, field: str, value: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with session.get(url) as resp:
            body = await _check(resp)
        if body.get(field) == value:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} never reached {field}={value}")


async def _create(session: aiohttp.ClientSession, base: str, name: str) -> None:
    async with session.post(f"{base}/assistants", json={"name": name}) as resp:
        await _check(resp)
    await _until(session, f"{base}/assistants/{name}", "status", "Ready")


async def _prepare(url: str, workdir: Path) -> None:
    base = f"{url}/assistant"
    async with aiohttp.ClientSession(headers=raw_headers()) as session:
        await _create(session, base, CHAT_ASSISTANT)
        knowledge = workdir / "handbook.txt"
        knowledge.write_text(KNOWLEDGE * 4, encoding="utf-8")
        form = aiohttp.FormData()
        form.add_field("file", knowledge.read_bytes(), filename=knowledge.name)
        async with session.post(f"{base}/files/{CHAT_ASSISTANT}", data=form) as resp:
            operation = await _check(resp)
        file_url = f"{base}/files/{CHAT_ASSISTANT}/{operation['file_id']}"
        await _until(session, file_url, "status", "Available")


def prepare(url: str, workdir: Path) -> None:
    """Create the chat assistant with one Available file (the knowledge the chats draw on)."""
    asyncio.run(_prepare(url, workdir))


async def _fresh(url: str, name: str, old: str | None) -> None:
    base = f"{url}/assistant"
    async with aiohttp.ClientSession(headers=raw_headers()) as session:
        if old:
            async with session.delete(f"{base}/assistants/{old}") as resp:
                await resp.read()
        await _create(session, base, name)


def fresh_assistant(url: str, name: str, old: str | None = None) -> None:
    """Create the empty assistant ``name`` (and delete ``old``, freeing the server's memory)."""
    asyncio.run(_fresh(url, name, old))


def make_files(workdir: Path, count: int, size: int, big_mb: int) -> tuple[Path, Path]:
    """``count`` distinct text files of ``size`` bytes, and one ``big_mb`` MiB binary file."""
    bulk = workdir / "bulk"
    bulk.mkdir(exist_ok=True)
    words = KNOWLEDGE.split()
    for i in range(count):
        line = f"File {i}. " + " ".join(words[(i + k) % len(words)] for k in range(40)) + "\n"
        text = (line * (size // len(line) + 1))[:size]
        (bulk / f"doc-{i:05d}.txt").write_text(text, encoding="ascii")
    big = workdir / "big.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as handle:
        for _ in range(big_mb):
            handle.write(block)
    return bulk, big
