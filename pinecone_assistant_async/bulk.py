"""``files.upload_many``: concurrent, idempotent bulk uploads with a per-file report.

>>> report = await client.files.upload_many("docs", ["handbook/"], concurrency=16)  # doctest: +SKIP
>>> report.counts                                                                  # doctest: +SKIP
{'available': 120, 'uploaded': 0, 'skipped': 3, 'failed': 1, 'pending': 0}

How it works:

* Sources are expanded first (see ``_sources``); bad input raises ``InvalidInputError`` before
  any request. Files are never read whole up front: each task hashes its file in 256 KiB pieces
  and the upload streams it from disk, with at most ``concurrency`` files in flight.
* Idempotent: every file gets a deterministic id (``id_strategy="path"``: a slug of its key plus
  a hash of it; ``"content"``: the SHA-256 of its bytes; or your own ``callable(key) -> id``)
  and is sent with ``files.upsert``, so running the same upload twice creates no duplicates.
* ``skip_unchanged``: the assistant's files are listed once; a file is skipped when a file with
  its id is Available with the same size and the same metadata, including the metadata key
  ``content_sha256`` (the SHA-256 hex of the bytes) that every hashable upload carries. The
  same bytes already ProcessingFailed are reported failed again without being re-sent, unless
  ``retry_failed=True``. One-shot streams cannot be hashed ahead and are always sent.
* One failed file never stops the others: it is reported with its typed error and the server's
  message. Transient failures (429, 5xx, connection errors) left after the client's own retries
  get ``file_retries`` more whole-file attempts. Only an authentication or permission error
  (401/403) aborts the run, raising ``BulkUploadError`` with the partial report.
* Cancelling the call cancels every upload at once. Pass ``report=BulkUploadReport()`` to keep
  the results of what finished: the same object is filled in as files finish, and after a
  cancellation has ``cancelled=True`` and lists the unfinished keys in ``pending``.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import anyio

from ._bulk_report import (
    BulkProgress,
    BulkUploadError,
    BulkUploadReport,
    FileOutcome,
    FileResult,
)
from ._sources import SourceItem, content_file_id, expand_sources, fingerprint, path_file_id
from ._validation import check_assistant_name, check_file_id, check_json_object, check_timeout
from .errors import (
    APIConnectionError,
    AuthenticationError,
    FileProcessingError,
    InvalidInputError,
    InvalidTypeError,
    PermissionDeniedError,
    PineconeError,
    RateLimitError,
    ServerError,
)
from .models import AssistantFile, FileStatus

if TYPE_CHECKING:
    from .services.files import FilesService

__all__ = [
    "HASH_METADATA_KEY",
    "BulkProgress",
    "BulkUploadError",
    "BulkUploadReport",
    "FileOutcome",
    "FileResult",
    "upload_many",
]

HASH_METADATA_KEY = "content_sha256"
DEFAULT_FILE_TIMEOUT = 600.0
_TRANSIENT = (RateLimitError, ServerError, APIConnectionError)
_FATAL = (AuthenticationError, PermissionDeniedError)

IdStrategy = Literal["path", "content"] | Callable[[str], str]
MetadataArg = Mapping[str, Any] | Callable[[str], Mapping[str, Any] | None] | None
ProgressCallback = Callable[[BulkProgress], Awaitable[None] | None]


@dataclass
class _Run:
    files: FilesService
    assistant: str
    report: BulkUploadReport
    ids: dict[str, str]
    metadata: MetadataArg
    skip_unchanged: bool
    retry_failed: bool
    multimodal: bool
    wait: bool
    timeout: float
    file_retries: int
    on_progress: ProgressCallback | None
    existing: dict[str, AssistantFile] = field(default_factory=dict)
    claimed: dict[str, str] = field(default_factory=dict)
    stop: Exception | None = None


def _check_options(concurrency: object, file_retries: object, strategy: object) -> None:
    for name, value, low in (("concurrency", concurrency, 1), ("file_retries", file_retries, 0)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidTypeError(f"{name} must be an int, got {type(value).__name__}")
        if not low <= value <= 1024:
            raise InvalidInputError(f"{name} must be between {low} and 1024, got {value}")
    if strategy not in ("path", "content") and not callable(strategy):
        raise InvalidInputError(
            f"id_strategy must be 'path', 'content' or a callable(key) -> id, got {strategy!r}"
        )


def _check_metadata(value: object, what: str) -> dict[str, Any] | None:
    meta = check_json_object(value, what)
    if meta is not None and HASH_METADATA_KEY in meta:
        raise InvalidInputError(f"{what}: the key {HASH_METADATA_KEY!r} is set by upload_many")
    return meta


def _metadata_for(run: _Run, key: str, digest: str | None) -> dict[str, Any] | None:
    given = run.metadata(key) if callable(run.metadata) else run.metadata
    meta = _check_metadata(given, f"metadata for {key}")
    if digest is None:
        return meta
    return {**(meta or {}), HASH_METADATA_KEY: digest}


def _same(existing: AssistantFile | None, size: int, meta: dict[str, Any] | None) -> bool:
    """The service holds these very bytes (same size and metadata, content hash included)."""
    if existing is None or (existing.size is not None and existing.size != size):
        return False
    return (existing.metadata or None) == meta


def _known(run: _Run, state: _Attempt, existing: AssistantFile) -> FileResult | None:
    """The result for a file the service already holds unchanged, or None to send it."""
    key, size, digest = state.item.key, state.size, state.digest
    if existing.status == FileStatus.AVAILABLE:
        return FileResult(key, state.file_id, FileOutcome.SKIPPED, size, digest,
                          file=existing, reason="unchanged")
    if existing.status == FileStatus.PROCESSING_FAILED and not run.retry_failed:
        message = existing.error_message or "processing failed in an earlier upload"
        error = FileProcessingError(message, last=existing)
        return FileResult(key, state.file_id, FileOutcome.FAILED, size, digest, file=existing,
                          error=error, reason=f"{message} (unchanged since; not sent again)")
    return None


def _reason(error: Exception) -> str:
    message = getattr(error, "message", None)
    return message if isinstance(message, str) and message else str(error) or type(error).__name__


@dataclass
class _Attempt:
    """What one file's task learned so far (kept for the failure report)."""

    item: SourceItem
    file_id: str | None
    size: int | None
    digest: str | None = None
    data: bytes | None = None  # a small file's bytes, read once with its hash
    attempts: int = 0


