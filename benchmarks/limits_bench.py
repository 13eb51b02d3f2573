"""Scenario ``limits``: bulk ingestion at each plan's rate limits (``--scenarios limits``).

    python -m benchmarks --scenarios limits [--quick]

For Starter, Standard and Enterprise, a fresh emulator enforcing that plan (time-compressed:
one rate-limit minute lasts ``MINUTE[plan]`` seconds, service work too) receives the same
folder from each client, all behind the same limits:

* ``ours``: ``upload_many`` with its defaults on a client told the plan
  (``AssistantClient(rate_limits=RateLimits.for_plan(plan, minute=...))``);
* ``ours-adaptive``: the same with no plan given (``RateLimits.adaptive``: learns from 429s);
* ``raw``: raw aiohttp, 16 uploads at a time, each retried after its ``Retry-After`` on 429,
  then its operation polled every 0.2 s until done (the simplest correct client);
* ``official``: Pinecone's SDK (``AsyncPinecone.assistants.upload_file``, 16 at a time; it
  retries 429s itself and polls each upload's operation, then describes the file).

Figures, all counted by the emulator: ``upload/limit`` is how close the uploads came to the
fastest schedule the limit allows: n uploads at L a minute need at least ceil(n / L) - 1
minutes from the first upload to the last (a sliding minute lets L go at once), and the
figure is that over the time they took (1.0: at the limit all the way); ``refused`` the share of all
requests answered 429; ``reads/file`` file list/get requests per file; ``wall`` the seconds
from the first request to the last file done, and ``vs raw`` that time over raw aiohttp's.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from pinecone_assistant_async import AssistantClient, RateLimits
from pinecone_assistant_async.testing import Emulator

__all__ = ["main"]

PLANS = ("starter", "standard", "enterprise")
# plan: (files, seconds a rate-limit minute lasts). A few hundred files where the plan's
# files-per-assistant limit allows (Starter: 100); minutes chosen so each run takes ~10-20 s.
# A compressed minute of a second or more keeps loopback latency (a few ms) as small beside
# it as the service's latency is beside a real minute.
FULL = {"starter": (100, 2.5), "standard": (300, 2.0), "enterprise": (450, 20.0)}
QUICK = {"starter": (15, 2.0), "standard": (50, 2.0), "enterprise": (330, 10.0)}
PROCESSING = 10.0  # seconds the service takes per file (compressed with the minute)
CLIENTS = ("ours", "ours-adaptive", "raw", "official")
CONCURRENCY = 16
RAW_POLL = 0.2
TARGETS = {"upload/limit": 0.95, "refused": 0.02, "reads/file": 1.5}

Uploader = Callable[[str, str, str, list[Path], float, str], Awaitable[int]]


async def _ours(url: str, key: str, name: str, paths: list[Path], minute: float, plan: str) -> int:
    limits = RateLimits.for_plan(plan, minute=minute)
    async with AssistantClient(api_key=key, host=url, rate_limits=limits) as client:
        report = await client.files.upload_many(name, paths)
    return len(report.failed)


async def _adaptive(
    url: str, key: str, name: str, paths: list[Path], minute: float, plan: str
) -> int:
    limits = RateLimits.adaptive(minute=minute)
    async with AssistantClient(api_key=key, host=url, rate_limits=limits) as client:
        report = await client.files.upload_many(name, paths)
    return len(report.failed)


async def _raw(url: str, key: str, name: str, paths: list[Path], minute: float, plan: str) -> int:
    headers = {"Api-Key": key, "X-Pinecone-Api-Version": "2026-07"}
    limit = asyncio.Semaphore(CONCURRENCY)
    failed = 0
    async with aiohttp.ClientSession(url, headers=headers) as session:

        async def one(path: Path) -> None:
            nonlocal failed
            async with limit:
                data = await asyncio.to_thread(path.read_bytes)
                for _ in range(100):
                    form = aiohttp.FormData()
                    form.add_field("file", data, filename=path.name)
                    async with session.post(f"/assistant/files/{name}", data=form) as resp:
                        body = await resp.read()
                        if resp.status == 429:
                            await asyncio.sleep(float(resp.headers.get("Retry-After", "1")))
                            continue
                        if resp.status != 202:
                            failed += 1
                            return
                        op = json.loads(body)
                        break
                else:
                    failed += 1
                    return
            while True:
                await asyncio.sleep(RAW_POLL)
                async with session.get(f"/assistant/operations/{name}/{op['id']}") as resp:
                    if resp.status == 429:
                        continue
                    state = await resp.json()
                if state["status"] != "Processing":
                    failed += state["status"] != "Completed"
                    return

        await asyncio.gather(*(one(p) for p in paths))
    return failed


async def _official(
    url: str, key: str, name: str, paths: list[Path], minute: float, plan: str
) -> int:
    from pinecone import AsyncPinecone

    limit = asyncio.Semaphore(CONCURRENCY)
    failed = 0
    async with AsyncPinecone(api_key=key, host=url, connection_pool_maxsize=64) as pc:

        async def one(path: Path) -> None:
            nonlocal failed
            async with limit:
                try:
                    info = await pc.assistants.upload_file(assistant_name=name, file_path=str(path))
                    failed += info.status != "Available"
                except Exception:  # the official SDK's errors: counted, the others go on
                    failed += 1

        await asyncio.gather(*(one(p) for p in paths))
    return failed


UPLOADERS: dict[str, Uploader] = {
    "ours": _ours,
    "ours-adaptive": _adaptive,
    "raw": _raw,
    "official": _official,
}


def _files(root: Path, count: int) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = root / f"doc{i:04}.txt"
        path.write_text(f"Document {i}.\n\n" + "Rate limits decide how fast this lands. " * 20)
        paths.append(path)
    return paths


def _measure(client: str, plan: str, count: int, minute: float, root: Path) -> dict[str, Any]:
    paths = _files(root / f"{plan}-{client}", count)
    options = {"plan": plan, "time_scale": minute / 60, "ready_delay": 0.0}
    with Emulator.serve_in_thread(processing_delay=PROCESSING, record=False, **options) as emu:
        record = emu.store.create_assistant("bench", instructions=None, metadata=None, region="us")
        assert record is not None
        started = time.perf_counter()
        failed = asyncio.run(UPLOADERS[client](emu.url, emu.api_key, "bench", paths, minute, plan))
        wall = time.perf_counter() - started
        lim = emu.limits
    rate = lim.plan.per_minute["file_upload"] if lim.plan is not None else 0
    uploads = lim.admitted["file_upload"]
    span = (lim.last.get("file_upload", 0.0) - lim.first.get("file_upload", 0.0)) / minute
    fastest = math.ceil(uploads / rate) - 1 if rate else 0
    fraction = fastest / span if span > 0 and fastest > 0 else math.nan
    total = sum(lim.admitted.values()) + sum(lim.refused.values())
    reads = lim.admitted["file_read"] + lim.refused["file_read"]
    return {
        "files": count,
        "failed": failed,
        "upload/limit": fraction,
        "refused": sum(lim.refused.values()) / total if total else 0.0,
        "refused_n": sum(lim.refused.values()),
        "reads/file": reads / count,
        "wall": wall,
    }


def _verdict(cell: dict[str, Any]) -> str:
    ok = (
        cell["failed"] == 0
        and cell["upload/limit"] >= TARGETS["upload/limit"]
        and cell["refused"] <= TARGETS["refused"]
        and cell["reads/file"] <= TARGETS["reads/file"]
    )
    return "PASS" if ok else "MISS"


def render(results: dict[str, dict[str, dict[str, Any]]], quick: bool) -> str:
    sizes = QUICK if quick else FULL
    lines = [
        "Scenario limits: upload_many under each plan's limits (emulator, time-compressed)",
        "targets for ours: upload/limit >= 0.95, refused <= 2%, reads/file <= 1.5, 0 failed",
        "",
        f"{'plan':<11}{'client':<15}{'files':>6}{'failed':>7}{'upload/limit':>13}"
        f"{'refused':>15}{'reads/file':>11}{'wall s':>8}{'vs raw':>8}  verdict",
    ]
    for plan, cells in results.items():
        raw = cells.get("raw", {}).get("wall")
        count, minute = sizes[plan]
        for client, cell in cells.items():
            if "error" in cell:
                lines.append(f"{plan:<11}{client:<15}  error: {cell['error']}")
                continue
            refused = f"{cell['refused']:.1%} ({cell['refused_n']})"
            ratio = f"{cell['wall'] / raw:.2f}" if raw else "-"
            verdict = _verdict(cell) if client == "ours" else ""
            lines.append(
                f"{plan:<11}{client:<15}{cell['files']:>6}{cell['failed']:>7}"
                f"{cell['upload/limit']:>13.3f}{refused:>15}{cell['reads/file']:>11.2f}"
                f"{cell['wall']:>8.1f}{ratio:>8}  {verdict}"
            )
        lines.append(f"{'':<11}(1 minute = {minute:g} s, {count} files)")
    return "\n".join(lines)


def main(quick: bool = False, clients: tuple[str, ...] = CLIENTS) -> int:
    """Run the scenario; returns 1 when ours misses a target."""
    sizes = QUICK if quick else FULL
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="pa-limits-") as tmp:
        for plan in PLANS:
            count, minute = sizes[plan]
            results[plan] = {}
            for client in clients:
                try:
                    cell = _measure(client, plan, count, minute, Path(tmp))
                except ImportError as exc:
                    cell = {"error": f"not installed: {exc.name}"}
                results[plan][client] = cell
                print(f"  limits {plan}/{client}: {cell}", file=sys.stderr, flush=True)
    print(render(results, quick))
    misses = [p for p, cells in results.items() if "error" in cells.get("ours", {"error": 1})
              or _verdict(cells["ours"]) != "PASS"]  # fmt: skip
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main(quick="--quick" in sys.argv))
