"""What agent tools hand back: compact, JSON-ready views of context, chat, assistants and files.

Shared by the MCP server and the pydantic-ai toolset so that both describe results the same
way (field names, citations with file names and pages) and validate arguments the same way
before any request is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from ..errors import InvalidInputError
from ..handle import AssistantHandle
from ..models import Assistant, AssistantFile, ChatResponse, ContextResponse
from ..tools import snippet_text

__all__ = [
    "DEFAULT_TOP_K",
    "TOP_K_MAX",
    "AssistantList",
    "AssistantSummary",
    "ChatResult",
    "CitationSummary",
    "ContextResult",
    "FileList",
    "FileSummary",
    "SnippetSummary",
    "SourceSummary",
    "chat_result",
    "context_result",
    "text_of_chat",
    "text_of_context",
]

DEFAULT_TOP_K = 15
"""Pinecone's own MCP server (pinecone-io/assistant-mcp) documents 15 as its default."""
TOP_K_MAX = 64


class SnippetSummary(BaseModel):
    text: str
    file_name: str | None = None
    file_id: str | None = None
    pages: list[int] = Field(default_factory=list)
    score: float | None = None
    reference_type: str | None = None


class ContextResult(BaseModel):
    assistant_name: str
    query: str
    snippets: list[SnippetSummary]


class SourceSummary(BaseModel):
    file_name: str
    file_id: str
    pages: list[int] = Field(default_factory=list)


class CitationSummary(BaseModel):
    position: int
    """Character offset in ``answer`` where the cited statement ends."""
    sources: list[SourceSummary]


class ChatResult(BaseModel):
    assistant_name: str
    answer: str
    model: str
    citations: list[CitationSummary]


class AssistantSummary(BaseModel):
    name: str
    status: str
    host: str | None = None
    instructions: str | None = None
    metadata: dict[str, Any] | None = None


class AssistantList(BaseModel):
    assistants: list[AssistantSummary]


class FileSummary(BaseModel):
    id: str
    name: str
    status: str | None = None
    metadata: dict[str, Any] | None = None
    size: int | None = None
    percent_done: float | None = None
    error_message: str | None = None


class FileList(BaseModel):
    assistant_name: str
    files: list[FileSummary]


def _check_query(query: object) -> str:
    if not isinstance(query, str) or not query.strip():
        raise InvalidInputError("query must be a non-empty string")
    return query


def _check_top_k(top_k: object) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= TOP_K_MAX:
        raise InvalidInputError(f"top_k must be an integer from 1 to {TOP_K_MAX}, got {top_k!r}")
    return top_k


def _check_filter(filter: object) -> dict[str, Any] | None:
    if filter is None:
        return None
    if not isinstance(filter, Mapping):
        raise InvalidInputError("filter must be a JSON object of metadata conditions")
    return dict(filter)


def _snippet(snippet: object) -> SnippetSummary:
    reference = getattr(snippet, "reference", None)
    file = getattr(reference, "file", None)
    score = getattr(snippet, "score", None)
    return SnippetSummary(
        text=snippet_text(snippet),
        file_name=getattr(file, "name", None),
        file_id=getattr(file, "id", None),
        pages=list(getattr(reference, "pages", None) or []),
        score=score if isinstance(score, (int, float)) else None,
        reference_type=getattr(reference, "type", None),
    )


def _wire(value: object) -> str:
    """An enum's wire value, a plain string as is."""
    inner = getattr(value, "value", value)
    return str(inner)


async def context_result(
    assistant: AssistantHandle,
    query: str,
    *,
    top_k: int = DEFAULT_TOP_K,
    filter: Mapping[str, Any] | None = None,
) -> ContextResult:
    """Retrieve snippets for ``query`` (arguments checked before any request)."""
    text = _check_query(query)
    context: ContextResponse = await assistant.context(
        text, top_k=_check_top_k(top_k), filter=_check_filter(filter)
    )
    snippets = [_snippet(s) for s in context.snippets]
    return ContextResult(assistant_name=assistant.name, query=text, snippets=snippets)


async def chat_result(
    assistant: AssistantHandle,
    query: str,
    *,
    top_k: int | None = None,
    filter: Mapping[str, Any] | None = None,
    model: str | None = None,
) -> ChatResult:
    """Ask ``query``; the answer with its citations (arguments checked before any request)."""
    text = _check_query(query)
    options: dict[str, Any] = {"filter": _check_filter(filter)}
    if top_k is not None:
        options["context_options"] = {"top_k": _check_top_k(top_k)}
    if model is not None:
        options["model"] = model
    reply: ChatResponse = await assistant.chat(text, **options)
    citations = [
        CitationSummary(
            position=c.position,
            sources=[
                SourceSummary(file_name=r.file.name, file_id=r.file.id, pages=list(r.pages))
                for r in c.references
            ],
        )
        for c in reply.citations
    ]
    return ChatResult(
        assistant_name=assistant.name,
        answer=reply.message.content,
        model=reply.model,
        citations=citations,
    )


def assistant_summary(assistant: Assistant) -> AssistantSummary:
    return AssistantSummary(
        name=assistant.name,
        status=_wire(assistant.status),
        host=assistant.host,
        instructions=assistant.instructions,
        metadata=assistant.metadata,
    )


def file_summary(file: AssistantFile) -> FileSummary:
    return FileSummary(
        id=file.id,
        name=file.name,
        status=None if file.status is None else _wire(file.status),
        metadata=file.metadata,
        size=file.size,
        percent_done=file.percent_done,
        error_message=file.error_message,
    )


def _pages(pages: list[int]) -> str:
    if not pages:
        return ""
    label = "page" if len(pages) == 1 else "pages"
    return f", {label} {', '.join(str(p) for p in pages)}"


def text_of_context(result: ContextResult) -> str:
    """The snippets, numbered, each with its file, pages and score (for a model to read)."""
    if not result.snippets:
        return "No relevant passages were found."
    parts = []
    for i, s in enumerate(result.snippets, 1):
        head = f"[{i}] {s.file_name or 'unknown file'}{_pages(s.pages)}"
        if s.score is not None:
            head += f" (score {s.score:.2f})"
        parts.append(f"{head}\n{s.text}")
    return "\n\n".join(parts)


def text_of_chat(result: ChatResult) -> str:
    """The answer, then its numbered sources (file names and pages)."""
    lines: list[str] = []
    for citation in result.citations:
        for source in citation.sources:
            line = f"{source.file_name}{_pages(source.pages)}"
            if line not in lines:
                lines.append(line)
    if not lines:
        return result.answer
    listing = "\n".join(f"[{i}] {line}" for i, line in enumerate(lines, 1))
    return f"{result.answer}\n\nSources:\n{listing}"