async def _upsert(run: _Run, state: _Attempt, meta: dict[str, Any] | None) -> Any:
    """Send the file, with up to ``file_retries`` extra attempts on transient failures."""
    assert state.file_id is not None
    item = state.item
    source = state.data if state.data is not None else item.source
    while True:
        state.attempts += 1
        try:
            if run.wait:
                return await run.files.upsert(
                    run.assistant, state.file_id, source, file_name=item.file_name,
                    metadata=meta, multimodal=run.multimodal, wait=True, timeout=run.timeout,
                )
            return await run.files.upsert(
                run.assistant, state.file_id, source, file_name=item.file_name,
                metadata=meta, multimodal=run.multimodal, wait=False, timeout=run.timeout,
            )
        except _TRANSIENT:
            if state.attempts > run.file_retries or not item.hashable:
                raise
        await anyio.sleep(random.uniform(0.0, min(4.0, 0.25 * 2**state.attempts)))


async def _one(run: _Run, state: _Attempt) -> FileResult:
    item = state.item
    started = anyio.current_time()
    hashed = await fingerprint(item) if item.hashable else None
    if hashed is not None:
        state.digest, state.size, state.data = hashed.sha256, hashed.size, hashed.data
    key, size, digest = item.key, state.size, state.digest
    if state.file_id is None:  # id_strategy="content" (hashability was checked up front)
        assert digest is not None
        state.file_id = content_file_id(digest)
        first = run.claimed.setdefault(state.file_id, key)
        if first != key:
            return FileResult(key, state.file_id, FileOutcome.SKIPPED, size, digest,
                              reason=f"same contents as {first}")
    meta = _metadata_for(run, key, digest)
    if run.skip_unchanged and digest is not None and size is not None:
        existing = run.existing.get(state.file_id)
        if existing is not None and _same(existing, size, meta):
            known = _known(run, state, existing)
            if known is not None:
                return known
    sent = await _upsert(run, state, meta)
    done = isinstance(sent, AssistantFile) and sent.status == FileStatus.AVAILABLE
    return FileResult(
        key, state.file_id, FileOutcome.AVAILABLE if done else FileOutcome.UPLOADED, size,
        digest, file=sent if isinstance(sent, AssistantFile) else None,
        attempts=state.attempts, elapsed=anyio.current_time() - started,
    )


