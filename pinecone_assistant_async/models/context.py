"""Context retrieval shapes: typed file references, content blocks, snippets and the response.

References, blocks and snippets are unions dispatched on ``type`` by a callable discriminator: a
known value selects its model, any other string selects the ``Unknown*`` model, which keeps all
fields. A snippet without ``type`` (the 2025-04 API) is read as a text snippet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ._base import APIModel
from .chat import Message
from .common import Usage
from .files import AssistantFile

__all__ = [
    "ContentBlock",
    "ContextRequest",
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
]


def _tagger(known: frozenset[str], missing: str | None) -> Callable[[Any], str | None]:
    """Build a discriminator: known ``type`` -> itself, other string -> ``unknown``."""

    def tag(value: Any) -> str | None:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        if kind is None:
            return missing
        if kind in known:
            return str(kind)
        return "unknown" if isinstance(kind, str) else None

    return tag


class TextReference(APIModel):
    type: Literal["text"] = "text"
    file: AssistantFile


class JsonReference(APIModel):
    type: Literal["json"] = "json"
    file: AssistantFile


class MarkdownReference(APIModel):
    type: Literal["markdown"] = "markdown"
    file: AssistantFile


class PdfReference(APIModel):
    type: Literal["pdf"] = "pdf"
    file: AssistantFile
    pages: list[int] = Field(default_factory=list)


class DocxReference(APIModel):
    type: Literal["doc_x"] = "doc_x"
    file: AssistantFile
    pages: list[int] = Field(default_factory=list)


class UnknownReference(APIModel):
    """A reference of a ``type`` this SDK does not know; all its fields are kept."""

    type: str
    file: AssistantFile | None = None


TypedReference = Annotated[
    Annotated[TextReference, Tag("text")]
    | Annotated[JsonReference, Tag("json")]
    | Annotated[MarkdownReference, Tag("markdown")]
    | Annotated[PdfReference, Tag("pdf")]
    | Annotated[DocxReference, Tag("doc_x")]
    | Annotated[UnknownReference, Tag("unknown")],
    Discriminator(_tagger(frozenset({"text", "json", "markdown", "pdf", "doc_x"}), None)),
]
"""The file a snippet came from, typed by the file's format."""


class TextBlock(APIModel):
    type: Literal["text"] = "text"
    text: str


class Image(APIModel):
    """Inline image content: ``data`` is base64 in the given ``mime_type``."""

    type: str
    mime_type: str
    data: str


class ImageBlock(APIModel):
    type: Literal["image"] = "image"
    caption: str | None = None
    image: Image | None = None


class UnknownBlock(APIModel):
    """A content block of a ``type`` this SDK does not know; all its fields are kept."""

    type: str


ContentBlock = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ImageBlock, Tag("image")]
    | Annotated[UnknownBlock, Tag("unknown")],
    Discriminator(_tagger(frozenset({"text", "image"}), None)),
]
"""One block of a multimodal snippet."""


class TextSnippet(APIModel):
    type: Literal["text"] = "text"
    content: str
    score: float
    reference: TypedReference


class MultimodalSnippet(APIModel):
    type: Literal["multimodal"] = "multimodal"
    content: list[ContentBlock] = Field(default_factory=list)
    score: float
    reference: TypedReference


class UnknownSnippet(APIModel):
    """A snippet of a ``type`` this SDK does not know; all its fields are kept."""

    type: str
    score: float | None = None


Snippet = Annotated[
    Annotated[TextSnippet, Tag("text")]
    | Annotated[MultimodalSnippet, Tag("multimodal")]
    | Annotated[UnknownSnippet, Tag("unknown")],
    Discriminator(_tagger(frozenset({"text", "multimodal"}), "text")),
]
"""One retrieved piece of context."""


class ContextResponse(APIModel):
    """The answer of ``POST /chat/{assistant_name}/context``."""

    id: str | None = None
    snippets: list[Snippet] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)


class ContextRequest(APIModel):
    """Body of ``POST /chat/{assistant_name}/context``: a ``query`` or ``messages``, not both."""

    query: str | None = None
    messages: list[Message] | None = None
    filter: dict[str, Any] | None = None
    top_k: int | None = None
    snippet_size: int | None = None
    multimodal: bool | None = None
    include_binary_content: bool | None = None
