"""The result of ``files.upload_many``: per-file outcomes, counts, bytes, time and progress.

A :class:`BulkUploadReport` is filled in place while the upload runs, so the object a caller
passed as ``report=`` still tells what finished after a cancellation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import anyio

from .errors import PineconeError
from .models import AssistantFile

__all__ = ["BulkProgress", "BulkUploadError", "BulkUploadReport", "FileOutcome", "FileResult"]


class FileOutcome(str, enum.Enum):
    AVAILABLE = "available"  # uploaded and processed (wait=True)
    UPLOADED = "uploaded"  # accepted by the service, not waited for (wait=False)
    SKIPPED = "skipped"  # unchanged, or the same contents as another file (content ids)
    FAILED = "failed"
    PLANNED = "planned"  # dry_run: would be uploaded


@dataclass(frozen=True)
class FileResult:
    """What happened to one file. ``reason`` says why it was skipped or failed (for a failure,
    the server's message); ``error`` is the typed exception; ``file`` the service's last word."""

    key: str
    file_id: str | None
    outcome: FileOutcome
    size: int | None = None
    sha256: str | None = None
    file: AssistantFile | None = None
    error: Exception | None = None
    reason: str | None = None
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome is not FileOutcome.FAILED


@dataclass(frozen=True)
class BulkProgress:
    """Handed to ``on_progress`` after each file finishes (and once before the first)."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    failed: int
    skipped: int
    last: FileResult | None = None


class BulkUploadError(PineconeError):
    """The run was aborted (401/403), or ``raise_for_failures()`` found failures. ``report``
    holds every result gathered so far."""

    def __init__(self, message: str, *, report: BulkUploadReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class BulkUploadReport:
    """Per-file results of one ``upload_many`` call, filled in as files finish.

    Create one yourself and pass it as ``report=`` to read the partial results after a
    cancellation; otherwise ``upload_many`` returns the one it made. ``results`` is in
    completion order and only grows through :meth:`record`, which keeps the counts, so that
    progress costs O(1) per file.
    """

    assistant: str | None = None
    results: list[FileResult] = field(default_factory=list)
    files_total: int = 0
    bytes_total: int = 0
    cancelled: bool = False
    aborted_by: Exception | None = None
    started_at: float | None = None
    finished_at: float | None = None
    dry_run: bool = False
    deleted: list[str] = field(default_factory=list)
    """delete_missing: ids deleted (in a dry run: that would be deleted)."""
    not_deleted: dict[str, Exception] = field(default_factory=dict)
    """delete_missing: ids whose deletion failed, with the error."""
    delete_skipped: str | None = None
    """delete_missing: why nothing was deleted, when it was not safe to decide."""
    _keys: list[str] = field(default_factory=list, repr=False)
    _tally: dict[FileOutcome, int] = field(
        default_factory=lambda: dict.fromkeys(FileOutcome, 0), repr=False
    )
    _bytes_done: int = field(default=0, repr=False)
    _bytes_sent: int = field(default=0, repr=False)

    def begin(self, assistant: str, keys: list[str], bytes_total: int) -> None:
        """Start the clock on a run over ``keys`` (``upload_many`` calls this once)."""
        self.assistant = assistant
        self._keys = keys
        self.files_total = len(keys)
        self.bytes_total = bytes_total
        self.started_at = anyio.current_time()

    def record(self, result: FileResult) -> None:
        """Add one file's result (``upload_many`` calls this as each file finishes)."""
        self.results.append(result)
        self._tally[result.outcome] += 1
        self._bytes_done += result.size or 0
        if result.outcome in (FileOutcome.AVAILABLE, FileOutcome.UPLOADED):
            self._bytes_sent += result.size or 0

    def _of(self, outcome: FileOutcome) -> list[FileResult]:
        return [r for r in self.results if r.outcome is outcome]

    @property
    def available(self) -> list[FileResult]:
        return self._of(FileOutcome.AVAILABLE)

    @property
    def uploaded(self) -> list[FileResult]:
        return self._of(FileOutcome.UPLOADED)

    @property
    def skipped(self) -> list[FileResult]:
        return self._of(FileOutcome.SKIPPED)

    @property
    def failed(self) -> list[FileResult]:
        return self._of(FileOutcome.FAILED)

    @property
    def planned(self) -> list[FileResult]:
        """dry_run: the files that would be uploaded."""
        return self._of(FileOutcome.PLANNED)

    @property
    def pending(self) -> list[str]:
        """Keys of the files that did not finish (after a cancellation or an abort)."""
        done = {r.key for r in self.results}
        return [key for key in self._keys if key not in done]

    @property
    def counts(self) -> dict[str, int]:
        """Files per outcome, plus ``pending`` (not finished)."""
        counts = {outcome.value: n for outcome, n in self._tally.items()}
        if not self.dry_run:
            del counts[FileOutcome.PLANNED.value]
        counts["pending"] = self.files_total - len(self.results)
        return counts

    @property
    def bytes_done(self) -> int:
        """Bytes of the finished files, whatever their outcome (what progress shows)."""
        return self._bytes_done

    @property
    def bytes_uploaded(self) -> int:
        """Bytes of the files actually sent (Available or uploaded)."""
        return self._bytes_sent

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        end = self.finished_at if self.finished_at is not None else anyio.current_time()
        return end - self.started_at

    @property
    def complete(self) -> bool:
        """Every file has a result (nothing pending)."""
        return self.finished_at is not None and len(self.results) == self.files_total

    @property
    def ok(self) -> bool:
        """Complete and nothing failed (no upload, and no deletion of ``delete_missing``)."""
        return self.complete and not self._tally[FileOutcome.FAILED] and not self.not_deleted

    def result_for(self, key: str) -> FileResult | None:
        return next((r for r in self.results if r.key == key), None)

    def raise_for_failures(self) -> None:
        """Raise ``BulkUploadError`` naming the failed files, if any."""
        failed = self.failed
        if failed:
            shown = "; ".join(f"{r.key}: {r.reason}" for r in failed[:5])
            more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
            raise BulkUploadError(f"{len(failed)} file(s) failed: {shown}{more}", report=self)

    def progress(self, last: FileResult | None = None) -> BulkProgress:
        return BulkProgress(
            files_done=len(self.results),
            files_total=self.files_total,
            bytes_done=self.bytes_done,
            bytes_total=self.bytes_total,
            failed=self._tally[FileOutcome.FAILED],
            skipped=self._tally[FileOutcome.SKIPPED],
            last=last,
        )

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items() if n)
        state = " (cancelled)" if self.cancelled else ""
        return f"{self.files_total} files: {counts or 'nothing'} in {self.elapsed:.2f}s{state}"
