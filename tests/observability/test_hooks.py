"""Hooks: told of every attempt, response, retry and stream; a failing hook changes nothing."""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
import pytest

from pinecone_assistant_async import (
    Hooks,
    RequestSent,
    ResponseReceived,
    RetryPolicy,
    RetryScheduled,
    ServiceUnavailableError,
    StreamClosed,
    StreamOpened,
)
from pinecone_assistant_async.testing import Emulator

from ._setup import QUESTION, ready_docs

pytestmark = pytest.mark.anyio
CHAT = "/assistant/chat/docs"
STORM_RETRY = RetryPolicy(max_retries=6, initial_backoff=0.001, max_backoff=0.004)


class Recorder:
    """Async hooks that keep every event they are given, in order."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def __call__(self, event: Any) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def hooks(self) -> Hooks:
        return Hooks(
            request_sent=self,
            response_received=self,
            retry_scheduled=self,
            stream_opened=self,
            stream_closed=self,
        )


async def test_hooks_see_each_attempt_response_and_retry_of_one_call(
    emulator: Emulator,
) -> None:
    await ready_docs(emulator)
    emulator.add_fault("status=503;times=3", path=f"^{CHAT}$")
    seen = Recorder()
    async with emulator.client(retry=STORM_RETRY, hooks=seen.hooks()) as client:
        await client.assistants.describe("docs")
        seen.events.clear()
        reply = await client.chat("docs", QUESTION)
    kinds = [type(e).__name__ for e in seen.events]
    assert kinds == [
        *["RequestSent", "ResponseReceived", "RetryScheduled"] * 3,
        "RequestSent",
        "ResponseReceived",
    ]
    assert [e.attempt for e in seen.of(RequestSent)] == [1, 2, 3, 4]
    responses = seen.of(ResponseReceived)
    assert [e.status for e in responses] == [503, 503, 503, 200]
    ids = [r.request_id for r in emulator.requests if r.path == CHAT]
    assert [e.request_id for e in responses] == ids
    assert responses[-1].request_id == reply.request_id
    assert responses[-1].headers["content-type"].startswith("application/json")
    # an error status's headers reach the hook, and the typed error carries the same ones
    assert [e.headers["X-Pinecone-Request-Id"] for e in responses] == ids
    assert responses[0].headers["content-type"].startswith("application/json")
    assert all(e.elapsed >= e.attempt_elapsed > 0 for e in responses)
    retries = seen.of(RetryScheduled)
    assert [(e.attempt, e.reason) for e in retries] == [
        (1, "HTTP 503"),
        (2, "HTTP 503"),
        (3, "HTTP 503"),
    ]
    assert all(isinstance(e.error, ServiceUnavailableError) for e in retries)
    assert [e.error.headers["x-pinecone-request-id"] for e in retries] == ids[:3]
    assert all(0 <= e.delay <= STORM_RETRY.max_backoff for e in retries)
    assert all(e.operation == "chat" and e.assistant == "docs" for e in seen.events)


async def test_hooks_see_every_retry_of_a_503_storm(emulator: Emulator) -> None:
    await ready_docs(emulator)
    seen = Recorder()
    outcomes: list[str] = []
    async with emulator.client(retry=STORM_RETRY, hooks=seen.hooks()) as client:
        await client.assistants.describe("docs")
        seen.events.clear()
        emulator.reset_log()
        emulator.add_fault("status=503", path=f"^{CHAT}$", probability=0.6, seed=13)

        async def ask() -> None:
            try:
                await client.chat("docs", QUESTION)
                outcomes.append("ok")
            except ServiceUnavailableError:
                outcomes.append("503")

        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(ask)
    statuses = [r.status for r in emulator.requests if r.path == CHAT]
    served_503 = statuses.count(503)
    retries = seen.of(RetryScheduled)
    assert served_503 >= 20 and retries, "the storm hit the calls and they were retried"
    # every 503 the service sent was either retried (and the hook told) or ended its call
    assert len(retries) + outcomes.count("503") == served_503
    assert len(seen.of(RequestSent)) == len(statuses) == len(seen.of(ResponseReceived))
    assert len(retries) == len(statuses) - len(outcomes)
    assert sorted(e.status for e in seen.of(ResponseReceived)) == sorted(statuses)
    assert {e.reason for e in retries} == {"HTTP 503"}


async def test_a_failing_hook_is_reported_and_changes_nothing(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    await ready_docs(emulator)
    emulator.add_fault("status=503;times=1", path=f"^{CHAT}$")
    after: list[int] = []

    async def broken(event: Any) -> None:
        raise ValueError(f"hook bug at attempt {event.attempt}")

    async def still_called(event: ResponseReceived) -> None:
        after.append(event.status)

    hooks = Hooks(retry_scheduled=broken, response_received=[broken, still_called])
    caplog.set_level(logging.ERROR, logger="pinecone_assistant_async.hooks")
    async with emulator.client(retry=STORM_RETRY, hooks=hooks) as client:
        reply = await client.chat("docs", QUESTION)
    assert reply.message.content, "the call succeeded after its retry despite the hooks"
    assert after[-2:] == [503, 200], "the next hook still ran after the failing one"
    assert hooks.failures == 1 + 1 + 2  # describe + 503 + 200 responses, and the retry
    records = [r for r in caplog.records if r.name == "pinecone_assistant_async.hooks"]
    assert len(records) == hooks.failures
    assert all(r.levelno == logging.ERROR and r.exc_info is not None for r in records)
    assert "hook bug at attempt 1" in records[0].getMessage()
    assert emulator.api_key not in caplog.text


async def test_stream_hooks_open_before_the_first_chunk_and_close_with_its_totals(
    emulator: Emulator,
) -> None:
    await ready_docs(emulator)
    seen = Recorder()
    async with emulator.client(hooks=seen.hooks()) as client:
        await client.assistants.describe("docs")
        seen.events.clear()
        started = time.perf_counter()  # before the call's own start
        async with client.chat_stream("docs", QUESTION) as stream:
            opened = seen.of(StreamOpened)
            assert len(opened) == 1 and not seen.of(StreamClosed)
            first = await stream.__anext__()
            assert first is not None
            await stream.final()
        closed = seen.of(StreamClosed)
        wall = time.perf_counter() - started
        async with client.chat_stream("docs", QUESTION) as early:
            await early.__anext__()  # leave after one chunk
    assert opened[0].status == 200 and opened[0].request_id == stream.request_id
    assert opened[0].attempts == 1
    assert len(closed) == 1
    done = closed[0]
    assert done.error is None and done.request_id == stream.request_id
    assert done.chunks >= 3 and done.usage is not None and done.usage.completion_tokens
    assert done.time_to_first_chunk is not None and 0 < done.time_to_first_chunk <= done.duration
    assert done.duration <= wall, (done.duration, wall)
    left = seen.of(StreamClosed)[1]
    assert left.usage is None, "a stream left early never saw its usage"
    assert [type(e).__name__ for e in seen.events][:3] == [
        "RequestSent",
        "ResponseReceived",
        "StreamOpened",
    ]


async def test_hooks_can_be_added_and_removed_on_a_live_client(emulator: Emulator) -> None:
    await ready_docs(emulator)
    seen = Recorder()
    async with emulator.client() as client:
        await client.chat("docs", QUESTION)
        client.hooks.add("request_sent", seen)
        await client.chat("docs", QUESTION)
        client.hooks.remove("request_sent", seen)
        await client.chat("docs", QUESTION)
        with pytest.raises(ValueError, match="unknown hook event"):
            client.hooks.add("sent", seen)  # type: ignore[arg-type]
    assert len(seen.of(RequestSent)) == 1


def test_hooks_count_what_is_added_and_removed() -> None:
    seen = Recorder()
    other = Recorder()
    hooks = Hooks(stream_closed=[seen, other])
    assert hooks.live and repr(hooks) == "Hooks(stream_closed=2)"
    hooks.add("request_sent", seen)
    assert repr(hooks) == "Hooks(request_sent=1, stream_closed=2)"
    hooks.remove("stream_closed", other)
    hooks.remove("stream_closed", seen)
    assert hooks.live and repr(hooks) == "Hooks(request_sent=1)"
    hooks.remove("request_sent", seen)
    assert not hooks.live and repr(hooks) == "Hooks()"
    with pytest.raises(ValueError):
        hooks.remove("request_sent", seen)
    assert not hooks.live, "a failed removal changes no count"
