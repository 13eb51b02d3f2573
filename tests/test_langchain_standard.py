"""LangChain's own standard test classes (``langchain-tests``) for our retriever and tool.

They call both ``invoke`` (sync) and ``ainvoke`` (async). The emulator runs in a thread of its
own so that a sync call blocking the test's thread is still answered; each test gets a fresh
client on its own event loop (the async tests run on that loop, the sync ones make the
integration use a private loop, as users' sync code does).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langchain_tests")

from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import RetrieversIntegrationTests, ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from pinecone_assistant_async import AssistantClient, AssistantHandle
from pinecone_assistant_async.integrations.langchain import (
    PineconeAssistantRetriever,
    PineconeAssistantTool,
    assistant_tool,
)
from pinecone_assistant_async.testing import Emulator, ObservedResponse
from tests.spec_check import contract_breaking, spec_checker

SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "examples" / "sample_docs"
NAME = "lumen-standard"
QUERY = "lamp vacation warranty security release"


async def _load(emu: Emulator) -> None:
    async with emu.client() as client:
        await client.assistants.create(NAME)
        await client.assistants.wait_until_ready(NAME)
        for path in sorted(SAMPLE_DOCS.iterdir()):
            await client.files.upload(NAME, path)


@pytest.fixture(scope="module")
def service() -> Iterator[Emulator]:
    """One emulator on its own thread and loop, holding the sample documents."""
    checker = spec_checker()
    problems: list[str] = []

    def validate(observed: ObservedResponse) -> None:
        if not contract_breaking(observed):
            problems.extend(checker.problems(observed))

    with Emulator.serve_in_thread(
        ready_delay=0, processing_delay=0, delete_delay=0, on_response=validate
    ) as emu:
        asyncio.run(_load(emu))
        yield emu
    assert not problems, problems


@pytest.fixture
async def handle(service: Emulator, anyio_backend: str) -> AsyncIterator[AssistantHandle]:
    async with AssistantClient(api_key=service.api_key, host=service.url) as client:
        yield client.assistant(NAME)


class TestRetrieverStandard(RetrieversIntegrationTests):
    pytestmark = pytest.mark.anyio

    @pytest.fixture(autouse=True)
    def _assistant(self, handle: AssistantHandle) -> None:
        self.assistant = handle

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return PineconeAssistantRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"assistant": self.assistant}

    @property
    def retriever_query_example(self) -> str:
        return QUERY

    @property
    def num_results_arg_name(self) -> str:
        return "top_k"


class _ToolParams:
    assistant: AssistantHandle

    @pytest.fixture(autouse=True)
    def _assistant(self, handle: AssistantHandle) -> None:
        self.assistant = handle

    @property
    def tool_constructor(self) -> type[BaseTool] | BaseTool:
        return PineconeAssistantTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {
            "name": "ask_lumen",
            "description": "Ask the Lumen knowledge assistant.",
            "assistant": self.assistant,
        }

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"question": "How many vacation days do employees get?"}


class TestToolUnitStandard(_ToolParams, ToolsUnitTests):
    pytestmark = pytest.mark.anyio


class TestToolIntegrationStandard(_ToolParams, ToolsIntegrationTests):
    pytestmark = pytest.mark.anyio


class TestArtifactToolIntegrationStandard(ToolsIntegrationTests):
    """The tool built by ``assistant_tool(artifact=True)``: content and a ``ChatResponse``."""

    pytestmark = pytest.mark.anyio

    @pytest.fixture(autouse=True)
    def _assistant(self, handle: AssistantHandle) -> None:
        self.built = assistant_tool(handle, artifact=True)

    @property
    def tool_constructor(self) -> type[BaseTool] | BaseTool:
        return self.built

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"question": "How long is the warranty on the lamp?"}
