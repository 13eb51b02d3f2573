"""The pydantic-ai toolset, driven by pydantic-ai's own test models (no LLM) on the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pydantic_ai")

from pydantic_ai import Agent
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel

from pinecone_assistant_async import AssistantClient, InvalidInputError
from pinecone_assistant_async.integrations.pydantic_ai import (
    ChatResult,
    ContextResult,
    assistant_toolset,
)
from pinecone_assistant_async.testing import Emulator

SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "examples" / "sample_docs"
Respond = Callable[[list[ModelMessage], AgentInfo], ModelResponse]


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AssistantClient]:
    async with emulator.client() as client:
        await client.assistants.create("lumen")
        await client.files.upload("lumen", SAMPLE_DOCS / "handbook.md", metadata={"team": "hr"})
        await client.files.upload("lumen", SAMPLE_DOCS / "faq.json", metadata={"team": "support"})
        yield client


def results(messages: list[ModelMessage]) -> list[ToolReturnPart | RetryPromptPart]:
    """What the tools handed back in the latest request to the model."""
    last = messages[-1]
    assert isinstance(last, ModelRequest)
    return [p for p in last.parts if isinstance(p, (ToolReturnPart, RetryPromptPart))]


def scripted(*turns: list[ToolCallPart]) -> tuple[FunctionModel, list[Any]]:
    """A model that makes the given tool calls turn by turn, then answers with what it got."""
    seen: list[Any] = []

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(seen) == 0:
            seen.append({t.name: t.parameters_json_schema for t in info.function_tools})
        else:
            seen.append(results(messages))
        turn = len(seen) - 1
        if turn < len(turns):
            return ModelResponse(parts=list(turns[turn]))
        return ModelResponse(parts=[TextPart("final")])

    return FunctionModel(respond), seen


def call(tool: str, **args: Any) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args=args)


@pytest.mark.anyio
async def test_an_agent_calls_context_and_chat(client: AssistantClient, emulator: Emulator) -> None:
    model, seen = scripted(
        [
            call("assistant_chat", query="How many vacation days do employees get?", top_k=3),
            call("assistant_context", query="How long is the warranty?", top_k=2),
        ]
    )
    agent = Agent(model, toolsets=[assistant_toolset(client.assistant("lumen"))])
    run = await agent.run("Tell me about vacation and the warranty.")
    assert run.output == "final"

    schemas = seen[0]
    assert sorted(schemas) == ["assistant_chat", "assistant_context"]
    context_schema = schemas["assistant_context"]
    assert list(context_schema["properties"]) == ["query", "top_k", "filter"]
    assert context_schema["required"] == ["query"]
    assert context_schema["properties"]["top_k"]["default"] == 15

    chat_part, context_part = seen[1]
    assert isinstance(chat_part, ToolReturnPart) and isinstance(chat_part.content, ChatResult)
    assert "25 vacation days" in chat_part.content.answer
    assert chat_part.content.citations[0].sources[0].file_name == "handbook.md"
    assert isinstance(context_part, ToolReturnPart)
    assert isinstance(context_part.content, ContextResult)
    assert 1 <= len(context_part.content.snippets) <= 2
    assert context_part.content.snippets[0].file_name == "faq.json"
    assert "three year warranty" in context_part.content.snippets[0].text

    chat_body = [r.json for r in emulator.requests if r.path == "/assistant/chat/lumen"][-1]
    assert chat_body["context_options"] == {"top_k": 3}
    context_path = "/assistant/chat/lumen/context"
    context_body = [r.json for r in emulator.requests if r.path == context_path][-1]
    assert context_body == {"query": "How long is the warranty?", "top_k": 2}


@pytest.mark.anyio
async def test_a_fixed_filter_is_combined_with_the_model_s(
    client: AssistantClient, emulator: Emulator
) -> None:
    model, seen = scripted([call("assistant_context", query="lamp", filter={"year": 2026})])
    toolset = assistant_toolset(client.assistant("lumen"), chat=False, filter={"team": "support"})
    await Agent(model, toolsets=[toolset]).run("lamp?")
    assert list(seen[0]) == ["assistant_context"]
    body = [r.json for r in emulator.requests if r.path == "/assistant/chat/lumen/context"][-1]
    assert body["filter"] == {"$and": [{"team": "support"}, {"year": 2026}]}


@pytest.mark.anyio
async def test_bad_arguments_ask_the_model_to_retry_before_any_request(
    client: AssistantClient, emulator: Emulator
) -> None:
    model, seen = scripted(
        [call("assistant_context", query="vacation", top_k=0)],
        [call("assistant_context", query="vacation", top_k=1)],
    )
    agent = Agent(model, toolsets=[assistant_toolset(client.assistant("lumen"))])
    before = emulator.count(path="/context$")
    await agent.run("vacation?")
    (refused,) = seen[1]
    assert isinstance(refused, ToolReturnPart) and refused.outcome == "retried"
    assert "greater than or equal to 1" in refused.model_response_str()
    (accepted,) = seen[2]
    assert isinstance(accepted, ToolReturnPart)
    assert isinstance(accepted.content, ContextResult) and len(accepted.content.snippets) == 1
    assert emulator.count(path="/context$") == before + 1


@pytest.mark.anyio
async def test_service_failures_reach_the_model_with_the_sdk_message(
    client: AssistantClient, emulator: Emulator
) -> None:
    model, seen = scripted([call("assistant_chat", query="anything?")])
    agent = Agent(model, toolsets=[assistant_toolset(client.assistant("ghost"))])
    await agent.run("anything?")
    (failed,) = seen[1]
    assert isinstance(failed, ToolReturnPart) and failed.outcome == "failed"
    text = failed.model_response_str()
    assert "404 NOT_FOUND" in text and "ghost" in text and "not found" in text
    assert emulator.api_key not in text


@pytest.mark.anyio
async def test_pydantic_ai_s_test_model_drives_every_tool(
    client: AssistantClient, emulator: Emulator
) -> None:
    agent = Agent(TestModel(), toolsets=[assistant_toolset(client.assistant("lumen"))])
    run = await agent.run("anything")
    assert '"assistant_context":{"assistant_name":"lumen"' in run.output
    assert '"assistant_chat":{"assistant_name":"lumen"' in run.output
    context_path = "/assistant/chat/lumen/context"
    body = [r.json for r in emulator.requests if r.path == context_path][-1]
    assert body["top_k"] == 15  # the schema's default, as the model left it out


@pytest.mark.anyio
async def test_one_toolset_per_assistant_with_prefixes(client: AssistantClient) -> None:
    await client.assistants.create("other")
    model, seen = scripted([])
    hr = assistant_toolset(client.assistant("lumen")).prefixed("lumen")
    other = assistant_toolset(client.assistant("other"), chat=False).prefixed("other")
    await Agent(model, toolsets=[hr, other]).run("hi")
    assert sorted(seen[0]) == [
        "lumen_assistant_chat",
        "lumen_assistant_context",
        "other_assistant_context",
    ]
    with pytest.raises(InvalidInputError):
        assistant_toolset(client.assistant("lumen"), context=False, chat=False)
