"""A file name that is blank or not text fails before any request, and a file on disk that
changes size between two attempts of one upload fails instead of sending part of it.

The file is changed from the emulator's response hook, right after the first attempt was
answered 503 and before the client retries, so the timing is exact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pinecone_assistant_async import InvalidInputError, InvalidTypeError
from pinecone_assistant_async.testing import Emulator, ObservedResponse
from tests.conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

UPLOADS = "^/assistant/files/docs"
SMALL = b"The office opens at nine.\n" * 100  # read in one piece
LARGE = b"0123456789abcdef" * (65536 + 4096)  # over 1 MiB: streamed from disk in pieces


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
async def test_a_blank_file_name_fails_before_any_request(docs: Emulator, name: str) -> None:
    async with docs.client() as client:
        with pytest.raises(InvalidInputError, match="file_name"):
            await client.files.upload("docs", SMALL, file_name=name)
        with pytest.raises(InvalidInputError, match="file_name"):
            await client.files.upsert("docs", "f1", SMALL, file_name=name)
    assert docs.count() == 0


@pytest.mark.parametrize("name", [123, b"a.txt", ["a.txt"]])
async def test_a_file_name_that_is_not_text_fails_before_any_request(
    docs: Emulator, name: Any, tmp_path: Path
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(SMALL)
    async with docs.client() as client:
        for source in (SMALL, path):
            with pytest.raises(InvalidTypeError, match="file_name"):
                await client.files.upload("docs", source, file_name=name)
    assert docs.count() == 0


async def test_a_given_file_name_replaces_the_name_of_the_path(
    docs: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "on-disk.txt"
    path.write_bytes(SMALL)
    async with docs.client() as client:
        uploaded = await client.files.upload("docs", path, file_name="shown.txt")
        with pytest.raises(InvalidInputError, match="file_name"):
            await client.files.upload("docs", path, file_name=" ")
    assert uploaded.name == "shown.txt"


def _change_after_first_refusal(change: Callable[[], None]) -> Callable[[ObservedResponse], None]:
    done: list[bool] = []

    def hook(observed: ObservedResponse) -> None:
        if observed.status == 503 and not done:
            done.append(True)
            change()

    return hook


def _uploads(emu: Emulator) -> list[tuple[int, int | None]]:
    return [
        (r.status or 0, r.body_size)
        for r in emu.requests
        if r.method == "POST" and r.path.startswith("/assistant/files/")
    ]


# A file over 1 MiB is streamed from disk while aiohttp sends it: the size check fires inside
# aiohttp's body writer, which wraps it in a ClientConnectionError; the transport unwraps it.
@pytest.mark.parametrize("data", [pytest.param(SMALL, id="small"), pytest.param(LARGE, id="large")])
@pytest.mark.parametrize("change", ["grows", "shrinks"])
async def test_a_file_that_changes_size_between_attempts_is_not_sent_in_part(
    tmp_path: Path, data: bytes, change: str
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(data)

    def alter() -> None:
        with path.open("ab" if change == "grows" else "r+b") as handle:
            if change == "grows":
                handle.write(b"one more line\n")
            else:
                handle.truncate(len(data) - 10)

    hook = _change_after_first_refusal(alter)
    async with Emulator(instant=True, record=True, on_response=hook) as emu:
        async with emu.client() as client:
            await client.assistants.create("docs")
        emu.add_fault("status=503;times=1", path=UPLOADS, method="POST")
        async with emu.client(retry=FAST_RETRY) as client:
            with pytest.raises(InvalidInputError, match="changed size while being uploaded"):
                await client.files.upload("docs", path)
            listed = [f async for f in client.files.list("docs")]
    assert listed == []  # nothing was stored, neither whole nor in part
    statuses = [status for status, _ in _uploads(emu)]
    assert statuses[0] == 503
    assert 202 not in statuses


async def test_a_file_that_keeps_its_size_is_resent_whole(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(SMALL)
    hook = _change_after_first_refusal(lambda: path.write_bytes(SMALL.upper()))
    async with Emulator(instant=True, record=True, on_response=hook) as emu:
        async with emu.client() as client:
            await client.assistants.create("docs")
        emu.add_fault("status=503;times=1", path=UPLOADS, method="POST")
        async with emu.client(retry=FAST_RETRY) as client:
            uploaded = await client.files.upload("docs", path)
    assert uploaded.size == len(SMALL)
    assert [status for status, _ in _uploads(emu)] == [503, 202]
