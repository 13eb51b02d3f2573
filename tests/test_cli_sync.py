"""``pinecone-assistant files sync DIR``, run as a subprocess against the emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pinecone_assistant_async.testing import Emulator
from tests.test_cli import cli, cli_json, err, out

pytestmark = pytest.mark.anyio


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(ready_delay=0, processing_delay=0.02, delete_delay=0) as emulator:
        yield emulator


async def test_sync_shows_the_plan_asks_and_mirrors_the_folder(
    emu: Emulator, tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    for i in range(4):
        (folder / f"page{i}.md").write_text(f"page {i}")
    await cli_json(emu, "assistants", "create", "kb")

    asked = await cli(emu, "files", "sync", "kb", str(folder))  # stdin is not a terminal
    assert asked.returncode == 2 and "--yes" in err(asked)
    assert emu.count("PUT") == 0
    assert "4 to upload, 0 to delete" in out(asked)

    first = await cli(emu, "files", "sync", "kb", str(folder), "--yes")
    assert first.returncode == 0, err(first)
    assert emu.count("PUT") == 4

    (folder / "page0.md").unlink()
    (folder / "page1.md").write_text("page 1, edited")
    emu.reset_log()
    plan = await cli_json(emu, "files", "sync", "kb", str(folder), "--dry-run")
    assert plan["plan"]["upload"] == ["kb/page1.md"] and len(plan["plan"]["delete"]) == 1
    assert plan["done"] is None and emu.count("PUT") == 0 and emu.count("DELETE") == 0

    done = await cli(emu, "--json", "files", "sync", "kb", str(folder), "--yes")
    assert done.returncode == 0, err(done)
    result = json.loads(out(done))["done"]
    assert result["uploaded"] == ["kb/page1.md"] and result["deleted"] == plan["plan"]["delete"]
    assert emu.count("PUT") == 1 and emu.count("DELETE") == 1

    again = await cli(emu, "files", "sync", "kb", str(folder))
    assert again.returncode == 0 and "already in sync" in out(again)
