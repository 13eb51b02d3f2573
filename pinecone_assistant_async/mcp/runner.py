"""Serving the MCP server over stdio or streamable HTTP, and stopping it cleanly.

Both transports stop on SIGTERM or SIGINT (and stdio also when its input ends): the server
finishes, the client's connections close, and the process exits with status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal, cast

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server

from ..client import AssistantClient
from .server import build_server

__all__ = ["Transport", "serve"]

Transport = Literal["stdio", "http"]
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_MAX_LINE = 64 * 1024 * 1024  # one JSON-RPC message per line


class _PipeLines:
    """The lines of stdin, read by the event loop (no thread), so a stop can cancel the wait.

    The mcp package reads stdin in a worker thread; a thread blocked in ``readline`` cannot be
    cancelled, so SIGTERM would hang until the client sent another line.
    """

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> _PipeLines:
        return self

    async def __anext__(self) -> str:
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


@contextlib.asynccontextmanager
async def _stdin_lines() -> AsyncIterator[_PipeLines | None]:
    """Stdin as a cancellable line source; ``None`` when it is not a pipe, tty or socket."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=_MAX_LINE)
    pipe = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    try:
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), pipe
        )
    except (OSError, ValueError):  # a regular file: let the mcp package read it its way
        pipe.close()
        yield None
        return
    try:
        yield _PipeLines(reader)
    finally:
        transport.close()


async def _run_stdio(server: MCPServer) -> None:
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is None:  # pragma: no cover - another mcp release; stop still works on EOF
        await server.run_stdio_async()
        return
    async with _stdin_lines() as lines:
        if lines is None:
            await server.run_stdio_async()
            return
        stdin = cast("anyio.AsyncFile[str]", lines)
        async with stdio_server(stdin=stdin) as (read_stream, write_stream):
            options = lowlevel.create_initialization_options()
            await lowlevel.run(read_stream, write_stream, options)


async def _stdio(server: MCPServer) -> None:
    async with anyio.create_task_group() as tg:

        async def stop_on_signal() -> None:
            with anyio.open_signal_receiver(*_STOP_SIGNALS) as signals:
                async for _ in signals:
                    tg.cancel_scope.cancel()
                    return

        tg.start_soon(stop_on_signal)
        await _run_stdio(server)  # returns when stdin reaches EOF
        tg.cancel_scope.cancel()


def _ignore(signum: int, frame: Any) -> None:
    """uvicorn re-delivers the stop signal once it has shut down; by then we are done."""


def _require_token(app: Any, token: str) -> Any:
    """ASGI middleware: HTTP requests must carry ``Authorization: Bearer <token>``."""
    expected = f"Bearer {token}".encode()

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            sent = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(sent, expected):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b"Bearer"),
                        ],
                    }
                )
                body = b'{"error": "missing or wrong bearer token"}'
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return guarded


async def _http(server: MCPServer, bind: str, port: int, path: str, auth_token: str | None) -> None:
    import uvicorn  # a dependency of the mcp package

    app: Any = server.streamable_http_app(streamable_http_path=path, host=bind)
    if auth_token:
        app = _require_token(app, auth_token)
    elif bind not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(
            f"warning: serving on {bind} without --auth-token: anyone who reaches this port "
            "can use your Pinecone API key's assistants\n"
        )
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bind, port))
    sock.listen(1024)  # connections wait in the backlog until uvicorn accepts them
    where = f"[{bind}]" if ":" in bind else bind
    url = f"http://{where}:{sock.getsockname()[1]}{path}"
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=3)
    web = uvicorn.Server(config)
    # uvicorn stops gracefully on SIGTERM/SIGINT, restores the handlers it found, then sends the
    # signal again; ours turns that into a normal return instead of the default kill.
    previous = {sig: signal.signal(sig, _ignore) for sig in _STOP_SIGNALS}
    sys.stderr.write(f"serving MCP over streamable HTTP at {url}\n")
    sys.stderr.flush()
    try:
        await web.serve(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


async def serve(
    *,
    assistants: Sequence[str] | None = None,
    transport: Transport = "stdio",
    bind: str = "127.0.0.1",
    port: int = 8000,
    path: str = "/mcp",
    auth_token: str | None = None,
    **client_options: Any,
) -> None:
    """Serve ``assistants`` (``None``: all) until stopped; ``client_options`` go to the client.

    Over HTTP, ``auth_token`` makes every request need ``Authorization: Bearer <auth_token>``.

    >>> anyio.run(lambda: serve(assistants=["handbook"]))                # doctest: +SKIP
    """
    async with AssistantClient(**client_options) as client:
        server = build_server(client, assistants)
        if transport == "stdio":
            await _stdio(server)
        elif transport == "http":
            await _http(server, bind, port, path, auth_token)
        else:
            raise ValueError(f"transport must be 'stdio' or 'http', got {transport!r}")
