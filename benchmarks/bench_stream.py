"""Chat stream throughput: this SDK against raw aiohttp on the same 20,000-chunk stream.

The server runs in a child process so that its CPU time does not count against either client:

* ``--source emulator`` (default): the embedded emulator (``instant=True``), an assistant with
  one file, and the control header ``X-Emulator-Control: stream_chunks=N`` so that every chat
  stream carries exactly N content chunks (plus message_start and message_end). The emulator
  writes one event per ``write()``, the way a token-by-token service does.
* ``--source local``: a tiny aiohttp.web server answering with a pre-built body of the same
  shape in 64 KiB writes: the cleanest measure of client-side parsing alone.

Per round, each contender reads one whole stream over loopback:

* ours: ``async with client.chat_stream(...) as s: async for chunk in s`` (typed chunks,
  accumulation for ``final()`` included);
* raw: ``aiohttp`` reading lines with ``async for line in resp.content`` and ``json.loads`` on
  each ``data:`` payload (no validation, no typing, no error checks).

Printed: chunks per second from the first chunk to the end of the stream (best and median over
the rounds), time to first chunk from the start of the call (median), and the ratio ours/raw.
Run from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_stream.py [--source emulator|local]
        [--chunks 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import aiohttp
from aiohttp import web

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.testing import Emulator

ASSISTANT = "bench"
QUESTION = "When does the office open?"
DOCUMENT = b"The office opens at nine. Lunch is served at noon. Parking is free for staff.\n"
API_KEY = "bench-key"


def _local_body(chunks: int) -> bytes:
    def event(payload: dict[str, object]) -> bytes:
        return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"

    head = {"id": "r1", "model": "gpt-4o"}
    parts = [event({"type": "message_start", **head, "role": "assistant"})]
    parts += [
        event({"type": "content_chunk", **head, "delta": {"content": f"word{i % 97} "}})
        for i in range(chunks)
    ]
    usage = {"prompt_tokens": 10, "completion_tokens": chunks, "total_tokens": chunks + 10}
    parts.append(event({"type": "message_end", **head, "finish_reason": "stop", "usage": usage}))
    return b"".join(parts)


async def _serve_local(chunks: int) -> tuple[str, Callable[[], Awaitable[None]]]:
    body = _local_body(chunks)

    async def assistant(request: web.Request) -> web.Response:
        host = f"http://{request.host}"
        return web.json_response({"name": ASSISTANT, "status": "Ready", "host": host})

    async def chat(request: web.Request) -> web.StreamResponse:
        await request.read()
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        for start in range(0, len(body), 65536):
            await resp.write(body[start : start + 65536])
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/assistant/assistants/{name}", assistant)
    app.router.add_post("/assistant/chat/{name}", chat)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}", runner.cleanup


async def _serve_emulator() -> tuple[str, Callable[[], Awaitable[None]]]:
    emu = Emulator(instant=True, api_key=API_KEY)
    await emu.start()
    async with emu.client() as client:
        await client.assistants.create(ASSISTANT)
        await client.files.upload(ASSISTANT, DOCUMENT, file_name="guide.txt")
    return emu.url, emu.stop


def _server_main(source: str, chunks: int, conn: Connection) -> None:
    async def main() -> None:
        url, stop = await (_serve_local(chunks) if source == "local" else _serve_emulator())
        conn.send(url)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # wait for the parent's "stop"
        await stop()

    asyncio.run(main())


@dataclass
class Run:
    chunks: int
    ttfc: float  # seconds from the call to the first chunk
    body: float  # seconds from the first chunk to the end

    @property
    def rate(self) -> float:
        return (self.chunks - 1) / self.body


async def run_ours(client: AssistantClient) -> Run:
    started = time.perf_counter()
    first = 0.0
    count = 0
    async with client.chat_stream(ASSISTANT, QUESTION) as stream:
        async for _chunk in stream:
            if count == 0:
                first = time.perf_counter()
            count += 1
    return Run(count, first - started, time.perf_counter() - first)


async def run_raw(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> Run:
    body = {"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    started = time.perf_counter()
    first = 0.0
    count = 0
    async with session.post(url, json=body, headers=headers) as resp:
        resp.raise_for_status()
        async for line in resp.content:
            if line.startswith(b"data:"):
                json.loads(line[5:])
                if count == 0:
                    first = time.perf_counter()
                count += 1
    return Run(count, first - started, time.perf_counter() - first)


async def bench(url: str, source: str, chunks: int, rounds: int) -> None:
    control = {"X-Emulator-Control": f"stream_chunks={chunks}"} if source == "emulator" else {}
    headers = {"Api-Key": API_KEY, "X-Pinecone-Api-Version": "2026-07", **control}
    chat_url = f"{url}/assistant/chat/{ASSISTANT}"
    ours: list[Run] = []
    raw: list[Run] = []
    async with (
        AssistantClient(api_key=API_KEY, host=url, extra_headers=control) as client,
        aiohttp.ClientSession() as session,
    ):
        await run_ours(client)  # warm up: host lookup, connections, code paths
        await run_raw(session, chat_url, headers)
        for _ in range(rounds):
            ours.append(await run_ours(client))
            raw.append(await run_raw(session, chat_url, headers))
    for name, runs in (("ours", ours), ("raw aiohttp", raw)):
        rates = [r.rate for r in runs]
        print(
            f"{name:12} {runs[0].chunks:6d} chunks  best {max(rates):10,.0f}/s  "
            f"median {statistics.median(rates):10,.0f}/s  "
            f"TTFC median {statistics.median(r.ttfc for r in runs) * 1e3:6.2f} ms"
        )
    best = max(r.rate for r in ours) / max(r.rate for r in raw)
    median = statistics.median(r.rate for r in ours) / statistics.median(r.rate for r in raw)
    print(f"ratio ours/raw: best {best:.2f}  median {median:.2f}  (target >= 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("emulator", "local"), default="emulator")
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_server_main, args=(args.source, args.chunks, child))
    server.start()
    try:
        url = parent.recv()
        print(f"source: {args.source} at {url}, {args.chunks} content chunks, {args.rounds} rounds")
        asyncio.run(bench(url, args.source, args.chunks, args.rounds))
    finally:
        parent.send("stop")
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()


if __name__ == "__main__":
    main()
