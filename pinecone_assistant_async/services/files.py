"""``client.files``: upload, upsert, describe, list and delete an assistant's files (data plane).

Uploads stream from disk (see ``_uploads``) and, by default, wait until the file is Available.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Literal, overload

import anyio

from .._bind import bind
from .._pagination import Page, iterate_pages
from .._polling import WaitSpec, until_gone
from .._retries import Replay
from .._transport import Transport, path_segment
from .._uploads import FileSource, prepare
from .._validation import (
    check_assistant_name,
    check_file_id,
    check_id,
    check_json_object,
    check_limit,
    check_timeout,
    check_wire_text,
)
from ..bulk import upload_many
from ..config import RetryPolicy
from ..errors import FileProcessingError, InvalidTypeError
from ..limits import RateLimits, check_file_limits
from ..models import AssistantFile, FileList, FileStatus, Operation
from ._base import DEFAULT_WAITS, Service, page_params
from .operations import OperationsService

__all__ = ["DEFAULT_WAIT", "FilesService"]

DEFAULT_WAIT = DEFAULT_WAITS["file"]


def _show(file: AssistantFile) -> str:
    pct = "" if file.percent_done is None else f", {file.percent_done:g}% done"
    return f"file {file.id} status={file.status}{pct}"


def _failure(file: AssistantFile) -> str | None:
    if file.status == FileStatus.PROCESSING_FAILED:
        return file.error_message or f"processing of file {file.id} ({file.name}) failed"
    return None


AVAILABLE = WaitSpec[AssistantFile](
    what="the file to be Available",
    done=lambda f: f.status == FileStatus.AVAILABLE,
    failure=_failure,
    error=FileProcessingError,
    describe=_show,
)
GONE: WaitSpec[AssistantFile] = until_gone("the file to be deleted", FileProcessingError, _show)


class FilesService(Service):
    """An assistant's files.

    >>> f = await client.files.upload("docs", "guide.md", metadata={"team": "a"})  # doctest: +SKIP
    >>> f.status
    <FileStatus.AVAILABLE: 'Available'>
    """

    def __init__(self, transport: Transport, operations: OperationsService) -> None:
        super().__init__(transport)
        self._ops = operations
        self.upload_many = bind(upload_many, self)
        """Upload many files concurrently with a per-file report; see ``bulk.upload_many``."""

    @property
    def limits(self) -> RateLimits:
        """The rate and object limits this client paces itself to (see ``limits``)."""
        return self._t.pacer.limits

    @property
    def _retry_policy(self) -> RetryPolicy:  # for upload_many (bulk.BulkFiles)
        return self._t.config.retry

    async def _pause(self, seconds: float) -> None:  # for upload_many: the sleep= seam
        await self._t.sleep(seconds)

    async def _url(self, assistant: str, file_id: str | None = None) -> str:
        path = f"/files/{path_segment(assistant)}"
        if file_id is not None:
            path += f"/{path_segment(file_id)}"
        return await self._t.data_url(assistant, path)

    @overload
    async def upload(
        self,
        assistant: str,
        /,
        source: FileSource,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: Literal[True] = ...,
        timeout: float = ...,
    ) -> AssistantFile: ...
    @overload
    async def upload(
        self,
        assistant: str,
        /,
        source: FileSource,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: Literal[False],
        timeout: float = ...,
    ) -> Operation | AssistantFile: ...
    @overload
    async def upload(
        self,
        assistant: str,
        /,
        source: FileSource,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: bool = ...,
        timeout: float = ...,
    ) -> Operation | AssistantFile: ...

    async def upload(
        self,
        assistant: str,
        /,
        source: FileSource,
        *,
        file_name: str | None = None,
        metadata: dict[str, Any] | None = None,
        multimodal: bool = False,
        wait: bool = True,
        timeout: float = DEFAULT_WAIT,
    ) -> Operation | AssistantFile:
        """Upload a file (path, bytes, binary file object or async byte stream).

        The service picks the file id. Returns the Available file, or with ``wait=False`` the
        upload's operation at once. ``timeout`` bounds the whole call, upload included.
        """
        return await self._send(
            "POST", assistant, None, source, file_name, metadata, multimodal, wait, timeout
        )

    @overload
    async def upsert(
        self,
        assistant: str,
        /,
        file_id: str,
        source: FileSource,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: Literal[True] = ...,
        timeout: float = ...,
    ) -> AssistantFile: ...
    @overload
    async def upsert(
        self,
        assistant: str,
        /,
        file_id: str,
        source: FileSource,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: Literal[False],
        timeout: float = ...,
    ) -> Operation | AssistantFile: ...
    @overload
    async def upsert(
        self,
        assistant: str,
        /,
        file_id: str,
        source: FileSource,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: bool = ...,
        timeout: float = ...,
    ) -> Operation | AssistantFile: ...

    async def upsert(
        self,
        assistant: str,
        /,
        file_id: str,
        source: FileSource,
        *,
        file_name: str | None = None,
        metadata: dict[str, Any] | None = None,
        multimodal: bool = False,
        wait: bool = True,
        timeout: float = DEFAULT_WAIT,
    ) -> Operation | AssistantFile:
        """Create or replace the file with the caller's ``file_id`` (safe to retry)."""
        check_file_id(file_id)
        return await self._send(
            "PUT", assistant, file_id, source, file_name, metadata, multimodal, wait, timeout
        )

    async def _send(
        self,
        method: str,
        assistant: str,
        file_id: str | None,
        source: FileSource,
        file_name: str | None,
        metadata: dict[str, Any] | None,
        multimodal: bool,
        wait: bool,
        timeout: float,
    ) -> Operation | AssistantFile:
        check_assistant_name(assistant)
        meta = check_json_object(metadata, "metadata")
        timeout = check_timeout(timeout)
        if not isinstance(multimodal, bool):
            raise InvalidTypeError(f"multimodal must be a bool, got {type(multimodal).__name__}")
        in_form = self._t.config.features.metadata_in_form
        prepared = await prepare(
            source, file_name=file_name, metadata=meta, metadata_in_form=in_form
        )
        check_wire_text(prepared.file_name, "file_name")  # a name from an undecodable path
        check_file_limits(  # the plan's object limits, before anything is sent
            self._t.pacer.limits.objects,
            prepared.file_name,
            prepared.size,
            multimodal=multimodal,
            metadata_json=prepared.metadata_json,
        )
        deadline = anyio.current_time() + timeout
        params = {"multimodal": "true" if multimodal else "false"}
        if not in_form and prepared.metadata_json is not None:
            params["metadata"] = prepared.metadata_json
        url = await self._url(assistant, file_id)
        raw = await self._t.request(
            method,
            url,
            params=params,
            body=prepared.body,
            replay=Replay.SAFE if method == "PUT" else Replay.IF_NOT_LANDED,
            timeout=timeout,
            assistant=assistant,
        )
        try:
            data = json.loads(raw.body) if raw.body else {}
        except ValueError:
            data = None  # not JSON: decode() below says so, with the status and a snippet
        started: Operation | AssistantFile
        if isinstance(data, dict) and "operation_type" in data:
            started = self._t.decode(Operation, raw, method=method, url=url)
        else:
            started = self._t.decode(AssistantFile, raw, method=method, url=url)
        if not wait:
            return started
        remaining = max(deadline - anyio.current_time(), 1e-3)
        if isinstance(started, Operation):
            op = await self._ops.wait(
                assistant,
                started.id,
                timeout=remaining,
                error=FileProcessingError,
                initial=started,
            )
            target = op.file_id or file_id
            if target is None:
                raise FileProcessingError("the upload's operation did not name its file", last=op)
            remaining = max(deadline - anyio.current_time(), 1e-3)
            return await self.wait_until_available(assistant, target, timeout=remaining)
        return await self.wait_until_available(
            assistant, started.id, timeout=remaining, initial=started
        )

    async def wait_until_available(
        self,
        assistant: str,
        /,
        file_id: str,
        *,
        timeout: float = DEFAULT_WAIT,
        initial: AssistantFile | None = None,
    ) -> AssistantFile:
        """Wait until the file is Available; ``FileProcessingError`` if processing failed."""
        return await self._wait(
            AVAILABLE, lambda: self.describe(assistant, file_id), timeout=timeout, initial=initial
        )

    async def describe(
        self, assistant: str, /, file_id: str, *, include_url: bool = False
    ) -> AssistantFile:
        """The file's status and metadata; ``include_url=True`` adds a signed download URL."""
        check_assistant_name(assistant)
        check_id(file_id, "file_id")
        params = {"include_url": "true"} if include_url else None
        url = await self._url(assistant, file_id)
        return await self._t.request_model(
            AssistantFile, "GET", url, params=params, assistant=assistant
        )

    async def list_page(
        self,
        assistant: str,
        /,
        *,
        filter: dict[str, Any] | None = None,
        limit: int | None = None,
        pagination_token: str | None = None,
    ) -> Page[AssistantFile]:
        """One page of files (optionally matching a metadata ``filter``) and the next token."""
        check_assistant_name(assistant)
        params = page_params(limit, pagination_token)
        flt = check_json_object(filter, "filter", max_bytes=None)
        if flt is not None:
            params["filter"] = json.dumps(flt, separators=(",", ":"), ensure_ascii=False)
        url = await self._url(assistant)
        page = await self._t.request_model(FileList, "GET", url, params=params, assistant=assistant)
        token = page.pagination.next if page.pagination else None
        return Page(page.files, token, page.request_id)

    def list(
        self, assistant: str, /, *, filter: dict[str, Any] | None = None, limit: int | None = None
    ) -> AsyncIterator[AssistantFile]:
        """Every file of the assistant (matching ``filter``), across pages."""
        check_assistant_name(assistant)
        check_json_object(filter, "filter", max_bytes=None)
        check_limit(limit)
        return iterate_pages(
            lambda token: self.list_page(
                assistant, filter=filter, limit=limit, pagination_token=token
            )
        )

    async def delete(
        self, assistant: str, /, file_id: str, *, wait: bool = True, timeout: float = DEFAULT_WAIT
    ) -> None:
        """Delete the file; by default wait until it is gone."""
        check_assistant_name(assistant)
        check_id(file_id, "file_id")
        timeout = check_timeout(timeout)
        url = await self._url(assistant, file_id)
        await self._t.request("DELETE", url, assistant=assistant, timeout=timeout)
        if wait:
            await self._wait_gone(GONE, lambda: self.describe(assistant, file_id), timeout=timeout)
