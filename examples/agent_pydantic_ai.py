"""pydantic-ai: an agent that answers from an assistant through its toolset.

python examples/agent_pydantic_ai.py  (needs: pip install -e ".[pydantic-ai]")

A real agent names a model, e.g. ``Agent("openai:gpt-4o", toolsets=[toolset])``. To run
without an LLM, this example uses pydantic-ai's ``FunctionModel``: a stand-in "model" that
calls ``assistant_chat`` once and then replies with the answer and its sources.
"""

from __future__ import annotations

import asyncio
from typing import Any

from _common import SAMPLE_DOCS, SAMPLE_METADATA, connect, unique_name
from pydantic_ai import Agent
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from pinecone_assistant_async.integrations.pydantic_ai import ChatResult, assistant_toolset


def stand_in_model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """First turn: ask the assistant. Second turn: answer with what it said."""
    last = messages[-1]
    returns = [p for p in getattr(last, "parts", []) if isinstance(p, ToolReturnPart)]
    if isinstance(last, ModelRequest) and returns:
        reply = returns[0].content
        assert isinstance(reply, ChatResult)
        cited = sorted({s.file_name for c in reply.citations for s in c.sources})
        return ModelResponse(parts=[TextPart(f"{reply.answer} (sources: {', '.join(cited)})")])
    question = "How many vacation days do employees get?"
    return ModelResponse(parts=[ToolCallPart("assistant_chat", {"query": question})])


async def main() -> dict[str, Any]:
    async with connect() as client:
        name = unique_name("agent-pai")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            for file_name, metadata in SAMPLE_METADATA.items():
                await docs.files.upload(SAMPLE_DOCS / file_name, metadata=metadata)
            toolset = assistant_toolset(docs)  # tools: assistant_context, assistant_chat
            agent = Agent(FunctionModel(stand_in_model), toolsets=[toolset])
            run = await agent.run("How much vacation do I get?")
            print(run.output)
        finally:
            await docs.delete()
    return {"output": run.output}


if __name__ == "__main__":
    asyncio.run(main())
