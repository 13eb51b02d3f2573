"""ChatStream and ChatCompletionStream: typed chunks, helpers, failures and connection release.

Every test talks to the emulator and uses its fault injection (tests/test_streaming_bytes.py
covers the byte-exact damage the emulator cannot produce).
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from pinecone_assistant_async import (
    APITimeoutError,
    AssistantClient,
    AuthenticationError,
    ConnectionLimits,
    InvalidInputError,
    NotFoundError,
    RetryPolicy,
    StreamError,
    Timeouts,
)
from pinecone_assistant_async.models import (
    ChatCompletionChunk,
    CitationChunk,
    ContentChunk,
    MessageEndChunk,
    MessageStartChunk,
    UnknownChunk,
)
from pinecone_assistant_async.testing import Emulator
from tests.conftest import FAST_RETRY
from tests.test_chat import QUESTION, chat_requests, ready_docs

pytestmark = pytest.mark.anyio


def acquired(client: AssistantClient) -> int:
    """Connections the client's pool has handed out and not got back (aiohttp internals)."""
    connector = client._t.session.connector
    assert connector is not None
    taken = getattr(connector, "_acquired", None)
    assert taken is not None, "aiohttp's TCPConnector no longer has _acquired"
    return len(taken)


# -- the happy path ------------------------------------------------------------------------


async def test_entering_sends_the_request_and_chunks_are_typed(emulator: Emulator) -> None:
    files = await ready_docs(emulator)
    async with emulator.client() as client:
        reply = await client.chat("docs", QUESTION, include_highlights=True)
        async with client.chat_stream("docs", QUESTION, include_highlights=True) as stream:
            assert len(chat_requests(emulator)) == 2  # sent on entry, before any iteration
            assert stream.request_id
            chunks = [chunk async for chunk in stream]
            final = await stream.final()
        assert acquired(client) == 0
    assert isinstance(chunks[0], MessageStartChunk)
    assert isinstance(chunks[-1], MessageEndChunk)
    kinds = {type(chunk) for chunk in chunks[1:-1]}
    assert kinds == {ContentChunk, CitationChunk}
    text = "".join(c.delta.content for c in chunks if isinstance(c, ContentChunk))
    assert text == final.message.content == reply.message.content
    cited = [c.citation for c in chunks if isinstance(c, CitationChunk)]
    assert cited == final.citations
    assert final.citations[0].references[0].file.id == files["guide.txt"]
    # the assembled answer equals what the non-streaming call models (ids differ per answer)
    assert final.model_dump(exclude={"id"}) == reply.model_dump(exclude={"id"})
    assert final.id == chunks[0].id
    assert chat_requests(emulator)[-1] == {
        "messages": [{"role": "user", "content": QUESTION}],
        "stream": True,
        "model": "gpt-4o",
        "include_highlights": True,
    }


