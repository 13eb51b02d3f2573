"""``pinecone-assistant assistants list|create|describe|update|delete``."""

from __future__ import annotations

import argparse
from typing import Any

from ..client import AssistantClient
from ..models import Assistant
from ._args import Command, json_object, seconds
from ._output import Output, plain

__all__ = ["register"]


def _row(a: Assistant) -> tuple[str, str, str, str]:
    created = a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else "-"
    return a.name, str(plain(a.status)), str(plain(a.region) or "-"), created


def _show(out: Output, a: Assistant) -> None:
    if out.json_mode:
        out.emit_json(a)
    else:
        out.fields(f"assistant {a.name}", a.model_dump(exclude_none=True))


async def list_(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found = [a async for a in client.assistants.list()]
    if out.json_mode:
        out.emit_json(found)
    else:
        out.table(
            f"{len(found)} assistant(s)",
            ("name", "status", "region", "created"),
            (_row(a) for a in found),
        )
    return 0


async def create(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    created = await client.assistants.create(
        args.name,
        instructions=args.instructions,
        metadata=args.metadata,
        region=args.region,
        wait=not args.no_wait,
        timeout=args.timeout,
    )
    _show(out, created)
    return 0


async def describe(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    _show(out, await client.assistants.describe(args.name))
    return 0


async def update(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    changes: dict[str, Any] = {}
    if args.instructions is not None:
        changes["instructions"] = args.instructions or None  # '' clears them
    if args.metadata is not None:
        changes["metadata"] = args.metadata
    if not changes:
        out.error("nothing to update: give --instructions and/or --metadata")
        return 2
    await client.assistants.update(args.name, **changes)
    _show(out, await client.assistants.describe(args.name))
    return 0


async def delete(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    await client.assistants.delete(args.name, wait=not args.no_wait, timeout=args.timeout)
    if out.json_mode:
        out.emit_json({"deleted": args.name})
    else:
        out.text(f"deleted assistant {args.name}")
    return 0


def register(
    groups: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    group = groups.add_parser("assistants", help="manage assistants", parents=[common])
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("list", help="list the project's assistants", parents=[common])
    p.set_defaults(command=Command(list_))
    p = verbs.add_parser("create", help="create an assistant (waits until Ready)", parents=[common])
    p.add_argument("name", help="the new assistant's name (1-63 of a-z, 0-9, '-')")
    p.add_argument("--instructions", metavar="TEXT", help="system instructions for the assistant")
    p.add_argument(
        "--metadata",
        type=json_object,
        metavar="JSON",
        help='a JSON object kept with the assistant, like \'{"team": "hr"}\'',
    )
    p.add_argument(
        "--region",
        choices=("us", "eu"),
        default="us",
        help="where the assistant and its files live (default us)",
    )
    p.add_argument("--no-wait", action="store_true", help="return without waiting for Ready")
    p.add_argument(
        "--timeout", type=seconds, default=300.0, metavar="S", help="seconds to wait (300)"
    )
    p.set_defaults(command=Command(create))
    p = verbs.add_parser("describe", help="show one assistant", parents=[common])
    p.add_argument("name", help="the assistant's name")
    p.set_defaults(command=Command(describe))
    p = verbs.add_parser(
        "update",
        help="change an assistant's instructions or metadata",
        parents=[common],
        description="Change an assistant's instructions and/or metadata, then show it.",
    )
    p.add_argument("name", help="the assistant's name")
    p.add_argument(
        "--instructions", metavar="TEXT", help="the new system instructions ('' removes them)"
    )
    p.add_argument(
        "--metadata",
        type=json_object,
        metavar="JSON",
        help="the new metadata, a JSON object (replaces the old one)",
    )
    p.set_defaults(command=Command(update))
    p = verbs.add_parser("delete", help="delete an assistant and its files", parents=[common])
    p.add_argument("name", help="the assistant's name")
    p.add_argument("--no-wait", action="store_true", help="return without waiting")
    p.add_argument(
        "--timeout", type=seconds, default=300.0, metavar="S", help="seconds to wait (300)"
    )
    p.set_defaults(command=Command(delete))
