"""How a stream ends, and what counts as one: ``[DONE]`` after the final chunk, a server that
keeps the connection open after it, a 200 that is not an event stream, and an error event sent
before anything reached the caller (retried like a failed opening)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    AssistantClient,
    ResponseDecodeError,
    RetryPolicy,
    StreamError,
)
from pinecone_assistant_async.models import ContentChunk, MessageEndChunk, MessageStartChunk

from .conftest import FAST_RETRY, LocalServer, SleepRecorder, in_use

pytestmark = pytest.mark.anyio

HEAD = {"id": "msg-7f3a", "model": "gpt-4o"}
DONE = b"data: [DONE]\n\n"


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


START = _event({"type": "message_start", "role": "assistant", **HEAD})
END = _event({"type": "message_end", "finish_reason": "stop", **HEAD})
ERROR = _event({"error": {"code": "UNAVAILABLE", "message": "the model is overloaded"}})


def _content(text: str) -> bytes:
    return _event({"type": "content_chunk", "delta": {"content": text}, **HEAD})


def _completion(**choice: Any) -> bytes:
    return _event({"id": "cmpl-42", "model": "gpt-4o", "choices": [{"index": 0, **choice}]})


CHAT_BODY = START + _content("Nine ") + _content("o'clock.") + END
COMPLETION_BODY = (
    _completion(delta={"role": "assistant", "content": "Nine "})
    + _completion(delta={"content": "o'clock."})
    + _completion(delta={}, finish_reason="stop")
)


def _client(server: LocalServer, **kwargs: Any) -> AssistantClient:
    return AssistantClient(
        api_key="stream-key-0123456789", host=server.url, data_host=server.url, **kwargs
    )


def _bodies(*bodies: bytes, request_id: str = "rid-1") -> LocalServer:
    """Request n gets ``bodies[n]`` (the last one again after that) as an event stream."""

    async def respond(request: web.Request) -> web.StreamResponse:
        await request.read()
        body = bodies[min(len(server.seen), len(bodies)) - 1]
        headers = {"Content-Type": "text/event-stream", "x-pinecone-request-id": request_id}
        resp = web.StreamResponse(headers=headers)
        await resp.prepare(request)
        await resp.write(body)
        await resp.write_eof()
        return resp

    server = LocalServer(respond)
    return server


class HeldOpen:
    """Sends ``body``, then keeps the connection open with SSE comments (heartbeats) until
    ``release`` is set; ``finished`` tells whether it got that far."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.release = asyncio.Event()
        self.finished = False
        self.server = LocalServer(self._respond)

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(self.body)
        try:
            for _ in range(1000):  # at most ~10 s, so a broken client cannot hang the suite
                if self.release.is_set():
                    break
                await resp.write(b": heartbeat\n\n")
                await asyncio.sleep(0.01)
            self.finished = True
            await resp.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass  # the client dropped the connection: expected
        return resp


# -- [DONE] ----------------------------------------------------------------------------------


async def test_done_after_message_end_ends_a_chat_stream_cleanly() -> None:
    # Pinecone's own SDK treats a "[DONE]" data line as the end of a chat stream too.
    async with _bodies(CHAT_BODY + DONE) as server, _client(server) as client:
        async with client.chat_stream("docs", "q") as stream:
            chunks = [chunk async for chunk in stream]
            reply = await stream.final()
        assert in_use(client) == 0
    assert [type(c) for c in chunks] == [
        MessageStartChunk,
        ContentChunk,
        ContentChunk,
        MessageEndChunk,
    ]
    assert reply.message.content == "Nine o'clock." and reply.finish_reason == "stop"


async def test_done_before_message_end_is_a_chat_stream_without_its_end() -> None:
    async with (
        _bodies(START + _content("Nine") + DONE) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError) as info:
            await stream.final()
    assert str(info.value) == "the chat stream ended without a message_end chunk"


async def test_a_completion_stream_may_end_on_finish_reason_without_done() -> None:
    async with _bodies(COMPLETION_BODY) as server, _client(server) as client:
        async with client.chat_completions_stream("docs", "q") as stream:
            completion = await stream.final()
        assert in_use(client) == 0
    assert completion.id == "cmpl-42" and completion.model == "gpt-4o"
    [choice] = completion.choices
    assert choice.message.content == "Nine o'clock." and choice.finish_reason == "stop"


