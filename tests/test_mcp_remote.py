"""The emulator's per-assistant remote MCP endpoint, through the official ``mcp`` client."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

pytest.importorskip("mcp")

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import TextContent

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.testing import Emulator

SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "examples" / "sample_docs"


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AssistantClient]:
    async with emulator.client() as client:
        await client.assistants.create("lumen")
        for name in ("handbook.md", "faq.json", "security_policy.txt"):
            await client.files.upload("lumen", SAMPLE_DOCS / name)
        yield client


@contextlib.asynccontextmanager
async def connect(url: str, key: str | None) -> AsyncIterator[Client]:
    """The official client over streamable HTTP, with the key as Pinecone's guide sends it."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=20) as http,
        Client(streamable_http_client(url, http_client=http)) as mcp,
    ):
        yield mcp


@pytest.mark.anyio
async def test_the_sdk_gives_the_endpoint(client: AssistantClient, emulator: Emulator) -> None:
    expected = f"{emulator.url}/mcp/assistants/lumen"
    assert (await client.assistants.describe("lumen")).mcp_url == expected
    assert await client.assistant("lumen").mcp_url() == expected


@pytest.mark.anyio
async def test_context_tool_over_streamable_http(
    client: AssistantClient, emulator: Emulator
) -> None:
    url = await client.assistant("lumen").mcp_url()
    async with connect(url, emulator.api_key) as mcp:
        tools = (await mcp.list_tools()).tools
        assert [t.name for t in tools] == ["get_context"]
        assert tools[0].input_schema["required"] == ["query"]
        assert set(tools[0].input_schema["properties"]) == {"query", "top_k"}
        result = await mcp.call_tool("get_context", {"query": "vacation days", "top_k": 2})
        default = await mcp.call_tool("get_context", {"query": "lamp warranty vacation"})
    assert not result.is_error
    blocks = [b for b in result.content if isinstance(b, TextContent)]
    assert 1 <= len(blocks) <= 2
    snippets = [json.loads(b.text) for b in blocks]
    assert "25 vacation days" in snippets[0]["content"]
    assert snippets[0]["reference"]["file"]["name"] == "handbook.md"
    assert len(default.content) > len(result.content)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "query must be a non-empty string"),
        ({"query": "  "}, "query must be a non-empty string"),
        ({"query": "x", "top_k": 0}, "top_k must be an integer from 1 to 64"),
        ({"query": "x", "top_k": "3"}, "top_k must be an integer from 1 to 64"),
        (
            {"query": "x", "filter": {}},
            "unknown arguments ['filter']; get_context takes query and top_k",
        ),
    ],
)
async def test_bad_arguments_are_tool_errors(
    client: AssistantClient, emulator: Emulator, arguments: dict[str, object], message: str
) -> None:
    async with connect(await client.assistant("lumen").mcp_url(), emulator.api_key) as mcp:
        result = await mcp.call_tool("get_context", arguments)
    assert result.is_error
    assert [b.text for b in result.content if isinstance(b, TextContent)] == [message]


@pytest.mark.anyio
async def test_an_assistant_without_files_is_a_tool_error(
    client: AssistantClient, emulator: Emulator
) -> None:
    await client.assistants.create("empty")
    async with connect(await client.assistant("empty").mcp_url(), emulator.api_key) as mcp:
        result = await mcp.call_tool("get_context", {"query": "x"})
    assert result.is_error
    assert [b.text for b in result.content if isinstance(b, TextContent)] == [
        'Assistant "empty" has no available files; upload a file and wait for it to be Available'
    ]


@pytest.mark.anyio
async def test_auth_and_unknown_assistants_are_refused(
    client: AssistantClient, emulator: Emulator
) -> None:
    url = await client.assistant("lumen").mcp_url()
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    accept = {"Accept": "application/json, text/event-stream"}
    async with aiohttp.ClientSession(headers=accept) as http:
        async with http.post(url, json=body) as missing:
            assert missing.status == 401
            assert missing.headers["WWW-Authenticate"] == "Bearer"
        wrong = {"Authorization": "Bearer nope"}
        async with http.post(url, json=body, headers=wrong) as refused:
            assert refused.status == 401
        good = {"Authorization": f"Bearer {emulator.api_key}"}
        async with http.post(url, json=body, headers=good) as ok:
            assert ok.status == 200
            assert await ok.json() == {"jsonrpc": "2.0", "id": 1, "result": {}}
        async with http.post(url, json=body, headers={"Api-Key": emulator.api_key}) as by_key:
            assert by_key.status == 200
        ghost = url.replace("/lumen", "/ghost")
        async with http.post(ghost, json=body, headers=good) as unknown:
            assert unknown.status == 404
        async with http.get(url, headers=good) as stream:
            assert stream.status == 405
        unknown_method = {"jsonrpc": "2.0", "id": 2, "method": "resources/list"}
        async with http.post(url, json=unknown_method, headers=good) as rpc:
            assert (await rpc.json())["error"]["code"] == -32601
        async with http.post(url, data=b"{not json", headers=good) as garbled:
            assert garbled.status == 400
            assert (await garbled.json())["error"]["code"] == -32700
