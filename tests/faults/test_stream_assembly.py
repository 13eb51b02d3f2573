"""What ``final()`` assembles from a stream, and where a stream counts as complete.

Bodies the emulator never sends (a completion stream without ``[DONE]``, a chat stream without
``message_start``, chunks after ``[DONE]``, tiny or long malformed chunks) come from a raw
aiohttp server on loopback; the rest from the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import AssistantClient, StreamError
from pinecone_assistant_async.testing import Emulator

from .conftest import LocalServer

pytestmark = pytest.mark.anyio

HEAD = {"id": "cmpl-7", "model": "gpt-4o"}


def _event(payload: Any) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return b"data: " + text.encode() + b"\n\n"


def _server(*events: Any) -> LocalServer:
    body = b"".join(_event(e) for e in events)

    async def respond(request: web.Request) -> web.StreamResponse:
        await request.read()
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(body)
        await resp.write_eof()
        return resp

    return LocalServer(respond)


def _client(server: LocalServer) -> AssistantClient:
    return AssistantClient(api_key="assembly-key-42", host=server.url, data_host=server.url)


def _choice(index: int = 0, finish: str | None = None, **delta: str) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": finish}


# -- completions ---------------------------------------------------------------------------------


async def test_a_completion_stream_ending_on_finish_reason_without_done_is_complete() -> None:
    events = [
        {**HEAD, "choices": [_choice(role="assistant")]},
        {**HEAD, "choices": [_choice(content="Nine ")]},
        {**HEAD, "choices": [_choice(content="o'clock.")]},
        {**HEAD, "choices": [_choice(finish="stop")]},
    ]
    async with (
        _server(*events) as server,
        _client(server) as client,
        client.chat_completions_stream("docs", "When?") as stream,
    ):
        texts = [t async for t in stream.text()]
        final = await stream.final()
    assert texts == ["Nine ", "o'clock."]
    assert (final.id, final.model) == ("cmpl-7", "gpt-4o")
    [choice] = final.choices
    assert choice.message.content == "Nine o'clock." and choice.message.role == "assistant"
    assert choice.finish_reason == "stop"


async def test_a_completion_stream_without_finish_reason_or_done_is_an_error() -> None:
    events = [{**HEAD, "choices": [_choice(role="assistant", content="Nine")]}]
    async with (
        _server(*events) as server,
        _client(server) as client,
        client.chat_completions_stream("docs", "When?") as stream,
    ):
        with pytest.raises(StreamError, match=r"ended without a finish_reason or \[DONE\]"):
            await stream.final()


async def test_nothing_after_done_counts() -> None:
    events = [
        {**HEAD, "choices": [_choice(content="kept")]},
        "[DONE]",
        {**HEAD, "choices": [_choice(content=" dropped", finish="length")]},
        "not even json",
    ]
    async with (
        _server(*events) as server,
        _client(server) as client,
        client.chat_completions_stream("docs", "q") as stream,
    ):
        chunks = [c async for c in stream]
        final = await stream.final()
    assert len(chunks) == 1
    assert final.choices[0].message.content == "kept"
    assert final.choices[0].finish_reason is None


async def test_choices_are_assembled_per_index_in_order() -> None:
    events = [
        {**HEAD, "choices": [_choice(1, role="user", content="B1"), _choice(0, content="A1")]},
        {**HEAD, "choices": [_choice(1, content="B2", finish="length")]},
        {**HEAD, "choices": [_choice(0, content="A2", finish="stop")]},
        "[DONE]",
    ]
    async with (
        _server(*events) as server,
        _client(server) as client,
        client.chat_completions_stream("docs", "q") as stream,
    ):
        texts = [t async for t in stream.text()]
        final = await stream.final()
    assert texts == ["A1", "A2"]  # text() is choice 0 only
    assert [c.index for c in final.choices] == [0, 1]
    first, second = final.choices
    assert (first.message.role, first.message.content, first.finish_reason) == (
        "assistant",
        "A1A2",
        "stop",
    )
    assert (second.message.role, second.message.content, second.finish_reason) == (
        "user",
        "B1B2",
        "length",
    )


async def test_a_malformed_completion_chunk_is_a_stream_error_naming_the_line() -> None:
    events = [{**HEAD, "choices": [_choice(content="a")]}, {"id": 5}]
    async with (
        _server(*events) as server,
        _client(server) as client,
        client.chat_completions_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError) as info:
            await stream.final()
    assert info.value.line == 'data: {"id": 5}'


async def test_usage_sent_in_a_completion_chunk_is_kept() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    events = [
        {**HEAD, "choices": [_choice(content="ok", finish="stop")]},
        {**HEAD, "choices": [], "usage": usage},
        "[DONE]",
    ]
    async with (
        _server(*events) as server,
        _client(server) as client,
        client.chat_completions_stream("docs", "q") as stream,
    ):
        final = await stream.final()
    assert final.usage is not None and final.usage.total_tokens == 5


async def test_final_of_an_emulated_completion_stream_carries_the_chunks_id(
    docs: Emulator,
) -> None:
    async with docs.client() as client:
        await client.files.upload("docs", b"The office opens at nine.", file_name="a.txt")
        async with client.chat_completions_stream("docs", "When does it open?") as stream:
            chunks = [c async for c in stream]
            final = await stream.final()
    assert chunks and {c.id for c in chunks} == {final.id}
    assert final.id and final.model == chunks[0].model
    assert final.choices[0].message.content == "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices
    )


# -- chat ----------------------------------------------------------------------------------------

START = {"type": "message_start", "id": "r1", "model": "gpt-4o", "role": "assistant"}
END = {"type": "message_end", "id": "r1", "model": "gpt-4o", "finish_reason": "stop"}


def _content(text: str) -> dict[str, Any]:
    return {"type": "content_chunk", "id": "r1", "model": "gpt-4o", "delta": {"content": text}}


async def test_a_chat_stream_without_message_start_still_assembles() -> None:
    end = {**END, "id": "r9", "model": "claude-3-5-sonnet"}
    async with (
        _server(_content("Hi"), end) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        final = await stream.final()
    assert (final.id, final.model) == ("r9", "claude-3-5-sonnet")
    assert final.message.role == "assistant" and final.message.content == "Hi"
    assert final.context_snippet_count is None and final.content_filter_results is None


async def test_the_id_and_model_come_from_message_start() -> None:
    start = {**START, "id": "from-start", "model": "gpt-4.1", "context_snippet_count": 4}
    async with (
        _server(start, _content("Hi"), END) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        final = await stream.final()
    assert (final.id, final.model, final.context_snippet_count) == ("from-start", "gpt-4.1", 4)


@pytest.mark.parametrize("where", ["start", "end", "both"])
async def test_content_filter_results_prefer_message_end(where: str) -> None:
    start_filters = {"spec": "openai", "results": {"from": "start"}}
    end_filters = {"spec": "openai", "results": {"from": "end"}}
    start = {**START, "content_filter_results": start_filters} if where != "end" else START
    end = {**END, "content_filter_results": end_filters} if where != "start" else END
    async with (
        _server(start, _content("Hi"), end) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        final = await stream.final()
    assert final.content_filter_results is not None
    expected = "start" if where == "start" else "end"
    assert final.content_filter_results.results == {"from": expected}


@pytest.mark.parametrize("payload", ["{}", "1", "[]", "x", '{"a"'])
async def test_a_tiny_malformed_chat_chunk_is_a_stream_error(payload: str) -> None:
    async with (
        _server(START, payload, END) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError) as info:
            await stream.final()
    assert info.value.line == f"data: {payload}"


async def test_a_long_malformed_line_is_quoted_to_200_characters() -> None:
    payload = json.dumps({"type": "content_chunk", "id": "r1", "padding": "p" * 500})
    line = f"data: {payload}"
    async with (
        _server(START, payload, END) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError) as info:
            await stream.final()
    assert info.value.line == line  # the whole line is kept on the error
    message = str(info.value)
    assert repr(line[:197] + "...") in message  # the message quotes 200 characters of it
    assert line[:198] not in message
