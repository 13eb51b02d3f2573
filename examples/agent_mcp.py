"""MCP: our server over stdio, driven by the official ``mcp`` client, and the remote endpoint.

python examples/agent_mcp.py          (needs: pip install -e ".[mcp]")

1. Starts ``pinecone-assistant mcp`` as a subprocess, the way Claude Desktop or an IDE does,
   lists its tools and calls ``assistant_context`` and ``assistant_chat``.
2. Connects to the assistant's own remote MCP endpoint (``assistant.mcp_url``; the emulator
   serves it too) over streamable HTTP and calls its context tool.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import httpx2
from _common import SAMPLE_DOCS, target, unique_name
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import TextContent

ROOT = Path(__file__).resolve().parent.parent


def text_of(result: Any) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, TextContent))


async def main() -> dict[str, Any]:
    async with target() as where, where.client() as client:
        name = unique_name("agent-mcp")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            await docs.files.upload(SAMPLE_DOCS / "handbook.md")
            await docs.files.upload(SAMPLE_DOCS / "faq.json")

            # 1. Our server, over stdio. Same key and host as this client.
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            env["PINECONE_API_KEY"] = client.config.api_key
            env["PINECONE_HOST"] = client.config.control_base
            server = StdioServerParameters(
                command=sys.executable,
                args=["-m", "pinecone_assistant_async", "mcp", "--assistant", name],
                env=env,
            )
            async with Client(server) as mcp:
                tools = sorted(t.name for t in (await mcp.list_tools()).tools)
                print("tools:", tools)
                context = await mcp.call_tool(
                    "assistant_context", {"query": "warranty", "top_k": 2}
                )
                chat = await mcp.call_tool("assistant_chat", {"query": "How long is the warranty?"})
            print(text_of(context), "\n---\n", text_of(chat))
            snippets = (context.structured_content or {}).get("snippets", [])

            # 2. The assistant's remote MCP endpoint, with the key as a bearer token.
            url = await docs.mcp_url()
            headers = {"Authorization": f"Bearer {client.config.api_key}"}
            async with (
                httpx2.AsyncClient(headers=headers, timeout=30) as http,
                Client(streamable_http_client(url, http_client=http)) as remote,
            ):
                remote_tools = [t.name for t in (await remote.list_tools()).tools]
                remote_context = await remote.call_tool("get_context", {"query": "vacation days"})
            print("remote endpoint:", url, remote_tools)
        finally:
            await docs.delete()
    return {
        "tools": tools,
        "snippet_files": [s["file_name"] for s in snippets],
        "answer": text_of(chat),
        "citations": (chat.structured_content or {}).get("citations", []),
        "remote_url": url,
        "remote_tools": remote_tools,
        "remote_text": text_of(remote_context),
    }


if __name__ == "__main__":
    asyncio.run(main())
