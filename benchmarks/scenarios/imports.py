"""f. Cold start in fresh interpreters (median of repeats): import, first client, first call.

Every program times itself from its first line: the import, then a first client made, then one
chat answered (the data-plane host looked up first, as every client must). Raw aiohttp's
import is a bare ``import aiohttp``: the floor for anything built on it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any

from .spec import API_KEY, CHAT_ASSISTANT, QUESTION

__all__ = ["PROGRAMS", "measure_imports"]

_PRELUDE = """
import time, sys, json as _json
_t0 = time.perf_counter()
"""

_EPILOGUE = """
_t3 = time.perf_counter()
print("IMPORTS " + _json.dumps({"import_s": _t1 - _t0, "first_client_s": _t2 - _t0,
      "first_call_s": _t3 - _t0, "leaked": _leaked}))
"""

# Each program: the import (t1), a first client made inside a running loop (t2: for aiohttp a
# ClientSession must be), then one chat answered, the data-plane host looked up first (t3).
RAW = """
import aiohttp
_t1 = time.perf_counter()
_leaked = []
import asyncio, orjson
async def _first():
    global _t2
    h = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
    s = aiohttp.ClientSession(headers=h)
    _t2 = time.perf_counter()
    async with s:
        async with s.get(URL + "/assistant/assistants/" + NAME) as r:
            host = orjson.loads(await r.read())["host"]
        body = orjson.dumps({"messages": [{"role": "user", "content": Q}], "model": "gpt-4o"})
        json_type = {"Content-Type": "application/json"}
        async with s.post(host + "/assistant/chat/" + NAME, data=body, headers=json_type) as r:
            assert orjson.loads(await r.read())["message"]["content"]
asyncio.run(_first())
"""

OURS = """
import pinecone_assistant_async
_t1 = time.perf_counter()
_leaked = sorted(m for m in sys.modules if m.startswith("pinecone_assistant_async.")
                 and {"testing", "cli", "__main__"} & set(m.split(".")))
import asyncio
async def _first():
    global _t2
    c = pinecone_assistant_async.AssistantClient(api_key=KEY, host=URL)
    _t2 = time.perf_counter()
    async with c:
        assert (await c.chat(NAME, Q)).message.content
asyncio.run(_first())
"""

OFFICIAL = """
import pinecone
_t1 = time.perf_counter()
_leaked = []
import asyncio
async def _first():
    global _t2
    pc = pinecone.AsyncPinecone(api_key=KEY, host=URL)
    _t2 = time.perf_counter()
    async with pc:
        r = await pc.assistants.chat(assistant_name=NAME, messages=[{"role": "user",
                                     "content": Q}])
        assert r.message.content
asyncio.run(_first())
"""

PROGRAMS = {"raw": RAW, "ours": OURS, "official": OFFICIAL}


def _program(client: str, url: str) -> str:
    constants = f"URL = {url!r}\nKEY = {API_KEY!r}\nNAME = {CHAT_ASSISTANT!r}\nQ = {QUESTION!r}\n"
    return _PRELUDE + constants + PROGRAMS[client] + _EPILOGUE


def run_once(client: str, url: str, cwd: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _program(client, url)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("IMPORTS "):
            result: dict[str, Any] = json.loads(line[8:])
            return result
    raise RuntimeError(f"{client} import program failed: {proc.stderr.strip()[-500:]}")


def measure_imports(clients: list[str], url: str, repeats: int, cwd: str) -> dict[str, Any]:
    """{client: {"metrics": {...}, "spread": {...}, "leaked": [...]} or {"error"}}: the median
    of ``repeats`` fresh interpreters per figure, and its spread (half the range, relative)."""
    out: dict[str, Any] = {}
    runs_of: dict[str, list[dict[str, Any]]] = {c: [] for c in clients}
    for round_ in range(repeats + 1):  # round 0 warms the bytecode caches; interleaved
        for client in clients:
            if client in out:
                continue
            try:
                result = run_once(client, url, cwd)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                out[client] = {"error": str(exc)[:300]}
                continue
            if round_:
                runs_of[client].append(result)
    for client, runs in runs_of.items():
        if client in out:
            continue
        metrics: dict[str, float] = {}
        spread: dict[str, float] = {}
        for key in ("import", "first_client", "first_call"):
            values = [r[f"{key}_s"] * 1e3 for r in runs]
            median = statistics.median(values)
            metrics[f"{key}_ms"] = median
            spread[f"{key}_ms"] = (max(values) - min(values)) / 2 / median if median else 0.0
        out[client] = {"metrics": metrics, "spread": spread, "leaked": runs[-1]["leaked"]}
    return out
