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
* Paced: the client's limiter (``AssistantClient(rate_limits=...)``) admits every upload,
  listing and deletion; ``concurrency`` bounds the files being read and sent, while files
  the service is still processing wait without holding a slot. Their wait is batched: one
  filtered ``files.list`` per poll interval covers every file in flight (see ``_watch``), so
  a file costs about one file read, not one describe per poll.
* Object limits (``RateLimits.objects``: size by type, metadata size, files per assistant)
  are checked per file before it is sent; a file over a limit fails with
  ``InvalidInputError`` naming the limit, and the others go on.
* Folder sync: ``delete_missing=True`` deletes, after the uploads, the assistant's files that
  ``upload_many`` made (they carry ``content_sha256``) and that are not among ``sources``;
  ``dry_run=True`` sends nothing and reports what would be uploaded (outcome ``planned``) and
  deleted (``report.deleted``). Re-running after a crash or Ctrl-C resumes: finished files
  are skipped, deletions only start once every upload is done (see ``_sync``).
* Cancelling the call cancels every upload at once. Pass ``report=BulkUploadReport()`` to keep
  the results of what finished: the same object is filled in as files finish, and after a
  cancellation has ``cancelled=True`` and lists the unfinished keys in ``pending``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from ._bulk_inputs import (
    HASH_METADATA_KEY,
    BulkFiles,
    IdStrategy,
    MetadataArg,
    check_metadata,
    check_options,
    file_ids,
    metadata_for,
)
from ._bulk_report import (
    BulkProgress,
    BulkUploadError,
    BulkUploadReport,
    FileOutcome,
    FileResult,
)
from ._bulk_state import ProgressCallback, _Attempt, _finished, _known, _reason, _Run, _same
from ._retries import backoff_delay
from ._sources import SourceItem, content_file_id, expand_sources, fingerprint
from ._sync import delete_missing_files
from ._validation import check_assistant_name, check_timeout
from ._watch import FileWatcher
from .errors import (
    APIConnectionError,
    AuthenticationError,
    InvalidInputError,
    InvalidTypeError,
    PermissionDeniedError,
    PineconeError,
    RateLimitError,
    ServerError,
)
from .limits import check_file_limits
from .models import AssistantFile

__all__ = [
    "HASH_METADATA_KEY",
    "BulkFiles",
    "BulkProgress",
    "BulkUploadError",
    "BulkUploadReport",
    "FileOutcome",
    "FileResult",
    "upload_many",
]

DEFAULT_FILE_TIMEOUT = 600.0
_TRANSIENT = (RateLimitError, ServerError, APIConnectionError)
_FATAL = (AuthenticationError, PermissionDeniedError)

FIRST_POLL = 0.05  # shortest wait between the batched listings (see _watch), in seconds
LONGEST_POLL = 5.0  # longest, in seconds of a 60 s minute


async def _upsert(run: _Run, state: _Attempt, meta: dict[str, Any] | None) -> Any:
    """Send the file (up to ``file_retries`` extra attempts on transient failures), then wait
    for it with the batched watcher; the concurrency slot is given back once it is sent."""
    assert state.file_id is not None
    item = state.item
    source = state.data if state.data is not None else item.source
    deadline = anyio.current_time() + run.timeout
    while True:
        state.attempts += 1
        try:
            sent = await run.files.upsert(
                run.assistant, state.file_id, source, file_name=item.file_name, metadata=meta,
                multimodal=run.multimodal, wait=False, timeout=run.timeout,
            )  # fmt: skip
            break
        except _TRANSIENT:
            if state.attempts > run.file_retries or not item.hashable:
                raise
        await run.files._pause(backoff_delay(run.files._retry_policy, state.attempts))
    state.data = None
    state.release()
    if not run.wait or _finished(sent):
        return sent
    remaining = max(deadline - anyio.current_time(), 1e-3)
    return await run.watcher.wait(state.file_id, state.digest, state.size, remaining)


def _check_limits(run: _Run, state: _Attempt, meta: dict[str, Any] | None) -> None:
    """The plan's object limits for this file (``InvalidInputError`` naming the limit)."""
    objects = run.files.limits.objects
    meta_json = None if meta is None else json.dumps(meta, separators=(",", ":"))
    check_file_limits(objects, state.item.file_name, state.size, multimodal=run.multimodal,
                      metadata_json=meta_json)  # fmt: skip
    if run.slots is not None and state.file_id not in run.existing:
        if run.slots <= 0:
            raise InvalidInputError(
                f"{run.assistant} already holds {objects.files_per_assistant} files, the limit "
                "of files per assistant (ObjectLimits.files_per_assistant)"
            )
        run.slots -= 1


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
            return FileResult(
                key,
                state.file_id,
                FileOutcome.SKIPPED,
                size,
                digest,
                reason=f"same contents as {first}",
            )
    meta = metadata_for(run.metadata, key, digest)
    if run.skip_unchanged and digest is not None and size is not None:
        existing = run.existing.get(state.file_id)
        if existing is not None and _same(existing, size, meta):
            known = _known(run, state, existing)
            if known is not None:
                return known
    _check_limits(run, state, meta)
    if run.dry_run:
        return FileResult(key, state.file_id, FileOutcome.PLANNED, size, digest,
                          reason="would be uploaded (dry run)")  # fmt: skip
    sent = await _upsert(run, state, meta)
    # Without waiting, "available" only when the answer was the Available file itself (as
    # before); a completed operation then still reads "uploaded".
    done = _finished(sent) if run.wait else _finished(sent) and isinstance(sent, AssistantFile)
    return FileResult(
        key,
        state.file_id,
        FileOutcome.AVAILABLE if done else FileOutcome.UPLOADED,
        size,
        digest,
        file=sent if isinstance(sent, AssistantFile) else None,
        attempts=state.attempts,
        elapsed=anyio.current_time() - started,
    )


