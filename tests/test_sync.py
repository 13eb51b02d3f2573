"""Folder sync: upload_many(delete_missing=True, dry_run=True) against the emulator."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from pinecone_assistant_async import AssistantClient, BulkUploadReport
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio


async def _ids(client: AssistantClient) -> set[str]:
    return {f.id async for f in client.files.list("sync")}


@pytest.fixture
async def setup(tmp_path: Path) -> tuple[Path, Emulator]:
    folder = tmp_path / "kb"
    folder.mkdir()
    for i in range(6):
        (folder / f"f{i}.txt").write_text(f"file {i}")
    return folder, Emulator(ready_delay=0, processing_delay=0.02, delete_delay=0.01)


async def test_dry_run_then_sync_uploads_changed_and_deletes_gone(
    setup: tuple[Path, Emulator],
) -> None:
    folder, emu = setup
    async with emu, emu.client() as client:
        await client.assistants.create("sync")
        first = await client.files.upload_many("sync", folder, delete_missing=True)
        assert first.ok and len(first.available) == 6 and first.deleted == []
        # Uploaded some other way: never a candidate for deletion.
        await client.files.upsert("sync", "by-hand", b"kept", file_name="hand.txt")
        (folder / "f0.txt").unlink()
        (folder / "f1.txt").write_text("file 1, changed")
        (folder / "new.txt").write_text("a new file")
        gone = first.result_for("kb/f0.txt")
        assert gone is not None and gone.file_id is not None

        emu.reset_log()
        plan = await client.files.upload_many("sync", folder, delete_missing=True, dry_run=True)
        assert emu.count("PUT") == 0 and emu.count("DELETE") == 0
        assert sorted(r.key for r in plan.planned) == ["kb/f1.txt", "kb/new.txt"]
        assert plan.deleted == [gone.file_id]
        assert plan.counts["planned"] == 2 and len(plan.skipped) == 4

        done = await client.files.upload_many("sync", folder, delete_missing=True)
        assert done.ok and sorted(r.key for r in done.available) == ["kb/f1.txt", "kb/new.txt"]
        assert done.deleted == [gone.file_id]
        assert emu.count("DELETE") == 1
        await anyio.sleep(0.05)  # the deletion finishes on the service
        ids = await _ids(client)
        assert gone.file_id not in ids and "by-hand" in ids and len(ids) == 7

        again = await client.files.upload_many("sync", folder, delete_missing=True)
        assert again.deleted == [] and len(again.skipped) == 6


async def test_an_interrupted_sync_deletes_nothing_and_resumes(
    setup: tuple[Path, Emulator],
) -> None:
    folder, emu = setup
    async with emu, emu.client() as client:
        await client.assistants.create("sync")
        await client.files.upload_many("sync", folder)
        (folder / "f5.txt").unlink()
        for i in range(40):
            (folder / f"more{i:02}.txt").write_text(f"more {i}")
        report = BulkUploadReport()
        with anyio.CancelScope() as scope:

            def stop(progress: object) -> None:
                if len(report.results) == 10:
                    scope.cancel()  # Ctrl-C halfway through the uploads

            await client.files.upload_many(
                "sync", folder, delete_missing=True, on_progress=stop, report=report,
                concurrency=2, wait=False,
            )  # fmt: skip
        assert report.cancelled and report.deleted == []
        assert emu.count("DELETE") == 0
        await anyio.sleep(0.05)  # what was sent before the interruption is processed
        emu.reset_log()
        resumed = await client.files.upload_many("sync", folder, delete_missing=True)
        assert resumed.ok and len(resumed.deleted) == 1
        assert len(resumed.skipped) >= len(report.results)  # finished work is not redone
        assert emu.count("PUT") == 45 - len(resumed.skipped)
