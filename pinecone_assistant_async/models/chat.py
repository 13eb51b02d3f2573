"""Chat shapes: messages, citations, the full answer and the typed stream chunks.

``parse_chat_chunk`` turns one SSE ``data:`` payload into a typed chunk in a single pass inside
pydantic-core: the JSON is parsed and validated by one prebuilt ``TypeAdapter`` whose callable
discriminator sends unknown ``type`` values to ``UnknownChunk`` instead of failing. Malformed JSON
raises ``pydantic.ValidationError``; the streaming layer wraps it in its own error.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, TypeAdapter

from ._base import APIModel
from .common import ChatModelName, ContentFilterResults, FinishReason, Usage
from .files import AssistantFile

__all__ = [
    "ChatRequest",
    "ChatResponse",
    "ChatStreamChunk",
    "Citation",
    "CitationChunk",
    "ContentChunk",
    "ContentDelta",
    "ContextOptions",
    "Highlight",
    "Message",
    "MessageEndChunk",
    "MessageStartChunk",
    "Reference",
    "UnknownChunk",
    "parse_chat_chunk",
]


class Message(APIModel):
    """One turn of a conversation, sent as input and returned as the answer."""

    role: str = "user"
    content: str


class Highlight(APIModel):
    """The passage of a cited file that supports a statement (when highlights are requested)."""

    type: str
    content: str


class Reference(APIModel):
    """A file, and the pages of it, that a citation points at."""

    file: AssistantFile
    pages: list[int] = Field(default_factory=list)
    highlight: Highlight | None = None


class Citation(APIModel):
    """The references backing the answer text at character ``position``."""

    position: int
    references: list[Reference] = Field(default_factory=list)


class ChatResponse(APIModel):
    """The complete answer of ``POST /chat/{assistant_name}`` (the spec's ``ChatModel``)."""

    id: str
    message: Message
    model: str
    finish_reason: FinishReason | str | None = Field(default=None, union_mode="left_to_right")
    citations: list[Citation] = Field(default_factory=list)
    usage: Usage | None = None
    context_snippet_count: int | None = None
    content_filter_results: ContentFilterResults | None = None


class ContextOptions(APIModel):
    """How much context retrieval feeds the model (request side)."""

    top_k: int | None = None
    snippet_size: int | None = None
    multimodal: bool | None = None
    include_binary_content: bool | None = None


class ChatRequest(APIModel):
    """Body of ``POST /chat/{assistant_name}``; dump with ``model_dump(exclude_none=True)``."""

    messages: list[Message]
    stream: bool = False
    model: ChatModelName | str = Field(default="gpt-4o", union_mode="left_to_right")
    temperature: float | None = None
    filter: dict[str, Any] | None = None
    json_response: bool | None = None
    include_highlights: bool | None = None
    context_options: ContextOptions | None = None


class MessageStartChunk(APIModel):
    """First chunk of a stream: who speaks and how much context was retrieved."""

    type: Literal["message_start"] = "message_start"
    id: str
    model: str
    role: str = "assistant"
    context_snippet_count: int | None = None
    content_filter_results: ContentFilterResults | None = None


class ContentDelta(APIModel):
    """The next piece of answer text."""

    content: str


class ContentChunk(APIModel):
    """A piece of answer text."""

    type: Literal["content_chunk"] = "content_chunk"
    id: str
    model: str
    delta: ContentDelta
    content_filter_results: ContentFilterResults | None = None


class CitationChunk(APIModel):
    """A citation, sent once the text it supports has been streamed."""

    type: Literal["citation"] = "citation"
    id: str
    model: str
    citation: Citation


class MessageEndChunk(APIModel):
    """Last chunk of a stream: why generation stopped and the token usage."""

    type: Literal["message_end"] = "message_end"
    id: str
    model: str
    finish_reason: FinishReason | str | None = Field(default=None, union_mode="left_to_right")
    usage: Usage | None = None
    content_filter_results: ContentFilterResults | None = None


class UnknownChunk(APIModel):
    """A chunk of a ``type`` this version of the SDK does not know; all its fields are kept."""

    type: str
    id: str | None = None
    model: str | None = None


_CHUNK_TAGS = frozenset({"message_start", "content_chunk", "citation", "message_end"})


def _chunk_tag(value: Any) -> str | None:
    """Pick the union member for a raw chunk: its ``type`` when known, else ``unknown``."""
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in _CHUNK_TAGS:
        return str(kind)
    return "unknown" if isinstance(kind, str) else None


ChatStreamChunk = Annotated[
    Annotated[MessageStartChunk, Tag("message_start")]
    | Annotated[ContentChunk, Tag("content_chunk")]
    | Annotated[CitationChunk, Tag("citation")]
    | Annotated[MessageEndChunk, Tag("message_end")]
    | Annotated[UnknownChunk, Tag("unknown")],
    Discriminator(_chunk_tag),
]
"""Any chunk of a chat stream, dispatched on its ``type``."""

_CHUNK_ADAPTER: TypeAdapter[ChatStreamChunk] = TypeAdapter(ChatStreamChunk)
_validate_chunk_json = _CHUNK_ADAPTER.validate_json


def parse_chat_chunk(data: str | bytes) -> ChatStreamChunk:
    """Parse one SSE ``data:`` payload of a chat stream; raise ``ValidationError`` if malformed."""
    return _validate_chunk_json(data)
