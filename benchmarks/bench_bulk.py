"""Bulk upload: this SDK's ``files.upload_many`` against raw aiohttp doing the same requests.

The emulator runs in instant mode in a child process (``python -m
pinecone_assistant_async.testing --instant``), so its CPU does not count against either client.

Throughput: ``--files`` files of ``--size`` bytes, ``--concurrency`` at a time, each until
Available, ``--rounds`` rounds alternating which contender goes first; every round uploads into a
fresh assistant (so nothing is skipped). Per round and contender the work is the same:

* ours: ``client.files.upload_many(assistant, directory, concurrency=N)``, i.e. one listing of
  the assistant's files, then per file: hash it, ``PUT /files/{assistant}/{id}`` (multipart:
  the file and its metadata with ``content_sha256``), wait for the operation, ``GET`` the file
  until Available; per-file report, retries and validation included;
* raw: aiohttp with a semaphore: the same listing, then per file: read it and hash it in a
  thread, the same multipart ``PUT`` with the same id and metadata, poll the operation while it
  is Processing, ``GET`` the file until Available. No validation, no retries, no report.

Memory: a fresh child process uploads ``--big-files`` files of ``--big-mb`` MB with
``upload_many`` (concurrency 16) and reports its peak RSS above the RSS just before the upload
(psutil sampling every 2 ms, and ``getrusage`` high-water mark). The files are named ``.bin``:
the emulator accepts them and fails their processing at once (unsupported format) instead of
indexing a gigabyte of text; the client's work (hash, streamed upload, wait) is unchanged.

Run from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_bulk.py [--files 500] [--size 4096]
        [--concurrency 16] [--rounds 5] [--big-files 200] [--big-mb 5] [--no-memory]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async._sources import path_file_id

API_KEY = "emulator-api-key"
HEADERS = {"Api-Key": API_KEY, "X-Pinecone-Api-Version": "2026-07"}


# -- the server ---------------------------------------------------------------------------


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pinecone_assistant_async.testing",
            "--port",
            "0",
            "--instant",
            "--api-key",
            API_KEY,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return proc, line.split("listening on", 1)[1].split()[0]


def make_files(directory: Path, count: int, size: int, suffix: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    body = (b"bulk upload benchmark text, " * (size // 28 + 1))[:size]
    for i in range(count):
        head = f"file {i:06d} ".encode()
        (directory / f"f{i:06d}{suffix}").write_bytes(head + body[len(head) :])


# -- the contenders -----------------------------------------------------------------------


async def run_ours(url: str, assistant: str, directory: Path, concurrency: int) -> int:
    async with AssistantClient(api_key=API_KEY, host=url) as client:
        await client.assistants.create(assistant)
        started = time.perf_counter()
        report = await client.files.upload_many(assistant, directory, concurrency=concurrency)
        elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"ours: {report}")
    return int(len(report.available) / elapsed)


def _read_and_hash(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


async def _raw_one(
    session: aiohttp.ClientSession, base: str, assistant: str, root: str, path: Path
) -> None:
    data, digest = await asyncio.to_thread(_read_and_hash, path)
    file_id = path_file_id(f"{root}/{path.name}")
    form = aiohttp.FormData()
    form.add_field("file", data, filename=path.name)
    form.add_field(
        "metadata", json.dumps({"content_sha256": digest}), content_type="application/json"
    )
    async with session.put(
        f"{base}/files/{assistant}/{file_id}", data=form, params={"multimodal": "false"}
    ) as resp:
        operation = await resp.json()
        if resp.status not in (200, 202):
            raise RuntimeError(f"raw upsert -> {resp.status}: {operation}")
    while operation.get("status") == "Processing":
        await asyncio.sleep(0.05)
        async with session.get(f"{base}/operations/{assistant}/{operation['id']}") as resp:
            operation = await resp.json()
    while True:
        async with session.get(f"{base}/files/{assistant}/{file_id}") as resp:
            info = await resp.json()
        if info.get("status") == "Available":
            return
        if info.get("status") == "ProcessingFailed":
            raise RuntimeError(f"raw: processing failed: {info}")
        await asyncio.sleep(0.05)


async def run_raw(url: str, assistant: str, directory: Path, concurrency: int) -> int:
    async with aiohttp.ClientSession(headers=HEADERS) as session:
        async with session.post(
            f"{url}/assistant/assistants", json={"name": assistant, "region": "us"}
        ) as resp:
            resp.raise_for_status()
        started = time.perf_counter()
        async with session.get(f"{url}/assistant/assistants/{assistant}") as resp:
            host = (await resp.json())["host"]
        base = f"{host}/assistant"
        async with session.get(f"{base}/files/{assistant}") as resp:
            await resp.read()
        paths = sorted(await asyncio.to_thread(lambda: list(directory.iterdir())))
        limit = asyncio.Semaphore(concurrency)

        async def one(path: Path) -> None:
            async with limit:
                await _raw_one(session, base, assistant, directory.name, path)

        await asyncio.gather(*(one(p) for p in paths))
        elapsed = time.perf_counter() - started
    return int(len(paths) / elapsed)


# -- memory (child process) ---------------------------------------------------------------


def _rss() -> int:
    return int(psutil.Process().memory_info().rss)


async def memory_worker(url: str, directory: Path, concurrency: int) -> dict[str, Any]:
    async with AssistantClient(api_key=API_KEY, host=url) as client:
        await client.assistants.create("bench-memory")
        warm = directory.parent / "warm"
        make_files(warm, 2, 1024, ".md")
        await client.files.upload_many("bench-memory", warm)  # imports, pool and threads warm
        start = _rss()
        peak = start
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _rss())
                time.sleep(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        report = await client.files.upload_many("bench-memory", directory, concurrency=concurrency)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {
        "start_mb": start / 2**20,
        "peak_above_start_mb": (peak - start) / 2**20,
        "ru_maxrss_above_start_mb": (high_water - start) / 2**20,
        "files": report.files_total,
        "bytes": report.bytes_total,
        "elapsed": elapsed,
        "counts": report.counts,
    }


# -- main ---------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-files", type=int, default=200)
    parser.add_argument("--big-mb", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--memory-worker", nargs=2, metavar=("URL", "DIR"), help=argparse.SUPPRESS)
    return parser.parse_args()


def throughput(args: argparse.Namespace, url: str, tmp: Path) -> None:
    directory = tmp / "small"
    make_files(directory, args.files, args.size, ".md")
    results: dict[str, list[int]] = {"raw": [], "ours": []}
    cpu: dict[str, list[float]] = {"raw": [], "ours": []}
    runners = {"raw": run_raw, "ours": run_ours}
    print(
        f"throughput: {args.files} files x {args.size} B, concurrency {args.concurrency}, "
        f"{args.rounds} rounds"
    )
    for round_ in range(args.rounds):
        order = ["raw", "ours"] if round_ % 2 == 0 else ["ours", "raw"]
        for name in order:
            before = time.process_time()
            rate = asyncio.run(
                runners[name](url, f"bench-{name}-{round_}", directory, args.concurrency)
            )
            per_file = (time.process_time() - before) / args.files * 1e3
            results[name].append(rate)
            cpu[name].append(per_file)
            print(
                f"  round {round_ + 1}: {name:4} {rate:6d} files/s, client CPU "
                f"{per_file:.2f} ms/file",
                flush=True,
            )
    raw, ours = statistics.median(results["raw"]), statistics.median(results["ours"])
    verdict = "PASS" if ours / raw >= 0.85 else "MISS"
    print(
        f"median: raw aiohttp {raw:.0f} files/s, ours {ours:.0f} files/s, "
        f"ratio {ours / raw:.2f} (target >= 0.85: {verdict}); client CPU per file: raw "
        f"{statistics.median(cpu['raw']):.2f} ms, ours {statistics.median(cpu['ours']):.2f} ms"
    )


def memory(args: argparse.Namespace, url: str, tmp: Path) -> None:
    directory = tmp / "big"
    make_files(directory, args.big_files, args.big_mb * 2**20, ".bin")
    print(f"memory: {args.big_files} files x {args.big_mb} MB, concurrency 16 (child process)")
    out = subprocess.run(
        [sys.executable, __file__, "--memory-worker", url, str(directory)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    verdict = "PASS" if result["peak_above_start_mb"] < 64 else "MISS"
    print(
        f"  start RSS {result['start_mb']:.1f} MB; peak above start "
        f"{result['peak_above_start_mb']:.1f} MB (sampled), "
        f"{result['ru_maxrss_above_start_mb']:.1f} MB (getrusage); "
        f"{result['bytes'] / 2**20:.0f} MB sent in {result['elapsed']:.1f} s; "
        f"target < 64 MB: {verdict}"
    )


def main() -> None:
    args = parse_args()
    if args.memory_worker:
        url, directory = args.memory_worker
        print(json.dumps(asyncio.run(memory_worker(url, Path(directory), 16))))
        return
    proc, url = start_emulator()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
            throughput(args, url, Path(tmp))
            if not args.no_memory:
                memory(args, url, Path(tmp))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
