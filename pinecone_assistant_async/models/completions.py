"""OpenAI-compatible chat completion shapes, whole and streamed.

``parse_completion_chunk`` parses one SSE ``data:`` payload in a single pydantic-core pass and
raises ``pydantic.ValidationError`` on malformed JSON. The ``[DONE]`` sentinel some OpenAI-style
streams send is not JSON; the streaming layer must recognise it before calling this.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from ._base import APIModel, ResponseModel
from .chat import Message
from .common import FinishReason, Usage

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChunkChoice",
    "ChunkDelta",
    "CompletionChoice",
    "parse_completion_chunk",
]


class CompletionChoice(APIModel):
    """One generated answer of a completion."""

    index: int = 0
    message: Message
    finish_reason: FinishReason | str | None = Field(default=None, union_mode="left_to_right")


class ChatCompletion(ResponseModel):
    """The answer of ``POST /chat/{assistant_name}/chat/completions``."""

    id: str
    model: str
    choices: list[CompletionChoice] = Field(default_factory=list)
    usage: Usage | None = None


class ChunkDelta(APIModel):
    """What one streamed chunk adds to a choice: the role first, then pieces of content."""

    role: str | None = None
    content: str | None = None


class ChunkChoice(APIModel):
    """One choice's increment in a streamed completion chunk."""

    index: int = 0
    delta: ChunkDelta = Field(default_factory=ChunkDelta)
    finish_reason: FinishReason | str | None = Field(default=None, union_mode="left_to_right")


class ChatCompletionChunk(APIModel):
    """One chunk of a streamed completion."""

    id: str
    model: str
    choices: list[ChunkChoice] = Field(default_factory=list)


validate_completion_chunk: Callable[[str | bytes], ChatCompletionChunk] = (
    ChatCompletionChunk.__pydantic_validator__.validate_json
)
"""``parse_completion_chunk`` without the Python call around pydantic-core's validator: the
streaming layer's per-token path."""


def parse_completion_chunk(data: str | bytes) -> ChatCompletionChunk:
    """Parse one SSE ``data:`` payload of a completion stream; ``ValidationError`` if malformed."""
    return validate_completion_chunk(data)
