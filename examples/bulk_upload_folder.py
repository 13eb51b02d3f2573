"""Bulk upload: a whole folder, 16 files at a time, with progress and a per-file report.

    python examples/bulk_upload_folder.py

Each file gets an id derived from its path and goes through ``upsert``, so running the same
upload again sends nothing that is already there unchanged (and never creates duplicates).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import anyio
from _common import connect, unique_name

from pinecone_assistant_async.bulk import BulkProgress


async def write_notes(folder: Path, count: int) -> None:
    """A folder of meeting notes in two sub-folders, and one JSON file that is not valid."""
    for i in range(count):
        team = "design" if i % 2 else "support"
        path = anyio.Path(folder / team / f"meeting-{i:03}.md")
        await path.parent.mkdir(parents=True, exist_ok=True)
        await path.write_text(f"# Meeting {i}\n\nThe {team} team met on day {i} of the project.\n")
    await anyio.Path(folder / "broken.json").write_text('{"this is": not json')


async def main(count: int = 40) -> dict[str, Any]:
    progress: list[BulkProgress] = []

    def on_progress(p: BulkProgress) -> None:  # may also be an async function
        progress.append(p)
        print(
            f"\r{p.files_done}/{p.files_total} files, {p.bytes_done}/{p.bytes_total} bytes",
            end="",
            flush=True,
        )

    async with connect() as client:
        name = unique_name("bulk")
        await client.assistants.create(name)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp) / "notes"
                await write_notes(folder, count)

                report = await client.files.upload_many(
                    name, [folder], concurrency=16, on_progress=on_progress
                )
                # str(report) counts only what happened: "41 files: 40 available, 1 failed ..."
                print(f"\nfirst run: {report}")
                for result in report.failed:
                    print(f"  failed: {result.key}: {result.reason}")

                # Nothing changed, so nothing is sent again.
                again = await client.files.upload_many(name, [folder], concurrency=16)
                print(f"second run: {again}")
            stored = [f async for f in client.files.list(name)]
            print(f"the assistant holds {len(stored)} files")
        finally:
            await client.assistants.delete(name)
    return {
        "first": report.counts,
        "failed": [r.key for r in report.failed],
        "second": again.counts,
        "stored": len(stored),
        "progress": progress,
    }


if __name__ == "__main__":
    asyncio.run(main())
