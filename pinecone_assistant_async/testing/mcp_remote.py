"""Each assistant's remote MCP endpoint, ``/mcp/assistants/<name>`` on its data host.

Pinecone's guide "Use an Assistant MCP server" gives the endpoint (streamable HTTP, the
``/sse`` variant is retired), the auth (``Authorization: Bearer <API key>``) and one context
tool. The guide does not name the tool; Pinecone's own developer MCP server calls it as
``get_context`` with a ``query`` on the ``pinecone-docs`` assistant's endpoint, so that is the
name used here, with ``top_k`` as in the open-source assistant-mcp server (default 15). Like
that server, each snippet comes back as one text block holding the snippet's JSON.

This is a small JSON-RPC implementation written against the MCP specification's streamable
HTTP transport, so the emulator does not need the ``mcp`` package: it is stateless (no
``Mcp-Session-Id``), answers POSTs with ``application/json`` and refuses GET and DELETE with
405, as the transport allows. The ``Api-Key`` header is accepted too.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

from .._version import __version__
from .answers import context_payload
from .app import Core, Ctx
from .replies import ApiError
from .routes_chat import _ready_with_files, _search
from .versions import DEFAULT_FEATURES, DEFAULT_VERSION

__all__ = ["MCP_PATH", "PROTOCOL_VERSIONS", "TOOL_NAME", "routes"]

MCP_PATH = "/mcp/assistants/{assistant_name}"
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
TOOL_NAME = "get_context"
DEFAULT_TOP_K = 15
MAX_TOP_K = 64
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602

TOOL = {
    "name": TOOL_NAME,
    "description": (
        "Retrieve relevant document snippets from this assistant's knowledge base. Returns "
        f"one text block per snippet; top_k sets how many (default {DEFAULT_TOP_K})."
    ),
    "inputSchema": {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "The query to retrieve context for."},
            "top_k": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_TOP_K,
                "description": f"How many snippets to retrieve (default {DEFAULT_TOP_K}).",
            },
        },
        "required": ["query"],
    },
    "annotations": {"readOnlyHint": True, "openWorldHint": False},
}


class _RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _http_error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": {"message": message}}, status=status, headers=headers)


def _key(request: web.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("Api-Key")


def _initialize(params: dict[str, Any]) -> dict[str, Any]:
    asked = params.get("protocolVersion")
    version = asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]
    return {
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": False}},
        "serverInfo": {"name": "pinecone-assistant-emulator", "version": __version__},
        "instructions": "Use get_context to retrieve snippets from this assistant's files.",
    }


def _tool_error(message: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": message}], "isError": True}


async def _get_context(ctx: Ctx, arguments: object) -> dict[str, Any]:
    if not isinstance(arguments, dict):
        return _tool_error("arguments must be an object with query (and top_k)")
    unknown = sorted(set(arguments) - {"query", "top_k"})
    if unknown:
        return _tool_error(f"unknown arguments {unknown}; get_context takes query and top_k")
    query = arguments.get("query")
    if not isinstance(query, str) or not query.strip():
        return _tool_error("query must be a non-empty string")
    top_k = arguments.get("top_k", DEFAULT_TOP_K)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        return _tool_error(f"top_k must be an integer from 1 to {MAX_TOP_K}")
    try:
        owner = _ready_with_files(ctx)
    except ApiError as exc:
        return _tool_error(exc.message)
    hits, files = _search(ctx, owner, query, None, top_k)
    payload = context_payload(
        hits=hits,
        files=files,
        snippet_size=2048,
        multimodal=False,
        response_id=uuid.uuid4().hex,
        query=query,
    )
    blocks = [{"type": "text", "text": json.dumps(s)} for s in payload["snippets"]]
    return {"content": blocks, "isError": False}


async def _answer(ctx: Ctx, message: dict[str, Any]) -> dict[str, Any]:
    method = message.get("method")
    params = message.get("params") or {}
    if not isinstance(params, dict):
        raise _RpcError(INVALID_PARAMS, "params must be an object")
    if method == "initialize":
        return _initialize(params)
    if method == "ping":
        return {}
    if method == "tools/list":
        return {"tools": [TOOL]}
    if method == "tools/call":
        if params.get("name") != TOOL_NAME:
            raise _RpcError(INVALID_PARAMS, f"Unknown tool: {params.get('name')!r}")
        return await _get_context(ctx, params.get("arguments", {}))
    raise _RpcError(METHOD_NOT_FOUND, f"Method not found: {method!r}")


def routes(core: Core) -> list[tuple[str, str, Any]]:
    """The endpoint's (method, path, aiohttp handler) routes."""

    async def handle(request: web.Request) -> web.StreamResponse:
        key = _key(request)
        if key is None:
            return _http_error(401, "Missing API key", **{"WWW-Authenticate": "Bearer"})
        if key != core.api_key:
            return _http_error(401, "Invalid API key", **{"WWW-Authenticate": "Bearer"})
        name = request.match_info["assistant_name"]
        if core.store.get_assistant(name) is None:
            return _http_error(404, f"Assistant {name!r} not found")
        if request.method != "POST":
            return _http_error(405, "Only POST is supported", Allow="POST")
        version = request.headers.get("MCP-Protocol-Version")
        if version is not None and version not in PROTOCOL_VERSIONS:
            return _http_error(400, f"Unsupported MCP-Protocol-Version {version!r}")
        try:
            message = json.loads(await request.read())
        except ValueError:
            return _rpc_response(None, error=(PARSE_ERROR, "Parse error"), status=400)
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return _rpc_response(None, error=(INVALID_REQUEST, "Invalid request"), status=400)
        if "method" not in message or "id" not in message:
            return web.Response(status=202)  # a notification or a response: nothing to say
        ctx = Ctx(request, core, DEFAULT_VERSION, DEFAULT_FEATURES, None, None)
        try:
            result = await _answer(ctx, message)
        except _RpcError as exc:
            return _rpc_response(message["id"], error=(exc.code, exc.message))
        return _rpc_response(message["id"], result=result)

    return [(method, MCP_PATH, handle) for method in ("POST", "GET", "DELETE")]


def _rpc_response(
    rid: object,
    *,
    result: dict[str, Any] | None = None,
    error: tuple[int, str] | None = None,
    status: int = 200,
) -> web.Response:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": rid}
    if error is not None:
        body["error"] = {"code": error[0], "message": error[1]}
    else:
        body["result"] = result
    return web.json_response(body, status=status)
