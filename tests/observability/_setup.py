"""Shared set-up for the observability tests: an assistant with one available file."""

from __future__ import annotations

from pinecone_assistant_async import RetryPolicy
from pinecone_assistant_async.testing import Emulator

GUIDE = b"The office opens at nine in the morning. Parking is free on the north side.\n"
QUESTION = "When does the office open?"
FAST_RETRY = RetryPolicy(initial_backoff=0.01, max_backoff=0.02)


async def ready_docs(emulator: Emulator, name: str = "docs") -> str:
    """Create ``name`` with the guide uploaded and Available; returns the file id."""
    async with emulator.client() as client:
        await client.assistants.create(name)
        file = await client.files.upload(name, GUIDE, file_name="guide.txt")
    return file.id


def request_ids(emulator: Emulator, method: str, path: str) -> list[str]:
    """The request ids the emulator answered ``method path`` with, oldest first."""
    return [r.request_id for r in emulator.requests if r.method == method and r.path == path]
