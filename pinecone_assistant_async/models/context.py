"""Context retrieval shapes: typed file references, content blocks, snippets and the response.

References, blocks and snippets are unions dispatched on ``type`` (``models._base.ByType``): a
known value selects its model, any other string selects the ``Unknown*`` model, which keeps all
fields. A snippet without ``type`` (the 2025-04 API) is read as a text snippet.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ._base import APIModel, ByType, ResponseModel
from .common import Usage
from .files import AssistantFile

__all__ = [
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
]


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
    TextReference
    | JsonReference
    | MarkdownReference
    | PdfReference
    | DocxReference
    | UnknownReference,
    ByType(),
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


ContentBlock = Annotated[TextBlock | ImageBlock | UnknownBlock, ByType()]
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


Snippet = Annotated[TextSnippet | MultimodalSnippet | UnknownSnippet, ByType(missing="text")]
"""One retrieved piece of context."""


class ContextResponse(ResponseModel):
    """The answer of ``POST /chat/{assistant_name}/context``."""

    id: str | None = None
    snippets: list[Snippet] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