async def _task(run: _Run, item: SourceItem, limiter: anyio.CapacityLimiter, token: object,
                scope: anyio.CancelScope) -> None:  # fmt: skip
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            limiter.release_on_behalf_of(token)

    try:
        started = anyio.current_time()
        state = _Attempt(item, run.ids.get(item.key), item.size, release=release)
        try:
            result = await _one(run, state)
        except Exception as error:  # one file's failure never stops the others
            last = getattr(error, "last", None)
            result = FileResult(
                item.key, state.file_id, FileOutcome.FAILED, state.size, state.digest,
                file=last if isinstance(last, AssistantFile) else None,
                error=error, reason=_reason(error), attempts=state.attempts,
                elapsed=anyio.current_time() - started,
            )  # fmt: skip
            if isinstance(error, _FATAL) and run.stop is None:
                run.stop = error
                scope.cancel()
        release()
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
        release()


async def _existing(files: BulkFiles, assistant: str) -> dict[str, AssistantFile]:
    return {f.id: f async for f in files.list(assistant)}


async def upload_many(
    files: BulkFiles,
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
    delete_missing: bool = False,
    dry_run: bool = False,
) -> BulkUploadReport:
    """Upload many files concurrently and idempotently; returns the per-file report.

    ``sources``: paths, directories (recursive, filtered by ``include``/``exclude`` globs) and
    ``(name, bytes | binary file | async byte stream)`` pairs. ``metadata``: one dict for all,
    or ``callable(key) -> dict | None``. ``timeout`` bounds each file (upload and wait).
    ``on_progress(BulkProgress)`` may be sync or async; if it raises, the run stops and the
    exception propagates. ``delete_missing`` deletes the files it uploaded earlier that are
    no longer in ``sources``; ``dry_run`` only reports what would be done. See the module
    docstring for ids, skipping, pacing, limits, sync and cancellation.
    """
    check_assistant_name(assistant)
    check_options(concurrency, file_retries, id_strategy)
    timeout = check_timeout(timeout)
    if isinstance(metadata, Mapping):
        check_metadata(metadata, "metadata")
    elif metadata is not None and not callable(metadata):
        raise InvalidTypeError("metadata must be a dict or a callable(key) -> dict")
    report = report if report is not None else BulkUploadReport()
    if report.started_at is not None:
        raise InvalidInputError("this BulkUploadReport was already used; pass a fresh one")
    items = await expand_sources(
        sources, include=include, exclude=exclude, include_hidden=include_hidden
    )
    ids = file_ids(items, id_strategy)
    report.begin(assistant, [item.key for item in items], sum(item.size or 0 for item in items))
    report.dry_run = dry_run
    minute = files.limits.minute / 60.0
    run = _Run(
        files=files, assistant=assistant, report=report, ids=ids, metadata=metadata,
        skip_unchanged=skip_unchanged, retry_failed=retry_failed, multimodal=multimodal,
        wait=wait, timeout=timeout, file_retries=file_retries, on_progress=on_progress,
        dry_run=dry_run,
        watcher=FileWatcher(files, assistant, digest_key=HASH_METADATA_KEY, first=FIRST_POLL,
                            longest=LONGEST_POLL * minute, sleep=files._pause),
    )  # fmt: skip
    try:
        if skip_unchanged or delete_missing or files.limits.objects.files_per_assistant:
            run.existing = await _existing(files, assistant)
        cap = files.limits.objects.files_per_assistant
        if cap is not None:
            run.slots = max(cap - len(run.existing), 0)
        if on_progress is not None:
            first = on_progress(report.progress())
            if inspect.isawaitable(first):
                await first
        limiter = anyio.CapacityLimiter(concurrency)
        async with anyio.create_task_group() as outer:
            outer.start_soon(run.watcher.run)
            async with anyio.create_task_group() as tg:
                for item in items:
                    token = object()
                    await limiter.acquire_on_behalf_of(token)
                    tg.start_soon(_task, run, item, limiter, token, tg.cancel_scope)
            if delete_missing and run.stop is None:
                await delete_missing_files(files, run.existing, report, concurrency=concurrency,
                                           owned_key=HASH_METADATA_KEY)  # fmt: skip
            outer.cancel_scope.cancel()
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
