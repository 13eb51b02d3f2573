"""Pydantic v2 models of the Pinecone Assistant API, one module per area.

Every model derives from ``APIModel``: unknown fields are kept (``model_extra``) and enum-typed
fields accept values this SDK does not know yet as plain strings.

Each area's module is imported (and its models built) on first use of one of its names
(PEP 562): a first chat builds the chat models, not the evaluation or context ones.
``tests/test_public_api.py`` checks that the names below, the ``TYPE_CHECKING`` block and each
module's ``__all__`` agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lazy import load as _load
from ._base import APIModel as APIModel

# The lazy public names, by the module that defines them.
_LAZY_BY_MODULE: dict[str, tuple[str, ...]] = {
    ".assistants": (
        "Assistant",
        "AssistantList",
        "AssistantUpdate",
    ),
    ".chat": (
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
    ),
    ".common": (
        "AssistantStatus",
        "ChatModelName",
        "ContentFilterResults",
        "Entailment",
        "FileStatus",
        "FinishReason",
        "OperationStatus",
        "OperationType",
        "Pagination",
        "Region",
        "Usage",
    ),
    ".completions": (
        "ChatCompletion",
        "ChatCompletionChunk",
        "ChunkChoice",
        "ChunkDelta",
        "CompletionChoice",
        "parse_completion_chunk",
    ),
    ".context": (
        "ContentBlock",
        "ContextResponse",
        "DocxReference",
        "Image",
        "ImageBlock",
        "JsonReference",
        "MarkdownReference",
        "MultimodalSnippet",
        "PdfReference",
        "Snippet",
        "TextBlock",
        "TextReference",
        "TextSnippet",
        "TypedReference",
        "UnknownBlock",
        "UnknownReference",
        "UnknownSnippet",
    ),
    ".evaluation": (
        "AlignmentMetrics",
        "AlignmentResult",
        "EvaluatedFact",
        "Fact",
        "Reasoning",
        "TokenCounts",
    ),
    ".files": (
        "AssistantFile",
        "FileList",
    ),
    ".operations": (
        "Operation",
        "OperationList",
    ),
}

# The same names for type checkers, which cannot follow __getattr__ below.
if TYPE_CHECKING:
    from .assistants import Assistant as Assistant
    from .assistants import AssistantList as AssistantList
    from .assistants import AssistantUpdate as AssistantUpdate
    from .chat import ChatResponse as ChatResponse
    from .chat import ChatStreamChunk as ChatStreamChunk
    from .chat import Citation as Citation
    from .chat import CitationChunk as CitationChunk
    from .chat import ContentChunk as ContentChunk
    from .chat import ContentDelta as ContentDelta
    from .chat import ContextOptions as ContextOptions
    from .chat import Highlight as Highlight
    from .chat import Message as Message
    from .chat import MessageEndChunk as MessageEndChunk
    from .chat import MessageStartChunk as MessageStartChunk
    from .chat import Reference as Reference
    from .chat import UnknownChunk as UnknownChunk
    from .chat import parse_chat_chunk as parse_chat_chunk
    from .common import AssistantStatus as AssistantStatus
    from .common import ChatModelName as ChatModelName
    from .common import ContentFilterResults as ContentFilterResults
    from .common import Entailment as Entailment
    from .common import FileStatus as FileStatus
    from .common import FinishReason as FinishReason
    from .common import OperationStatus as OperationStatus
    from .common import OperationType as OperationType
    from .common import Pagination as Pagination
    from .common import Region as Region
    from .common import Usage as Usage
    from .completions import ChatCompletion as ChatCompletion
    from .completions import ChatCompletionChunk as ChatCompletionChunk
    from .completions import ChunkChoice as ChunkChoice
    from .completions import ChunkDelta as ChunkDelta
    from .completions import CompletionChoice as CompletionChoice
    from .completions import parse_completion_chunk as parse_completion_chunk
    from .context import ContentBlock as ContentBlock
    from .context import ContextResponse as ContextResponse
    from .context import DocxReference as DocxReference
    from .context import Image as Image
    from .context import ImageBlock as ImageBlock
    from .context import JsonReference as JsonReference
    from .context import MarkdownReference as MarkdownReference
    from .context import MultimodalSnippet as MultimodalSnippet
    from .context import PdfReference as PdfReference
    from .context import Snippet as Snippet
    from .context import TextBlock as TextBlock
    from .context import TextReference as TextReference
    from .context import TextSnippet as TextSnippet
    from .context import TypedReference as TypedReference
    from .context import UnknownBlock as UnknownBlock
    from .context import UnknownReference as UnknownReference
    from .context import UnknownSnippet as UnknownSnippet
    from .evaluation import AlignmentMetrics as AlignmentMetrics
    from .evaluation import AlignmentResult as AlignmentResult
    from .evaluation import EvaluatedFact as EvaluatedFact
    from .evaluation import Fact as Fact
    from .evaluation import Reasoning as Reasoning
    from .evaluation import TokenCounts as TokenCounts
    from .files import AssistantFile as AssistantFile
    from .files import FileList as FileList
    from .operations import Operation as Operation
    from .operations import OperationList as OperationList

# public name -> the module that defines it
_LAZY = {name: module for module, names in _LAZY_BY_MODULE.items() for name in names}

__all__ = sorted(["APIModel", *_LAZY])


def __getattr__(name: str) -> Any:
    return _load(__name__, name, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