async def test_every_stream_parameter_reaches_the_service(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with (
        emulator.client() as client,
        client.chat_stream(
            "docs",
            QUESTION,
            model="o4-mini",
            temperature=0.0,
            filter={"team": "ops"},
            context_options={"top_k": 2, "snippet_size": 512},
            timeout=15,
        ) as stream,
    ):
        final = await stream.final()
    assert final.model == "o4-mini"
    assert chat_requests(emulator) == [
        {
            "messages": [{"role": "user", "content": QUESTION}],
            "stream": True,
            "model": "o4-mini",
            "temperature": 0.0,
            "filter": {"team": "ops"},
            "context_options": {"top_k": 2, "snippet_size": 512},
        }
    ]


async def test_text_yields_only_the_deltas(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client, client.chat_stream("docs", QUESTION) as stream:
        pieces = [piece async for piece in stream.text()]
        final = await stream.final()
        assert await stream.final() is final
    assert len(pieces) > 1
    assert all(isinstance(piece, str) and piece for piece in pieces)
    assert "".join(pieces) == final.message.content
    assert final.usage is not None and final.finish_reason == "stop"


async def test_final_alone_reads_the_whole_stream(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        async with client.chat_stream("docs", QUESTION) as stream:
            first = await stream.__anext__()
            final = await stream.final()
        assert acquired(client) == 0
    assert isinstance(first, MessageStartChunk)
    assert "nine" in final.message.content


async def test_each_chunk_is_handed_out_once_however_the_stream_is_read(
    emulator: Emulator,
) -> None:
    # anext(), a first async for left by break, a second async for, then text(): one stream,
    # read four ways, gives the chunks of one uninterrupted read, each exactly once, in order
    await ready_docs(emulator)
    async with emulator.client() as client:
        async with client.chat_stream("docs", QUESTION) as stream:
            whole = [chunk async for chunk in stream]
        async with client.chat_stream("docs", QUESTION) as stream:
            mixed = [await anext(stream)]
            async for chunk in stream:
                mixed.append(chunk)
                if len(mixed) == 2:
                    break
            async for chunk in stream:
                mixed.append(chunk)
                if len(mixed) == 3:
                    break
            texts = [piece async for piece in stream.text()]
            final = await stream.final()
    assert [type(c) for c in whole[:3]] == [type(c) for c in mixed]
    per_answer = {"id"}  # each answer has its own id
    assert [c.model_dump(exclude=per_answer) for c in mixed] == [
        c.model_dump(exclude=per_answer) for c in whole[:3]
    ]
    later = [c.delta.content for c in whole[3:] if isinstance(c, ContentChunk)]
    assert len(later) >= 2  # text() had some of the answer left to give
    assert texts == [t for t in later if t]
    assert final.message.content == "".join(
        c.delta.content for c in whole if isinstance(c, ContentChunk)
    )


async def test_tiny_writes_decode_the_same(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        async with client.chat_stream("docs", QUESTION) as stream:
            whole = await stream.final()
        emulator.add_fault("fragment=3", path=r"^/assistant/chat/docs$")
        async with client.chat_stream("docs", QUESTION) as stream:
            pieces = await stream.final()
    assert pieces.model_dump(exclude={"id"}) == whole.model_dump(exclude={"id"})


async def test_unknown_chunk_types_are_kept(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("extra_chunk=reasoning_step", path=r"^/assistant/chat/docs$")
    async with emulator.client() as client, client.chat_stream("docs", QUESTION) as stream:
        chunks = [chunk async for chunk in stream]
        final = await stream.final()
    unknown = [c for c in chunks if isinstance(c, UnknownChunk)]
    assert len(unknown) == 1
    assert unknown[0].type == "reasoning_step"
    assert unknown[0].model_extra == {"payload": {"note": "chunk type unknown to the spec"}}
    assert isinstance(chunks[-1], MessageEndChunk)
    assert final.message.content


async def test_new_fields_and_enum_values_are_tolerated(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("extra_fields=1;unknown_enum=1", path=r"^/assistant/chat/docs$")
    async with emulator.client() as client, client.chat_stream("docs", QUESTION) as stream:
        chunks = [chunk async for chunk in stream]
        final = await stream.final()
    assert isinstance(chunks[-1], MessageEndChunk)
    assert chunks[-1].model_extra
    assert final.finish_reason == "EmulatorUnknownValue"
    assert final.message.content


async def test_a_stream_is_entered_once_and_read_inside_async_with(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        stream = client.chat_stream("docs", QUESTION)
        with pytest.raises(RuntimeError, match="async with"):
            await stream.__anext__()
        async with stream:
            await stream.final()
        with pytest.raises(RuntimeError, match="already entered"):
            await stream.__aenter__()
        assert len(chat_requests(emulator)) == 1


# -- opening errors and retries --------------------------------------------------------------


async def test_http_errors_raise_on_entry(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        stream = client.chat_stream("ghost", QUESTION)
        with pytest.raises(NotFoundError):
            async with stream:
                pytest.fail("the body must not run")  # pragma: no cover
    async with AssistantClient(api_key="bad", host=emulator.url, data_host=emulator.url) as bad:
        with pytest.raises(AuthenticationError):
            async with bad.chat_completions_stream("docs", QUESTION):
                pytest.fail("the body must not run")  # pragma: no cover
        assert acquired(bad) == 0


async def test_json_response_cannot_be_streamed(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="json_response"):
            client.chat_stream("docs", QUESTION, json_response=True)
    assert emulator.requests == []


async def test_opening_is_retried_before_the_first_byte(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("status=503;times=2", path=r"^/assistant/chat/docs$")
    async with (
        emulator.client(retry=FAST_RETRY) as client,
        client.chat_stream("docs", QUESTION) as stream,
    ):
        final = await stream.final()
    assert "nine" in final.message.content
    assert [r.status for r in emulator.requests if r.path == "/assistant/chat/docs"] == [
        503,
        503,
        200,
    ]


# -- failures after the stream opened ------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/chat/completions"])
async def test_missing_final_chunk_is_a_stream_error(emulator: Emulator, path: str) -> None:
    await ready_docs(emulator)
    emulator.add_fault("drop_final=1", path="^/assistant/chat/docs" + path + "$")
    async with emulator.client() as client:
        opener = client.chat_completions_stream if path else client.chat_stream
        async with opener("docs", QUESTION) as stream:
            with pytest.raises(StreamError, match="ended without"):
                async for _ in stream:
                    pass
            with pytest.raises(StreamError, match="ended without"):
                await stream.final()
        assert acquired(client) == 0


async def test_a_cut_connection_is_a_stream_error(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("cut_after=400", path=r"^/assistant/chat/docs$")
    received: list[Any] = []
    async with emulator.client() as client:
        async with client.chat_stream("docs", QUESTION) as stream:
            with pytest.raises(StreamError) as caught:
                async for chunk in stream:
                    received.append(chunk)
            # the failure stays: every later read, whichever way, raises the same error
            for read in (lambda: anext(stream), lambda: stream.final(), lambda: anext(stream)):
                with pytest.raises(StreamError) as again:
                    await read()
                assert again.value is caught.value
            with pytest.raises(StreamError) as again:
                async for _ in stream.text():
                    pass
            assert again.value is caught.value
        assert acquired(client) == 0
    assert isinstance(received[0], MessageStartChunk)
    assert caught.value.__cause__ is None
    assert emulator.count("POST", r"^/assistant/chat/docs$") == 1  # never retried once open
    assert "cut" in str(caught.value) or "middle of an event" in str(caught.value)


async def test_an_idle_stream_times_out(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("stall_after=2;stall=5", path=r"^/assistant/chat/docs$")
    timeouts = Timeouts(stream_idle=0.2)
    received: list[Any] = []
    async with emulator.client(timeout=timeouts, retry=RetryPolicy.disabled()) as client:
        async with client.chat_stream("docs", QUESTION) as stream:
            with pytest.raises(APITimeoutError, match="idle"):
                async for chunk in stream:
                    received.append(chunk)
        assert acquired(client) == 0
    assert len(received) == 2  # the chunks before the stall arrived


async def test_timeout_bounds_opening_only_never_the_whole_stream(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client(retry=RetryPolicy.disabled()) as client:
        await client.chat("docs", QUESTION)  # the host lookup is cached from here on
        emulator.add_fault("delay=1;times=1", path=r"^/assistant/chat/docs$")
        with pytest.raises(APITimeoutError):
            async with client.chat_stream("docs", QUESTION, timeout=0.2):
                pytest.fail("the body must not run")  # pragma: no cover
        emulator.clear_faults()
        # a stream that lasts longer than `timeout` (but is never idle for stream_idle) is fine
        emulator.add_fault("stall_after=2;stall=0.6", path=r"^/assistant/chat/docs$")
        async with client.chat_stream("docs", QUESTION, timeout=0.3) as stream:
            final = await stream.final()
    assert "nine" in final.message.content


# -- releasing the connection early ----------------------------------------------------------


async def test_break_releases_the_connection_at_once(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("stream_chunks=5000", path=r"^/assistant/chat/docs$")
    limits = ConnectionLimits(max_connections=1)
    async with emulator.client(limits=limits) as client:
        async with client.chat_stream("docs", QUESTION) as stream:
            async for chunk in stream:
                if isinstance(chunk, ContentChunk):
                    break
            assert acquired(client) == 1
        assert acquired(client) == 0
        # the only slot of the pool is free: the next call gets it
        assert (await client.context("docs", "office")).snippets


@pytest.mark.parametrize("read", ["chunks", "text"])
async def test_a_stream_left_by_break_is_freed_without_the_cycle_collector(
    emulator: Emulator, read: str
) -> None:
    # The chunks come from an async generator whose frame refers to the stream; a stream left
    # in the middle must not keep it (and its chunks) alive in a cycle until gc runs.
    await ready_docs(emulator)
    async with emulator.client() as client:
        gc.disable()
        try:
            async with client.chat_stream("docs", QUESTION) as stream:
                async for _ in stream if read == "chunks" else stream.text():
                    break
            gone = weakref.ref(stream)
            del stream
            # a generator left suspended is closed by a task of the loop (asyncio's finalizer
            # hook), text()'s and then the chunks' own: a few turns of the loop, no gc
            for _ in range(10):
                await anyio.lowlevel.checkpoint()
            assert gone() is None
        finally:
            gc.enable()


async def test_an_exception_in_the_body_releases_the_connection(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client(limits=ConnectionLimits(max_connections=1)) as client:
        with pytest.raises(KeyError):
            async with client.chat_stream("docs", QUESTION) as stream:
                await stream.__anext__()
                raise KeyError("boom")
        assert acquired(client) == 0
        with pytest.raises(StreamError, match="closed"):
            await stream.__anext__()
        assert (await client.chat("docs", QUESTION)).message.content


async def test_cancellation_releases_the_connection(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("stall_after=2;stall=10", path=r"^/assistant/chat/docs$")
    started = anyio.Event()
    async with emulator.client(limits=ConnectionLimits(max_connections=1)) as client:

        async def consume() -> None:
            async with client.chat_stream("docs", QUESTION) as stream:
                async for _ in stream:
                    started.set()

        async with anyio.create_task_group() as group:
            group.start_soon(consume)
            await started.wait()
            assert acquired(client) == 1
            group.cancel_scope.cancel()
        assert acquired(client) == 0
        emulator.clear_faults()
        assert (await client.chat("docs", QUESTION)).message.content


# -- completions -----------------------------------------------------------------------------


async def test_completion_stream_chunks_text_and_final(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        whole = await client.chat_completions("docs", QUESTION, temperature=0.1)
        async with client.chat_completions_stream(
            "docs", QUESTION, model="gemini-2.5-pro", temperature=0.1, filter={"team": "ops"}
        ) as stream:
            chunks = [chunk async for chunk in stream]
            final = await stream.final()
        async with client.chat_completions_stream("docs", QUESTION) as stream:
            pieces = [piece async for piece in stream.text()]
        assert acquired(client) == 0
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(pieces) == final.choices[0].message.content
    assert final.choices[0].message.content == whole.choices[0].message.content
    assert final.model == "gemini-2.5-pro"
    assert final.choices[0].finish_reason == "stop"
    assert final.usage is None  # the streamed chunk format carries no usage
    assert final.model_dump(exclude={"id", "usage", "model"}) == whole.model_dump(
        exclude={"id", "usage", "model"}
    )
    bodies = chat_requests(emulator, "/chat/completions")
    assert bodies[1] == {
        "messages": [{"role": "user", "content": QUESTION}],
        "stream": True,
        "model": "gemini-2.5-pro",
        "temperature": 0.1,
        "filter": {"team": "ops"},
    }
