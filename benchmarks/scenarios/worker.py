"""One scenario for one client, in a fresh process.

``python -m benchmarks.scenarios.worker '<WorkerJob JSON>'`` imports only that client's adapter,
runs the driver under a hard time limit and prints one line ``RESULT {json}``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import traceback
from typing import Any

from .drivers import DRIVERS, HARD_LIMIT, Measured
from .spec import Sizes, WorkerJob, stream_header

__all__ = ["ADAPTERS", "main"]

ADAPTERS = {
    "raw": ("benchmarks.scenarios.client_raw", "RawAdapter"),
    "typed": ("benchmarks.scenarios.client_typed", "TypedAdapter"),
    "ours": ("benchmarks.scenarios.client_ours", "OursAdapter"),
    "official": ("benchmarks.scenarios.client_official", "OfficialAdapter"),
}


def make_adapter(client: str, url: str) -> Any:
    module_name, class_name = ADAPTERS[client]
    return getattr(importlib.import_module(module_name), class_name)(url)


async def run(job: WorkerJob) -> tuple[Measured, str]:
    sizes = Sizes(**job.sizes)
    adapter = plain = make_adapter(job.client, job.url)
    if job.scenario == "c":
        await adapter.open(extra_headers=stream_header(sizes.stream_chunks))
        plain = make_adapter(job.client, job.url)
    await plain.open()
    try:
        driver = DRIVERS[job.scenario](adapter, sizes, job, plain)
        measured = await asyncio.wait_for(driver, HARD_LIMIT)
    finally:
        await adapter.aclose()
        if plain is not adapter:
            await plain.aclose()
    return measured, str(adapter.mode)


def main(argv: list[str]) -> int:
    job = WorkerJob(**json.loads(argv[0]))
    hooks = None
    if job.profile:
        profiling = importlib.import_module("benchmarks.scenarios.profiling")
        hooks = profiling.ProfileHooks(job.profile, f"{job.scenario}-{job.client}")
        hooks.install()
    try:
        measured, mode = asyncio.run(run(job))
    except Exception as exc:
        traceback.print_exc()
        print("RESULT " + json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 1
    out: dict[str, Any] = {
        "metrics": measured.metrics,
        "window": list(measured.window),
        "client_cpu": measured.client_cpu,
        "mode": mode,
    }
    if hooks is not None:
        out["profile_files"] = hooks.write()
    print("RESULT " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
