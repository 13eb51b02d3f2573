"""``pinecone-assistant``: the command-line tool (optional extra: ``pip install
pinecone-assistant-async[cli]``; also ``python -m pinecone_assistant_async``).

::

    pinecone-assistant assistants list|create NAME|describe NAME|update NAME|delete NAME
    pinecone-assistant files upload NAME PATH... [--concurrency N] [--include GLOB] ...
    pinecone-assistant files list NAME | files describe NAME FILE_ID | files delete NAME ID...
    pinecone-assistant operations list NAME | operations describe NAME OPERATION_ID
    pinecone-assistant chat NAME "question" [--model M] [--temperature T] [--top-k N] ...
    pinecone-assistant context NAME "query" | evaluate --question Q --answer A --ground-truth G
    pinecone-assistant emulator [--port 8080 ...]  (serves the offline emulator)
    pinecone-assistant mcp [--assistant NAME ...] [--transport stdio|http]  (an MCP server)

Each connection option falls back on an environment variable: ``--api-key``
(``PINECONE_API_KEY``), ``--host`` (``PINECONE_HOST``), ``--data-host``
(``PINECONE_DATA_HOST``), ``--api-version`` (``PINECONE_API_VERSION``); ``_args.ENVIRONMENT``
lists them. ``--json`` prints machine-readable results. Errors print one
line to stderr (``--debug`` adds the traceback); exit status 0 on success, 1 on a failure
(including any file that failed to upload), 2 on bad usage, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import anyio

try:
    import rich  # noqa: F401  (the 'cli' extra; everything below prints through it)
except ModuleNotFoundError:  # pragma: no cover - depends on the install
    sys.stderr.write(
        "error: the command-line tool needs the 'cli' extra: "
        "pip install 'pinecone-assistant-async[cli]'\n"
    )
    raise SystemExit(1) from None

from .._version import __version__
from ..client import AssistantClient
from ..errors import InvalidInputError, PineconeError
from . import ask, assistants, files, operations
from . import mcp as mcp_command
from ._args import ENVIRONMENT, Command, common_options, value_options
from ._output import Output

if TYPE_CHECKING:
    from ..limits import RateLimits

__all__ = ["build_parser", "main"]

PROG = "pinecone-assistant"
EMULATOR_MAIN = "pinecone_assistant_async.testing.__main__"
"""Loaded only for the ``emulator`` command: the emulator's document parsers (pypdf, ...) take
most of a second to import, which every other command would otherwise pay."""


def _prog() -> str:
    """The command as the user typed it, for usage lines."""
    if os.path.basename(sys.argv[0]) == "__main__.py":
        return "python -m pinecone_assistant_async"
    return PROG


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog=prog,
        parents=[common],
        description="Manage Pinecone assistants and their files, chat, retrieve and evaluate.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    assistants.register(groups, common)
    files.register(groups, common)
    operations.register(groups, common)
    ask.register(groups, common)
    mcp_command.register(groups)
    emu = groups.add_parser(
        "emulator",
        help="serve the offline emulator (see 'emulator --help')",
        add_help=False,
        description="Arguments are those of 'python -m pinecone_assistant_async.testing'.",
    )
    emu.set_defaults(command=None)
    return parser


def _command_index(argv: list[str]) -> int:
    """Index of the command name in ``argv``, skipping the global options before it."""
    takes_value = value_options(common_options())
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in takes_value:
            index += 2
        elif token.startswith("-"):
            index += 1
        else:
            return index
    return index


PLANS = ("starter", "standard", "enterprise", "adaptive")


def _rate_limits(plan: str) -> RateLimits:
    """``--plan``'s limits (an unknown name is a one-line error, exit status 1)."""
    from ..limits import RateLimits

    name = plan.strip().lower()
    if name not in PLANS:
        raise InvalidInputError(f"--plan must be one of {', '.join(PLANS)}, got {plan!r}")
    return RateLimits.adaptive() if name == "adaptive" else RateLimits.for_plan(name)


async def _run(command: Command, args: argparse.Namespace, out: Output) -> int:
    options: dict[str, Any] = {"data_host": args.data_host}
    if args.api_version is not None:
        options["api_version"] = args.api_version
    if args.plan is not None:
        options["rate_limits"] = _rate_limits(args.plan)
    async with AssistantClient(api_key=args.api_key, host=args.host, **options) as client:
        return await command.run(client, args, out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool; returns the exit status (the console script passes it to ``sys.exit``)."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    prog = _prog() if argv is None else PROG
    at = _command_index(tokens)
    if tokens[at : at + 1] == ["emulator"]:
        emulator: Any = importlib.import_module(EMULATOR_MAIN)
        return int(emulator.main(tokens[at + 1 :], prog=f"{prog} emulator"))
    if tokens[at : at + 1] == ["mcp"]:
        return mcp_command.main(tokens[:at], tokens[at + 1 :])
    args = build_parser(prog).parse_args(tokens)
    for name, variable in ENVIRONMENT.items():
        if getattr(args, name, None) is None:
            setattr(args, name, os.environ.get(variable) or None)
    out = Output(json_mode=getattr(args, "json", False), debug=getattr(args, "debug", False))
    try:
        return anyio.run(_run, args.command, args, out)
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except PineconeError as exc:
        if out.debug:
            traceback.print_exc()
        out.error(str(exc) or type(exc).__name__)
        return 1
    except Exception as exc:
        if out.debug:
            traceback.print_exc()
        out.error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