async def test_a_chat_stream_final_reply_keeps_the_stream_id() -> None:
    async with (
        _bodies(CHAT_BODY) as server,
        _client(server) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        reply = await stream.final()
    assert reply.id == "msg-7f3a" and reply.model == "gpt-4o"


# -- the final chunk ends the stream, whatever the server does next ------------------------


@pytest.mark.parametrize("completions", [False, True], ids=["chat", "completions"])
async def test_the_stream_ends_at_its_final_chunk_though_the_server_keeps_sending(
    completions: bool,
) -> None:
    held = HeldOpen(COMPLETION_BODY if completions else CHAT_BODY)
    async with held.server, _client(held.server) as client:
        opener = client.chat_completions_stream if completions else client.chat_stream
        async with opener("docs", "q") as stream:
            count = 0
            async for _ in stream:
                count += 1
            # The loop ended while the server was still sending heartbeats, and the
            # connection went back at once (not after the 60 s idle timeout).
            assert not held.finished
            assert in_use(client) == 0
            final = await stream.final()
        held.release.set()
    assert count == 3 if completions else count == 4
    text = final.choices[0].message.content if completions else final.message.content  # type: ignore[union-attr]
    assert text == "Nine o'clock."


async def test_final_returns_at_the_final_chunk_though_the_connection_stays_open() -> None:
    held = HeldOpen(CHAT_BODY)
    async with held.server, _client(held.server) as client:
        async with client.chat_stream("docs", "q") as stream:
            reply = await stream.final()
            assert not held.finished and in_use(client) == 0
        held.release.set()
    assert reply.message.content == "Nine o'clock."


# -- a 200 that is not an event stream -------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"message": {"role": "assistant", "content": "not streamed"}}'),
        ("text/html", b"<html><title>Sign in</title><body>" + b"x" * 100_000 + b"</body></html>"),
    ],
    ids=["json", "html"],
)
@pytest.mark.parametrize("completions", [False, True], ids=["chat", "completions"])
async def test_a_200_that_is_not_an_event_stream_is_a_typed_error_on_entry(
    content_type: str, body: bytes, completions: bool
) -> None:
    async def respond(request: web.Request) -> web.StreamResponse:
        await request.read()
        headers = {"x-pinecone-request-id": "rid-html"}
        return web.Response(body=body, content_type=content_type, headers=headers)

    async with LocalServer(respond) as server, _client(server, retry=FAST_RETRY) as client:
        opener = client.chat_completions_stream if completions else client.chat_stream
        with pytest.raises(ResponseDecodeError) as info:
            async with opener("docs", "q"):
                pytest.fail("the body must not run")  # pragma: no cover
        assert in_use(client) == 0
    error = info.value
    assert error.status == 200 and error.content_type == content_type
    assert error.request_id == "rid-html"
    assert error.body_snippet is not None and body.decode().startswith(error.body_snippet[:40])
    assert 0 < len(error.body_snippet) <= 500
    assert content_type in str(error) and "event stream" in str(error)
    assert len(server.seen) == 1  # a 200 is an answer: not retried


# -- an error event before anything reached the caller ---------------------------------------


async def test_an_error_event_before_any_chunk_is_retried_like_a_failed_opening() -> None:
    sleeps = SleepRecorder()
    async with _bodies(ERROR, CHAT_BODY) as server, _client(server, retry=FAST_RETRY) as client:
        client._t.sleep = sleeps
        async with client.chat_stream("docs", "q") as stream:
            reply = await stream.final()
        spent = client._t.budget.spent
    assert reply.message.content == "Nine o'clock."
    assert len(server.seen) == 2 and len(sleeps.delays) == 1 and spent == 1


async def test_an_error_event_after_message_start_but_before_content_is_retried() -> None:
    async with (
        _bodies(START + ERROR, CHAT_BODY) as server,
        _client(server, retry=FAST_RETRY) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        chunks = [chunk async for chunk in stream]
    assert sum(isinstance(c, MessageStartChunk) for c in chunks) == 1  # delivered once
    assert len(server.seen) == 2


async def test_error_events_before_content_raise_on_entry_once_retries_are_spent() -> None:
    async with (
        _bodies(ERROR, request_id="rid-err") as server,
        _client(server, retry=FAST_RETRY) as client,
    ):
        client._t.sleep = SleepRecorder()
        with pytest.raises(StreamError) as info:
            async with client.chat_stream("docs", "q"):
                pytest.fail("the body must not run")  # pragma: no cover
        assert in_use(client) == 0
    assert len(server.seen) == 1 + FAST_RETRY.max_retries
    error = info.value
    assert "the model is overloaded" in str(error)
    assert error.code == "UNAVAILABLE" and error.request_id == "rid-err"


async def test_an_error_event_is_not_retried_when_retries_are_off() -> None:
    async with (
        _bodies(ERROR, CHAT_BODY) as server,
        _client(server, retry=RetryPolicy.disabled()) as client,
    ):
        with pytest.raises(StreamError, match="overloaded"):
            async with client.chat_stream("docs", "q"):
                pytest.fail("the body must not run")  # pragma: no cover
    assert len(server.seen) == 1


async def test_an_error_event_after_content_fails_the_stream_and_is_not_retried() -> None:
    body = START + _content("Nine ") + ERROR
    async with (
        _bodies(body, CHAT_BODY) as server,
        _client(server, retry=FAST_RETRY) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError, match="overloaded"):
            await stream.final()
    assert len(server.seen) == 1
