"""Four processes share one Redis-backed limiter and stay within the Standard plan together.

A real ``redis-server`` (Debian's package; ``.ci/run`` installs it) runs on a free loopback
port; four worker processes (``tests/redis_upload_worker.py``) upload 15 files each into one
time-compressed Standard emulator served by this test. The same run without the shared
limiter (each process pacing only itself) shows the overshoot: the service refuses uploads.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import redis.asyncio as redis_asyncio

from pinecone_assistant_async import RateLimits
from pinecone_assistant_async.redis_limits import RedisBackend
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "tests" / "redis_upload_worker.py"
SCALE = 1 / 60  # a rate-limit minute lasts one second
PROCESSES = 4
FILES_EACH = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    port = _free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.02)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _folders(root: Path) -> list[Path]:
    folders = []
    for p in range(PROCESSES):
        folder = root / f"worker{p}"
        folder.mkdir()
        for i in range(FILES_EACH):
            (folder / f"w{p}-doc{i:02}.txt").write_text(f"worker {p} document {i}\n")
        folders.append(folder)
    return folders


async def _run_workers(tmp_path: Path, redis_url: str | None) -> tuple[Emulator, list[Any]]:
    emu = Emulator(plan="standard", time_scale=SCALE, processing_delay=0.2)
    async with emu:
        async with emu.client() as client:
            await client.assistants.create("shared")
            await client.assistants.wait_until_ready("shared")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        outputs: list[Any] = []

        async def worker(folder: Path) -> None:
            args = [sys.executable, str(WORKER), emu.url, emu.api_key, str(60 * SCALE)]
            args.append(str(folder))
            if redis_url is not None:
                args.append(redis_url)
            done = await anyio.run_process(args, env=env, check=False)
            assert done.returncode == 0, done.stderr.decode()[-2000:]
            outputs.append(json.loads(done.stdout))

        async with anyio.create_task_group() as tg:
            for folder in _folders(tmp_path):
                tg.start_soon(worker, folder)
    return emu, outputs


async def test_four_processes_sharing_redis_stay_within_standard(
    tmp_path: Path, redis_url: str
) -> None:
    emu, outputs = await _run_workers(tmp_path, redis_url)
    assert len(outputs) == PROCESSES
    assert sum(o["counts"]["available"] for o in outputs) == PROCESSES * FILES_EACH
    assert all(o["counts"]["failed"] == 0 for o in outputs)
    # Within the limit together: the service refused no upload, and its sliding minute never
    # held more than Standard's 20.
    assert emu.limits.refused["file_upload"] == 0
    assert emu.limits.peak["file_upload"] <= 20
    assert emu.limits.admitted["file_upload"] == PROCESSES * FILES_EACH
    print(
        f"\nshared limiter: {emu.limits.admitted['file_upload']} uploads, "
        f"{emu.limits.refused['file_upload']} refused, peak {emu.limits.peak['file_upload']}/20"
    )


async def test_without_the_shared_limiter_the_processes_overshoot(tmp_path: Path) -> None:
    emu, outputs = await _run_workers(tmp_path, None)
    assert len(outputs) == PROCESSES
    # Each process keeps to 20 a minute on its own: together they send up to 80, and the
    # service refuses what goes over its 20.
    assert emu.limits.refused["file_upload"] > 0
    assert sum(sum(o["refusals"].values()) for o in outputs) > 0
    print(
        f"\nper-process limiters: {emu.limits.admitted['file_upload']} uploads admitted, "
        f"{emu.limits.refused['file_upload']} refused"
    )


async def test_the_redis_backend_counts_and_holds(redis_url: str) -> None:
    backend = RedisBackend(redis_asyncio.Redis.from_url(redis_url), prefix="unit")
    try:
        window = 1.0
        tickets = []
        for _ in range(3):
            wait, ticket = await backend.acquire("file_upload", 3, window, 1)
            assert wait == 0.0 and ticket is not None
            tickets.append(ticket)
        wait, ticket = await backend.acquire("file_upload", 3, window, 1)
        assert ticket is None and 0 < wait <= window
        await backend.settle("file_upload", tickets[0], False)  # refused: frees its slot
        wait, ticket = await backend.acquire("file_upload", 3, window, 1)
        assert ticket is not None
        await backend.settle("file_upload", tickets[1], True)
        assert await backend.recent("file_upload", window) == 1
        await backend.block("file_read", 0.5)
        wait, ticket = await backend.acquire("file_read", None, window, 1)
        assert ticket is None and 0.3 < wait <= 0.5
        wait, ticket = await backend.acquire("file_read", None, window, 1, held=False)
        assert ticket is not None
        assert RateLimits.standard(backend=backend).backend is backend
    finally:
        await backend.client.flushdb()
        await backend.aclose()


async def test_a_client_tells_the_redis_backend_of_each_answer(redis_url: str) -> None:
    # In this process (the workers above are others): every answered request settles its
    # admission in Redis, so the shared window holds the successes, dated by their answers.
    backend = RedisBackend(redis_asyncio.Redis.from_url(redis_url), prefix="answers")
    try:
        async with Emulator() as emu:
            limits = RateLimits.standard().with_backend(backend)
            async with emu.client(rate_limits=limits) as client:
                await client.assistants.create("docs")
                for _ in range(3):
                    await client.assistants.describe("docs")
        answered = {k: v for k, v in emu.limits.admitted.items() if v}
        assert answered["assistant_read"] >= 3 and answered["assistant_write"] == 1
        for kind, count in answered.items():
            assert await backend.recent(kind, 60.0) == count, kind
    finally:
        await backend.client.flushdb()
        await backend.aclose()
