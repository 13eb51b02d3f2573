"""Run the emulator from a shell until Ctrl-C or SIGTERM.

    python -m pinecone_assistant_async.testing --port 8080 [--api-key K] [--ready-delay S]
        [--processing-delay S] [--delete-delay S] [--fault SPEC ...] [--fault-path REGEX]
        [--instant] [--plan starter|standard|enterprise] [--time-scale F]

It prints the URL and the API key, then serves. Point a client at it with
``AssistantClient(api_key=K, host=URL)`` or ``Pinecone(api_key=K, host=URL)``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from .controls import ControlError, parse_control
from .emulator import DEFAULT_API_KEY, Emulator

__all__ = ["build_parser", "main", "parse_args"]


PROG = "python -m pinecone_assistant_async.testing"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """``prog`` names the command in usage lines (``pinecone-assistant emulator`` there)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve an offline Pinecone Assistant API emulator on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 picks a free one)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the only key accepted")
    parser.add_argument(
        "--ready-delay",
        type=float,
        default=0.2,
        metavar="S",
        help="seconds a new assistant stays Initializing (default 0.2)",
    )
    parser.add_argument(
        "--processing-delay",
        type=float,
        default=0.2,
        metavar="S",
        help="seconds an uploaded file stays Processing (default 0.2)",
    )
    parser.add_argument(
        "--delete-delay",
        type=float,
        default=0.1,
        metavar="S",
        help="seconds a deleted assistant or file stays Terminating/Deleting (default 0.1)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="X-Emulator-Control spec applied to every matching request (repeatable)",
    )
    parser.add_argument("--fault-path", default=None, metavar="REGEX", help="limit --fault")
    parser.add_argument("--instant", action="store_true", help="no delays, no request log")
    parser.add_argument(
        "--plan",
        choices=("starter", "standard", "enterprise"),
        default=None,
        help="enforce this plan's rate and object limits (default: unlimited)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="F",
        help="a rate-limit minute lasts 60*F seconds; delays are multiplied by F (default 1)",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None, prog: str = PROG) -> argparse.Namespace:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if not args.time_scale > 0:
        parser.error("--time-scale must be > 0")
    for spec in args.fault:
        try:
            parse_control(spec)
        except ControlError as exc:
            parser.error(f"--fault {spec!r}: {exc}")
    return args


async def serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        ready_delay=args.ready_delay,
        processing_delay=args.processing_delay,
        delete_delay=args.delete_delay,
        instant=args.instant,
        faults=args.fault,
        fault_path=args.fault_path,
        plan=args.plan,
        time_scale=args.time_scale,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with emulator:
        print(f"Pinecone Assistant emulator listening on {emulator.url}", flush=True)
        print(f"API key: {emulator.api_key}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    print("Emulator stopped.", flush=True)


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    args = parse_args(argv, prog)
    try:
        asyncio.run(serve(args))
    except OSError as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
