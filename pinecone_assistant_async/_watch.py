"""Batched waiting for bulk uploads: one listing per assistant per interval covers every file.

Waiting for each file with its own describe calls costs several file reads per file, and
every read counts against the plan's "file list/get" budget. Here every file ``upload_many``
has in flight registers with one :class:`FileWatcher`; each interval it lists the
assistant's files once, filtered by the ``content_sha256`` metadata of the files it waits
for (in chunks, to keep the URL short), and wakes the files that finished. With nothing in
flight it sends nothing. The interval starts at ``first`` and grows by half up to ``longest``
while polls find nothing new.

A file counts as done when the listing shows it Available (or ProcessingFailed) *with the
digest and size just sent*, so an older version of the same id is never taken for the new one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio

from ._pagination import Page
from .errors import (
    AuthenticationError,
    FileProcessingError,
    PermissionDeniedError,
    PineconeError,
    WaitTimeoutError,
)
from .models import AssistantFile, FileStatus

__all__ = ["FileLister", "FileWatcher"]

logger = logging.getLogger("pinecone_assistant_async")

DIGESTS_PER_LISTING = 40  # 40 SHA-256 hex digests keep the filter under ~4 KB of URL
GIVE_UP_AFTER = 5  # consecutive failed listings before the waiting files fail with the error


class FileLister(Protocol):
    async def list_page(
        self,
        assistant: str,
        /,
        *,
        filter: dict[str, Any] | None = ...,
        limit: int | None = ...,
        pagination_token: str | None = ...,
    ) -> Page[AssistantFile]: ...


@dataclass
class _Waiter:
    digest_key: str
    digest: str | None
    size: int | None
    done: anyio.Event = field(default_factory=anyio.Event)
    file: AssistantFile | None = None
    last: AssistantFile | None = None
    error: Exception | None = None
    since: float = field(default_factory=anyio.current_time)

    def matches(self, file: AssistantFile) -> bool:
        if self.size is not None and file.size is not None and file.size != self.size:
            return False
        if self.digest is None:
            return True
        return (file.metadata or {}).get(self.digest_key) == self.digest


class FileWatcher:
    """Waits for many files of one assistant (see the module docstring)."""

    def __init__(
        self,
        files: FileLister,
        assistant: str,
        *,
        digest_key: str,
        first: float,
        longest: float,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._files = files
        self._assistant = assistant
        self._digest_key = digest_key
        self._first = first
        self._longest = max(first, longest)
        self._sleep = sleep
        self._pending: dict[str, _Waiter] = {}
        self._wake = anyio.Event()
        self.listings = 0
        """Listing pages requested (each is one file read)."""

    async def wait(
        self, file_id: str, digest: str | None, size: int | None, timeout: float
    ) -> AssistantFile:
        """The file once Available; ``FileProcessingError`` / ``WaitTimeoutError`` otherwise."""
        waiter = _Waiter(self._digest_key, digest, size)
        self._pending[file_id] = waiter
        self._wake.set()
        try:
            with anyio.move_on_after(timeout) as scope:
                await waiter.done.wait()
        finally:
            if self._pending.get(file_id) is waiter:
                del self._pending[file_id]
        if scope.cancelled_caught:
            shown = f", last seen {waiter.last.status}" if waiter.last is not None else ""
            raise WaitTimeoutError(
                f"file {file_id} was not Available within {timeout:g} s{shown}",
                last=waiter.last,
                timeout=timeout,
            )
        if waiter.error is not None:
            raise waiter.error
        assert waiter.file is not None
        return waiter.file

    async def run(self) -> None:
        """Poll while files are waiting; runs until cancelled."""
        failures = 0
        while True:
            if not self._pending:
                self._wake = anyio.Event()
                await self._wake.wait()
            await self._sleep(self._interval())
            try:
                await self._poll()
            except (AuthenticationError, PermissionDeniedError) as error:
                self._fail_all(error)
                continue
            except PineconeError as error:
                failures += 1
                logger.debug("listing %s for bulk waits failed: %s", self._assistant, error)
                if failures >= GIVE_UP_AFTER:
                    self._fail_all(error)
                    failures = 0
                continue
            failures = 0

    def _interval(self) -> float:
        if not self._pending:
            return self._first
        oldest = min(w.since for w in self._pending.values())
        return min(self._longest, max(self._first, (anyio.current_time() - oldest) / 2))

    def _fail_all(self, error: Exception) -> None:
        for waiter in list(self._pending.values()):
            waiter.error = error
            waiter.done.set()

    def _filters(self) -> list[dict[str, Any] | None]:
        digests = sorted({w.digest for w in self._pending.values() if w.digest is not None})
        if any(w.digest is None for w in self._pending.values()):
            return [None]  # a stream without a digest: only a full listing can find it
        return [
            {self._digest_key: {"$in": digests[i : i + DIGESTS_PER_LISTING]}}
            for i in range(0, len(digests), DIGESTS_PER_LISTING)
        ]

    async def _poll(self) -> bool:
        progressed = False
        for flt in self._filters():
            token: str | None = None
            while True:
                page = await self._files.list_page(
                    self._assistant, filter=flt, pagination_token=token
                )
                self.listings += 1
                for file in page.items:
                    progressed |= self._settle(file)
                token = page.next_token
                if not token or not self._pending:
                    break
        return progressed

    def _settle(self, file: AssistantFile) -> bool:
        waiter = self._pending.get(file.id)
        if waiter is None or not waiter.matches(file):
            return False
        waiter.last = file
        if file.status == FileStatus.AVAILABLE:
            waiter.file = file
        elif file.status == FileStatus.PROCESSING_FAILED:
            message = file.error_message or f"processing of file {file.id} ({file.name}) failed"
            waiter.error = FileProcessingError(message, last=file)
        else:
            return False
        del self._pending[file.id]
        waiter.done.set()
        return True
