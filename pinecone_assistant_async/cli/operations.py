"""``pinecone-assistant operations list|describe``: the server-side work on an assistant's files."""

from __future__ import annotations

import argparse

from ..client import AssistantClient
from ..models import Operation, OperationStatus, OperationType
from ._args import Command
from ._output import Output, plain

__all__ = ["register"]


def _when(op: Operation) -> str:
    return op.created_on.strftime("%Y-%m-%d %H:%M:%S") if op.created_on else "-"


def _row(op: Operation) -> tuple[str, ...]:
    done = "-" if op.percent_complete is None else f"{op.percent_complete}%"
    return (
        op.id,
        str(plain(op.operation_type)),
        str(plain(op.status)),
        op.file_id or "-",
        done,
        _when(op),
        op.error_message or "",
    )


async def list_(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found = [
        op
        async for op in client.operations.list(
            args.assistant, status=args.status, operation_type=args.type
        )
    ]
    if out.json_mode:
        out.emit_json(found)
    else:
        out.table(
            f"{len(found)} operation(s) on {args.assistant}",
            ("id", "type", "status", "file", "done", "created", "error"),
            (_row(op) for op in found),
        )
    return 0


async def describe(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found = await client.operations.describe(args.assistant, args.operation_id)
    if out.json_mode:
        out.emit_json(found)
    else:
        out.fields(f"operation {found.id}", found.model_dump(exclude_none=True))
    return 0


def register(
    groups: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    group = groups.add_parser(
        "operations", parents=[common], help="follow uploads and deletions (server-side operations)"
    )
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("list", parents=[common], help="list an assistant's operations")
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument(
        "--status", choices=[s.value for s in OperationStatus], help="only operations in this state"
    )
    p.add_argument(
        "--type", choices=[t.value for t in OperationType], help="only operations of this kind"
    )
    p.set_defaults(command=Command(list_))
    p = verbs.add_parser("describe", parents=[common], help="show one operation")
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument(
        "operation_id", metavar="OPERATION_ID", help="the operation's id (see 'operations list')"
    )
    p.set_defaults(command=Command(describe))
