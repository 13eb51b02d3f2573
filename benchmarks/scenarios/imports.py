"""f. Import time and time to a first call, each in fresh interpreters (median of repeats).

Every program times itself from its first line: the import, then a client made and one chat
answered (the data-plane host looked up first, as every client must). Raw aiohttp's import is
``import aiohttp, pydantic``: the dependencies this package cannot do without.
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
_t2 = time.perf_counter()
print("IMPORTS " + _json.dumps({"import_s": _t1 - _t0, "first_call_s": _t2 - _t0,
      "leaked": _leaked}))
"""

RAW = """
import aiohttp, pydantic
_t1 = time.perf_counter()
_leaked = []
import asyncio, json
async def _first():
    h = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
    async with aiohttp.ClientSession(headers=h) as s:
        async with s.get(URL + "/assistant/assistants/" + NAME) as r:
            host = json.loads(await r.read())["host"]
        body = {"messages": [{"role": "user", "content": Q}], "model": "gpt-4o"}
        async with s.post(host + "/assistant/chat/" + NAME, json=body) as r:
            assert json.loads(await r.read())["message"]["content"]
asyncio.run(_first())
"""

OURS = """
import pinecone_assistant_async
_t1 = time.perf_counter()
_leaked = sorted(m for m in sys.modules if m.startswith("pinecone_assistant_async.")
                 and {"testing", "cli", "__main__"} & set(m.split(".")))
import asyncio
async def _first():
    async with pinecone_assistant_async.AssistantClient(api_key=KEY, host=URL) as c:
        assert (await c.chat(NAME, Q)).message.content
asyncio.run(_first())
"""

OFFICIAL = """
import pinecone
_t1 = time.perf_counter()
_leaked = []
import asyncio
async def _first():
    async with pinecone.AsyncPinecone(api_key=KEY, host=URL) as pc:
        r = await pc.assistants.chat(assistant_name=NAME, messages=[{"role": "user",
                                     "content": Q}])
        assert r.message.content
asyncio.run(_first())
"""

REFERENCE = """
import aiohttp
from pydantic import BaseModel
_t1 = time.perf_counter()
_leaked = []
"""
"""For reference: ``import pydantic`` alone is lazy; a package of models needs BaseModel."""

PROGRAMS = {"raw": RAW, "ours": OURS, "official": OFFICIAL, "reference": REFERENCE}


def _program(client: str, url: str) -> str:
    constants = (
        f"URL = {url!r}\nKEY = {API_KEY!r}\nNAME = {CHAT_ASSISTANT!r}\nQ = {QUESTION!r}\n"
    )
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
    """{client: {"metrics": {"import_ms", "first_call_ms"}, "leaked"} or {"error"}}."""
    out: dict[str, Any] = {}
    programs = [*clients, "reference"] if "raw" in clients else list(clients)
    runs_of: dict[str, list[dict[str, Any]]] = {c: [] for c in programs}
    for round_ in range(repeats + 1):  # round 0 warms the bytecode caches; interleaved
        for client in programs:
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
        out[client] = {
            "metrics": {
                "import_ms": statistics.median(r["import_s"] for r in runs) * 1e3,
                "first_call_ms": statistics.median(r["first_call_s"] for r in runs) * 1e3,
            },
            "leaked": runs[-1]["leaked"],
        }
    reference = out.pop("reference", {}).get("metrics")
    if reference and "metrics" in out.get("raw", {}):
        out["raw"]["metrics"]["import_basemodel_ms"] = reference["import_ms"]
    return out
