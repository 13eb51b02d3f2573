"""What one ``upload_many`` run and each file's attempt know, and the decisions made from
that state alone (skip, fail again, already finished): kept apart from the task pipeline in
``bulk`` so each reads on one screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ._bulk_inputs import BulkFiles, MetadataArg
from ._bulk_report import BulkProgress, BulkUploadReport, FileOutcome, FileResult
from ._sources import SourceItem
from ._watch import FileWatcher
from .errors import FileProcessingError
from .models import AssistantFile, FileStatus, Operation, OperationStatus

ProgressCallback = Callable[[BulkProgress], Awaitable[None] | None]


@dataclass
class _Run:
    files: BulkFiles
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
    watcher: FileWatcher
    dry_run: bool = False
    slots: int | None = None  # new files the assistant may still take (files per assistant)
    existing: dict[str, AssistantFile] = field(default_factory=dict)
    claimed: dict[str, str] = field(default_factory=dict)
    stop: Exception | None = None


def _same(existing: AssistantFile | None, size: int, meta: dict[str, Any] | None) -> bool:
    """The service holds these very bytes (same size and metadata, content hash included)."""
    if existing is None or (existing.size is not None and existing.size != size):
        return False
    return (existing.metadata or None) == meta


def _known(run: _Run, state: _Attempt, existing: AssistantFile) -> FileResult | None:
    """The result for a file the service already holds unchanged, or None to send it."""
    key, size, digest = state.item.key, state.size, state.digest
    if existing.status == FileStatus.AVAILABLE:
        return FileResult(
            key, state.file_id, FileOutcome.SKIPPED, size, digest, file=existing, reason="unchanged"
        )
    if existing.status == FileStatus.PROCESSING_FAILED and not run.retry_failed:
        message = existing.error_message or "processing failed in an earlier upload"
        error = FileProcessingError(message, last=existing)
        return FileResult(
            key,
            state.file_id,
            FileOutcome.FAILED,
            size,
            digest,
            file=existing,
            error=error,
            reason=f"{message} (unchanged since; not sent again)",
        )
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
    release: Callable[[], None] = lambda: None  # gives back the concurrency slot (idempotent)


def _finished(sent: object) -> bool:
    """The upload's answer already says the file is Available (or its operation Completed,
    which is the same): nothing to wait for."""
    if isinstance(sent, AssistantFile):
        return sent.status == FileStatus.AVAILABLE
    return isinstance(sent, Operation) and sent.status == OperationStatus.COMPLETED
