"""This package, used the way its documentation shows."""

from __future__ import annotations

import time

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.models import ContentChunk, MessageEndChunk

from .spec import API_KEY

__all__ = ["OursAdapter"]


class OursAdapter:
    mode = "asyncio"

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: AssistantClient | None = None

    async def open(self, *, extra_headers: dict[str, str] | None = None) -> None:
        self._client = AssistantClient(api_key=API_KEY, host=self._url, extra_headers=extra_headers)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    @property
    def client(self) -> AssistantClient:
        assert self._client is not None
        return self._client

    async def chat(self, assistant: str, question: str) -> None:
        reply = await self.client.chat(assistant, question)
        if not reply.message.content:
            raise RuntimeError("empty answer")

    async def stream(self, assistant: str, question: str) -> tuple[int, float]:
        started = time.perf_counter()
        first = 0.0
        chunks = 0
        ended = False
        async with self.client.chat_stream(assistant, question) as stream:
            async for chunk in stream:
                if isinstance(chunk, ContentChunk):
                    if not chunks:
                        first = time.perf_counter() - started
                    chunks += 1
                elif isinstance(chunk, MessageEndChunk):
                    ended = True
        if not ended:
            raise RuntimeError("stream ended without message_end")
        return chunks, first

    async def upload_many(self, assistant: str, paths: list[str], concurrency: int) -> int:
        report = await self.client.files.upload_many(assistant, paths, concurrency=concurrency)
        available = len(report.available)
        if available != len(paths):
            raise RuntimeError(f"{available} of {len(paths)} files Available: {report.failed!r}")
        return available

    async def upload_big(self, assistant: str, path: str) -> None:
        await self.client.files.upload(assistant, path, wait=False)
