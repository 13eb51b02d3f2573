"""Pinecone's official SDK (``pinecone``), through its asyncio client ``AsyncPinecone``.

``host=`` points its control plane at the emulator; the data plane follows the ``host`` that
``describe`` returns, as it does against the service. The connection pool is raised to 128
(64 kept alive) so that 64 concurrent calls are not throttled by its default of 20.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pinecone import AsyncPinecone
from pinecone.models.assistant.streaming import StreamContentChunk, StreamMessageEnd

from .spec import API_KEY

__all__ = ["OfficialAdapter"]

POOL = 128


class OfficialAdapter:
    mode = "asyncio (AsyncPinecone)"

    def __init__(self, url: str) -> None:
        self._url = url
        self._pc: AsyncPinecone | None = None

    async def open(self, *, extra_headers: dict[str, str] | None = None) -> None:
        self._pc = AsyncPinecone(
            api_key=API_KEY,
            host=self._url,
            additional_headers=extra_headers or {},
            connection_pool_maxsize=POOL,
        )

    async def aclose(self) -> None:
        if self._pc is not None:
            await self._pc.close()

    @property
    def assistants(self) -> Any:
        assert self._pc is not None
        return self._pc.assistants

    async def chat(self, assistant: str, question: str) -> None:
        reply = await self.assistants.chat(
            assistant_name=assistant, messages=[{"role": "user", "content": question}]
        )
        if not reply.message.content:
            raise RuntimeError("empty answer")

    async def stream(self, assistant: str, question: str) -> tuple[int, float]:
        started = time.perf_counter()
        first = 0.0
        chunks = 0
        ended = False
        stream = await self.assistants.chat(
            assistant_name=assistant,
            messages=[{"role": "user", "content": question}],
            stream=True,
        )
        async for chunk in stream:
            if isinstance(chunk, StreamContentChunk):
                if not chunks:
                    first = time.perf_counter() - started
                chunks += 1
            elif isinstance(chunk, StreamMessageEnd):
                ended = True
        if not ended:
            raise RuntimeError("stream ended without message_end")
        return chunks, first

    async def upload_many(self, assistant: str, paths: list[str], concurrency: int) -> int:
        limit = asyncio.Semaphore(concurrency)

        async def one(path: str) -> None:
            async with limit:
                info = await self.assistants.upload_file(assistant_name=assistant, file_path=path)
                if info.status != "Available":
                    raise RuntimeError(f"upload ended {info.status}")

        await asyncio.gather(*(one(p) for p in paths))
        return len(paths)

    async def upload_big(self, assistant: str, path: str) -> None:
        # timeout=-1: return once the upload is accepted (its documented "do not wait").
        await self.assistants.upload_file(assistant_name=assistant, file_path=path, timeout=-1)
