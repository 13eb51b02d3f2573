"""``as_tool``: an assistant as a function-calling tool, run against the emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pinecone_assistant_async import (
    AssistantClient,
    AssistantHandle,
    ChatResponse,
    ContextResponse,
    InvalidInputError,
    InvalidTypeError,
)
from pinecone_assistant_async.testing import Emulator
from pinecone_assistant_async.tools import AssistantTool, as_tool, format_answer

SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "examples" / "sample_docs"
NAME = "lumen-docs"


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AssistantClient]:
    async with emulator.client() as client:
        await client.assistants.create(NAME)
        for name in ("handbook.md", "release_notes_2026.md"):
            meta = {"team": "hr" if name == "handbook.md" else "product"}
            await client.files.upload(NAME, SAMPLE_DOCS / name, metadata=meta)
        yield client


def last_chat_body(emulator: Emulator, suffix: str = "") -> Any:
    path = f"/assistant/chat/{NAME}{suffix}"
    bodies = [r.json for r in emulator.requests if r.method == "POST" and r.path == path]
    assert bodies, f"no POST {path} reached the emulator"
    return bodies[-1]


@pytest.mark.anyio
async def test_defaults_describe_a_chat_tool(client: AssistantClient) -> None:
    tool = as_tool(client.assistant(NAME))
    assert isinstance(tool, AssistantTool)
    assert tool.name == "ask_lumen_docs"
    assert NAME in tool.description
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "question": {
                "type": "string",
                "description": tool.parameters["properties"]["question"]["description"],
            }
        },
        "required": ["question"],
        "additionalProperties": False,
    }
    openai = tool.openai_schema()
    assert openai["type"] == "function"
    assert openai["function"]["name"] == "ask_lumen_docs"
    assert openai["function"]["parameters"] == dict(tool.parameters)
    anthropic = tool.anthropic_schema()
    assert anthropic == {
        "name": "ask_lumen_docs",
        "description": tool.description,
        "input_schema": dict(tool.parameters),
    }


@pytest.mark.anyio
async def test_chat_tool_answers_with_sources(client: AssistantClient, emulator: Emulator) -> None:
    tool = as_tool(client.assistant(NAME))
    # OpenAI hands over arguments as a JSON string, Anthropic as a dict; keywords work too.
    for arguments in (
        '{"question": "How many vacation days do employees get?"}',
        {"question": "How many vacation days do employees get?"},
    ):
        text = await tool(arguments)
        assert "25 vacation days" in text
        assert "\n\nSources:\n[1] handbook.md" in text
    text = await tool(question="How many vacation days do employees get?")
    assert "25 vacation days" in text
    body = last_chat_body(emulator)
    assert body["messages"] == [
        {"role": "user", "content": "How many vacation days do employees get?"}
    ]
    assert body["stream"] is False


@pytest.mark.anyio
async def test_fixed_options_reach_the_service(client: AssistantClient, emulator: Emulator) -> None:
    tool = as_tool(
        client,
        NAME,
        name="lamp_notes",
        description="Release notes of the Lumen lamp.",
        model="claude-sonnet-4-5",
        filter={"team": "product"},
        top_k=2,
    )
    assert (tool.name, tool.description) == ("lamp_notes", "Release notes of the Lumen lamp.")
    reply = await tool.run({"question": "What does firmware 4.2 add?"})
    assert isinstance(reply, ChatResponse)
    assert {r.file.name for c in reply.citations for r in c.references} == {"release_notes_2026.md"}
    body = last_chat_body(emulator)
    assert body["model"] == "claude-sonnet-4-5"
    assert body["filter"] == {"team": "product"}
    assert body["context_options"] == {"top_k": 2}


@pytest.mark.anyio
async def test_context_tool_returns_snippets(client: AssistantClient, emulator: Emulator) -> None:
    tool = as_tool(client, NAME, mode="context", top_k=3)
    assert tool.name == "search_lumen_docs"
    assert tool.parameters["required"] == ["query"]
    assert set(tool.parameters["properties"]) == {"query", "top_k"}
    text = await tool('{"query": "home office budget"}')
    assert text.startswith("[1] handbook.md (score ")
    assert "600 euros" in text
    assert last_chat_body(emulator, "/context")["top_k"] == 3
    result = await tool.run({"query": "firmware", "top_k": 1})  # the model may narrow top_k
    assert isinstance(result, ContextResponse)
    assert len(result.snippets) == 1
    assert last_chat_body(emulator, "/context")["top_k"] == 1


@pytest.mark.anyio
async def test_a_function_calling_loop_can_dispatch_by_name(client: AssistantClient) -> None:
    tools = {t.name: t for t in (as_tool(client, NAME), as_tool(client, NAME, mode="context"))}
    # What an OpenAI-style model sends back when it decides to call a tool.
    call = {"name": "ask_lumen_docs", "arguments": json.dumps({"question": "vacation days?"})}
    result = await tools[call["name"]](call["arguments"])
    assert "25 vacation days" in result


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({}, "non-empty string argument 'question'"),
        ({"question": "   "}, "non-empty string argument 'question'"),
        ({"question": "hi", "temperature": 2}, "unknown tool arguments ['temperature']"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    client: AssistantClient, emulator: Emulator, arguments: Any, message: str
) -> None:
    tool = as_tool(client.assistant(NAME))
    before = emulator.count()
    with pytest.raises(InvalidInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        await tool(arguments)
    assert emulator.count() == before


@pytest.mark.anyio
async def test_bad_definitions_are_rejected(client: AssistantClient) -> None:
    handle = client.assistant(NAME)
    with pytest.raises(InvalidInputError, match="name the assistant"):
        as_tool(client)  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match="already names"):
        as_tool(handle, "other")  # type: ignore[call-overload]
    with pytest.raises(InvalidTypeError):
        as_tool("lumen-docs")  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match="tool name"):
        as_tool(handle, name="has spaces")
    with pytest.raises(InvalidInputError, match="top_k"):
        as_tool(handle, top_k=0)
    with pytest.raises(InvalidInputError, match="mode"):
        as_tool(handle, mode="summarise")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="model"):
        as_tool(handle, mode="context", model="gpt-4o")
    with pytest.raises(InvalidTypeError, match="top_k"):
        await as_tool(handle, mode="context").run({"query": "x", "top_k": "3"})


@pytest.mark.anyio
async def test_long_assistant_names_give_valid_tool_names(client: AssistantClient) -> None:
    tool = as_tool(client.assistant("a" * 63))
    assert len(tool.name) == 64 and tool.name.startswith("ask_aaa")


def test_format_answer_lists_each_source_once() -> None:
    file = {"id": "f1", "name": "handbook.md"}
    reply = ChatResponse.model_validate(
        {
            "id": "r",
            "model": "gpt-4o",
            "message": {"role": "assistant", "content": "25 days."},
            "citations": [
                {"position": 3, "references": [{"file": file, "pages": [1]}]},
                {"position": 8, "references": [{"file": file, "pages": [1]}]},
            ],
        }
    )
    assert format_answer(reply) == "25 days.\n\nSources:\n[1] handbook.md, page 1"


@pytest.mark.anyio
@pytest.mark.xfail(
    not hasattr(AssistantHandle, "as_tool"),
    reason="handle.py does not define AssistantHandle.as_tool yet",
    strict=True,
)
async def test_the_handle_offers_as_tool(client: AssistantClient) -> None:
    tool = client.assistant(NAME).as_tool(mode="context", top_k=2)
    assert (tool.name, tool.mode) == ("search_lumen_docs", "context")
    assert "600 euros" in await tool(query="home office budget")
