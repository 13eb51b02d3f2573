"""``pinecone-assistant mcp``: serve assistants to MCP clients (needs the ``mcp`` extra).

The arguments are those of ``python -m pinecone_assistant_async.mcp``; the connection options
given before the command name (``--api-key``, ``--host``, ``--data-host``, ``--api-version``)
are passed on.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any

__all__ = ["MCP_MAIN", "main", "register"]

MCP_MAIN = "pinecone_assistant_async.mcp.__main__"
"""Loaded only for this command: the mcp package takes a while to import."""
_FORWARDED = ("--api-key", "--host", "--data-host", "--api-version")


def register(groups: Any) -> None:
    parser: argparse.ArgumentParser = groups.add_parser(
        "mcp",
        help="serve assistants to MCP clients over stdio or HTTP (see 'mcp --help')",
        add_help=False,
        description="Arguments are those of 'python -m pinecone_assistant_async.mcp'.",
    )
    parser.set_defaults(command=None)


def _global_options(before: Sequence[str]) -> list[str]:
    forwarded: list[str] = []
    tokens = list(before)
    for i, token in enumerate(tokens):
        if token in _FORWARDED and i + 1 < len(tokens):
            forwarded += [token, tokens[i + 1]]
        elif token.startswith(_FORWARDED) and "=" in token:
            forwarded.append(token)
    return forwarded


def main(before: Sequence[str], after: Sequence[str]) -> int:
    """Run the server with the global options ``before`` and the command's own ``after``."""
    try:
        server: Any = importlib.import_module(MCP_MAIN)
    except ModuleNotFoundError as exc:
        print(f"error: {exc}")
        return 1
    return int(server.main([*_global_options(before), *after], prog="pinecone-assistant mcp"))
