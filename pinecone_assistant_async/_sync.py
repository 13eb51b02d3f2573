"""Folder sync for ``upload_many(delete_missing=True)``: delete what is gone from the sources.

Only files ``upload_many`` made are candidates (they carry its ``content_sha256`` metadata);
files uploaded any other way are never touched. Deletion starts after every upload of the run
has finished, and is skipped entirely when the run was cancelled or aborted, or when a file
failed before its id was known (its earlier version could not be told apart from a file that
is gone). So a crash or Ctrl-C never deletes anything whose replacement did not land, and the
next run picks up where this one stopped: uploads already done are skipped, and deleting a
file that is already gone counts as done. Deletions are sent without waiting for each to
finish (that would cost file reads), at most ``concurrency`` at a time, paced by the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import anyio

from ._bulk_report import BulkUploadReport, FileOutcome
from .errors import NotFoundError, PineconeError
from .models import AssistantFile

if TYPE_CHECKING:
    from ._bulk_inputs import BulkFiles

__all__ = ["delete_missing_files", "deletions"]


def deletions(
    existing: Mapping[str, AssistantFile], report: BulkUploadReport, owned_key: str
) -> list[str] | None:
    """Ids to delete (sorted), or None when it is not safe to decide (see the docstring)."""
    kept: set[str] = set()
    for result in report.results:
        if result.file_id is None and result.outcome is FileOutcome.FAILED:
            return None
        if result.file_id is not None:
            kept.add(result.file_id)
    if len(report.results) != report.files_total:
        return None
    return sorted(
        file_id
        for file_id, file in existing.items()
        if file_id not in kept and owned_key in (file.metadata or {})
    )


async def delete_missing_files(
    files: BulkFiles,
    existing: Mapping[str, AssistantFile],
    report: BulkUploadReport,
    *,
    concurrency: int,
    owned_key: str,
) -> None:
    """Delete (or in a dry run, list) the files gone from the sources, into ``report``."""
    assistant = report.assistant
    assert assistant is not None
    targets = deletions(existing, report, owned_key)
    if targets is None:
        report.delete_skipped = (
            "not deleting: some files failed before their id was known, or the run did not finish"
        )
        return
    if report.dry_run:
        report.deleted.extend(targets)
        return
    limiter = anyio.CapacityLimiter(concurrency)

    async def delete(file_id: str) -> None:
        async with limiter:
            try:
                await files.delete(assistant, file_id, wait=False)
            except NotFoundError:
                pass  # already gone (a run before this one got there first)
            except PineconeError as error:
                report.not_deleted[file_id] = error
                return
            report.deleted.append(file_id)

    async with anyio.create_task_group() as tg:
        for file_id in targets:
            tg.start_soon(delete, file_id)
