"""A small web chat: the browser asks, the server relays the assistant's answer as it streams.

    python examples/web_chat/app.py          # then open http://127.0.0.1:8080

``GET /api/ask?q=...`` answers with Server-Sent Events: ``text`` (a piece of the answer),
``citation`` (a numbered source and the character position it supports), then ``done`` (finish
reason and token usage) or ``failure`` (a message). ``index.html`` renders them as they arrive.
Without ``PINECONE_API_KEY`` the app starts the embedded emulator and loads the sample documents.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from aiohttp import web

from pinecone_assistant_async import AssistantClient, AssistantHandle, PineconeError
from pinecone_assistant_async.models import CitationChunk, ContentChunk
from pinecone_assistant_async.testing import Emulator

HERE = Path(__file__).resolve().parent
SAMPLE_DOCS = HERE.parent / "sample_docs"
ASSISTANT = web.AppKey("assistant", AssistantHandle)


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
        async with assistant.chat_stream(question) as stream:
            number = 0
            async for chunk in stream:
                if isinstance(chunk, ContentChunk):
                    await _send(response, "text", {"text": chunk.delta.content})
                elif isinstance(chunk, CitationChunk):
                    number += 1
                    sources = [
                        {"file": ref.file.name, "pages": ref.pages}
                        for ref in chunk.citation.references
                    ]
                    citation = {
                        "number": number,
                        "position": chunk.citation.position,
                        "sources": sources,
                    }
                    await _send(response, "citation", citation)
            final = await stream.final()
        usage = final.usage.model_dump() if final.usage else None
        await _send(response, "done", {"finish_reason": final.finish_reason, "usage": usage})
    except PineconeError as exc:
        await _send(response, "failure", {"message": str(exc)})
    return response


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
    async with AsyncExitStack() as stack:
        if os.environ.get("PINECONE_API_KEY"):
            client = AssistantClient()
        else:
            client = (await stack.enter_async_context(Emulator())).client()
        await stack.enter_async_context(client)
        name = f"web-chat-{secrets.token_hex(3)}"
        await client.assistants.create(name)
        assistant = client.assistant(name)
        try:
            await assistant.files.upload_many([SAMPLE_DOCS])
            yield assistant
        finally:
            await assistant.delete()


async def main(port: int = 8080) -> None:
    async with demo_assistant() as assistant:
        runner = web.AppRunner(create_app(assistant))
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
            print(f"web chat on http://127.0.0.1:{port} (Ctrl+C to stop)")
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        asyncio.run(main(int(os.environ.get("PORT", "8080"))))
