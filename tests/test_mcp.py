"""Our MCP server, driven by the official ``mcp`` package's client, against the emulator.

In-process (the client's direct connection to an ``MCPServer``) for the behaviour of each
tool; as a real subprocess over stdio and over streamable HTTP for the transports and for
shutting down on end of input and on SIGTERM.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp")

import aiohttp
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, TextContent

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.mcp import build_server
from pinecone_assistant_async.testing import Emulator

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "examples" / "sample_docs"
METADATA = {
    "handbook.md": {"team": "hr", "year": 2026},
    "security_policy.txt": {"team": "security", "year": 2025},
    "faq.json": {"team": "support", "year": 2026},
}
TOOLS = ["assistant_chat", "assistant_context", "list_assistants", "list_files"]


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AssistantClient]:
    async with emulator.client() as client:
        for name in ("lumen", "other"):
            await client.assistants.create(name)
        for file, metadata in METADATA.items():
            await client.files.upload("lumen", SAMPLE_DOCS / file, metadata=metadata)
        await client.files.upload("other", SAMPLE_DOCS / "release_notes_2026.md")
        yield client


def text(result: CallToolResult) -> str:
    assert all(isinstance(block, TextContent) for block in result.content)
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def env_for(emulator: Emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINECONE_")}
    env.update(PYTHONPATH=str(ROOT), PINECONE_API_KEY=emulator.api_key)
    return env


@pytest.mark.anyio
async def test_tools_keep_pinecone_s_names_and_arguments(client: AssistantClient) -> None:
    async with Client(build_server(client, ["lumen", "other"])) as mcp:
        tools = {t.name: t for t in (await mcp.list_tools()).tools}
    assert sorted(tools) == TOOLS
    context = tools["assistant_context"].input_schema
    # pinecone-io/assistant-mcp: assistant_context(assistant_name, query, top_k), top_k 15.
    assert list(context["properties"]) == ["assistant_name", "query", "top_k", "filter"]
    assert context["required"] == ["assistant_name", "query"]
    assert context["properties"]["top_k"]["default"] == 15
    chat = tools["assistant_chat"].input_schema
    assert set(chat["properties"]) >= {"assistant_name", "query", "top_k", "filter"}
    assert chat["required"] == ["assistant_name", "query"]
    for tool in tools.values():
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert "lumen, other" in (tool.description or "") or tool.name == "list_assistants"


@pytest.mark.anyio
async def test_one_served_assistant_is_the_default(client: AssistantClient) -> None:
    async with Client(build_server(client, ["lumen"])) as mcp:
        tools = {t.name: t for t in (await mcp.list_tools()).tools}
        schema = tools["assistant_context"].input_schema
        assert schema["required"] == ["query"]
        assert schema["properties"]["assistant_name"]["default"] == "lumen"
        result = await mcp.call_tool("assistant_context", {"query": "vacation days", "top_k": 2})
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["assistant_name"] == "lumen"


@pytest.mark.anyio
async def test_context_gives_snippets_with_sources(
    client: AssistantClient, emulator: Emulator
) -> None:
    async with Client(build_server(client)) as mcp:
        result = await mcp.call_tool(
            "assistant_context",
            {"assistant_name": "lumen", "query": "two-factor hardware key", "top_k": 3},
        )
    assert not result.is_error
    data = result.structured_content
    assert data is not None and data["query"] == "two-factor hardware key"
    assert 1 <= len(data["snippets"]) <= 3
    first = data["snippets"][0]
    assert first["file_name"] == "security_policy.txt"
    assert "hardware key" in first["text"] and 0 < first["score"] <= 1
    assert text(result).startswith("[1] security_policy.txt")
    body = [r.json for r in emulator.requests if r.path == "/assistant/chat/lumen/context"][-1]
    assert body == {"query": "two-factor hardware key", "top_k": 3}


@pytest.mark.anyio
async def test_context_defaults_to_15_and_filters_by_metadata(
    client: AssistantClient, emulator: Emulator
) -> None:
    async with Client(build_server(client)) as mcp:
        result = await mcp.call_tool(
            "assistant_context",
            {"assistant_name": "lumen", "query": "lamp", "filter": {"team": "support"}},
        )
    assert not result.is_error and result.structured_content is not None
    names = {s["file_name"] for s in result.structured_content["snippets"]}
    assert names == {"faq.json"}
    body = [r.json for r in emulator.requests if r.path == "/assistant/chat/lumen/context"][-1]
    assert body == {"query": "lamp", "top_k": 15, "filter": {"team": "support"}}


@pytest.mark.anyio
async def test_chat_answers_with_citations(client: AssistantClient, emulator: Emulator) -> None:
    async with Client(build_server(client)) as mcp:
        result = await mcp.call_tool(
            "assistant_chat",
            {
                "assistant_name": "lumen",
                "query": "How many vacation days do employees get?",
                "top_k": 4,
                "filter": {"team": "hr"},
            },
        )
    assert not result.is_error and result.structured_content is not None
    data = result.structured_content
    assert "25 vacation days" in data["answer"]
    source = data["citations"][0]["sources"][0]
    assert source["file_name"] == "handbook.md" and source["pages"] == [1]
    assert 0 < data["citations"][0]["position"] <= len(data["answer"])
    assert "Sources:\n[1] handbook.md, page 1" in text(result)
    body = [r.json for r in emulator.requests if r.path == "/assistant/chat/lumen"][-1]
    assert body["filter"] == {"team": "hr"}
    assert body["context_options"] == {"top_k": 4}


@pytest.mark.anyio
async def test_listing_assistants_and_files(client: AssistantClient) -> None:
    async with Client(build_server(client, ["lumen"])) as mcp:
        assistants = await mcp.call_tool("list_assistants", {})
        files = await mcp.call_tool("list_files", {"filter": {"year": {"$gte": 2026}}})
    assert assistants.structured_content is not None
    assert [a["name"] for a in assistants.structured_content["assistants"]] == ["lumen"]
    assert assistants.structured_content["assistants"][0]["status"] == "Ready"
    assert text(assistants) == "lumen (Ready)"
    assert files.structured_content is not None
    listed = {f["name"]: f for f in files.structured_content["files"]}
    assert sorted(listed) == ["faq.json", "handbook.md"]
    assert listed["handbook.md"]["metadata"] == {"team": "hr", "year": 2026}
    assert listed["handbook.md"]["status"] == "Available"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("assistant_context", {"assistant_name": "lumen"}, "query"),
        ("assistant_context", {"assistant_name": "lumen", "query": ""}, "query"),
        ("assistant_context", {"assistant_name": "lumen", "query": "x", "top_k": 0}, "top_k"),
        ("assistant_context", {"assistant_name": "lumen", "query": "x", "top_k": 65}, "top_k"),
        ("assistant_context", {"assistant_name": "lumen", "query": "x", "filter": 3}, "filter"),
        ("assistant_chat", {"assistant_name": "lumen", "query": "x", "top_k": "many"}, "top_k"),
        ("assistant_context", {"assistant_name": "other", "query": "x"}, "not served here"),
        ("list_files", {"assistant_name": "other"}, "not served here"),
    ],
)
async def test_bad_arguments_are_tool_errors_before_any_request(
    client: AssistantClient,
    emulator: Emulator,
    tool: str,
    arguments: dict[str, Any],
    message: str,
) -> None:
    async with Client(build_server(client, ["lumen"])) as mcp:
        before = len(emulator.requests)
        result = await mcp.call_tool(tool, arguments)
    assert result.is_error
    assert message in text(result)
    assert "Traceback" not in text(result)
    assert len(emulator.requests) == before


@pytest.mark.anyio
async def test_service_errors_carry_the_sdk_message_and_never_the_key(
    client: AssistantClient, emulator: Emulator
) -> None:
    async with Client(build_server(client)) as mcp:
        missing = await mcp.call_tool(
            "assistant_context", {"assistant_name": "ghost", "query": "x"}
        )
        emulator.add_fault("status=503;message=overloaded, try later", path="/chat/lumen$")
        failing = await mcp.call_tool("assistant_chat", {"assistant_name": "lumen", "query": "x"})
    assert missing.is_error and failing.is_error
    assert 'Assistant "ghost" not found' in text(missing)
    assert "overloaded, try later" in text(failing)
    for result in (missing, failing):
        assert emulator.api_key not in text(result)
        assert "Traceback" not in text(result)


def _rpc(process: subprocess.Popen[bytes], message: dict[str, Any]) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(message).encode() + b"\n")
    process.stdin.flush()
    return dict(json.loads(process.stdout.readline()))


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}


@pytest.mark.anyio
async def test_stdio_through_the_cli(client: AssistantClient, emulator: Emulator) -> None:
    """``pinecone-assistant mcp`` as Claude Desktop would start it, over stdio."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "pinecone_assistant_async", "--host", emulator.url, "mcp", "-a", "lumen"],
        env=env_for(emulator),
        cwd=str(ROOT),
    )
    async with Client(params) as mcp:
        assert mcp.server_info is not None and mcp.server_info.name == "pinecone-assistant"
        names = sorted(t.name for t in (await mcp.list_tools()).tools)
        context = await mcp.call_tool("assistant_context", {"query": "warranty", "top_k": 1})
        chat = await mcp.call_tool("assistant_chat", {"query": "How long is the warranty?"})
        files = await mcp.call_tool("list_files", {})
        listed = await mcp.call_tool("list_assistants", {})
        bad = await mcp.call_tool("assistant_context", {"query": "x", "top_k": 999})
    assert names == TOOLS
    assert context.structured_content is not None
    assert len(context.structured_content["snippets"]) == 1
    assert "three year warranty" in text(chat)
    assert files.structured_content is not None and len(files.structured_content["files"]) == 3
    assert text(listed) == "lumen (Ready)"
    assert bad.is_error and "top_k" in text(bad)


