"""Uploads under faults: a retry re-sends the complete file, a stream that cannot be read twice
fails clearly instead of sending less, and bad sources fail before any request."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    APIConnectionError,
    AssistantClient,
    FileStatus,
    InvalidInputError,
    InvalidTypeError,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
    UploadNotReplayableError,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import FAST_RETRY, FILES, LocalServer

pytestmark = pytest.mark.anyio

# The local servers below read multipart bodies with aiohttp's part reader, which calls its
# own deprecated unread_data() at some chunk boundaries (the emulator silences it itself).
_AIOHTTP_UNREAD = pytest.mark.filterwarnings("ignore:unread_data:DeprecationWarning")

EMPTY_SHA = hashlib.sha256(b"").hexdigest()
SMALL = b"The office opens at nine.\n" * 100
LARGE = (b"0123456789abcdef" * 65536 * 2)[: 2 * 1024 * 1024 + 7]  # streamed from disk in pieces


class OneShot(io.RawIOBase):
    """A readable binary stream that cannot seek (like a pipe or a socket)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _uploads(emu: Emulator) -> list[tuple[str, int, str | None, int | None]]:
    return [
        (r.method, r.body_size, r.body_sha256, r.status)
        for r in emu.requests
        if r.method in ("POST", "PUT") and r.path.startswith("/assistant/files/")
    ]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


