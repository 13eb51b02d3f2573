"""``pinecone-assistant files sync ASSISTANT DIR``: make an assistant hold exactly a folder.

It first works out what it would do (a dry run: new and changed files to upload, files gone
from the folder to delete; nothing is sent), shows it, and asks before doing it (``--yes``
skips the question, ``--dry-run`` stops after showing it). Only files an earlier upload or
sync made are ever deleted. Interrupting it (Ctrl-C) is safe: run it again to finish.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import anyio

from ..bulk import BulkUploadError, BulkUploadReport
from ..client import AssistantClient
from ._args import Command, count
from ._output import Output

__all__ = ["register"]

SHOWN = 20


def _plan_json(plan: BulkUploadReport) -> dict[str, Any]:
    return {
        "upload": [r.key for r in plan.planned],
        "delete": plan.deleted,
        "unchanged": len(plan.skipped),
        "failed": [{"key": r.key, "reason": r.reason} for r in plan.failed],
        "delete_skipped": plan.delete_skipped,
    }


def _show_plan(out: Output, args: argparse.Namespace, plan: BulkUploadReport) -> None:
    uploads, deletes = plan.planned, plan.deleted
    rows: list[tuple[str, str]] = [("upload", r.key) for r in uploads[:SHOWN]]
    if len(uploads) > SHOWN:
        rows.append(("upload", f"... and {len(uploads) - SHOWN} more"))
    rows += [("delete", file_id) for file_id in deletes[:SHOWN]]
    if len(deletes) > SHOWN:
        rows.append(("delete", f"... and {len(deletes) - SHOWN} more"))
    rows += [("cannot send", f"{r.key}: {r.reason}") for r in plan.failed[:SHOWN]]
    title = (
        f"sync {args.directory} -> {args.assistant}: {len(uploads)} to upload, "
        f"{len(deletes)} to delete, {len(plan.skipped)} unchanged"
    )
    out.table(title, ("action", "file"), rows)
    if plan.delete_skipped:
        out.note(plan.delete_skipped)


async def _confirmed(out: Output) -> bool:
    if not sys.stdin.isatty():
        out.error("not a terminal: pass --yes to sync without being asked")
        return False
    answer = await anyio.to_thread.run_sync(input, "Proceed? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


async def sync(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    options: dict[str, Any] = dict(
        concurrency=args.concurrency, include=args.include, exclude=args.exclude,
        include_hidden=args.hidden, delete_missing=True,
    )  # fmt: skip
    plan = await client.files.upload_many(args.assistant, [args.directory], dry_run=True, **options)
    if not out.json_mode:
        _show_plan(out, args, plan)
    if not plan.planned and not plan.deleted:
        if out.json_mode:
            out.emit_json({"plan": _plan_json(plan), "done": None})
        else:
            out.text("already in sync")
        return 0 if not plan.failed else 1
    if args.dry_run:
        if out.json_mode:
            out.emit_json({"plan": _plan_json(plan), "done": None})
        return 0
    if not args.yes and not await _confirmed(out):
        return 2
    report = BulkUploadReport()
    try:
        await client.files.upload_many(
            args.assistant, [args.directory], report=report, wait=not args.no_wait, **options
        )
    except (anyio.get_cancelled_exc_class(), BulkUploadError):
        if not out.json_mode:
            out.note("interrupted: run the same sync again to finish")
        raise
    failed = [{"key": r.key, "reason": r.reason} for r in report.failed]
    done: dict[str, Any] = {
        "uploaded": [r.key for r in report.available + report.uploaded],
        "deleted": report.deleted,
        "failed": failed,
        "not_deleted": {k: str(v) for k, v in report.not_deleted.items()},
    }
    if out.json_mode:
        out.emit_json({"plan": _plan_json(plan), "done": done})
    else:
        rows = [(k, len(v)) for k, v in done.items() if v]
        out.table(f"synced {args.assistant} in {report.elapsed:.1f} s", ("result", "files"), rows)
        for failure in failed[:SHOWN]:
            out.error(f"{failure['key']}: {failure['reason']}")
    return 0 if report.ok else 1


def register(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = verbs.add_parser(
        "sync", parents=[common], help="make an assistant hold exactly a folder's files",
        description="Upload the folder's new and changed files and delete the files gone from "
        "it (only files an upload or sync made). Shows what it would do and asks first; safe "
        "to interrupt and run again. Exit status 1 when a file failed.",
    )  # fmt: skip
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument("directory", metavar="DIR", help="the folder to mirror")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask before syncing")
    p.add_argument("--dry-run", action="store_true", help="only show what would be done")
    p.add_argument("--concurrency", type=count, default=16, metavar="N",
                   help="files being sent at once (16)")  # fmt: skip
    p.add_argument("--include", action="append", metavar="GLOB", help="only files matching")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching")
    p.add_argument("--hidden", action="store_true", help="include dot files and directories")
    p.add_argument("--no-wait", action="store_true", help="do not wait until Available")
    p.set_defaults(command=Command(sync))