def _start_stdio(emulator: Emulator) -> subprocess.Popen[bytes]:
    """The server with no assistant named: it serves them all."""
    return subprocess.Popen(
        [sys.executable, "-m", "pinecone_assistant_async.mcp", "--host", emulator.url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for(emulator),
        cwd=ROOT,
    )


@pytest.mark.anyio
@pytest.mark.parametrize("stop", ["eof", "sigterm"])
async def test_stdio_server_stops_cleanly(emulator: Emulator, stop: str) -> None:
    with _start_stdio(emulator) as process:
        try:
            reply = await anyio.to_thread.run_sync(_rpc, process, INITIALIZE)
            assert reply["result"]["serverInfo"]["name"] == "pinecone-assistant"
            assert process.stdin is not None and process.stderr is not None
            if stop == "eof":
                process.stdin.close()
            else:
                process.send_signal(signal.SIGTERM)
            code = await anyio.to_thread.run_sync(lambda: process.wait(20))
            errors = process.stderr.read().decode()
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0, errors
    assert "Traceback" not in errors


TOKEN = "s3cret-token"


def _start_http(emulator: Emulator) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "pinecone_assistant_async.mcp", "--host", emulator.url]
    command += ["--transport", "http", "--port", "0", "-a", "lumen", "-a", "other"]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**env_for(emulator), "PINECONE_MCP_AUTH_TOKEN": TOKEN},
        cwd=ROOT,
    )


