"""File sources turned into multipart bodies that stream from disk and can be sent again.

A source is a path, ``bytes``, a sync binary file object, or an async iterable of bytes.
:func:`prepare` checks it before any request and returns a :class:`PreparedUpload` whose
``body()`` builds a fresh multipart body for each attempt, so a retried upload re-sends the
whole file from its first byte. A source that cannot be read twice (a non-seekable stream, an
async iterator) allows one attempt; asking for a second raises ``UploadNotReplayableError``
instead of sending less.

Paths are read through anyio worker threads, never on the event loop: files up to
``SMALL_FILE`` bytes in one read, larger ones in ``CHUNK``-byte pieces, so memory stays
bounded whatever the size or number of files.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import secrets
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union

import aiohttp
import anyio
from aiohttp.abc import AbstractStreamWriter
from aiohttp.helpers import content_disposition_header
from aiohttp.payload import Payload

from ._disk import CHUNK, SMALL_FILE, stat_source
from .errors import InvalidInputError, InvalidTypeError, UploadNotReplayableError

__all__ = ["FileSource", "PreparedUpload", "prepare"]

# Multipart boundaries: a random per-process prefix and a counter (no urandom per request).
_BOUNDARIES = (f"pcaa{secrets.token_hex(12)}{n:x}" for n in itertools.count())

FileSource = Union[
    str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], AsyncIterable[bytes]
]


def _read_small(path: str, size: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(size + 1)
    if len(data) != size:
        raise InvalidInputError(f"{path} changed size while being uploaded")
    return data


class _PathPayload(Payload):
    """Streams a file from disk in CHUNK pieces through a worker thread."""

    def __init__(self, path: str, size: int, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self._path = path
        self._size = size

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a file payload is not text")

    async def write(self, writer: AbstractStreamWriter) -> None:
        sent = 0
        with anyio.CancelScope(shield=True):  # an opened file must reach the finally below
            handle = await anyio.to_thread.run_sync(open, self._path, "rb")
        try:
            while True:
                chunk = await anyio.to_thread.run_sync(handle.read, CHUNK)
                if not chunk:
                    break
                sent += len(chunk)
                await writer.write(chunk)
        finally:
            # Closed right here, not in a worker thread: a cancelled upload (the server
            # answered before reading the body) must still release the descriptor.
            handle.close()
        if sent != self._size:
            raise InvalidInputError(f"{self._path} changed size while being uploaded")

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        await self.write(writer)


class _SyncStreamPayload(Payload):
    """Reads a sync binary file object in a worker thread, CHUNK bytes at a time."""

    def __init__(self, stream: IO[bytes], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self._stream = stream

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a stream payload is not text")

    async def write(self, writer: AbstractStreamWriter) -> None:
        # Read once: aiohttp must not send this payload again after a dropped connection
        # (it would send whatever is left of the stream, often nothing). The transport's
        # retry builds a fresh body from the start instead, or refuses if it cannot.
        self._consumed = True
        while True:
            chunk = await anyio.to_thread.run_sync(self._stream.read, CHUNK)
            if not chunk:
                break
            await writer.write(bytes(chunk))

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        await self.write(writer)


class _AsyncStreamPayload(Payload):
    def __init__(self, stream: AsyncIterable[bytes], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self._stream = stream

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a stream payload is not text")

    async def write(self, writer: AbstractStreamWriter) -> None:
        self._consumed = True  # read once, like _SyncStreamPayload
        async for chunk in self._stream:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise InvalidTypeError(
                    f"the upload stream yielded {type(chunk).__name__}, expected bytes"
                )
            await writer.write(bytes(chunk))

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        await self.write(writer)


@dataclass
class PreparedUpload:
    """A checked upload source; ``body()`` makes the multipart body for one attempt."""

    file_name: str
    size: int | None
    metadata_json: str | None
    metadata_in_form: bool
    _kind: str
    _value: Any
    _start: int = 0
    _attempts: int = 0

    @property
    def replayable(self) -> bool:
        return self._kind in ("path", "bytes", "seekable")

    async def body(self) -> Payload:
        """A fresh multipart body positioned at the first byte of the file."""
        self._attempts += 1
        if self._attempts > 1 and not self.replayable:
            raise UploadNotReplayableError(
                f"the upload of {self.file_name!r} must be retried but its source is a stream "
                "that cannot be read again; pass a path, bytes or a seekable file to allow retries"
            )
        payload: Payload
        if self._kind == "path":
            if self.size is not None and self.size <= SMALL_FILE:
                data = await anyio.to_thread.run_sync(_read_small, self._value, self.size)
                return self._in_one_piece(data)
            payload = _PathPayload(self._value, self.size or 0)
        elif self._kind == "bytes":
            return self._in_one_piece(self._value)
        elif self._kind == "seekable":
            await anyio.to_thread.run_sync(self._value.seek, self._start)
            payload = _SyncStreamPayload(self._value)
        elif self._kind == "stream":
            payload = _SyncStreamPayload(self._value)
        else:
            payload = _AsyncStreamPayload(self._value)
        return self._writer(payload)

    def _writer(self, payload: Payload) -> aiohttp.MultipartWriter:
        writer = aiohttp.MultipartWriter("form-data")
        part = writer.append_payload(payload)
        part.set_content_disposition(
            "form-data", quote_fields=False, name="file", filename=self.file_name
        )
        if self.metadata_json is not None and self.metadata_in_form:
            meta = writer.append(self.metadata_json, {"Content-Type": "application/json"})
            meta.set_content_disposition("form-data", name="metadata")
        return writer

    def _in_one_piece(self, data: bytes) -> Payload:
        """The whole multipart body of an in-memory file as one buffer: one socket write
        instead of six. The file name travels as UTF-8 in a quoted string (RFC 7578 4.2)."""
        boundary = next(_BOUNDARIES)
        disposition = content_disposition_header(
            "form-data", quote_fields=False, name="file", filename=self.file_name
        )
        parts = [
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n".encode(),
            data,
        ]
        if self.metadata_json is not None and self.metadata_in_form:
            parts.append(
                f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n'
                f"Content-Type: application/json\r\n\r\n{self.metadata_json}".encode()
            )
        parts.append(f"\r\n--{boundary}--\r\n".encode())
        return aiohttp.BytesPayload(
            b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
        )


def _check_file_name(name: object) -> str:
    if not isinstance(name, str):
        raise InvalidTypeError(f"file_name must be a str, got {type(name).__name__}")
    if not name.strip():
        raise InvalidInputError("file_name must be a non-empty str")
    if not name.isprintable():
        raise InvalidInputError(f"file_name must not contain control characters: {name!r}")
    if "/" in name or "\\" in name:
        raise InvalidInputError(f"file_name must be a bare name, not a path: {name!r}")
    return name


def _stat_path(path: str) -> int:
    return stat_source(path, directories=False)[1]


async def prepare(
    source: object,
    *,
    file_name: str | None,
    metadata: dict[str, Any] | None,
    metadata_in_form: bool = True,
) -> PreparedUpload:
    """Check ``source`` and describe how to send it; no request is made."""
    meta = None if metadata is None else json.dumps(metadata, separators=(",", ":"))
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not isinstance(path, str):
            raise InvalidTypeError("paths must be str or os.PathLike[str]")
        size = await anyio.to_thread.run_sync(_stat_path, path)
        name = _check_file_name(file_name) if file_name is not None else Path(path).name
        return PreparedUpload(name, size, meta, metadata_in_form, "path", path)
    if file_name is None:
        raise InvalidInputError("file_name is required when uploading bytes or a stream")
    name = _check_file_name(file_name)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return PreparedUpload(name, len(data), meta, metadata_in_form, "bytes", data)
    if isinstance(source, io.TextIOBase):
        raise InvalidTypeError("open the file in binary mode ('rb'), not text mode")
    if hasattr(source, "read"):
        stream: Any = source
        if getattr(stream, "closed", False) is True:
            raise InvalidInputError(f"the file object for {name!r} is closed")
        readable = getattr(stream, "readable", None)
        if callable(readable) and not readable():
            raise InvalidTypeError(
                f"the file object for {name!r} is not open for reading; open it with 'rb'"
            )
        seekable = bool(getattr(stream, "seekable", lambda: False)())
        if seekable:
            start = await anyio.to_thread.run_sync(stream.tell)
            return PreparedUpload(name, None, meta, metadata_in_form, "seekable", stream, start)
        return PreparedUpload(name, None, meta, metadata_in_form, "stream", stream)
    if hasattr(source, "__aiter__"):
        return PreparedUpload(name, None, meta, metadata_in_form, "async", source)
    raise InvalidTypeError(
        f"cannot upload a {type(source).__name__}: pass a path, bytes, a binary file object "
        "or an async iterable of bytes"
    )
