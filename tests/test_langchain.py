"""The LangChain retriever and tool, through LangChain's own async interfaces, on the emulator."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

pytest.importorskip("langchain_core")

from langchain_core.documents import Document
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import BaseTool

from pinecone_assistant_async import (
    AssistantClient,
    ChatResponse,
    InvalidInputError,
    NotFoundError,
)
from pinecone_assistant_async.integrations.langchain import (
    PineconeAssistantRetriever,
    PineconeAssistantTool,
    assistant_tool,
)
from pinecone_assistant_async.testing import Emulator

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "examples" / "sample_docs"
NAME = "lumen-lc"


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AssistantClient]:
    async with emulator.client() as client:
        await client.assistants.create(NAME)
        await client.files.upload(NAME, SAMPLE_DOCS / "handbook.md", metadata={"team": "hr"})
        await client.files.upload(NAME, SAMPLE_DOCS / "faq.json", metadata={"team": "support"})
        yield client


def context_bodies(emulator: Emulator) -> list[object]:
    path = f"/assistant/chat/{NAME}/context"
    return [r.json for r in emulator.requests if r.path == path]


@pytest.mark.anyio
async def test_retriever_returns_documents_with_sources(
    client: AssistantClient, emulator: Emulator
) -> None:
    retriever = PineconeAssistantRetriever(
        assistant=client.assistant(NAME), top_k=2, filter={"team": "hr"}
    )
    documents = await retriever.ainvoke("home office budget")
    assert documents and all(isinstance(d, Document) for d in documents)
    first = documents[0]
    assert "600 euros" in first.page_content
    assert first.metadata["file_name"] == "handbook.md"
    assert first.metadata["reference_type"] == "markdown"
    assert first.metadata["file_metadata"] == {"team": "hr"}
    assert 0 < first.metadata["score"] <= 1
    assert isinstance(first.metadata["file_id"], str)
    assert context_bodies(emulator)[-1] == {
        "query": "home office budget",
        "top_k": 2,
        "filter": {"team": "hr"},
    }


@pytest.mark.anyio
async def test_retriever_composes_in_a_chain(client: AssistantClient) -> None:
    retriever = PineconeAssistantRetriever(assistant=client.assistant(NAME))

    def join(documents: list[Document]) -> str:
        return "\n".join(d.page_content for d in documents)

    chain = retriever | RunnableLambda(join)
    text = await chain.ainvoke("How long is the warranty?")
    assert "three year warranty" in text


@pytest.mark.anyio
async def test_top_k_and_filter_at_call_time_override_the_retriever_s(
    client: AssistantClient, emulator: Emulator
) -> None:
    retriever = PineconeAssistantRetriever(assistant=client.assistant(NAME), top_k=5)
    query = "vacation days warranty budget"
    assert len(await retriever.ainvoke(query)) > 1
    assert len(await retriever.ainvoke(query, top_k=1)) == 1
    documents = await retriever.ainvoke(query, top_k=2, filter={"team": "support"})
    assert documents and {d.metadata["file_name"] for d in documents} == {"faq.json"}
    assert context_bodies(emulator)[-1] == {
        "query": query,
        "top_k": 2,
        "filter": {"team": "support"},
    }


@pytest.mark.anyio
async def test_unknown_call_time_options_are_refused_before_any_request(
    client: AssistantClient, emulator: Emulator
) -> None:
    retriever = PineconeAssistantRetriever(assistant=client.assistant(NAME))
    before = len(context_bodies(emulator))
    with pytest.raises(InvalidInputError, match=r"unknown retriever options \['k'\]"):
        await retriever.ainvoke("warranty", k=2)
    assert len(context_bodies(emulator)) == before


@pytest.mark.anyio
async def test_sync_invoke_runs_on_a_private_loop(client: AssistantClient) -> None:
    # The emulator serves on this test's loop, so the blocking call runs in a thread (as
    # LangChain's sync executors do); the retriever then runs it on a loop of its own.
    retriever = PineconeAssistantRetriever(assistant=client.assistant(NAME))
    documents = await anyio.to_thread.run_sync(
        lambda: retriever.invoke("vacation days warranty budget", top_k=2)
    )
    assert len(documents) == 2
    assert any("three year warranty" in d.page_content for d in documents)
    assert {d.metadata["file_name"] for d in documents} == {"handbook.md", "faq.json"}
    # The caller's client is untouched: still open and usable on its own loop.
    assert not client.closed
    assert len(await retriever.ainvoke("warranty", top_k=1)) == 1


@pytest.mark.anyio
async def test_sync_invoke_raises_the_sdk_s_typed_error(client: AssistantClient) -> None:
    retriever = PineconeAssistantRetriever(assistant=client.assistant("no-such-assistant"))
    with pytest.raises(NotFoundError) as caught:
        await anyio.to_thread.run_sync(lambda: retriever.invoke("warranty"))
    assert caught.value.status == 404


@pytest.mark.anyio
async def test_tool_answers_with_sources(client: AssistantClient, emulator: Emulator) -> None:
    tool = assistant_tool(client.assistant(NAME), model="claude-sonnet-4-5", filter={"team": "hr"})
    assert isinstance(tool, BaseTool) and isinstance(tool, PineconeAssistantTool)
    assert tool.name == "ask_lumen_lc"
    assert tool.args == {
        "question": {
            "title": "Question",
            "type": "string",
            "description": "The question, self-contained (include needed context).",
        }
    }
    text = await tool.ainvoke({"question": "How many vacation days do employees get?"})
    assert "25 vacation days" in text
    assert "Sources:\n[1] handbook.md" in text
    body = [r.json for r in emulator.requests if r.path == f"/assistant/chat/{NAME}"][-1]
    assert body["model"] == "claude-sonnet-4-5"
    assert body["filter"] == {"team": "hr"}
    sync_text = await anyio.to_thread.run_sync(
        lambda: tool.invoke({"question": "How many vacation days do employees get?"})
    )
    assert sync_text == text


@pytest.mark.anyio
async def test_tool_call_gives_a_tool_message_with_the_reply_as_artifact(
    client: AssistantClient,
) -> None:
    tool = assistant_tool(client.assistant(NAME), name="lumen_faq", artifact=True)
    call = {
        "name": "lumen_faq",
        "args": {"question": "How long is the warranty on the lamp?"},
        "id": "call-1",
        "type": "tool_call",
    }
    message = await tool.ainvoke(call)
    assert isinstance(message, ToolMessage)
    assert message.tool_call_id == "call-1"
    assert "three year warranty" in str(message.content)
    assert isinstance(message.artifact, ChatResponse)
    assert message.artifact.citations


def test_the_package_does_not_import_langchain() -> None:
    code = (
        "import sys, pinecone_assistant_async, pinecone_assistant_async.integrations;"
        "print(any(m.startswith('langchain') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
