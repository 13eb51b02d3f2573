"""client.files and client.operations end to end: every source kind, waiting, listing, errors."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pinecone_assistant_async import (
    FileProcessingError,
    FileStatus,
    InvalidInputError,
    InvalidTypeError,
    NotFoundError,
    Operation,
    OperationStatus,
    ServiceUnavailableError,
    UploadNotReplayableError,
    WaitTimeoutError,
)
from pinecone_assistant_async.config import SUPPORTED_API_VERSIONS
from pinecone_assistant_async.testing import Emulator
from tests.conftest import FAST_RETRY, EmulatorFactory

pytestmark = pytest.mark.anyio


async def _ready(emulator: Emulator, name: str = "docs") -> None:
    async with emulator.client() as client:
        await client.assistants.create(name)


def _uploads(emulator: Emulator) -> list[tuple[str, int, str | None]]:
    return [
        (r.method, r.body_size, r.body_sha256)
        for r in emulator.requests
        if r.method in ("POST", "PUT") and r.path.startswith("/assistant/files/")
    ]


async def test_upload_a_path_waits_until_available(emulator: Emulator, tmp_path: Path) -> None:
    await _ready(emulator)
    doc = tmp_path / "guide.md"
    doc.write_text("# Guide\nThe office opens at nine.\n")
    async with emulator.client() as client:
        uploaded = await client.files.upload("docs", doc, metadata={"team": "ops"})
    assert uploaded.status == FileStatus.AVAILABLE
    assert uploaded.name == "guide.md"
    assert uploaded.metadata == {"team": "ops"}
    assert _uploads(emulator) == [
        ("POST", doc.stat().st_size, hashlib.sha256(doc.read_bytes()).hexdigest())
    ]


@pytest.mark.parametrize("version", SUPPORTED_API_VERSIONS)
async def test_upload_metadata_travels_where_the_version_wants_it(
    emulator: Emulator, version: str
) -> None:
    await _ready(emulator)
    async with emulator.client(api_version=version) as client:
        uploaded = await client.files.upload("docs", b"x", file_name="x.txt", metadata={"k": 1})
    assert uploaded.metadata == {"k": 1}
    sent = [r for r in emulator.requests if r.path == "/assistant/files/docs"][-1]
    # 2025-x takes `metadata` as a query parameter; later versions as a form field.
    assert ("metadata" in sent.query) is version.startswith("2025")


async def test_upload_bytes_sync_and_async_streams(emulator: Emulator) -> None:
    await _ready(emulator)

    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"async ", b"stream ", b"content"):
            yield part

    async with emulator.client() as client:
        a = await client.files.upload("docs", b"raw bytes here", file_name="a.txt")
        b = await client.files.upload("docs", io.BytesIO(b"sync stream"), file_name="b.txt")
        c = await client.files.upload("docs", chunks(), file_name="c.txt")
    assert [f.status for f in (a, b, c)] == [FileStatus.AVAILABLE] * 3
    sizes = [size for _, size, _ in _uploads(emulator)]
    assert sizes == [len(b"raw bytes here"), len(b"sync stream"), len(b"async stream content")]


async def test_upload_without_waiting_returns_the_operation(emulator: Emulator) -> None:
    await _ready(emulator)
    async with emulator.client() as client:
        op = await client.files.upload("docs", b"text", file_name="a.txt", wait=False)
        assert isinstance(op, Operation)
        assert op.status == OperationStatus.PROCESSING
        done = await client.operations.wait("docs", op.id, timeout=10)
        described = await client.operations.describe("docs", op.id)
        listed = [o.id async for o in client.operations.list("docs", status="Completed")]
    assert done.status == OperationStatus.COMPLETED
    assert described.file_id == op.file_id
    assert op.id in listed


async def test_upsert_replaces_content_under_the_callers_id(emulator: Emulator) -> None:
    await _ready(emulator)
    async with emulator.client() as client:
        first = await client.files.upsert("docs", "handbook", b"version one", file_name="h.txt")
        second = await client.files.upsert("docs", "handbook", b"version two!", file_name="h.txt")
        files = [f async for f in client.files.list("docs")]
    assert first.id == second.id == "handbook"
    assert [f.id for f in files] == ["handbook"]
    assert files[0].size == len(b"version two!")
    assert [method for method, _, _ in _uploads(emulator)] == ["PUT", "PUT"]


async def test_describe_with_url_list_with_filter_and_pages(emulator: Emulator) -> None:
    await _ready(emulator)
    async with emulator.client() as client:
        for i in range(5):
            await client.files.upsert(
                "docs",
                f"f{i}",
                f"doc {i}".encode(),
                file_name=f"f{i}.txt",
                metadata={"n": i, "kind": "even" if i % 2 == 0 else "odd"},
            )
        with_url = await client.files.describe("docs", "f0", include_url=True)
        without = await client.files.describe("docs", "f0")
        evens = sorted([f.id async for f in client.files.list("docs", filter={"kind": "even"})])
        big = sorted([f.id async for f in client.files.list("docs", filter={"n": {"$gte": 3}})])
        paged = [f.id async for f in client.files.list("docs", limit=2)]
        page = await client.files.list_page("docs", limit=2)
    assert with_url.signed_url and not without.signed_url
    assert evens == ["f0", "f2", "f4"]
    assert big == ["f3", "f4"]
    assert sorted(paged) == [f"f{i}" for i in range(5)]
    assert len(page) == 2 and page.next_token
    filters = [r.query.get("filter") for r in emulator.requests if r.query.get("filter")]
    assert '{"kind":"even"}' in filters


async def test_delete_waits_until_the_file_is_gone(emulator: Emulator) -> None:
    await _ready(emulator)
    async with emulator.client() as client:
        f = await client.files.upload("docs", b"short lived", file_name="tmp.txt")
        await client.files.delete("docs", f.id)
        with pytest.raises(NotFoundError):
            await client.files.describe("docs", f.id)


async def test_processing_failure_raises_with_the_server_message(emulator: Emulator) -> None:
    await _ready(emulator)
    async with emulator.client() as client:
        with pytest.raises(FileProcessingError) as info:
            await client.files.upload(
                "docs", b"EMULATOR:FAIL_PROCESSING please", file_name="bad.txt"
            )
    assert str(info.value)
    assert info.value.last is not None


async def test_processing_deadline_raises_wait_timeout(emulator_factory: EmulatorFactory) -> None:
    async with emulator_factory(processing_delay=30) as emu, emu.client() as client:
        await client.assistants.create("docs")
        with pytest.raises(WaitTimeoutError) as info:
            await client.files.upload("docs", b"slow", file_name="s.txt", timeout=0.3)
    assert info.value.last is not None
    assert getattr(info.value.last.status, "value", None) == "Processing"


async def test_a_retried_upload_resends_the_whole_file(emulator: Emulator, tmp_path: Path) -> None:
    await _ready(emulator)
    doc = tmp_path / "big.txt"
    doc.write_bytes(os.urandom(3 * 1024 * 1024).hex().encode()[: 3 * 1024 * 1024])
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    emulator.add_fault("status=503;times=1", path="^/assistant/files/docs$", method="POST")
    async with emulator.client(retry=FAST_RETRY) as client:
        uploaded = await client.files.upload("docs", doc)
    assert uploaded.status == FileStatus.AVAILABLE
    sent = _uploads(emulator)
    assert len(sent) == 2
    # the refused attempt carried the whole multipart body, the accepted one exactly the file
    assert sent[0][1] > doc.stat().st_size
    assert sent[1][1:] == (doc.stat().st_size, digest)


async def test_a_non_seekable_stream_is_not_resent_short(emulator: Emulator) -> None:
    await _ready(emulator)

    async def once() -> AsyncIterator[bytes]:
        yield b"only once"

    emulator.add_fault("status=503;times=1", path="^/assistant/files/docs$", method="POST")
    async with emulator.client(retry=FAST_RETRY) as client:
        with pytest.raises(UploadNotReplayableError, match="cannot be read again") as info:
            await client.files.upload("docs", once(), file_name="s.txt")
    assert isinstance(info.value.__cause__, ServiceUnavailableError)
    assert len(_uploads(emulator)) == 1  # no second, shorter attempt


async def test_bad_file_input_fails_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    text_file = tmp_path / "t.txt"
    text_file.write_text("x")
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="no such file"):
            await client.files.upload("docs", tmp_path / "missing.txt")
        with pytest.raises(InvalidInputError, match="directory"):
            await client.files.upload("docs", folder)
        with pytest.raises(InvalidInputError, match="file_name"):
            await client.files.upload("docs", b"bytes without a name")
        with pytest.raises(InvalidTypeError, match="binary"), text_file.open("r") as handle:
            await client.files.upload("docs", handle, file_name="t.txt")
        with pytest.raises(InvalidTypeError):
            await client.files.upload("docs", 12345, file_name="n.txt")
        with pytest.raises(InvalidInputError, match="file id"):
            await client.files.upsert("docs", "has spaces", b"x", file_name="x.txt")
        with pytest.raises(InvalidInputError, match="file id"):
            await client.files.upsert("docs", "x" * 129, b"x", file_name="x.txt")
        with pytest.raises(InvalidInputError, match="JSON"):
            await client.files.upload("docs", b"x", file_name="x.txt", metadata={"d": {1, 2}})
        with pytest.raises(InvalidInputError, match="limit"):
            await client.files.list_page("docs", limit=0)
    assert emulator.count() == 0


async def test_special_and_dangling_paths_fail_before_any_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    dangling = tmp_path / "link.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="not a regular file"):
            await client.files.upload("docs", fifo)
        with pytest.raises(InvalidInputError, match="no such file"):
            await client.files.upload("docs", dangling)
    assert emulator.count() == 0


@pytest.mark.parametrize("streamed", [False, True], ids=["in-memory", "streamed"])
@pytest.mark.parametrize("name", ["notes.txt", "résumé.txt", 'say "hi".txt', "a b;c.md"])
async def test_file_names_reach_the_service_unchanged(
    emulator: Emulator, name: str, streamed: bool
) -> None:
    await _ready(emulator)
    source = io.BytesIO(b"hello there") if streamed else b"hello there"
    async with emulator.client() as client:
        uploaded = await client.files.upload("docs", source, file_name=name, metadata={"k": 1})
        with pytest.raises(InvalidInputError, match="control characters"):
            await client.files.upload("docs", b"x", file_name="two\nlines.txt")
    assert uploaded.name == name
    assert uploaded.metadata == {"k": 1}
    sent = [r for r in emulator.requests if r.method == "POST" and "/files/" in r.path]
    assert len(sent) == 1
    assert sent[0].file_name == name
    assert sent[0].body_sha256 == hashlib.sha256(b"hello there").hexdigest()
