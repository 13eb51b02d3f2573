"""Turning uploaded bytes into pages and retrieval chunks (pure, no I/O).

Text formats (``.txt``, ``.md``, ``.json``) are decoded as UTF-8. Their "pages" are the parts
between form feeds when the text has any, otherwise consecutive runs of paragraphs of about
:data:`PAGE_CHARS` characters. PDF and DOCX need the optional ``documents`` extra (pypdf,
python-docx); without it those uploads fail with a clear :class:`ExtractionError`.

Chunks never cross a page boundary, so every chunk knows the page its text came from.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

try:
    import pypdf

    HAVE_PYPDF = True
except ImportError:  # pragma: no cover - depends on the optional extra
    HAVE_PYPDF = False

try:
    import docx

    HAVE_DOCX = True
except ImportError:  # pragma: no cover - depends on the optional extra
    HAVE_DOCX = False

__all__ = [
    "FAIL_MARKER",
    "HAVE_DOCX",
    "HAVE_PYPDF",
    "PAGE_CHARS",
    "SUPPORTED_EXTENSIONS",
    "Chunk",
    "ExtractionError",
    "Page",
    "chunk_pages",
    "extract_pages",
    "pack_text",
    "reference_type",
    "split_sentences",
]

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset({".txt", ".md", ".json", ".pdf", ".docx"})
FAIL_MARKER = b"EMULATOR:FAIL_PROCESSING"
PAGE_CHARS = 3000

_TYPE_BY_EXTENSION = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".pdf": "pdf",
    ".docx": "doc_x",
}

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_WORD_BREAK = re.compile(r"\s+")
_BLOCK_START = re.compile(r"\s*(?:#|[-*+>|]\s|\d+[.)]\s|```)")


@dataclass(frozen=True)
class Page:
    """One page of extracted text; ``number`` is 1-based."""

    number: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A retrieval unit: a piece of one page of one file. ``ordinal`` counts from 0 per file."""

    file_id: str
    page: int
    text: str
    ordinal: int


class ExtractionError(Exception):
    """The file cannot be processed; the message says why (it becomes ``error_message``)."""


def _extension(file_name: str) -> str:
    return posixpath.splitext(file_name.replace("\\", "/"))[1].lower()


def reference_type(file_name: str) -> str:
    """The reference ``type`` for a file: text, markdown, json, pdf or doc_x (text by default)."""
    return _TYPE_BY_EXTENSION.get(_extension(file_name), "text")


def extract_pages(file_name: str, content: bytes) -> list[Page]:
    """Extract the pages of an uploaded file, or raise :class:`ExtractionError`."""
    if FAIL_MARKER in content:
        raise ExtractionError("File processing failed: the emulator was asked to fail this file.")
    extension = _extension(file_name)
    if extension not in SUPPORTED_EXTENSIONS:
        shown = extension or "(none)"
        raise ExtractionError(
            f"File processing failed: unsupported file format {shown!s}; supported formats are "
            + ", ".join(sorted(SUPPORTED_EXTENSIONS))
            + "."
        )
    if extension == ".pdf":
        return _pdf_pages(content)
    if extension == ".docx":
        return _docx_pages(content)
    text = _decode(content)
    if extension == ".json":
        try:
            json.loads(text)
        except ValueError as exc:
            raise ExtractionError(f"File processing failed: invalid JSON ({exc}).") from None
    return _text_pages(text)


def _decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"File processing failed: the file is not valid UTF-8 text (byte {exc.start})."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text_pages(text: str) -> list[Page]:
    if "\f" in text:
        parts = text.split("\f")
        if parts and not parts[-1].strip():
            parts.pop()
        return [Page(number, part.strip("\n")) for number, part in enumerate(parts or [""], 1)]
    packed = pack_text(text, PAGE_CHARS)
    return [Page(number, part) for number, part in enumerate(packed or [""], 1)]


def _pdf_pages(content: bytes) -> list[Page]:
    if not HAVE_PYPDF:
        raise ExtractionError(
            "PDF parsing needs the optional 'pypdf' package: "
            "pip install 'pinecone-assistant-async[documents]'."
        )
    try:
        reader: Any = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ExtractionError("File processing failed: the PDF is encrypted.")
        texts = [str(page.extract_text() or "") for page in reader.pages]
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many exception types for damaged files
        raise ExtractionError(f"File processing failed: cannot read the PDF ({exc}).") from None
    if not texts:
        raise ExtractionError("File processing failed: the PDF has no pages.")
    return [Page(number, text.strip()) for number, text in enumerate(texts, 1)]


