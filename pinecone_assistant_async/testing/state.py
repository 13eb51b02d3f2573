"""In-memory assistants, files and operations, with status computed lazily from elapsed time.

Nothing runs in the background: every read asks "how long ago did this start?" and answers
with the status the service would show by now (Initializing -> Ready, Processing -> Available,
Deleting -> gone, ...). Records that have finished disappearing are purged on the read that
notices it. The clock is injectable so tests of the store itself can drive time by hand.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .documents import Chunk
from .retrieval import Index

__all__ = [
    "AssistantRecord",
    "FileRecord",
    "OperationRecord",
    "Store",
    "Timings",
    "iso_time",
]


def iso_time(moment: float) -> str:
    """A wall-clock time as the service writes it: ISO 8601, UTC, `Z` suffix."""
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Timings:
    """How long server-side work takes, in seconds (all zero in instant mode)."""

    ready_delay: float = 0.2
    processing_delay: float = 0.2
    delete_delay: float = 0.1

    def __post_init__(self) -> None:
        for name in ("ready_delay", "processing_delay", "delete_delay"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0 seconds, got {value!r}")


@dataclass
class OperationRecord:
    """A file operation (upload_file, upsert_file, delete_file)."""

    id: str
    kind: str
    file_id: str
    created_at: float
    started: float
    duration: float
    seq: int
    failure: str | None = None
    ingestion_units: float | None = None


@dataclass
class FileRecord:
    """A file and the outcome of its (simulated) processing."""

    id: str
    name: str
    content: bytes
    sha256: str
    metadata: dict[str, Any] | None
    multimodal: bool
    created_at: float
    updated_at: float
    started: float
    seq: int
    failure: str | None = None
    deleting_since: float | None = None
    pages: int = 0


@dataclass
class AssistantRecord:
    """An assistant with its files, operations and search index."""

    name: str
    instructions: str | None
    metadata: dict[str, Any] | None
    region: str
    created_at: float
    updated_at: float
    started: float
    seq: int
    fail_init: bool = False
    terminating_since: float | None = None
    files: dict[str, FileRecord] = field(default_factory=dict)
    operations: dict[str, OperationRecord] = field(default_factory=dict)
    index: Index = field(default_factory=Index)


class Store:
    """All emulator state. Methods return None for things that do not (or no longer) exist."""

    def __init__(
        self,
        timings: Timings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.timings = timings or Timings()
        self._clock = clock
        self._wall = wall
        self._seq = itertools.count(1)
        self.assistants: dict[str, AssistantRecord] = {}

    # -- assistants -------------------------------------------------------------------------

    def assistant_status(self, rec: AssistantRecord) -> str | None:
        now = self._clock()
        if rec.terminating_since is not None:
            if now - rec.terminating_since >= self.timings.delete_delay:
                self.assistants.pop(rec.name, None)
                return None
            return "Terminating"
        if now - rec.started >= self.timings.ready_delay:
            return "InitializationFailed" if rec.fail_init else "Ready"
        return "Initializing"

    def get_assistant(self, name: str) -> AssistantRecord | None:
        rec = self.assistants.get(name)
        if rec is None or self.assistant_status(rec) is None:
            return None
        return rec

    def list_assistants(self) -> list[AssistantRecord]:
        return [r for r in list(self.assistants.values()) if self.assistant_status(r) is not None]

    def create_assistant(
        self,
        name: str,
        *,
        instructions: str | None,
        metadata: dict[str, Any] | None,
        region: str,
        fail_init: bool = False,
    ) -> AssistantRecord | None:
        """The new assistant, or None when the name is taken."""
        if self.get_assistant(name) is not None:
            return None
        wall = self._wall()
        rec = AssistantRecord(
            name=name,
            instructions=instructions,
            metadata=metadata,
            region=region,
            created_at=wall,
            updated_at=wall,
            started=self._clock(),
            seq=next(self._seq),
            fail_init=fail_init,
        )
        self.assistants[name] = rec
        return rec

    def update_assistant(
        self, rec: AssistantRecord, *, instructions: object, metadata: object
    ) -> None:
        """Apply a PATCH; `...` (Ellipsis) leaves a field unchanged."""
        if instructions is not ...:
            rec.instructions = instructions if isinstance(instructions, str) else None
        if metadata is not ...:
            rec.metadata = metadata if isinstance(metadata, dict) else None
        rec.updated_at = self._wall()

    def delete_assistant(self, rec: AssistantRecord) -> None:
        if rec.terminating_since is None:
            rec.terminating_since = self._clock()
        self.assistant_status(rec)

    def fail_assistant(self, name: str) -> bool:
        """Make an existing assistant end in InitializationFailed (the Python-API provocation)."""
        rec = self.get_assistant(name)
        if rec is None:
            return False
        rec.fail_init = True
        return True

    # -- files ------------------------------------------------------------------------------

    def file_status(self, owner: AssistantRecord, rec: FileRecord) -> str | None:
        now = self._clock()
        if rec.deleting_since is not None:
            if now - rec.deleting_since >= self.timings.delete_delay:
                owner.files.pop(rec.id, None)
                owner.index.remove(rec.id)
                return None
            return "Deleting"
        if now - rec.started >= self.timings.processing_delay:
            return "ProcessingFailed" if rec.failure is not None else "Available"
        return "Processing"

    def percent_done(self, rec: FileRecord) -> float:
        """Processing progress as a fraction 0..1 (the older `percent_done` field)."""
        if self.timings.processing_delay <= 0:
            return 1.0
        return min(1.0, round((self._clock() - rec.started) / self.timings.processing_delay, 3))

    def get_file(self, owner: AssistantRecord, file_id: str) -> FileRecord | None:
        rec = owner.files.get(file_id)
        if rec is None or self.file_status(owner, rec) is None:
            return None
        return rec

    def list_files(self, owner: AssistantRecord) -> list[FileRecord]:
        return [r for r in list(owner.files.values()) if self.file_status(owner, r) is not None]

    def is_available(self, owner: AssistantRecord, file_id: str) -> bool:
        rec = owner.files.get(file_id)
        return rec is not None and self.file_status(owner, rec) == "Available"

    def put_file(
        self,
        owner: AssistantRecord,
        *,
        file_id: str | None,
        name: str,
        content: bytes,
        sha256: str,
        metadata: dict[str, Any] | None,
        multimodal: bool,
        chunks: Iterable[Chunk],
        pages: int,
        failure: str | None,
        kind: str,
    ) -> tuple[FileRecord, OperationRecord]:
        """Store a new (or replace an existing) file; start its processing operation."""
        fid = file_id or str(uuid.uuid4())
        wall, now = self._wall(), self._clock()
        previous = self.get_file(owner, fid)
        rec = FileRecord(
            id=fid,
            name=name,
            content=content,
            sha256=sha256,
            metadata=metadata,
            multimodal=multimodal,
            created_at=previous.created_at if previous is not None else wall,
            updated_at=wall,
            started=now,
            seq=previous.seq if previous is not None else next(self._seq),
            failure=failure,
            pages=pages,
        )
        owner.files[fid] = rec
        owner.index.remove(fid)
        if failure is None:
            owner.index.add(list(chunks))
        units = None if failure is not None else float(max(1, pages))
        op = self._operation(owner, kind, fid, self.timings.processing_delay, failure, units)
        return rec, op

    def delete_file(self, owner: AssistantRecord, rec: FileRecord) -> OperationRecord | None:
        """Start deleting a file; None when it went at once (a file that failed processing)."""
        if self.file_status(owner, rec) == "ProcessingFailed":
            owner.files.pop(rec.id, None)
            owner.index.remove(rec.id)
            return None
        if rec.deleting_since is None:
            rec.deleting_since = self._clock()
        op = self._operation(owner, "delete_file", rec.id, self.timings.delete_delay, None, None)
        self.file_status(owner, rec)
        return op

    # -- operations -------------------------------------------------------------------------

    def _operation(
        self,
        owner: AssistantRecord,
        kind: str,
        file_id: str,
        duration: float,
        failure: str | None,
        units: float | None,
    ) -> OperationRecord:
        op = OperationRecord(
            id=f"op-{uuid.uuid4().hex[:20]}",
            kind=kind,
            file_id=file_id,
            created_at=self._wall(),
            started=self._clock(),
            duration=duration,
            seq=next(self._seq),
            failure=failure,
            ingestion_units=units,
        )
        owner.operations[op.id] = op
        return op

    def operation_progress(self, op: OperationRecord) -> tuple[str, int]:
        """(status, percent_complete) of an operation right now."""
        elapsed = self._clock() - op.started
        if elapsed >= op.duration:
            return ("Failed", 50) if op.failure is not None else ("Completed", 100)
        percent = int(100 * elapsed / op.duration)
        return "Processing", min(percent, 50 if op.failure is not None else 99)
