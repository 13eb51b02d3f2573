"""One of the processes of tests/test_redis_limits.py: uploads its folder, prints its report.

    python tests/redis_upload_worker.py EMULATOR_URL API_KEY MINUTE FOLDER [REDIS_URL]

Without REDIS_URL the limiter's state stays in this process (the overshoot baseline).
"""

from __future__ import annotations

import json
import sys

import anyio

from pinecone_assistant_async import AssistantClient, RateLimits, RetryPolicy
from pinecone_assistant_async.redis_limits import RedisBackend


async def main(url: str, key: str, minute: float, folder: str, redis_url: str | None) -> None:
    backend = RedisBackend.from_url(redis_url, prefix="test") if redis_url else None
    limits = RateLimits.standard(minute=minute, backend=backend)
    retry = RetryPolicy(max_retries=20, max_backoff=minute, budget_burst=1000)
    try:
        async with AssistantClient(api_key=key, host=url, rate_limits=limits, retry=retry) as c:
            report = await c.files.upload_many("shared", folder, concurrency=8)
            pacer = c._t.pacer
            refusals = dict(pacer.refusals)
    finally:
        if backend is not None:
            await backend.aclose()
    out = {
        "counts": report.counts,
        "refusals": refusals,
        "reasons": [r.reason for r in report.failed],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    args = sys.argv[1:]
    anyio.run(main, args[0], args[1], float(args[2]), args[3], args[4] if len(args) > 4 else None)