async def _status_without_token(url: str) -> int:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    async with aiohttp.ClientSession() as http, http.post(url, json=ping) as refused:
        return refused.status


@pytest.mark.anyio
async def test_streamable_http_then_sigterm(client: AssistantClient, emulator: Emulator) -> None:
    with _start_http(emulator) as process:
        try:
            assert process.stderr is not None
            line = await anyio.to_thread.run_sync(process.stderr.readline)
            found = re.search(rb"(http://127\.0\.0\.1:\d+/mcp)", line)
            assert found, line
            url = found.group(1).decode()
            assert await _status_without_token(url) == 401
            bearer = {"Authorization": f"Bearer {TOKEN}"}
            async with (
                httpx2.AsyncClient(headers=bearer, timeout=20) as http,
                Client(streamable_http_client(url, http_client=http)) as mcp,
            ):
                names = sorted(t.name for t in (await mcp.list_tools()).tools)
                context = await mcp.call_tool(
                    "assistant_context", {"assistant_name": "other", "query": "voice control"}
                )
                chat = await mcp.call_tool(
                    "assistant_chat",
                    {"assistant_name": "lumen", "query": "How many vacation days?"},
                )
                files = await mcp.call_tool("list_files", {"assistant_name": "other"})
                listed = await mcp.call_tool("list_assistants", {})
                bad = await mcp.call_tool("assistant_chat", {"assistant_name": "lumen"})
            process.send_signal(signal.SIGTERM)
            code = await anyio.to_thread.run_sync(lambda: process.wait(20))
            errors = process.stderr.read().decode()
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0, errors
    assert "Traceback" not in errors
    assert names == TOOLS
    assert context.structured_content is not None
    assert {s["file_name"] for s in context.structured_content["snippets"]} == {
        "release_notes_2026.md"
    }
    assert "25 vacation days" in text(chat)
    assert files.structured_content is not None
    assert [f["name"] for f in files.structured_content["files"]] == ["release_notes_2026.md"]
    assert listed.structured_content is not None
    assert sorted(a["name"] for a in listed.structured_content["assistants"]) == [
        "lumen",
        "other",
    ]
    assert bad.is_error and "query" in text(bad)


def test_neither_the_package_nor_the_emulator_imports_mcp() -> None:
    code = (
        "import sys, pinecone_assistant_async, pinecone_assistant_async.integrations;"
        "import pinecone_assistant_async.testing, pinecone_assistant_async.cli;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'mcp', 'pydantic_ai', 'uvicorn'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_cli_command_documents_its_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pinecone_assistant_async", "mcp", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("usage: pinecone-assistant mcp")
    for option in ("--assistant", "--transport", "--port", "--auth-token", "--data-host"):
        assert option in done.stdout
