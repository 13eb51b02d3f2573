"""Load and memory benchmark for the emulator (loopback only, bounded in count and time).

    .venv/bin/python benchmarks/emulator_load.py [--connections 256] [--requests 40000]
        [--duration 20] [--endpoint describe|list|chat] [--files 10000]

The emulator runs in its own process (`python -m pinecone_assistant_async.testing --instant
--port 0`) so the load generator does not share its CPU time or GIL. The script reports:

1. requests per second the emulator sustains with `--connections` concurrent keep-alive
   connections (aiohttp client, one task per connection), with latency percentiles;
2. the emulator process's resident memory (RSS, via psutil) before and after storing
   `--files` small text files (uploaded with 64 concurrent requests).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import psutil

REPO = Path(__file__).resolve().parents[1]
KEY = "bench-key"
QUESTION = {"messages": [{"role": "user", "content": "What does file 7 say about rivers?"}]}


async def start_server() -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pinecone_assistant_async.testing",
        "--port", "0", "--instant", "--api-key", KEY,
        cwd=REPO, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    await asyncio.wait_for(proc.stdout.readline(), 30)
    return proc, line.strip().rsplit(" ", 1)[1]


async def upload(session: aiohttp.ClientSession, number: int) -> None:
    form = aiohttp.FormData()
    text = f"File {number} talks about rivers and mountains number {number}.\n"
    form.add_field("file", text.encode(), filename=f"f{number}.txt")
    async with session.post("/assistant/files/bench", data=form) as resp:
        assert resp.status == 202, await resp.text()
        await resp.read()


async def load(
    session: aiohttp.ClientSession, endpoint: str, connections: int, total: int, duration: float
) -> None:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    remaining = total
    deadline = time.perf_counter() + duration

    async def one() -> None:
        if endpoint == "chat":
            ctx = session.post("/assistant/chat/bench", json=QUESTION)
        elif endpoint == "list":
            ctx = session.get("/assistant/assistants")
        else:
            ctx = session.get("/assistant/assistants/bench")
        async with ctx as resp:
            await resp.read()
            statuses[resp.status] = statuses.get(resp.status, 0) + 1

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            start = time.perf_counter()
            await one()
            latencies.append(time.perf_counter() - start)

    for _ in range(min(200, total)):  # warm up the connections
        await one()
    statuses.clear()
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{endpoint}: {len(latencies)} requests in {elapsed:.2f} s with {connections} "
        f"connections -> {len(latencies) / elapsed:,.0f} req/s; latency p50 {q[49] * 1e3:.1f} ms, "
        f"p99 {q[98] * 1e3:.1f} ms; statuses {statuses}"
    )


async def main(args: argparse.Namespace) -> None:
    proc, url = await start_server()
    server = psutil.Process(proc.pid)
    try:
        connector = aiohttp.TCPConnector(limit=args.connections)
        headers = {"Api-Key": KEY}
        async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
            async with session.post("/assistant/assistants", json={"name": "bench"}) as resp:
                assert resp.status == 200
            if args.endpoint == "chat":
                for n in range(20):
                    await upload(session, n)
            await load(session, args.endpoint, args.connections, args.requests, args.duration)
            if args.files:
                before = server.memory_info().rss
                began = time.perf_counter()
                sem = asyncio.Semaphore(64)

                async def bounded(n: int) -> None:
                    async with sem:
                        await upload(session, n)

                await asyncio.gather(*(bounded(n) for n in range(args.files)))
                spent = time.perf_counter() - began
                after = server.memory_info().rss
                print(
                    f"memory: emulator RSS {before / 2**20:.1f} MiB before, "
                    f"{after / 2**20:.1f} MiB with {args.files:,} more small files stored "
                    f"(+{(after - before) / 2**20:.1f} MiB; uploads took {spent:.1f} s, "
                    f"{args.files / spent:,.0f} uploads/s)"
                )
    finally:
        proc.terminate()
        await proc.wait()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--requests", type=int, default=40_000, help="upper bound on requests")
    parser.add_argument("--duration", type=float, default=20.0, help="upper bound in seconds")
    parser.add_argument("--endpoint", choices=("describe", "list", "chat"), default="describe")
    parser.add_argument("--files", type=int, default=10_000, help="0 skips the memory phase")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
