"""Document extraction and chunking: pages from every format, chunks that respect bounds."""

from __future__ import annotations

import io
import json

import docx
import pytest

from pinecone_assistant_async.testing import documents
from pinecone_assistant_async.testing.documents import (
    FAIL_MARKER,
    PAGE_CHARS,
    SUPPORTED_EXTENSIONS,
    Chunk,
    ExtractionError,
    Page,
    chunk_pages,
    extract_pages,
    reference_type,
    split_sentences,
)


def make_pdf(page_texts: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page."""
    count = len(page_texts)
    font_id = 3 + 2 * count
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{3 + 2 * i} 0 R".encode() for i in range(count))
        + f"] /Count {count} >>".encode(),
    ]
    for index, text in enumerate(page_texts):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * index} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def make_docx(pages: list[list[str]]) -> bytes:
    document = docx.Document()
    for index, paragraphs in enumerate(pages):
        if index:
            document.add_page_break()
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.txt", "text"),
        ("README.md", "markdown"),
        ("Guide.MARKDOWN", "markdown"),
        ("data.json", "json"),
        ("Report.PDF", "pdf"),
        ("letter.docx", "doc_x"),
        ("dir/sub.v2/archive", "text"),
        ("noextension", "text"),
    ],
)
def test_reference_type_follows_the_extension(name: str, expected: str) -> None:
    assert reference_type(name) == expected


def test_supported_extensions() -> None:
    assert frozenset({".txt", ".md", ".json", ".pdf", ".docx"}) == SUPPORTED_EXTENSIONS


def test_text_split_on_form_feeds_gives_numbered_pages() -> None:
    pages = extract_pages("a.txt", b"first page\fsecond page\f\fno longer empty\f")
    assert pages == [
        Page(1, "first page"),
        Page(2, "second page"),
        Page(3, ""),
        Page(4, "no longer empty"),
    ]


def test_long_text_is_paged_on_paragraph_boundaries() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 80 for i in range(60)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pages = extract_pages("long.md", text.encode())
    assert len(pages) > 1
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(len(p.text) <= PAGE_CHARS for p in pages)
    # no paragraph is cut: every page starts with a paragraph head
    assert all(p.text.startswith("Paragraph ") for p in pages)
    assert "\n\n".join(p.text for p in pages) == text


def test_crlf_and_bom_are_normalised() -> None:
    pages = extract_pages("a.txt", "\ufeffline one\r\nline two".encode())
    assert pages == [Page(1, "line one\nline two")]


def test_empty_text_file_has_one_empty_page() -> None:
    assert extract_pages("empty.txt", b"") == [Page(1, "")]


def test_invalid_utf8_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="UTF-8"):
        extract_pages("bad.txt", b"ok \xff\xfe not text")


def test_json_must_parse() -> None:
    good = json.dumps({"name": "widget", "price": 3}).encode()
    assert extract_pages("w.json", good)[0].text == good.decode()
    with pytest.raises(ExtractionError, match="invalid JSON"):
        extract_pages("w.json", b'{"name": ')


def test_unsupported_extension_names_the_supported_ones() -> None:
    with pytest.raises(ExtractionError, match=r"unsupported file format \.exe.*\.docx"):
        extract_pages("tool.exe", b"MZ")


def test_fail_marker_provokes_a_failure_in_any_format() -> None:
    with pytest.raises(ExtractionError, match="asked to fail"):
        extract_pages("a.txt", b"hello " + FAIL_MARKER + b" world")
    with pytest.raises(ExtractionError, match="asked to fail"):
        extract_pages("a.pdf", make_pdf(["x"]) + FAIL_MARKER)


def test_pdf_pages_keep_their_numbers() -> None:
    pages = extract_pages("r.pdf", make_pdf(["Alpha revenue grew", "Beta costs fell"]))
    assert [p.number for p in pages] == [1, 2]
    assert "Alpha revenue grew" in pages[0].text
    assert "Beta costs fell" in pages[1].text


def test_damaged_pdf_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="PDF"):
        extract_pages("r.pdf", b"%PDF-1.4 this is not really a pdf")


def test_pdf_without_pypdf_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "HAVE_PYPDF", False)
    with pytest.raises(ExtractionError, match="pypdf"):
        extract_pages("r.pdf", make_pdf(["x"]))


def test_docx_page_breaks_make_pages() -> None:
    content = make_docx([["Intro paragraph.", "Second paragraph."], ["Appendix text."]])
    pages = extract_pages("letter.docx", content)
    assert pages == [
        Page(1, "Intro paragraph.\n\nSecond paragraph."),
        Page(2, "Appendix text."),
    ]


def test_docx_without_python_docx_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "HAVE_DOCX", False)
    with pytest.raises(ExtractionError, match="python-docx"):
        extract_pages("letter.docx", make_docx([["x"]]))


def test_damaged_docx_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="DOCX"):
        extract_pages("letter.docx", b"PK not a zip")


def test_chunks_respect_size_pages_and_ordinals() -> None:
    sentence = "The quick brown fox jumps over the lazy dog number {}."
    page_one = " ".join(sentence.format(i) for i in range(40))
    pages = [Page(1, page_one), Page(2, "Short second page."), Page(3, "")]
    chunks = chunk_pages("file-1", pages, max_chars=200)
    assert all(len(c.text) <= 200 for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert {c.file_id for c in chunks} == {"file-1"}
    assert chunks[-1] == Chunk("file-1", 2, "Short second page.", len(chunks) - 1)
    assert {c.page for c in chunks[:-1]} == {1}
    # sentences are never cut when they fit: every chunk ends a sentence
    assert all(c.text.endswith(".") for c in chunks)
    assert " ".join(c.text for c in chunks[:-1]) == page_one
    assert chunk_pages("file-1", pages, max_chars=200) == chunks


def test_a_word_longer_than_a_chunk_is_cut_hard() -> None:
    chunks = chunk_pages("f", [Page(1, "x" * 25)], max_chars=10)
    assert [c.text for c in chunks] == ["x" * 10, "x" * 10, "x" * 5]


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        chunk_pages("f", [Page(1, "text")], max_chars=0)


def test_split_sentences_uses_lines_and_punctuation() -> None:
    text = "# Title\nFirst one. Second one!  Third?\n\n- bullet item"
    assert split_sentences(text) == [
        "# Title",
        "First one.",
        "Second one!",
        "Third?",
        "- bullet item",
    ]


def test_split_sentences_joins_hard_wrapped_prose() -> None:
    text = (
        "The lamp turns on\nafter sunset. It dims at\nmidnight.\n"
        "- a list item\n- another item\n"
        '{"answer": "one",\n"other": "two"}'
    )
    sentences = split_sentences(text)
    assert sentences == [
        "The lamp turns on\nafter sunset.",
        "It dims at\nmidnight.",
        "- a list item",
        "- another item",
        '{"answer": "one",',
        '"other": "two"}',
    ]
    assert all(sentence in text for sentence in sentences)
