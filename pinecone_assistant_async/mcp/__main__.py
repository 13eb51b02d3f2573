"""``python -m pinecone_assistant_async.mcp`` (also ``pinecone-assistant mcp``).

::

    python -m pinecone_assistant_async.mcp [--assistant NAME ...] [--transport stdio|http]
        [--bind 127.0.0.1] [--port 8000] [--path /mcp] [--auth-token TOKEN]
        [--api-key KEY] [--host URL] [--data-host URL] [--api-version V]

The API key comes from ``--api-key`` or ``PINECONE_API_KEY``; the service address from
``--host`` or ``PINECONE_HOST``; ``--data-host``, ``PINECONE_DATA_HOST`` or
``PINECONE_ASSISTANT_HOST`` (as read by Pinecone's own MCP server) fixes the assistants'
data-plane host. Exit status: 0 when stopped (end of input,
SIGTERM, SIGINT), 1 when it cannot start, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["build_parser", "main"]


class _Stopped(Exception):
    """A stop signal arrived before the server was up."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped


def build_parser(prog: str = "python -m pinecone_assistant_async.mcp") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Serve Pinecone assistants to MCP clients (Claude Desktop, IDEs, agent frameworks): "
            "tools assistant_context, assistant_chat, list_assistants, list_files."
        ),
    )
    parser.add_argument(
        "--assistant",
        "-a",
        action="append",
        dest="assistants",
        metavar="NAME",
        help="serve this assistant (repeat for several; default: every assistant)",
    )
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--bind", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (0: any free one)")
    parser.add_argument("--path", default="/mcp", help="HTTP endpoint path (default /mcp)")
    parser.add_argument(
        "--auth-token",
        help="HTTP clients must send 'Authorization: Bearer TOKEN' "
        "(default: $PINECONE_MCP_AUTH_TOKEN; none)",
    )
    parser.add_argument("--api-key", help="Pinecone API key (default: $PINECONE_API_KEY)")
    parser.add_argument("--host", help="control-plane URL (default: $PINECONE_HOST)")
    parser.add_argument(
        "--data-host",
        help="the assistants' data-plane URL (default: $PINECONE_DATA_HOST, else "
        "$PINECONE_ASSISTANT_HOST as Pinecone's own MCP server reads it, else described)",
    )
    parser.add_argument("--api-version", help="API version (default: the SDK's)")
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    parser = build_parser(prog) if prog else build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not args.path.startswith("/"):
        parser.error("--path must start with '/'")
    data_host = (
        args.data_host
        or os.environ.get("PINECONE_DATA_HOST")
        or os.environ.get("PINECONE_ASSISTANT_HOST")
        or None
    )
    versioned = {"api_version": args.api_version} if args.api_version else {}
    # Until the server installs its own handling, a stop signal means "exit quietly".
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        import anyio

        from ..errors import PineconeError
        from .runner import serve
    except _Stopped:
        return 0
    try:
        anyio.run(
            lambda: serve(
                assistants=args.assistants,
                transport=args.transport,
                bind=args.bind,
                port=args.port,
                path=args.path,
                auth_token=args.auth_token or os.environ.get("PINECONE_MCP_AUTH_TOKEN") or None,
                api_key=args.api_key,
                host=args.host,
                data_host=data_host,
                **versioned,
            )
        )
    except (_Stopped, KeyboardInterrupt):
        return 0
    except (PineconeError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