def _docx_pages(content: bytes) -> list[Page]:
    if not HAVE_DOCX:
        raise ExtractionError(
            "DOCX parsing needs the optional 'python-docx' package: "
            "pip install 'pinecone-assistant-async[documents]'."
        )
    try:
        document: Any = docx.Document(io.BytesIO(content))
        pages: list[list[str]] = [[]]
        for paragraph in document.paragraphs:
            pieces: list[str] = []
            for element in paragraph._p.iter():
                tag = str(element.tag)
                if tag == _W_TEXT:
                    pieces.append(element.text or "")
                elif tag == _W_TAB:
                    pieces.append("\t")
                elif tag == _W_BREAK and element.get(_W_TYPE) == "page":
                    pages[-1].append("".join(pieces))
                    pages.append([])
                    pieces = []
            pages[-1].append("".join(pieces))
        for table in document.tables:
            for row in table.rows:
                pages[-1].append(" | ".join(cell.text for cell in row.cells))
    except Exception as exc:  # python-docx/lxml raise many exception types
        raise ExtractionError(f"File processing failed: cannot read the DOCX ({exc}).") from None
    texts = ["\n\n".join(p.strip() for p in page if p.strip()) for page in pages]
    if len(texts) > 1 and not texts[-1]:
        texts.pop()
    return [Page(number, text) for number, text in enumerate(texts, 1)]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_TEXT = _W + "t"
_W_TAB = _W + "tab"
_W_BREAK = _W + "br"
_W_TYPE = _W + "type"


def _split_levels(text: str, level: int) -> tuple[list[str], str]:
    if level == 0:
        return _PARAGRAPH_BREAK.split(text), "\n\n"
    if level == 1:
        return text.split("\n"), "\n"
    if level == 2:
        return _SENTENCE_BREAK.split(text), " "
    return _WORD_BREAK.split(text), " "


def _pieces(text: str, limit: int, level: int) -> Iterator[tuple[str, str]]:
    """Yield (piece, separator) with every piece at most ``limit`` characters."""
    if level > 3:
        for start in range(0, len(text), limit):
            yield text[start : start + limit], ""
        return
    parts, separator = _split_levels(text, level)
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if len(part) <= limit:
            yield part, separator
        else:
            yield from _pieces(part, limit, level + 1)


def pack_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters on the coarsest boundaries."""
    parts: list[str] = []
    current = ""
    for piece, separator in _pieces(text, limit, 0):
        if not current:
            current = piece
        elif len(current) + len(separator) + len(piece) <= limit:
            current = current + separator + piece
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def chunk_pages(file_id: str, pages: list[Page], *, max_chars: int = 800) -> list[Chunk]:
    """Cut pages into chunks of at most ``max_chars`` characters on paragraph/sentence bounds."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    chunks: list[Chunk] = []
    for page in pages:
        for text in pack_text(page.text, max_chars):
            chunks.append(Chunk(file_id, page.number, text, len(chunks)))
    return chunks


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` carries on the sentence of ``previous`` (hard-wrapped prose)."""
    last = previous.rstrip()[-1:]
    first = line.lstrip()[:1]
    return (
        bool(last)
        and (last.isalnum() or last in ",;-(")
        and first.isalnum()
        and not previous.lstrip().startswith("#")
        and not _BLOCK_START.match(line)
    )


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, stripped, none empty.

    A line break ends a sentence unless the next line carries it on (hard-wrapped prose:
    the line ends mid-sentence and the next one starts with a word, not with markup), so
    wrapped paragraphs give whole sentences; a wrapped sentence keeps its line break, which
    keeps every sentence a substring of the text it came from.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and line.strip() and _continues(lines[-1], line):
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    sentences: list[str] = []
    for line in lines:
        for sentence in _SENTENCE_BREAK.split(line):
            sentence = sentence.strip()
            if sentence:
                sentences.append(sentence)
    return sentences
