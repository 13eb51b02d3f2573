"""Chat shapes: messages, citations, the full answer and the typed stream chunks.

``parse_chat_chunk`` turns one SSE ``data:`` payload into a typed chunk in a single pass inside
pydantic-core: the JSON is parsed and validated by one prebuilt tagged-union validator; unknown
``type`` values give ``UnknownChunk`` instead of failing. Malformed JSON raises
``pydantic.ValidationError``; the streaming layer wraps it in its own error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ._base import APIModel, ByType, ResponseModel, type_tag, union_members
from .common import ContentFilterResults, FinishReason, Usage
from .files import AssistantFile

__all__ = [
    "KNOWN_CHUNKS",
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


class ChatResponse(ResponseModel):
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


ChatStreamChunk = Annotated[
    MessageStartChunk | ContentChunk | CitationChunk | MessageEndChunk | UnknownChunk,
    ByType(),
]
"""Any chunk of a chat stream, dispatched on its ``type``. This union is the registry of chunk
types: a new type is one class above, added here (and emitted by the emulator)."""

KNOWN_CHUNKS: tuple[type[BaseModel], ...] = tuple(
    m for m in union_members(ChatStreamChunk) if type_tag(m) is not None
)
"""The chunk classes whose ``type`` this SDK knows, derived from the union."""

# The fast path: pydantic-core's own tagged union over the known chunks (a table lookup on
# ``type`` inside the JSON parser, no Python call per chunk); only a payload it rejects for its
# tag goes through the general union, which sends unknown types to UnknownChunk.
_KNOWN_UNION: Any = Annotated[Union[KNOWN_CHUNKS], Field(discriminator="type")]  # noqa: UP007
_known_json = TypeAdapter(_KNOWN_UNION).validator.validate_json
parse_known_chunk: Callable[[str | bytes], ChatStreamChunk] = _known_json
"""``parse_chat_chunk`` for the known types only (an unknown ``type`` is a ValidationError):
the streaming layer's per-token fast path."""

parse_content_chunk: Callable[[str | bytes], ContentChunk] = (
    ContentChunk.__pydantic_validator__.validate_json
)
"""``parse_chat_chunk`` for a payload known to be a ``content_chunk``: the per-token path skips
even the tag lookup. Only call it on a payload that starts with :data:`CONTENT_CHUNK_PREFIX`;
anything it rejects must go through ``parse_chat_chunk``, which decides."""
CONTENT_CHUNK_PREFIX = '{"type":"content_chunk"'
"""How the service (and the emulator) start a content chunk's payload: ``type`` first, compact.
A payload with that prefix can only be a content chunk or invalid: the closing quote rules out a
longer type name, and a later duplicate ``type`` (the last one wins) of another value fails the
ContentChunk validator, so such a payload falls back to the general path."""
_general_json = TypeAdapter(ChatStreamChunk).validator.validate_json
_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


def parse_chat_chunk(data: str | bytes) -> ChatStreamChunk:
    """Parse one SSE ``data:`` payload of a chat stream; raise ``ValidationError`` if malformed.

    Unknown ``type`` values give ``UnknownChunk``. One pydantic-core pass for a known type.
    """
    try:
        chunk: ChatStreamChunk = _known_json(data)
    except ValidationError as exc:
        if exc.errors(include_url=False, include_input=False)[0]["type"] not in _TAG_ERRORS:
            raise
        chunk = _general_json(data)
    return chunk
