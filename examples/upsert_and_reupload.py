"""Upsert: give a file your own id, and replace its content in place when it changes.

A plain upload lets the service pick the id, so uploading the same document twice stores it
twice. ``upsert`` with your id is idempotent: running it again replaces, never duplicates.

    python examples/upsert_and_reupload.py
"""

from __future__ import annotations

import asyncio
from typing import Any

from _common import connect, unique_name

QUESTION = "How much does the Lumen Desk Lamp cost?"


async def main() -> dict[str, Any]:
    async with connect() as client:
        name = unique_name("upsert")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            # Version 1, under our own id; bytes need a file name (its extension picks the parser).
            first = await docs.files.upsert(
                "lamp-pricing",
                b"The Lumen Desk Lamp costs 89 euros, including the power adapter.",
                file_name="pricing.txt",
                metadata={"version": 1},
            )
            before = (await docs.chat(QUESTION)).message.content
            print(f"v1: {before}")

            # Version 2 replaces version 1: same id, new content and metadata.
            second = await docs.files.upsert(
                "lamp-pricing",
                b"Since June 2026 the Lumen Desk Lamp costs 99 euros, power adapter included.",
                file_name="pricing.txt",
                metadata={"version": 2},
            )
            after = (await docs.chat(QUESTION)).message.content
            print(f"v2: {after}")
            ids = [f.id async for f in docs.files.list()]
            print(f"files after two upserts: {ids}")

            # Two plain uploads of the same bytes: two files with ids the service chose.
            note = b"The lamp ships in a recycled cardboard box."
            a = await docs.files.upload(note, file_name="packaging.txt")
            b = await docs.files.upload(note, file_name="packaging.txt")
            print(f"two uploads, two ids: {a.id} {b.id}")
            await docs.files.delete(b.id)  # waits until it is gone
            remaining = sorted([f.id async for f in docs.files.list()])
            print(f"after deleting the duplicate: {remaining}")
        finally:
            await docs.delete()
    return {
        "upsert_ids": (first.id, second.id),
        "metadata": second.metadata,
        "before": before,
        "after": after,
        "ids_after_upserts": ids,
        "upload_ids": (a.id, b.id),
        "remaining": remaining,
    }


if __name__ == "__main__":
    asyncio.run(main())