Source = Callable[[Path], tuple[Any, bytes]]
SOURCES: dict[str, Source] = {
    "small path": lambda tmp: (_write(tmp / "s.txt", SMALL), SMALL),
    "large path": lambda tmp: (_write(tmp / "l.txt", LARGE), LARGE),
    "bytes": lambda tmp: (SMALL, SMALL),
    "seekable stream at offset 5": lambda tmp: (_at(io.BytesIO(LARGE), 5), LARGE[5:]),
    "open file": lambda tmp: (_write(tmp / "o.txt", LARGE).open("rb"), LARGE),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _at(stream: io.BytesIO, offset: int) -> io.BytesIO:
    stream.seek(offset)
    return stream


@pytest.mark.parametrize("kind", list(SOURCES))
@pytest.mark.parametrize(("method", "status"), [("POST", 503), ("POST", 429), ("PUT", 500)])
async def test_a_retried_upload_resends_the_complete_file(
    docs: Emulator, tmp_path: Path, kind: str, method: str, status: int
) -> None:
    source, expected = SOURCES[kind](tmp_path)
    docs.add_fault(f"status={status};times=1", path="^/assistant/files/docs", method=method)
    try:
        async with docs.client(retry=FAST_RETRY) as client:
            if method == "PUT":
                uploaded = await client.files.upsert("docs", "f1", source, file_name="a.txt")
            else:
                uploaded = await client.files.upload("docs", source, file_name="a.txt")
    finally:
        if hasattr(source, "close"):
            source.close()
    assert uploaded.status == FileStatus.AVAILABLE and uploaded.size == len(expected)
    refused, accepted = _uploads(docs)
    assert accepted == (method, len(expected), _sha(expected), 202)
    # the refused attempt was answered before its file part was parsed: the emulator only
    # knows its whole multipart size, which holds the complete file and the part headers
    assert refused[0] == method and refused[3] == status and refused[1] > len(expected)


@pytest.mark.parametrize("kind", ["non-seekable stream", "async iterator"])
async def test_a_stream_that_cannot_be_resent_fails_instead_of_sending_less(
    docs: Emulator, kind: str
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield SMALL[:100]
        yield SMALL[100:]

    source: Any = OneShot(SMALL) if kind == "non-seekable stream" else chunks()
    docs.add_fault("status=503;times=1", path=FILES, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(UploadNotReplayableError) as info:
            await client.files.upload("docs", source, file_name="s.txt")
    assert str(info.value) == (
        "the upload of 's.txt' must be retried but its source is a stream that cannot be read "
        "again; pass a path, bytes or a seekable file to allow retries"
    )
    assert isinstance(info.value.__cause__, ServiceUnavailableError)
    assert [(m, s) for m, _, _, s in _uploads(docs)] == [("POST", 503)]


async def test_a_500_on_a_post_upload_is_not_retried_so_nothing_lands_twice(
    docs: Emulator,
) -> None:
    docs.add_fault("status=500;times=1", path=FILES, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(ServerError):
            await client.files.upload("docs", SMALL, file_name="a.txt")
    assert [(m, s) for m, _, _, s in _uploads(docs)] == [("POST", 500)]


def _hang_up_once(seen: list[bytes]) -> LocalServer:
    """Reads each upload's file part; drops the first connection without answering."""

    async def respond(request: web.Request) -> web.StreamResponse:
        reader = await request.multipart()
        data = b""
        while (part := await reader.next()) is not None:
            if getattr(part, "name", None) == "file":
                data = bytes(await part.read(decode=False))  # type: ignore[union-attr]
        seen.append(data)
        if len(seen) == 1:
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        op = {"id": "op1", "operation_type": "upsert_file", "status": "Processing"}
        return web.json_response({**op, "file_id": "f1"}, status=202)

    return LocalServer(respond)


def _client(server: LocalServer, retry: RetryPolicy = FAST_RETRY) -> AssistantClient:
    return AssistantClient(
        api_key="upload-key-0123456789", host=server.url, data_host=server.url, retry=retry
    )


@_AIOHTTP_UNREAD
@pytest.mark.parametrize(
    "retry", [FAST_RETRY, RetryPolicy.disabled()], ids=["retries", "no retries"]
)
async def test_a_dropped_connection_never_resends_a_one_shot_stream_short(
    retry: RetryPolicy,
) -> None:
    seen: list[bytes] = []
    async with _hang_up_once(seen) as server, _client(server, retry) as client:
        with pytest.raises((UploadNotReplayableError, APIConnectionError)) as info:
            await client.files.upsert("docs", "f1", OneShot(LARGE), file_name="a.txt", wait=False)
    assert seen == [LARGE]  # one complete attempt; never a second, empty one
    if retry.max_retries:
        assert type(info.value) is UploadNotReplayableError
        assert isinstance(info.value.__cause__, APIConnectionError)
    else:
        assert type(info.value) is APIConnectionError


@_AIOHTTP_UNREAD
@pytest.mark.parametrize("kind", ["seekable stream", "large path"])
async def test_a_dropped_connection_resends_a_replayable_source_whole(
    tmp_path: Path, kind: str
) -> None:
    seen: list[bytes] = []
    source: Any = io.BytesIO(LARGE) if kind == "seekable stream" else _write(tmp_path / "l", LARGE)
    async with _hang_up_once(seen) as server, _client(server) as client:
        op = await client.files.upsert("docs", "f1", source, file_name="a.txt", wait=False)
    assert op.id == "op1"
    assert seen == [LARGE, LARGE]


async def test_a_zero_byte_file_is_sent_as_zero_bytes(docs: Emulator, tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty.txt", b"")
    async with docs.client() as client:
        from_path = await client.files.upload("docs", empty)
        from_bytes = await client.files.upload("docs", b"", file_name="e.txt")
    assert from_path.size == from_bytes.size == 0
    assert [(m, n, sha) for m, n, sha, _ in _uploads(docs)] == [("POST", 0, EMPTY_SHA)] * 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read any file, so none is unreadable")
async def test_an_unreadable_file_fails_before_any_request(docs: Emulator, tmp_path: Path) -> None:
    secret = _write(tmp_path / "secret.txt", b"x")
    secret.chmod(0)
    async with docs.client() as client:
        with pytest.raises(InvalidInputError, match="permission denied"):
            await client.files.upload("docs", secret)
    assert docs.count() == 0


async def test_a_path_through_a_file_fails_before_any_request(
    docs: Emulator, tmp_path: Path
) -> None:
    plain = _write(tmp_path / "plain.txt", b"x")
    async with docs.client() as client:
        with pytest.raises(InvalidInputError) as info:
            await client.files.upload("docs", plain / "child.txt")
    assert str(info.value) == f"cannot read {plain / 'child.txt'}: Not a directory"
    assert docs.count() == 0


async def test_a_write_only_file_object_fails_before_any_request(
    docs: Emulator, tmp_path: Path
) -> None:
    async with docs.client() as client:
        with (
            (tmp_path / "w.txt").open("wb") as handle,
            pytest.raises(InvalidTypeError, match="not open for reading"),
        ):
            await client.files.upload("docs", handle, file_name="w.txt")
        with pytest.raises(InvalidInputError, match="closed"):
            await client.files.upload("docs", handle, file_name="w.txt")
    assert docs.count() == 0


async def test_a_directory_fails_before_any_request(docs: Emulator, tmp_path: Path) -> None:
    async with docs.client() as client:
        with pytest.raises(InvalidInputError) as info:
            await client.files.upload("docs", tmp_path)
    assert str(info.value) == f"{tmp_path} is a directory; upload_many() takes directories"
    assert docs.count() == 0


async def test_huge_metadata_fails_before_any_request(docs: Emulator) -> None:
    metadata = {"notes": "x" * (16 * 1024)}
    async with docs.client() as client:
        with pytest.raises(InvalidInputError) as info:
            await client.files.upload("docs", SMALL, file_name="a.txt", metadata=metadata)
        with pytest.raises(InvalidInputError, match="limit is 16384"):
            await client.files.upsert("docs", "f1", SMALL, file_name="a.txt", metadata=metadata)
        fits = await client.files.upload(
            "docs", SMALL, file_name="b.txt", metadata={"notes": "x" * (16 * 1024 - 20)}
        )
    assert str(info.value) == "metadata is 16396 bytes as JSON; the limit is 16384"
    assert fits.metadata == {"notes": "x" * (16 * 1024 - 20)}
    assert [m for m, _, _, _ in _uploads(docs)] == ["POST"]
