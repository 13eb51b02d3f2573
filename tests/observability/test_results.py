"""Every result carries its request id; ``with_raw_response`` gives the HTTP facts with it."""

from __future__ import annotations

import pytest

from pinecone_assistant_async import APIResponse, ChatResponse, ContextResponse, Hooks, Page
from pinecone_assistant_async.testing import Emulator

from ._setup import FAST_RETRY, QUESTION, ready_docs, request_ids

pytestmark = pytest.mark.anyio
CHAT = "/assistant/chat/docs"


async def test_models_pages_and_streams_carry_the_request_id_of_their_response(
    emulator: Emulator,
) -> None:
    file_id = await ready_docs(emulator)
    async with emulator.client() as client:
        reply = await client.chat("docs", QUESTION)
        completion = await client.chat_completions("docs", QUESTION)
        context = await client.context("docs", "office hours")
        assistant = await client.assistants.describe("docs")
        file = await client.files.describe("docs", file_id)
        page = await client.files.list_page("docs")
        async with client.chat_stream("docs", QUESTION) as stream:
            streamed = await stream.final()

    assert reply.request_id == request_ids(emulator, "POST", CHAT)[0]
    assert completion.request_id == request_ids(emulator, "POST", CHAT + "/chat/completions")[0]
    assert context.request_id == request_ids(emulator, "POST", CHAT + "/context")[0]
    assert assistant.request_id == request_ids(emulator, "GET", "/assistant/assistants/docs")[-1]
    assert file.request_id == request_ids(emulator, "GET", f"/assistant/files/docs/{file_id}")[-1]
    assert isinstance(page, Page)
    assert page.request_id == request_ids(emulator, "GET", "/assistant/files/docs")[-1]
    assert stream.request_id == streamed.request_id == request_ids(emulator, "POST", CHAT)[1]
    ids = [reply.request_id, completion.request_id, context.request_id, streamed.request_id]
    assert len(set(ids)) == 4, "each answer has its own response's id"
    # the id is private state: not a field, not in dumps, not part of equality
    assert "request_id" not in reply.model_dump()
    assert ChatResponse.model_validate(reply.model_dump()) == reply
    assert ChatResponse.model_validate(reply.model_dump()).request_id is None


async def test_raw_response_gives_status_headers_attempts_elapsed_and_the_parsed_model(
    emulator: Emulator,
) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        raw = await client.with_raw_response.chat("docs", QUESTION, model="gpt-4.1")
        context = await client.with_raw_response.context("docs", "office hours", top_k=2)
    assert isinstance(raw, APIResponse)
    assert raw.status == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.attempts == 1 and raw.retries == 0
    assert raw.elapsed > 0
    assert raw.operation == "chat" and raw.method == "POST" and raw.url.endswith(CHAT)
    assert isinstance(raw.parsed, ChatResponse) and raw.parse() is raw.parsed
    assert raw.parsed.model == "gpt-4.1"
    assert raw.request_id == raw.parsed.request_id == request_ids(emulator, "POST", CHAT)[0]
    # the first call looked the data-plane host up: both requests are reported, oldest first
    assert [e.operation for e in raw.exchanges] == ["assistants.describe", "chat"]
    assert isinstance(context.parsed, ContextResponse)
    assert [e.operation for e in context.exchanges] == ["context"]


async def test_raw_response_counts_the_attempts_of_a_retried_call(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.add_fault("status=503;times=2", path="^/assistant/chat/docs$", method="POST")
    async with emulator.client(retry=FAST_RETRY) as client:
        await client.assistants.describe("docs")  # host known: the chat is the only request
        raw = await client.with_raw_response.chat("docs", QUESTION)
    assert raw.status == 200
    assert raw.attempts == 3 and raw.retries == 2
    assert len(raw.exchanges) == 1
    assert raw.request_id == request_ids(emulator, "POST", CHAT)[-1]
    assert [r.status for r in emulator.requests if r.path == CHAT] == [503, 503, 200]


async def test_a_stream_gives_its_response_facts_before_the_first_chunk(
    emulator: Emulator,
) -> None:
    await ready_docs(emulator)
    emulator.add_fault("status=429;times=1;retry_after=0", path="^/assistant/chat/docs$")
    async with emulator.client(retry=FAST_RETRY) as client:
        assert client.with_raw_response.chat_stream == client.chat_stream
        stream = client.chat_stream("docs", QUESTION)
        with pytest.raises(RuntimeError, match="enter"):
            _ = stream.response
        async with stream:
            info = stream.response
            assert info.status == 200
            assert info.headers["content-type"].startswith("text/event-stream")
            assert info.attempts == 2
            assert info.request_id == stream.request_id == request_ids(emulator, "POST", CHAT)[-1]
            assert info.elapsed > 0
            chunks = [chunk async for chunk in stream]
    assert type(chunks[0]).__name__ == "MessageStartChunk", "the facts came before any chunk"


@pytest.mark.parametrize("watched", [False, True], ids=["unwatched", "with-a-hook"])
async def test_a_streams_response_facts_are_the_same_whether_or_not_it_is_watched(
    emulator: Emulator, watched: bool
) -> None:
    # Unwatched, the stream keeps the facts itself (no call record is made); with a hook, they
    # come from the call record. Both must describe the same exchange.
    await ready_docs(emulator)
    emulator.add_fault("status=503;times=2", path="^/assistant/chat/docs$")
    seen: list[object] = []

    async def hook(event: object) -> None:
        seen.append(event)

    hooks = Hooks(stream_opened=hook) if watched else None
    async with (
        emulator.client(retry=FAST_RETRY, hooks=hooks) as client,
        client.chat_stream("docs", QUESTION) as stream,
    ):
        info = stream.response
        await stream.final()
    assert (info.operation, info.method, info.status, info.attempts) == ("chat", "POST", 200, 3)
    assert info.url.endswith("/assistant/chat/docs")
    assert info.request_id == request_ids(emulator, "POST", CHAT)[-1]
    assert 0 < info.elapsed < 30
    assert len(seen) == (1 if watched else 0)


async def test_raw_responses_of_control_and_file_calls(emulator: Emulator) -> None:
    async with emulator.client() as client:
        created = await client.with_raw_response.assistants.create("docs", wait=False)
        await client.assistants.wait_until_ready("docs")
        uploaded = await client.with_raw_response.files.upload(
            "docs", b"hello", file_name="a.txt", wait=False
        )
        deleted = await client.with_raw_response.assistants.delete("docs", wait=False)
    assert created.status == 200 and created.parsed.name == "docs"
    assert created.operation == "assistants.create"
    assert uploaded.operation == "files.upload" and uploaded.status == 202
    assert deleted.parsed is None and deleted.operation == "assistants.delete"
    assert deleted.status == 200


async def test_copies_and_pickles_of_an_answer_keep_its_request_id(emulator: Emulator) -> None:
    import copy
    import pickle

    await ready_docs(emulator)
    async with emulator.client() as client:
        reply = await client.chat("docs", QUESTION)
    rid = request_ids(emulator, "POST", CHAT)[-1]
    assert reply.request_id == rid
    nested = reply.citations[0].references[0].file
    assert nested.request_id is None, "a nested model was not the response"
    for again in (
        copy.copy(reply),
        copy.deepcopy(reply),
        reply.model_copy(),
        reply.model_copy(deep=True),
        pickle.loads(pickle.dumps(reply)),
    ):
        assert again == reply and again.request_id == rid
        assert "request_id" not in again.model_dump() and "_request_id" not in again.model_dump()
    assert ChatResponse.model_validate(reply.model_dump()).request_id is None
