"""LangChain: the retriever in a chain and the assistant as a tool, async and sync.

python examples/agent_langchain.py    (needs: pip install -e ".[langchain]")
"""

from __future__ import annotations

import asyncio
from typing import Any

from _common import SAMPLE_DOCS, SAMPLE_METADATA, connect, unique_name
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from pinecone_assistant_async.integrations.langchain import (
    PineconeAssistantRetriever,
    assistant_tool,
)


def sources(documents: list[Document]) -> list[str]:
    return [f"{d.metadata['file_name']}: {d.page_content[:60]}..." for d in documents]


async def main() -> dict[str, Any]:
    async with connect() as client:
        name = unique_name("agent-lc")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            for file_name, metadata in SAMPLE_METADATA.items():
                await docs.files.upload(SAMPLE_DOCS / file_name, metadata=metadata)

            retriever = PineconeAssistantRetriever(assistant=docs, top_k=4)
            chain = retriever | RunnableLambda(sources)
            print(await chain.ainvoke("How long is the warranty?"))
            # top_k and filter can also be given per call.
            hr_only = await retriever.ainvoke("budget", top_k=1, filter={"team": "hr"})
            # Synchronous code works too (here from a worker thread, as LangChain's sync
            # executors call it): it runs on a private event loop of its own.
            sync_docs = await asyncio.to_thread(retriever.invoke, "two-factor", top_k=2)

            tool = assistant_tool(docs, name="lumen_handbook")
            answer = await tool.ainvoke({"question": "How many vacation days do I get?"})
            print(answer)
        finally:
            await docs.delete()
    return {
        "hr_only": [d.metadata["file_name"] for d in hr_only],
        "sync_files": sorted({d.metadata["file_name"] for d in sync_docs}),
        "answer": answer,
    }


if __name__ == "__main__":
    asyncio.run(main())
