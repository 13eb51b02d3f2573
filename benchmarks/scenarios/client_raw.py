"""The floor: the same HTTP calls made with aiohttp directly, JSON in and out with ``orjson``.

No models, no retries, no validation: the least work a client can do and still read the
answers, with the fastest JSON library a simple client would pick (``json.loads`` would make
the floor slower and every ratio against it flatter). Streams are read with ``iter_any()`` and
split on blank lines. The data-plane host is looked up once (as every client caches it).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import IO, Any

import aiohttp
import orjson

from .spec import API_KEY

__all__ = ["JSON", "RawAdapter", "chat_stream_body", "raw_headers"]

API_VERSION = "2026-07"
POLL_INTERVAL = 0.05


def raw_headers() -> dict[str, str]:
    return {"Api-Key": API_KEY, "X-Pinecone-Api-Version": API_VERSION}


JSON = {"Content-Type": "application/json"}


def chat_stream_body(question: str) -> bytes:
    """The body of a streamed chat asking ``question``."""
    body = {"messages": [{"role": "user", "content": question}], "model": "gpt-4o", "stream": True}
    return orjson.dumps(body)


def _open_binary(path: str) -> IO[bytes]:
    return open(path, "rb")  # handed to aiohttp, closed by the caller


class RawAdapter:
    mode = "asyncio"

    def __init__(self, url: str) -> None:
        self._url = url
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, str] = {}

    async def open(self, *, extra_headers: dict[str, str] | None = None) -> None:
        headers = {**raw_headers(), **(extra_headers or {})}
        connector = aiohttp.TCPConnector(limit=100)
        self._session = aiohttp.ClientSession(headers=headers, connector=connector)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None
        return self._session

    async def _get_json(self, url: str) -> Any:
        async with self.session.get(url) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {url} -> {resp.status}: {body[:200]!r}")
        return orjson.loads(body)

    async def data_base(self, assistant: str) -> str:
        base = self._hosts.get(assistant)
        if base is None:
            info = await self._get_json(f"{self._url}/assistant/assistants/{assistant}")
            base = self._hosts[assistant] = f"{info['host']}/assistant"
        return base

    async def chat(self, assistant: str, question: str) -> None:
        url = f"{await self.data_base(assistant)}/chat/{assistant}"
        body = {"messages": [{"role": "user", "content": question}], "model": "gpt-4o"}
        async with self.session.post(url, data=orjson.dumps(body), headers=JSON) as resp:
            raw = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"chat -> {resp.status}: {raw[:200]!r}")
        answer = orjson.loads(raw)
        if not answer["message"]["content"]:
            raise RuntimeError("empty answer")

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
            # The simplest parse that works for this server's streams (LF line ends, one
            # "data:" line per event): split the reads on blank lines; no CR, no comments.
            async for data in resp.content.iter_any():
                *events, buffer = (buffer + data).split(b"\n\n")
                for event in events:
                    if not event.startswith(b"data:"):
                        continue
                    kind = orjson.loads(event[5:]).get("type")
                    if kind == "content_chunk":
                        if not chunks:
                            first = time.perf_counter() - started
                        chunks += 1
                    elif kind == "message_end":
                        ended = True
        if not ended:
            raise RuntimeError("stream ended without message_end")
        return chunks, first

    async def _upload(self, assistant: str, path: str, *, stream_file: bool) -> dict[str, Any]:
        url = f"{await self.data_base(assistant)}/files/{assistant}"
        form = aiohttp.FormData()
        name = Path(path).name
        handle: IO[bytes] | None = None
        if stream_file:
            handle = await asyncio.to_thread(_open_binary, path)
            form.add_field("file", handle, filename=name)
        else:
            data = await asyncio.to_thread(Path(path).read_bytes)
            form.add_field("file", data, filename=name)
        try:
            async with self.session.post(url, data=form) as resp:
                raw = await resp.read()
                if resp.status not in (200, 202):
                    raise RuntimeError(f"upload -> {resp.status}: {raw[:200]!r}")
        finally:
            if handle is not None:
                await asyncio.to_thread(handle.close)
        result: dict[str, Any] = orjson.loads(raw)
        return result

    async def _until_available(self, assistant: str, operation: dict[str, Any]) -> None:
        base = await self.data_base(assistant)
        while operation.get("status") == "Processing":
            await asyncio.sleep(POLL_INTERVAL)
            operation = await self._get_json(f"{base}/operations/{assistant}/{operation['id']}")
        if operation.get("status") != "Completed":
            raise RuntimeError(f"upload operation ended {operation.get('status')}")
        file_url = f"{base}/files/{assistant}/{operation['file_id']}"
        while (info := await self._get_json(file_url))["status"] != "Available":
            if info["status"] == "ProcessingFailed":
                raise RuntimeError("processing failed")
            await asyncio.sleep(POLL_INTERVAL)

    async def upload_many(self, assistant: str, paths: list[str], concurrency: int) -> int:
        limit = asyncio.Semaphore(concurrency)

        async def one(path: str) -> None:
            async with limit:
                operation = await self._upload(assistant, path, stream_file=False)
                await self._until_available(assistant, operation)

        await asyncio.gather(*(one(p) for p in paths))
        return len(paths)

    async def upload_big(self, assistant: str, path: str) -> None:
        await self._upload(assistant, path, stream_file=True)
