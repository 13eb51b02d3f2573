"""``pinecone-assistant files upload|list|describe|delete``; upload shows a live progress bar."""

from __future__ import annotations

import argparse
from typing import Any

import anyio
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..bulk import HASH_METADATA_KEY, BulkProgress, BulkUploadError, BulkUploadReport
from ..client import AssistantClient
from ..models import AssistantFile
from . import sync
from ._args import Command, count, json_object, seconds
from ._output import Output, human_bytes, plain

__all__ = ["register", "report_json"]

SHOWN_FAILURES = 20


def report_json(report: BulkUploadReport) -> dict[str, Any]:
    return {
        "assistant": report.assistant,
        "complete": report.complete,
        "cancelled": report.cancelled,
        "counts": report.counts,
        "bytes_total": report.bytes_total,
        "bytes_uploaded": report.bytes_uploaded,
        "elapsed": round(report.elapsed, 3),
        "results": [
            {
                "key": r.key,
                "file_id": r.file_id,
                "outcome": r.outcome.value,
                "size": r.size,
                "sha256": r.sha256,
                "reason": r.reason,
                "attempts": r.attempts,
                "error": type(r.error).__name__ if r.error is not None else None,
            }
            for r in report.results
        ],
        "pending": report.pending,
    }


def _summary(out: Output, report: BulkUploadReport) -> None:
    counts = report.counts
    rate = len(report.results) / report.elapsed if report.elapsed > 0 else 0.0
    names = ("available", "uploaded", "skipped", "failed", "pending")
    rows: list[tuple[str, object]] = [(name, counts[name]) for name in names if counts[name]]
    rows += [
        ("sent", human_bytes(report.bytes_uploaded)),
        ("elapsed", f"{report.elapsed:.2f} s ({rate:.1f} files/s)"),
    ]
    state = "cancelled" if report.cancelled else f"{report.files_total} file(s)"
    out.table(f"upload to {report.assistant}: {state}", ("result", "files"), rows)
    failed = report.failed
    if failed:
        out.table(
            f"{len(failed)} failed"
            + (f" (first {SHOWN_FAILURES})" if len(failed) > SHOWN_FAILURES else ""),
            ("file", "error", "reason"),
            ((r.key, type(r.error).__name__, r.reason) for r in failed[:SHOWN_FAILURES]),
        )


class _Bar:
    """Feeds ``on_progress`` into a rich progress bar (files and bytes), shown from the first
    call on, so bad input fails without drawing anything."""

    def __init__(self, out: Output) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[files]} files"),
            DownloadColumn(binary_units=True),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=out.err,
            disable=out.json_mode,
        )
        self.task: TaskID | None = None

    def __call__(self, p: BulkProgress) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task(
                "uploading", total=p.bytes_total or None, files=f"0/{p.files_total}", failed=""
            )
        failed = f"[red]{p.failed} failed" if p.failed else ""
        done = p.files_done == p.files_total
        self.progress.update(
            self.task,
            completed=p.bytes_done,
            failed=failed,
            files=f"{p.files_done}/{p.files_total}",
            description="uploaded " if done else "uploading",
        )

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()


