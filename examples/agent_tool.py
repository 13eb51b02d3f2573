"""An assistant as a function-calling tool, for any agent loop (OpenAI, Anthropic, your own).

python examples/agent_tool.py

``as_tool`` gives the schema to hand the model and an async callable that takes the
arguments the model produced (a JSON string or a dict) and returns the text to hand back.
Here the "model" is a stand-in that asks for one call, so the example runs without an LLM.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from _common import SAMPLE_DOCS, connect, unique_name


async def main() -> dict[str, Any]:
    async with connect() as client:
        name = unique_name("agent-tool")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            await docs.files.upload(SAMPLE_DOCS / "handbook.md")
            ask = docs.as_tool()  # chat mode: the answer with numbered sources
            search = docs.as_tool(mode="context", top_k=3)  # retrieval only
            tools = [ask.openai_schema(), search.openai_schema()]
            print("tools for the model:", [t["function"]["name"] for t in tools])

            # What a model's tool call looks like: a name and JSON-encoded arguments.
            call = {
                "name": ask.name,
                "arguments": json.dumps({"question": "How many vacation days?"}),
            }
            by_name = {ask.name: ask, search.name: search}
            answer = await by_name[call["name"]](call["arguments"])
            print(answer)
            passages = await search({"query": "home office budget"})
            print(passages)
        finally:
            await docs.delete()
    return {"tools": [t["function"]["name"] for t in tools], "answer": answer, "passages": passages}


if __name__ == "__main__":
    asyncio.run(main())
