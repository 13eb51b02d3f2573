"""A second floor for streams: raw aiohttp, with each event parsed into this SDK's chunk models.

Everything is the raw floor's (``client_raw``), except that each ``data:`` payload goes through
``parse_chat_chunk`` (one pydantic-core pass, the typed chunk models) instead of
``orjson.loads``. It is the least work a client can do and still hand out pydantic chunks, so
``ours`` against it shows what our stream costs beyond building the models, and its own ratio
to raw shows what building them costs. It runs in scenario c only.
"""

from __future__ import annotations

import time

from pinecone_assistant_async.models.chat import ContentChunk, MessageEndChunk, parse_chat_chunk

from .client_raw import JSON, RawAdapter, chat_stream_body

__all__ = ["TypedAdapter"]


class TypedAdapter(RawAdapter):
    # The raw floor's loop, written out again on purpose: sharing it through a decode and a
    # type-lookup callable cost the floor ~3% per event (measured), which would flatter every
    # ratio against it.
    async def stream(self, assistant: str, question: str) -> tuple[int, float]:
        url = f"{await self.data_base(assistant)}/chat/{assistant}"
        started = time.perf_counter()
        first = 0.0
        chunks = 0
        ended = False
        buffer = b""
        async with self.session.post(url, data=chat_stream_body(question), headers=JSON) as resp:
            if resp.status != 200:
                raise RuntimeError(f"stream -> {resp.status}: {(await resp.read())[:200]!r}")
            async for data in resp.content.iter_any():
                *events, buffer = (buffer + data).split(b"\n\n")
                for event in events:
                    if not event.startswith(b"data:"):
                        continue
                    chunk = parse_chat_chunk(event[5:])
                    if isinstance(chunk, ContentChunk):
                        if not chunks:
                            first = time.perf_counter() - started
                        chunks += 1
                    elif isinstance(chunk, MessageEndChunk):
                        ended = True
        if not ended:
            raise RuntimeError("stream ended without message_end")
        return chunks, first