async def upload(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    report = BulkUploadReport()
    options: dict[str, Any] = dict(
        concurrency=args.concurrency,
        metadata=args.metadata,
        id_strategy=args.id_strategy,
        skip_unchanged=not args.no_skip,
        retry_failed=args.retry_failed,
        wait=not args.no_wait,
        timeout=args.timeout,
        include=args.include,
        exclude=args.exclude,
        include_hidden=args.hidden,
        report=report,
    )
    bar = _Bar(out)
    try:
        await client.files.upload_many(args.assistant, args.paths, on_progress=bar, **options)
    except (anyio.get_cancelled_exc_class(), BulkUploadError):
        bar.stop()  # interrupted or aborted (401/403): show what finished, then the error
        if report.started_at is not None:
            _finish(out, report)
        raise
    bar.stop()
    return _finish(out, report)


def _finish(out: Output, report: BulkUploadReport) -> int:
    if out.json_mode:
        out.emit_json(report_json(report))
    else:
        _summary(out, report)
    return 0 if report.ok else 1


def _metadata(metadata: dict[str, Any] | None) -> str:
    shown = []
    for key, value in (metadata or {}).items():
        text = str(value)
        shown.append(f"{key}={text[:12]}…" if key == HASH_METADATA_KEY else f"{key}={text}")
    return ", ".join(shown) or "-"


async def list_(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found: list[AssistantFile] = [
        f async for f in client.files.list(args.assistant, filter=args.filter)
    ]
    if out.json_mode:
        out.emit_json(found)
        return 0
    out.table(
        f"{len(found)} file(s) in {args.assistant}",
        ("id", "name", "status", "size", "metadata"),
        (
            (f.id, f.name, plain(f.status), human_bytes(f.size), _metadata(f.metadata))
            for f in found
        ),
    )
    return 0


async def describe(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found = await client.files.describe(args.assistant, args.file_id, include_url=not args.no_url)
    if out.json_mode:
        out.emit_json(found)
    else:
        out.fields(f"file {found.id}", found.model_dump(exclude_none=True))
    return 0


async def delete(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    for file_id in args.file_ids:
        await client.files.delete(args.assistant, file_id, wait=not args.no_wait)
        if not out.json_mode:
            out.text(f"deleted {file_id}")
    if out.json_mode:
        out.emit_json({"deleted": args.file_ids})
    return 0


def register(
    groups: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    group = groups.add_parser("files", help="upload, list and delete files", parents=[common])
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser(
        "upload",
        parents=[common],
        help="upload files and directories (idempotent)",
        description="Upload files and directories concurrently. Re-running skips what the "
        "assistant already holds unchanged. Exit status 1 when a file failed.",
    )
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files and directories")
    p.add_argument(
        "--concurrency", type=count, default=16, metavar="N", help="files in flight (16)"
    )
    p.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help="only files matching, relative to each directory (repeatable; "
        "'*.md', 'guides/**/*.txt')",
    )
    p.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching")
    p.add_argument("--hidden", action="store_true", help="include dot files and directories")
    p.add_argument(
        "--metadata", type=json_object, metavar="JSON", help="a JSON object set on every file"
    )
    p.add_argument(
        "--id-strategy",
        choices=("path", "content"),
        default="path",
        help="file ids from relative paths (default) or from content hashes",
    )
    p.add_argument("--no-skip", action="store_true", help="send files even if unchanged")
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="re-send files whose identical content failed processing before",
    )
    p.add_argument("--no-wait", action="store_true", help="do not wait until Available")
    p.add_argument(
        "--timeout", type=seconds, default=600.0, metavar="S", help="seconds per file (600)"
    )
    p.set_defaults(command=Command(upload))
    p = verbs.add_parser("list", help="list an assistant's files", parents=[common])
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument(
        "--filter",
        type=json_object,
        metavar="JSON",
        help='a metadata filter, like \'{"team": {"$eq": "hr"}}\'',
    )
    p.set_defaults(command=Command(list_))
    p = verbs.add_parser(
        "describe",
        help="show one file, with a signed download URL",
        parents=[common],
        description="Show one file's status and metadata, and a signed URL to download it "
        "(valid for a limited time).",
    )
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument("file_id", metavar="FILE_ID", help="the file's id (see 'files list')")
    p.add_argument("--no-url", action="store_true", help="do not ask for the signed URL")
    p.set_defaults(command=Command(describe))
    p = verbs.add_parser("delete", help="delete files by id", parents=[common])
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument("file_ids", nargs="+", metavar="FILE_ID", help="the ids of the files")
    p.add_argument("--no-wait", action="store_true", help="do not wait until gone")
    p.set_defaults(command=Command(delete))
    sync.register(verbs, common)  # files sync DIR (cli/sync.py)
