"""Streams under damage: any fragmentation, split UTF-8, a 2 MiB line, cuts, stalls, a missing
final chunk, and leaving early or being cancelled (the pool slot must be free at once)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
import pytest
from aiohttp import web

from pinecone_assistant_async import (
    APITimeoutError,
    AssistantClient,
    ConnectionLimits,
    StreamError,
    Timeouts,
)
from pinecone_assistant_async.models import ContentChunk, MessageEndChunk
from pinecone_assistant_async.testing import Emulator

from .conftest import CHAT, FAST_RETRY, LocalServer, in_use

pytestmark = pytest.mark.anyio

TEXT = "Zürich → 東京 🎉 ok"


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _chat_body(*deltas: str) -> bytes:
    head = {"id": "r1", "model": "gpt-4o"}
    parts = [_event({"type": "message_start", "role": "assistant", **head})]
    parts += [_event({"type": "content_chunk", "delta": {"content": d}, **head}) for d in deltas]
    parts.append(_event({"type": "message_end", "finish_reason": "stop", **head}))
    return b"".join(parts)


def _client(server: LocalServer, **kwargs: Any) -> AssistantClient:
    return AssistantClient(
        api_key="stream-key-0123456789", host=server.url, data_host=server.url, **kwargs
    )


def _split_server(body: bytes, cuts: list[list[int]]) -> LocalServer:
    """Request n sends ``body`` split at the offsets ``cuts[n]``, pausing between the writes."""

    async def respond(request: web.Request) -> web.StreamResponse:
        offsets = cuts[len(server.seen) - 1]
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        start = 0
        for offset in [*offsets, len(body)]:
            await resp.write(body[start:offset])
            await asyncio.sleep(0.001)
            start = offset
        await resp.write_eof()
        return resp

    server = LocalServer(respond)
    return server


async def _docs_with_file(emu: Emulator) -> None:
    async with emu.client() as client:
        await client.files.upload(
            "docs", b"The office opens at nine. The canteen closes at two.", file_name="a.txt"
        )


async def test_a_stream_split_at_every_byte_boundary_reads_the_same() -> None:
    body = _chat_body("Zür", "ich → 東", "京 🎉 ok")
    cuts = [[k] for k in range(1, len(body))]
    async with _split_server(body, cuts) as server, _client(server) as client:
        for _ in cuts:
            async with client.chat_stream("docs", "q") as stream:
                final = await stream.final()
            assert final.message.content == TEXT
            assert final.finish_reason == "stop"
    assert len(server.seen) == len(body) - 1


async def test_multibyte_characters_split_across_reads_are_whole() -> None:
    body = _chat_body(TEXT)
    emoji = body.index("🎉".encode())
    arrow = body.index("→".encode())
    # cut inside the 3-byte arrow and twice inside the 4-byte emoji
    async with (
        _split_server(body, [[arrow + 1, arrow + 2, emoji + 1, emoji + 3]]) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        pieces = [c.delta.content async for c in stream if isinstance(c, ContentChunk)]
    assert pieces == [TEXT]


async def test_a_2_mib_sse_line_arrives_whole() -> None:
    big = ("é" + "x" * 1023) * 2048  # 2 MiB of characters, 2 MiB + 2 KiB of UTF-8
    body = _chat_body("start ", big, " end")
    step = 65521  # a prime, so no write lines up with a read or a character
    async with (
        _split_server(body, [list(range(step, len(body), step))]) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        deltas = [c.delta.content async for c in stream if isinstance(c, ContentChunk)]
    assert deltas == ["start ", big, " end"]


async def test_emulator_writes_of_one_byte_decode_the_same(docs: Emulator) -> None:
    await _docs_with_file(docs)
    async with (
        docs.client() as client,
        client.chat_stream("docs", "When does the office open?") as stream,
    ):
        whole = await stream.final()
    ctl = {"X-Emulator-Control": "fragment=1"}
    async with (
        docs.client(extra_headers=ctl) as client,
        client.chat_stream("docs", "When does the office open?") as s,
    ):
        tiny = await s.final()
    assert tiny.message.content == whole.message.content and "nine" in whole.message.content
    assert tiny.citations == whole.citations and tiny.usage == whole.usage


async def test_a_body_ending_inside_an_event_is_a_stream_error() -> None:
    body = _chat_body("a", "b")[:-1]  # the last blank line is missing
    async with (
        _split_server(body, [[]]) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError, match="stopped in the middle of an event"):
            await stream.final()


async def test_a_stream_cut_mid_event_is_a_stream_error_and_not_retried(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("cut_after=300", path=CHAT, method="POST")
    received: list[object] = []
    async with docs.client(retry=FAST_RETRY) as client:
        async with client.chat_stream("docs", "When does the office open?") as stream:
            with pytest.raises(StreamError) as info:
                async for chunk in stream:
                    received.append(chunk)
            with pytest.raises(StreamError):  # the failure is remembered
                await stream.final()
        assert in_use(client) == 0
    assert info.value.method == "POST" and info.value.url == f"{docs.url}/assistant/chat/docs"
    assert str(info.value).startswith(
        ("the connection was cut during the chat stream", "the chat stream stopped in the middle")
    )
    assert len(received) > 0 and not any(isinstance(c, MessageEndChunk) for c in received)
    assert docs.count(method="POST", path=CHAT) == 1


async def test_a_stall_past_the_idle_timeout_is_a_timeout(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("stall_after=2;stall=1.5", path=CHAT, method="POST")
    got = 0
    async with docs.client(timeout=Timeouts(stream_idle=0.2), retry=FAST_RETRY) as client:
        async with client.chat_stream("docs", "When does the office open?") as stream:
            with pytest.raises(APITimeoutError) as info:
                async for _ in stream:
                    got += 1
        assert in_use(client) == 0
    assert got == 2
    assert str(info.value) == (
        f"the chat stream sent nothing for 0.2s (idle timeout): POST {docs.url}/assistant/chat/docs"
    )
    assert docs.count(method="POST", path=CHAT) == 1


async def test_a_slow_but_steady_stream_has_no_total_deadline(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("stall_after=1;stall=0.4", path=CHAT, method="POST")
    timeouts = Timeouts(total=0.2, stream_idle=5)
    async with (
        docs.client(timeout=timeouts) as client,
        client.chat_stream("docs", "When does the office open?") as s,
    ):
        reply = await s.final()
    assert "nine" in reply.message.content


@pytest.mark.parametrize(
    ("completions", "message"),
    [
        (False, "the chat stream ended without a message_end chunk"),
        (True, "the chat completion stream ended without a finish_reason or [DONE]"),
    ],
)
async def test_a_stream_without_its_final_chunk_is_an_error(
    docs: Emulator, completions: bool, message: str
) -> None:
    await _docs_with_file(docs)
    ctl = {"X-Emulator-Control": "drop_final=1"}
    async with docs.client(extra_headers=ctl) as client:
        opened = (
            client.chat_completions_stream("docs", "When does the office open?")
            if completions
            else client.chat_stream("docs", "When does the office open?")
        )
        async with opened as stream:
            with pytest.raises(StreamError) as info:
                await stream.final()
        assert in_use(client) == 0
    assert str(info.value) == message


async def test_leaving_early_frees_the_only_pool_slot_at_once(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("stall_after=2;stall=1", path=CHAT, method="POST")  # the body is still coming
    async with docs.client(limits=ConnectionLimits(max_connections=1)) as client:
        async with client.chat_stream("docs", "When does the office open?") as stream:
            async for _ in stream:
                assert in_use(client) == 1
                break
        assert in_use(client) == 0
        with anyio.fail_after(5):  # a held slot would block this call forever
            reply = await client.chat("docs", "When does the office open?")
    assert "nine" in reply.message.content


async def test_an_exception_in_the_consumer_frees_the_slot(docs: Emulator) -> None:
    await _docs_with_file(docs)
    async with docs.client(limits=ConnectionLimits(max_connections=1)) as client:
        with pytest.raises(KeyError):
            async with client.chat_stream("docs", "When does the office open?") as stream:
                async for _ in stream:
                    raise KeyError("consumer bug")
        assert in_use(client) == 0
        with anyio.fail_after(5):
            await client.assistants.describe("docs")


async def test_cancelling_a_reader_frees_the_slot(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("stall_after=1;stall=1", path=CHAT, method="POST")
    async with docs.client(limits=ConnectionLimits(max_connections=1)) as client:
        with anyio.move_on_after(0.2) as scope:
            async with client.chat_stream("docs", "When does the office open?") as stream:
                async for _ in stream:
                    pass
        assert scope.cancelled_caught
        assert in_use(client) == 0
        with anyio.fail_after(5):
            await client.assistants.describe("docs")


async def test_cancelling_while_the_stream_opens_frees_the_slot(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("delay=1", path=CHAT, method="POST")
    async with docs.client(limits=ConnectionLimits(max_connections=1)) as client:
        with anyio.move_on_after(0.2) as scope:
            async with client.chat_stream("docs", "When does the office open?"):
                pytest.fail("the headers come after the cancellation")
        assert scope.cancelled_caught
        assert in_use(client) == 0
        with anyio.fail_after(5):
            await client.assistants.describe("docs")


async def test_a_stream_read_to_its_end_returns_its_connection_for_reuse(docs: Emulator) -> None:
    await _docs_with_file(docs)
    async with docs.client(limits=ConnectionLimits(max_connections=1)) as client:
        for _ in range(3):
            async with client.chat_stream("docs", "When does the office open?") as stream:
                await stream.final()
            assert in_use(client) == 0
        session = client._t._session
        assert session is not None and session.connector is not None
        idle = sum(len(conns) for conns in session.connector._conns.values())
    assert idle == 1


async def test_opening_is_retried_but_chunks_are_delivered_once(docs: Emulator) -> None:
    await _docs_with_file(docs)
    docs.add_fault("status=503;times=2", path=CHAT, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        async with client.chat_stream("docs", "When does the office open?") as stream:
            chunks = [chunk async for chunk in stream]
        plain = await client.chat("docs", "When does the office open?")
    text = "".join(c.delta.content for c in chunks if isinstance(c, ContentChunk))
    assert text == plain.message.content
    assert sum(isinstance(c, MessageEndChunk) for c in chunks) == 1
    assert [r.status for r in docs.requests if r.path == "/assistant/chat/docs"] == [
        503,
        503,
        200,
        200,
    ]