async def _task(run: _Run, item: SourceItem, limiter: anyio.CapacityLimiter, token: object,
                scope: anyio.CancelScope) -> None:
    try:
        started = anyio.current_time()
        state = _Attempt(item, run.ids.get(item.key), item.size)
        try:
            result = await _one(run, state)
        except Exception as error:  # one file's failure never stops the others
            result = FileResult(
                item.key, state.file_id, FileOutcome.FAILED, state.size, state.digest,
                file=getattr(error, "last", None) if isinstance(
                    getattr(error, "last", None), AssistantFile) else None,
                error=error, reason=_reason(error), attempts=state.attempts,
                elapsed=anyio.current_time() - started,
            )
            if isinstance(error, _FATAL) and run.stop is None:
                run.stop = error
                scope.cancel()
        run.report.record(result)
        if run.on_progress is not None and run.stop is None:
            try:
                outcome = run.on_progress(run.report.progress(result))
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as error:
                run.stop = error
                scope.cancel()
    finally:
        limiter.release_on_behalf_of(token)


async def _existing(files: FilesService, assistant: str) -> dict[str, AssistantFile]:
    return {f.id: f async for f in files.list(assistant)}


async def upload_many(
    files: FilesService,
    assistant: str,
    sources: object,
    *,
    concurrency: int = 16,
    metadata: MetadataArg = None,
    id_strategy: IdStrategy = "path",
    skip_unchanged: bool = True,
    retry_failed: bool = False,
    multimodal: bool = False,
    wait: bool = True,
    timeout: float = DEFAULT_FILE_TIMEOUT,
    on_progress: ProgressCallback | None = None,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    include_hidden: bool = False,
    file_retries: int = 2,
    report: BulkUploadReport | None = None,
) -> BulkUploadReport:
    """Upload many files concurrently and idempotently; returns the per-file report.

    ``sources``: paths, directories (recursive, filtered by ``include``/``exclude`` globs) and
    ``(name, bytes | binary file | async byte stream)`` pairs. ``metadata``: one dict for all,
    or ``callable(key) -> dict | None``. ``timeout`` bounds each file (upload and wait).
    ``on_progress(BulkProgress)`` may be sync or async; if it raises, the run stops and the
    exception propagates. See the module docstring for ids, skipping and cancellation.
    """
    check_assistant_name(assistant)
    _check_options(concurrency, file_retries, id_strategy)
    timeout = check_timeout(timeout)
    if isinstance(metadata, Mapping):
        _check_metadata(metadata, "metadata")
    elif metadata is not None and not callable(metadata):
        raise InvalidTypeError("metadata must be a dict or a callable(key) -> dict")
    report = report if report is not None else BulkUploadReport()
    if report.started_at is not None:
        raise InvalidInputError("this BulkUploadReport was already used; pass a fresh one")
    items = await expand_sources(
        sources, include=include, exclude=exclude, include_hidden=include_hidden
    )
    ids = _ids(items, id_strategy)
    report.begin(assistant, [item.key for item in items], sum(item.size or 0 for item in items))
    run = _Run(files, assistant, report, ids, metadata, skip_unchanged, retry_failed, multimodal,
               wait, timeout, file_retries, on_progress)
    try:
        if skip_unchanged:
            run.existing = await _existing(files, assistant)
        if on_progress is not None:
            first = on_progress(report.progress())
            if inspect.isawaitable(first):
                await first
        limiter = anyio.CapacityLimiter(concurrency)
        async with anyio.create_task_group() as tg:
            for item in items:
                token = object()
                await limiter.acquire_on_behalf_of(token)
                tg.start_soon(_task, run, item, limiter, token, tg.cancel_scope)
    except anyio.get_cancelled_exc_class():
        report.cancelled = True
        raise
    finally:
        report.finished_at = anyio.current_time()
    report.aborted_by = run.stop
    if isinstance(run.stop, PineconeError):
        raise BulkUploadError(f"bulk upload aborted: {run.stop}", report=report) from run.stop
    if run.stop is not None:
        raise run.stop  # the on_progress callback's own exception
    return report


def _ids(items: list[SourceItem], strategy: IdStrategy) -> dict[str, str]:
    """Ids known before hashing (path or callable strategies), checked and unique."""
    if strategy == "content":
        for item in items:
            if not item.hashable:
                raise InvalidInputError(
                    f"id_strategy='content' needs to hash {item.key} before sending it, but its "
                    "source is a one-shot stream; pass bytes, a path or a seekable file"
                )
        return {}
    ids: dict[str, str] = {}
    owners: dict[str, str] = {}
    for item in items:
        file_id = path_file_id(item.key) if isinstance(strategy, str) else strategy(item.key)
        check_file_id(file_id, f"file id for {item.key}")
        if owners.setdefault(file_id, item.key) != item.key:
            raise InvalidInputError(
                f"{owners[file_id]} and {item.key} would share the file id {file_id!r}"
            )
        ids[item.key] = file_id
    return ids
