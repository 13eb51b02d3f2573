"""client.chat and client.chat_completions against the emulator: parameters, answers, checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pinecone_assistant_async import (
    AssistantClient,
    AuthenticationError,
    InvalidInputError,
    InvalidTypeError,
    Message,
    NotFoundError,
)
from pinecone_assistant_async.models import (
    ChatCompletion,
    ChatModelName,
    ChatResponse,
    ContextOptions,
    FinishReason,
)
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

QUESTION = "When does the office open?"
GUIDE = (
    "The office opens at nine in the morning. Lunch is served at noon in the canteen.\n\n"
    "Parking is free for staff on the north side of the building.\n"
)
NOTES = "# Notes\nThe library closes at six. Visitors sign in at the front desk.\n"


async def ready_docs(emulator: Emulator, name: str = "docs") -> dict[str, str]:
    """An assistant with two available files; returns {file name: file id}."""
    async with emulator.client() as client:
        await client.assistants.create(name)
        guide = await client.files.upload(
            name, GUIDE.encode(), file_name="guide.txt", metadata={"team": "ops"}
        )
        notes = await client.files.upload(
            name, NOTES.encode(), file_name="notes.md", metadata={"team": "library"}
        )
    return {"guide.txt": guide.id, "notes.md": notes.id}


def chat_requests(emulator: Emulator, suffix: str = "") -> list[Any]:
    """The JSON bodies of the chat requests the emulator saw (oldest first)."""
    path = "/assistant/chat/docs" + suffix
    return [r.json for r in emulator.requests if r.method == "POST" and r.path == path]


async def test_chat_returns_every_field_of_the_answer(emulator: Emulator) -> None:
    files = await ready_docs(emulator)
    async with emulator.client() as client:
        reply = await client.chat("docs", QUESTION)
    assert isinstance(reply, ChatResponse)
    assert reply.id
    assert reply.model == "gpt-4o"
    assert reply.message.role == "assistant"
    assert "nine" in reply.message.content
    assert reply.finish_reason == FinishReason.STOP
    assert reply.context_snippet_count is not None and reply.context_snippet_count >= 1
    assert reply.usage is not None and reply.usage.total_tokens == (
        (reply.usage.prompt_tokens or 0) + (reply.usage.completion_tokens or 0)
    )
    assert reply.citations, "the answer should cite the guide"
    citation = reply.citations[0]
    assert 0 < citation.position <= len(reply.message.content)
    assert citation.references[0].file.id == files["guide.txt"]
    assert citation.references[0].pages == [1]
    assert chat_requests(emulator) == [
        {
            "messages": [{"role": "user", "content": QUESTION}],
            "stream": False,
            "model": "gpt-4o",
        }
    ]


async def test_every_chat_parameter_reaches_the_service(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        reply = await client.chat(
            "docs",
            [{"role": "system", "content": "Be brief."}, QUESTION],
            model="gpt-4.1",
            temperature=0.25,
            filter={"team": {"$eq": "ops"}},
            json_response=True,
            include_highlights=True,
            context_options={
                "top_k": 5,
                "snippet_size": 1024,
                "multimodal": True,
                "include_binary_content": False,
            },
            timeout=20,
        )
    assert chat_requests(emulator) == [
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": QUESTION},
            ],
            "stream": False,
            "model": "gpt-4.1",
            "temperature": 0.25,
            "filter": {"team": {"$eq": "ops"}},
            "json_response": True,
            "include_highlights": True,
            "context_options": {
                "top_k": 5,
                "snippet_size": 1024,
                "multimodal": True,
                "include_binary_content": False,
            },
        }
    ]
    assert reply.model == "gpt-4.1"
    assert isinstance(json.loads(reply.message.content), dict)  # json_response honoured
    highlight = reply.citations[0].references[0].highlight
    assert highlight is not None and highlight.content


async def test_context_options_accepts_the_model(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        await client.chat("docs", QUESTION, context_options=ContextOptions(top_k=3))
    assert chat_requests(emulator)[0]["context_options"] == {"top_k": 3}


@pytest.mark.parametrize(
    ("messages", "wire"),
    [
        (QUESTION, [{"role": "user", "content": QUESTION}]),
        (Message(content=QUESTION), [{"role": "user", "content": QUESTION}]),
        ({"content": QUESTION}, [{"role": "user", "content": QUESTION}]),
        (
            [
                {"role": "user", "content": "Hi"},
                Message(role="assistant", content="Hello"),
                QUESTION,
            ],
            [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": QUESTION},
            ],
        ),
        ((QUESTION,), [{"role": "user", "content": QUESTION}]),
    ],
)
async def test_every_form_of_messages(emulator: Emulator, messages: Any, wire: Any) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        await client.chat("docs", messages)
    assert chat_requests(emulator)[0]["messages"] == wire


BAD_CHAT_CALLS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"messages": ""}, InvalidInputError, "empty"),
    ({"messages": "   "}, InvalidInputError, "empty"),
    ({"messages": []}, InvalidInputError, "empty"),
    ({"messages": [{"role": "user", "content": ""}]}, InvalidInputError, r"messages\[0\]"),
    ({"messages": {"role": "user"}}, InvalidInputError, "no 'content'"),
    ({"messages": {"content": "x", "text": "y"}}, InvalidInputError, "unknown keys"),
    ({"messages": {"role": "robot", "content": "x"}}, InvalidInputError, "role"),
    ({"messages": {"role": 1, "content": "x"}}, InvalidTypeError, "role"),
    ({"messages": [{"content": 42}]}, InvalidTypeError, "content"),
    ({"messages": b"bytes"}, InvalidTypeError, "messages"),
    ({"messages": 3}, InvalidTypeError, "messages"),
    ({"model": ""}, InvalidInputError, "model"),
    ({"model": 4}, InvalidTypeError, "model"),
    ({"temperature": -0.1}, InvalidInputError, "temperature"),
    ({"temperature": 2.5}, InvalidInputError, "temperature"),
    ({"temperature": float("nan")}, InvalidInputError, "temperature"),
    ({"temperature": "hot"}, InvalidTypeError, "temperature"),
    ({"temperature": True}, InvalidTypeError, "temperature"),
    ({"filter": ["team"]}, InvalidTypeError, "filter"),
    ({"filter": {"x": {1, 2}}}, InvalidInputError, "filter"),
    ({"json_response": "yes"}, InvalidTypeError, "json_response"),
    ({"include_highlights": 1}, InvalidTypeError, "include_highlights"),
    ({"context_options": {"top_k": 0}}, InvalidInputError, "top_k"),
    ({"context_options": {"top_k": 65}}, InvalidInputError, "top_k"),
    ({"context_options": {"top_k": 2.0}}, InvalidTypeError, "top_k"),
    ({"context_options": {"snippet_size": 511}}, InvalidInputError, "snippet_size"),
    ({"context_options": {"snippet_size": 8193}}, InvalidInputError, "snippet_size"),
    ({"context_options": {"multimodal": "no"}}, InvalidTypeError, "multimodal"),
    ({"context_options": {"topk": 3}}, InvalidInputError, "unknown keys"),
    (
        {"context_options": {"multimodal": False, "include_binary_content": True}},
        InvalidInputError,
        "include_binary_content",
    ),
    ({"context_options": [("top_k", 3)]}, InvalidTypeError, "context_options"),
    ({"timeout": 0}, InvalidInputError, "timeout"),
    ({"timeout": "10"}, InvalidTypeError, "timeout"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD_CHAT_CALLS)
async def test_bad_chat_input_is_rejected_before_sending(
    emulator: Emulator, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    call: dict[str, Any] = {"messages": QUESTION, **kwargs}
    async with emulator.client() as client:
        with pytest.raises(error, match=match):
            await client.chat("docs", **call)
        with pytest.raises(error, match=match):
            client.chat_stream("docs", **call)
        if not set(kwargs) & {"json_response", "include_highlights", "context_options"}:
            with pytest.raises(error, match=match):
                await client.chat_completions("docs", **call)
            with pytest.raises(error, match=match):
                client.chat_completions_stream("docs", **call)
    assert emulator.requests == []


async def test_a_bad_assistant_name_is_rejected_before_sending(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="assistant name"):
            await client.chat("Not A Name", QUESTION)
        with pytest.raises(InvalidTypeError, match="assistant name"):
            client.chat_stream(None, QUESTION)  # type: ignore[arg-type]
    assert emulator.requests == []


async def test_unknown_assistant_is_not_found(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(NotFoundError):
            await client.chat("ghost", QUESTION)
        with pytest.raises(NotFoundError):
            await client.context("ghost", "anything")


async def test_wrong_api_key_is_an_authentication_error(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with AssistantClient(
        api_key="wrong", host=emulator.url, data_host=emulator.url
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.chat("docs", QUESTION)
    assert "wrong" not in str(caught.value) and "wrong" not in repr(caught.value)


async def test_chat_completions_returns_the_openai_shape(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        completion = await client.chat_completions(
            "docs",
            [{"role": "user", "content": QUESTION}],
            model="claude-sonnet-4-5",
            temperature=0.5,
            filter={"team": "ops"},
        )
        reply = await client.chat("docs", QUESTION)
    assert isinstance(completion, ChatCompletion)
    assert completion.id and completion.model == "claude-sonnet-4-5"
    [choice] = completion.choices
    assert choice.index == 0
    assert choice.finish_reason == FinishReason.STOP
    assert choice.message.role == "assistant"
    assert choice.message.content == reply.message.content
    assert completion.usage is not None and completion.usage.total_tokens
    assert chat_requests(emulator, "/chat/completions") == [
        {
            "messages": [{"role": "user", "content": QUESTION}],
            "stream": False,
            "model": "claude-sonnet-4-5",
            "temperature": 0.5,
            "filter": {"team": "ops"},
        }
    ]


async def test_the_handle_binds_the_assistant_name(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        docs = client.assistant("docs")
        reply = await docs.chat(QUESTION)
        completion = await docs.chat_completions(QUESTION)
        async with docs.chat_stream(QUESTION) as stream:
            streamed = await stream.final()
        async with docs.chat_completions_stream(QUESTION) as cstream:
            cstreamed = await cstream.final()
        context = await docs.context("office hours")
    assert reply.message.content == streamed.message.content
    assert completion.choices[0].message.content == cstreamed.choices[0].message.content
    assert context.snippets
    assert {r.path for r in emulator.requests if r.method == "POST"} >= {
        "/assistant/chat/docs",
        "/assistant/chat/docs/chat/completions",
        "/assistant/chat/docs/context",
    }


@pytest.mark.parametrize("version", ["2026-07", "2026-04", "2025-10", "2025-04"])
async def test_every_api_version_chats_streams_and_retrieves(
    emulator: Emulator, version: str
) -> None:
    await ready_docs(emulator)
    async with emulator.client(api_version=version) as client:
        reply = await client.chat("docs", QUESTION, model=ChatModelName.GPT_4_1)
        async with client.chat_stream("docs", QUESTION, model=ChatModelName.GPT_4_1) as stream:
            streamed = await stream.final()
        async with client.chat_completions_stream("docs", QUESTION) as completion_stream:
            completion = await completion_stream.final()
        context = await client.context("docs", "office hours")
    assert streamed.model_dump(exclude={"id"}) == reply.model_dump(exclude={"id"})
    assert completion.choices[0].message.content == reply.message.content
    assert context.snippets
    chats = [r for r in emulator.requests if r.path == "/assistant/chat/docs"]
    assert {r.api_version for r in chats} == {version}
    assert [r.json["model"] for r in chats] == ["gpt-4.1", "gpt-4.1"]
