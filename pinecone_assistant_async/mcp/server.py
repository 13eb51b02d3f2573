"""The MCP server's tools, built on the official ``mcp`` package's ``MCPServer``.

Tools (every result carries structured content, described by an output schema, and a text
rendering for models that read only text):

- ``assistant_context(assistant_name, query, top_k=15, filter=None)``: the same name and
  arguments as Pinecone's own server (pinecone-io/assistant-mcp), so client configurations
  written for it keep working; ``filter`` (file metadata) is ours.
- ``assistant_chat(assistant_name, query, top_k=None, filter=None, model=None)``: the answer
  with its citations (file names and pages); arguments named as in ``assistant_context``.
- ``list_assistants()`` and ``list_files(assistant_name, filter=None)``.

When the server serves exactly one assistant, ``assistant_name`` defaults to it. Failures come
back as MCP tool errors (``isError``) carrying the SDK's message: never a traceback, never the
API key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from .._version import __version__
from ..client import AssistantClient
from ..errors import PineconeError
from ..integrations._results import (
    DEFAULT_TOP_K,
    TOP_K_MAX,
    AssistantList,
    ChatResult,
    ContextResult,
    FileList,
    assistant_summary,
    chat_result,
    context_result,
    file_summary,
    text_of_chat,
    text_of_context,
)

__all__ = ["SERVER_NAME", "build_server"]

SERVER_NAME = "pinecone-assistant"
T = TypeVar("T")

AssistantName = Annotated[str, Field(description="Name of an existing Pinecone assistant.")]
Query = Annotated[str, Field(min_length=1, description="The query to retrieve context for.")]
ChatQuery = Annotated[
    str, Field(min_length=1, description="The question to answer, self-contained.")
]
TopK = Annotated[
    int,
    Field(ge=1, le=TOP_K_MAX, description=f"How many snippets to retrieve (1-{TOP_K_MAX})."),
]
ChatTopK = Annotated[
    int | None,
    Field(ge=1, le=TOP_K_MAX, description="How many snippets the answer may draw on."),
]
Filter = Annotated[
    dict[str, Any] | None,
    Field(
        description=(
            'Metadata filter on the files, e.g. {"team": "hr"} or '
            '{"year": {"$gte": 2025}}; omit to search every file.'
        )
    ),
]
Model = Annotated[str | None, Field(description="The model to answer with, e.g. gpt-4o.")]

_READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


class _Scope:
    """Which assistants this server serves (``None``: every assistant of the project)."""

    def __init__(self, names: Sequence[str] | None) -> None:
        self.names = None if names is None else list(dict.fromkeys(names))
        if self.names is not None and not self.names:
            raise ValueError("serve at least one assistant, or None for all")

    @property
    def single(self) -> str | None:
        return self.names[0] if self.names is not None and len(self.names) == 1 else None

    def check(self, name: str) -> str:
        if self.names is not None and name not in self.names:
            served = ", ".join(self.names)
            raise ToolError(f"assistant {name!r} is not served here; this server serves: {served}")
        return name

    def describe(self) -> str:
        if self.names is None:
            return "any assistant of the project (see list_assistants)"
        return "these assistants: " + ", ".join(self.names)


async def _sdk(call: Awaitable[T]) -> T:
    """Run an SDK call; its typed error becomes a tool error with the SDK's message."""
    try:
        return await call
    except PineconeError as exc:
        raise ToolError(str(exc) or type(exc).__name__) from None


def _result(model: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json"),
    )


def _default_assistant(fn: Callable[..., Any], name: str | None) -> None:
    """Give the keyword-only ``assistant_name`` a default when one assistant is served."""
    if name is not None:
        fn.__kwdefaults__ = {**(fn.__kwdefaults__ or {}), "assistant_name": name}


def build_server(
    client: AssistantClient,
    assistants: Sequence[str] | None = None,
    *,
    name: str = SERVER_NAME,
) -> MCPServer:
    """An ``MCPServer`` whose tools call ``client``; serve ``assistants`` (``None``: all).

    The caller owns ``client`` (open it before serving, close it after).
    """
    scope = _Scope(assistants)
    served = scope.describe()
    server: MCPServer = MCPServer(
        name,
        version=__version__,
        log_level="WARNING",
        instructions=(
            "Answers from the documents of Pinecone assistants. Use assistant_context to "
            "retrieve relevant snippets (then reason over them yourself) or assistant_chat to "
            f"get an answer with citations. Serving {served}."
        ),
    )

    async def assistant_context(
        *,
        assistant_name: AssistantName,
        query: Query,
        top_k: TopK = DEFAULT_TOP_K,
        filter: Filter = None,
    ) -> Annotated[CallToolResult, ContextResult]:
        handle = client.assistant(scope.check(assistant_name))
        result = await _sdk(context_result(handle, query, top_k=top_k, filter=filter))
        return _result(result, text_of_context(result))

    async def assistant_chat(
        *,
        assistant_name: AssistantName,
        query: ChatQuery,
        top_k: ChatTopK = None,
        filter: Filter = None,
        model: Model = None,
    ) -> Annotated[CallToolResult, ChatResult]:
        handle = client.assistant(scope.check(assistant_name))
        result = await _sdk(chat_result(handle, query, top_k=top_k, filter=filter, model=model))
        return _result(result, text_of_chat(result))

    async def list_assistants() -> Annotated[CallToolResult, AssistantList]:
        async def collect() -> AssistantList:
            found = [assistant_summary(a) async for a in client.assistants.list()]
            if scope.names is not None:
                found = [a for a in found if a.name in scope.names]
            return AssistantList(assistants=found)

        result = await _sdk(collect())
        lines = [f"{a.name} ({a.status})" for a in result.assistants]
        return _result(result, "\n".join(lines) or "No assistants.")

    async def list_files(
        *, assistant_name: AssistantName, filter: Filter = None
    ) -> Annotated[CallToolResult, FileList]:
        checked = scope.check(assistant_name)

        async def collect() -> FileList:
            files = [file_summary(f) async for f in client.files.list(checked, filter=filter)]
            return FileList(assistant_name=checked, files=files)

        result = await _sdk(collect())
        lines = [
            f"{f.name} ({f.status}) id={f.id} metadata={f.metadata or {}}" for f in result.files
        ]
        return _result(result, "\n".join(lines) or "No files match.")

    for fn in (assistant_context, assistant_chat, list_files):
        _default_assistant(fn, scope.single)

    server.add_tool(
        assistant_context,
        description=(
            "Retrieve the document snippets most relevant to a query from a Pinecone "
            "assistant's knowledge base, each with its file, pages and score. top_k sets how "
            f"many (default {DEFAULT_TOP_K}): a few (5-8) for narrow queries, 10-20 for broad "
            f"ones. Serves {served}."
        ),
        annotations=_READ_ONLY,
    )
    server.add_tool(
        assistant_chat,
        description=(
            "Ask a Pinecone assistant a question: it answers from its own documents and cites "
            f"them (file names and pages). Serves {served}."
        ),
        annotations=_READ_ONLY,
    )
    server.add_tool(
        list_assistants,
        description="List the assistants this server serves, with their status.",
        annotations=_READ_ONLY,
    )
    server.add_tool(
        list_files,
        description=(
            "List an assistant's files (name, id, status, metadata), optionally only those "
            f"whose metadata matches a filter. Serves {served}."
        ),
        annotations=_READ_ONLY,
    )
    return server
