"""Waiting for server-side work, deadlines, and client configuration.

    python examples/waiting_and_configuration.py

Calls that start work on the service (create, upload, upsert, delete) wait for it by default
and return the finished object; ``wait=False`` returns at once and you wait when you choose.
Every wait has a finite ``timeout`` in seconds; running out raises ``WaitTimeoutError`` with
the last state seen.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from _common import target, unique_name

from pinecone_assistant_async import RetryPolicy, Timeouts, WaitTimeoutError


async def main() -> dict[str, Any]:
    # Deadlines and retries are plain values; the session can be yours (then you close it).
    timeouts = Timeouts(total=30, connect=5, stream_idle=20)
    retry = RetryPolicy(max_retries=4, max_backoff=5.0)
    async with (
        target() as where,
        aiohttp.ClientSession() as session,
        where.client(timeout=timeouts, retry=retry, session=session) as client,
    ):
        name = unique_name("waiting")
        created = await client.assistants.create(name, wait=False)  # returns at once
        print(f"{created.name}: {created.status}")
        try:
            try:
                await client.assistants.wait_until_ready(name, timeout=0.01)
            except WaitTimeoutError as exc:
                print(f"not ready after {exc.timeout} s; last seen: {exc.last.status}")
                timed_out = exc.last.status
            ready = await client.assistants.wait_until_ready(name, timeout=120)
            print(f"{ready.name}: {ready.status}")

            # Start an upload, do other work, then wait for its operation and the file.
            operation = await client.files.upload(
                name, b"Lamps ship within two days.", file_name="shipping.txt", wait=False
            )
            print(f"operation {operation.id}: {operation.status}")
            done = await client.operations.wait(name, operation.id, timeout=120)
            assert done.file_id is not None
            file = await client.files.wait_until_available(name, done.file_id, timeout=120)
            print(f"{file.name}: {file.status}")
        finally:
            await client.assistants.delete(name, timeout=120)
        closed_with_client = session.closed
    return {
        "created": created.status,
        "timed_out": timed_out,
        "ready": ready.status,
        "operation": done.status,
        "file": file.status,
        "session_closed_with_client": closed_with_client,
    }


if __name__ == "__main__":
    asyncio.run(main())
