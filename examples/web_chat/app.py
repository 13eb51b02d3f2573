"""A small web chat: the browser asks, the server relays the assistant's answer as it streams.

    python examples/web_chat/app.py [--port 8080]   # or PORT=8081; then open the URL it prints

``GET /api/ask?q=...`` answers with Server-Sent Events: ``text`` (a piece of the answer),
``citation`` (the numbers of its sources, the character position it supports, and the sources
not listed before: each file and pages gets one number), then ``done`` (finish reason and
token usage) or ``failure`` (a message). ``index.html`` renders them as they arrive.
Without ``PINECONE_API_KEY`` the app starts the embedded emulator and loads the sample documents
(stderr says which service it talks to). A browser that leaves mid-answer ends the relay
quietly; see README.md next to this file.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from aiohttp import web

from pinecone_assistant_async import AssistantHandle, PineconeError
from pinecone_assistant_async.citations import CitedText
from pinecone_assistant_async.models import CitationChunk, ContentChunk

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the examples' shared set-up, examples/_common.py
from _common import SAMPLE_DOCS, target  # noqa: E402

ASSISTANT = web.AppKey("assistant", AssistantHandle)
DEFAULT_PORT = 8080
log = logging.getLogger("web_chat")


async def _send(response: web.StreamResponse, event: str, data: dict[str, Any]) -> None:
    await response.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(HERE / "index.html")


async def ask(request: web.Request) -> web.StreamResponse:
    question = request.query.get("q", "").strip()
    if not question:
        raise web.HTTPBadRequest(text="ask with ?q=your+question")
    assistant = request.app[ASSISTANT]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    try:
        await _relay(response, assistant, question)
    except ConnectionResetError:  # aiohttp's ClientConnectionResetError: the browser left
        log.info("the browser left before the answer was complete; relay stopped")
    return response


async def _relay(response: web.StreamResponse, assistant: AssistantHandle, question: str) -> None:
    try:
        async with assistant.chat_stream(question) as stream:
            numbering = CitedText(hold_back=False)  # one number per distinct file and pages
            async for chunk in stream:
                if isinstance(chunk, ContentChunk):
                    await _send(response, "text", {"text": chunk.delta.content})
                elif isinstance(chunk, CitationChunk):
                    known = len(numbering.sources)
                    numbers = numbering.number(chunk.citation)
                    new_sources = [
                        {"number": s.number, "file": s.file_name, "pages": list(s.pages)}
                        for s in numbering.sources[known:]
                    ]
                    citation = {
                        "numbers": numbers,
                        "position": chunk.citation.position,
                        "sources": new_sources,  # only those not listed yet
                    }
                    await _send(response, "citation", citation)
            final = await stream.final()
        usage = final.usage.model_dump() if final.usage else None
        await _send(response, "done", {"finish_reason": final.finish_reason, "usage": usage})
    except PineconeError as exc:
        await _send(response, "failure", {"message": str(exc)})


def create_app(assistant: AssistantHandle) -> web.Application:
    """The web app for one assistant (the caller owns the client and closes it)."""
    app = web.Application()
    app[ASSISTANT] = assistant
    app.router.add_get("/", index)
    app.router.add_get("/api/ask", ask)
    return app


@asynccontextmanager
async def demo_assistant() -> AsyncIterator[AssistantHandle]:
    """An assistant holding the sample documents, on the emulator or (with a key) Pinecone."""
    async with target() as where, where.client() as client:
        name = f"web-chat-{secrets.token_hex(3)}"
        await client.assistants.create(name)
        assistant = client.assistant(name)
        try:
            await assistant.files.upload_many([SAMPLE_DOCS])
            yield assistant
        finally:
            await assistant.delete()


async def _until_stopped() -> None:
    """Wait for Ctrl+C or SIGTERM, so that either one deletes the demo assistant on the way out."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # Windows: Ctrl+C still raises KeyboardInterrupt
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def listen(port: int) -> socket.socket:
    """A socket listening on 127.0.0.1:``port``, bound before anything is set up."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


async def main(port: int = DEFAULT_PORT) -> None:
    sock = listen(port)  # a busy port fails here, before an assistant is created
    try:
        async with demo_assistant() as assistant:
            runner = web.AppRunner(create_app(assistant))
            await runner.setup()
            try:
                await web.SockSite(runner, sock).start()
                url = f"http://127.0.0.1:{sock.getsockname()[1]}"
                print(f"web chat on {url} (Ctrl+C to stop)", flush=True)
                await _until_stopped()
            finally:
                await runner.cleanup()
    finally:
        sock.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python examples/web_chat/app.py",
        description="Serve a web page that chats with an assistant over the sample documents.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("PORT") or str(DEFAULT_PORT),  # argparse applies type= to it
        help=f"port on 127.0.0.1 (default: $PORT, else {DEFAULT_PORT}; 0 picks a free one)",
    )
    return parser.parse_args(argv)


def run(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # one line per request
    try:
        asyncio.run(main(args.port))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            print(
                f"error: cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); another "
                "program may use it: pick another port with --port N or PORT=N",
                file=sys.stderr,
            )
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(run())
