"""Chat, completion and context payloads: citations, references, streams and usage."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from openapi_schema_validator import OAS30Validator

from pinecone_assistant_async.testing import contract
from pinecone_assistant_async.testing.answers import (
    NO_ANSWER,
    chat_payload,
    chat_stream_events,
    completion_payload,
    completion_stream_events,
    context_payload,
    question_from_messages,
)
from pinecone_assistant_async.testing.documents import Page, chunk_pages, extract_pages
from pinecone_assistant_async.testing.retrieval import Hit, Index, count_tokens

FILES: dict[str, dict[str, Any]] = {
    "f-pdf": {"id": "f-pdf", "name": "handbook.pdf", "status": "Available", "size": 10},
    "f-md": {"id": "f-md", "name": "faq.md", "status": "Available", "size": 20},
    "f-json": {"id": "f-json", "name": "prices.json", "status": "Available", "size": 30},
    "f-docx": {"id": "f-docx", "name": "memo.docx", "status": "Available", "size": 40},
    "f-txt": {"id": "f-txt", "name": "notes.txt", "status": "Available", "size": 50},
}

PAGES = {
    "f-pdf": [
        Page(1, "Welcome to the company. Our offices open at nine."),
        Page(
            2,
            "Vacation policy: employees receive 25 vacation days per year. "
            "Unused vacation days expire in March.",
        ),
        Page(3, "Parking is free for employees with a badge."),
    ],
    "f-md": extract_pages(
        "faq.md",
        b"# FAQ\n\nHow do I request vacation? Submit the vacation form to your manager.\n\n"
        b"Who approves expenses? Finance approves expenses within a week.",
    ),
    "f-json": extract_pages(
        "prices.json", b'{"basic plan": "10 dollars", "pro plan": "25 dollars"}'
    ),
    "f-docx": [Page(1, "Memo about the office move."), Page(2, "The move happens in June.")],
    "f-txt": [Page(1, "Random notes about gardening and tomatoes.")],
}


@pytest.fixture(scope="module")
def index() -> Index:
    idx = Index()
    for file_id, pages in PAGES.items():
        idx.add(chunk_pages(file_id, pages, max_chars=120))
    return idx


def ask(index: Index, question: str, **options: Any) -> dict[str, Any]:
    hits = index.search(question, top_k=options.pop("top_k", 16))
    defaults: dict[str, Any] = {
        "files": FILES,
        "model": "gpt-4o",
        "include_highlights": True,
        "json_response": False,
        "response_id": "resp-1",
    }
    defaults.update(options)
    return chat_payload(messages=[{"role": "user", "content": question}], hits=hits, **defaults)


def chunk_text(file_id: str, page: int) -> str:
    return next(p.text for p in PAGES[file_id] if p.number == page)


def test_answer_cites_the_right_file_and_page(index: Index) -> None:
    payload = ask(index, "How many vacation days do employees get?")
    content = payload["message"]["content"]
    assert "25 vacation days" in content
    assert payload["message"]["role"] == "assistant"
    assert payload["finish_reason"] == "stop"
    assert payload["model"] == "gpt-4o"
    assert payload["id"] == "resp-1"
    assert payload["citations"]
    cited = {
        (ref["file"]["id"], page)
        for citation in payload["citations"]
        for ref in citation["references"]
        for page in ref["pages"]
    }
    assert ("f-pdf", 2) in cited
    for citation in payload["citations"]:
        for ref in citation["references"]:
            assert ref["file"] == FILES[ref["file"]["id"]]
            highlight = ref["highlight"]
            assert highlight["type"] == "text"
            assert any(
                highlight["content"] in chunk_text(ref["file"]["id"], p) for p in ref["pages"]
            )


def test_citation_positions_end_their_sentences(index: Index) -> None:
    payload = ask(index, "vacation form manager days")
    content = payload["message"]["content"]
    positions = [c["position"] for c in payload["citations"]]
    assert positions == sorted(positions)
    assert positions[-1] == len(content)
    for position in positions:
        assert 0 < position <= len(content)
        assert content[position - 1] in ".!?"
        assert position == len(content) or content[position] == " "


def test_highlights_are_null_unless_asked(index: Index) -> None:
    payload = ask(index, "vacation days", include_highlights=False)
    refs = [r for c in payload["citations"] for r in c["references"]]
    assert refs
    assert all(r["highlight"] is None for r in refs)


def test_usage_counts_question_context_and_answer(index: Index) -> None:
    question = "Who approves expenses?"
    hits = index.search(question, top_k=16)
    payload = ask(index, question)
    usage = payload["usage"]
    expected_prompt = count_tokens(question) + sum(count_tokens(h.chunk.text) for h in hits)
    assert usage["prompt_tokens"] == expected_prompt
    assert usage["completion_tokens"] == count_tokens(payload["message"]["content"])
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert payload["context_snippet_count"] == len(hits)


def test_model_is_echoed(index: Index) -> None:
    assert ask(index, "parking", model="claude-sonnet-4-5")["model"] == "claude-sonnet-4-5"


def test_no_hits_means_a_clear_no_answer(index: Index) -> None:
    payload = ask(index, "quantum chromodynamics")
    assert payload["message"]["content"] == NO_ANSWER
    assert payload["citations"] == []
    assert payload["context_snippet_count"] == 0
    # hits of files the caller did not pass (deleted meanwhile) are ignored too
    payload = ask(index, "vacation days", files={})
    assert payload["message"]["content"] == NO_ANSWER
    assert payload["citations"] == []


def test_top_k_and_snippet_size_shape_the_context(index: Index) -> None:
    one = ask(index, "vacation expenses parking move", top_k=1)
    assert one["context_snippet_count"] == 1
    assert all(len(c["references"]) == 1 for c in one["citations"])
    small = ask(index, "vacation days", snippet_size=40)
    for citation in small["citations"]:
        for ref in citation["references"]:
            assert len(ref["highlight"]["content"]) <= 40


def test_json_response_is_a_json_object_with_valid_positions(index: Index) -> None:
    payload = ask(index, "How many vacation days?", json_response=True)
    content = payload["message"]["content"]
    parsed = json.loads(content)
    assert "25 vacation days" in parsed["answer"]
    assert parsed["sources"]
    for citation in payload["citations"]:
        assert 0 < citation["position"] <= len(content)
        assert content[citation["position"] - 1] in ".!?"
    empty = ask(index, "zzz unknown", json_response=True)
    assert json.loads(empty["message"]["content"]) == {"answer": NO_ANSWER, "sources": []}


def test_payload_is_deterministic(index: Index) -> None:
    first = json.dumps(ask(index, "vacation expenses"), sort_keys=True)
    assert json.dumps(ask(index, "vacation expenses"), sort_keys=True) == first


def test_question_from_messages() -> None:
    assert question_from_messages([]) == ""
    assert question_from_messages([{"role": "user", "content": "Where is the office?"}]) == (
        "Where is the office?"
    )
    history = [
        {"role": "user", "content": "Tell me about the vacation policy"},
        {"role": "assistant", "content": "Employees get 25 days."},
        {"role": "user", "content": "and why?"},
    ]
    assert question_from_messages(history) == "Tell me about the vacation policy and why?"
    history[-1]["content"] = "What about parking rules for visitors?"
    assert question_from_messages(history) == "What about parking rules for visitors?"


def content_of(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"]["content"] for e in events if e["type"] == "content_chunk")


def test_stream_events_match_the_payload(index: Index) -> None:
    payload = ask(index, "vacation days expenses")
    events = chat_stream_events(payload, chunk_chars=7)
    assert events[0] == {
        "type": "message_start",
        "id": "resp-1",
        "model": "gpt-4o",
        "role": "assistant",
        "context_snippet_count": payload["context_snippet_count"],
    }
    assert events[-1] == {
        "type": "message_end",
        "id": "resp-1",
        "model": "gpt-4o",
        "finish_reason": "stop",
        "usage": payload["usage"],
    }
    assert content_of(events) == payload["message"]["content"]
    assert [e["citation"] for e in events if e["type"] == "citation"] == payload["citations"]
    streamed = 0
    for event in events:
        if event["type"] == "content_chunk":
            assert 0 < len(event["delta"]["content"]) <= 7
            streamed += len(event["delta"]["content"])
        elif event["type"] == "citation":
            assert event["citation"]["position"] <= streamed  # cited text already sent


def test_total_chunks_is_exact(index: Index) -> None:
    payload = ask(index, "vacation days")
    content = payload["message"]["content"]
    few = chat_stream_events(payload, total_chunks=5)
    assert sum(e["type"] == "content_chunk" for e in few) == 5
    assert content_of(few) == content
    many = chat_stream_events(payload, total_chunks=20_000)
    pieces = [e for e in many if e["type"] == "content_chunk"]
    assert len(pieces) == 20_000
    assert all(e["delta"]["content"] for e in pieces)
    assert content_of(many).startswith(content)
    assert many[-1]["type"] == "message_end"
    assert sum(e["type"] == "citation" for e in many) == len(payload["citations"])
    none = chat_stream_events(payload, total_chunks=0)
    assert [e["type"] for e in none][0 :: len(none) - 1] == ["message_start", "message_end"]


def test_completion_payload_and_stream(index: Index) -> None:
    chat = ask(index, "Who approves expenses?")
    completion = completion_payload(chat)
    assert completion["id"] == chat["id"]
    assert completion["model"] == chat["model"]
    assert completion["usage"] == chat["usage"]
    [choice] = completion["choices"]
    assert choice == {
        "index": 0,
        "finish_reason": "stop",
        "message": {"role": "assistant", "content": chat["message"]["content"]},
    }
    events = completion_stream_events(chat, chunk_chars=5)
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    assert events[-1]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    middle = events[1:-1]
    assert all("finish_reason" not in e["choices"][0] for e in middle)
    assert (
        "".join(e["choices"][0]["delta"]["content"] for e in middle) == chat["message"]["content"]
    )
    assert len(completion_stream_events(chat, total_chunks=300)) == 302


def test_context_snippets_are_typed_with_pages_only_for_paged_formats(index: Index) -> None:
    hits = index.search("vacation expenses plan move gardening", top_k=20)
    payload = context_payload(
        hits=hits,
        files=FILES,
        snippet_size=None,
        multimodal=False,
        response_id="ctx-1",
        query="vacation expenses plan move gardening",
    )
    assert payload["id"] == "ctx-1"
    by_type: dict[str, dict[str, Any]] = {}
    for snippet, hit in zip(payload["snippets"], hits, strict=True):
        assert snippet["type"] == "text"
        assert snippet["content"] == hit.chunk.text
        assert 0.0 <= snippet["score"] <= 1.0
        reference = snippet["reference"]
        assert reference["file"] == FILES[hit.chunk.file_id]
        by_type[reference["type"]] = reference
        if reference["type"] in ("pdf", "doc_x"):
            assert reference["pages"] == [hit.chunk.page]
        else:
            assert "pages" not in reference
    assert set(by_type) == {"pdf", "markdown", "json", "doc_x", "text"}
    usage = payload["usage"]
    assert usage["completion_tokens"] == 0
    assert usage["total_tokens"] == usage["prompt_tokens"] > 0


def test_context_snippet_size_limits_characters(index: Index) -> None:
    hits = index.search("vacation", top_k=5)
    payload = context_payload(
        hits=hits, files=FILES, snippet_size=30, multimodal=True, response_id="c"
    )
    assert payload["snippets"]
    assert all(0 < len(s["content"]) <= 30 for s in payload["snippets"])
    assert (
        context_payload(hits=[], files=FILES, snippet_size=30, multimodal=True, response_id="c")[
            "snippets"
        ]
        == []
    )


WORDS = st.sampled_from(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "solar",
        "wind",
        "rain",
        "snow",
        "42",
        "7",
        '"quoted"',
        "naïve",
        "café,",
        "émigré",
        "x",
    ]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=8).map(lambda ws: " ".join(ws) + ".")
DOCUMENT = st.lists(SENTENCE, min_size=1, max_size=10).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(DOCUMENT, min_size=1, max_size=4),
    st.lists(WORDS, min_size=1, max_size=4).map(" ".join),
    st.booleans(),
    st.sampled_from([None, 20, 60]),
)
def test_citation_positions_are_always_valid(
    documents: list[str], question: str, as_json: bool, snippet_size: int | None
) -> None:
    files = {f"f{i}": {"id": f"f{i}", "name": f"doc{i}.pdf"} for i in range(len(documents))}
    idx = Index()
    for i, text in enumerate(documents):
        idx.add(chunk_pages(f"f{i}", [Page(1, text), Page(2, text[::-1])], max_chars=50))
    hits: list[Hit] = idx.search(question, top_k=8)
    payload = chat_payload(
        messages=[{"role": "user", "content": question}],
        hits=hits,
        files=files,
        model="m",
        include_highlights=True,
        json_response=as_json,
        response_id="r",
        snippet_size=snippet_size,
    )
    content = payload["message"]["content"]
    if as_json:
        json.loads(content)
    previous = 0
    for citation in payload["citations"]:
        assert previous <= citation["position"] <= len(content)
        previous = citation["position"]
        for ref in citation["references"]:
            assert ref["file"] in files.values()
            assert ref["pages"] and set(ref["pages"]) <= {1, 2}
    if not hits:
        assert payload["citations"] == []


@settings(max_examples=80, deadline=None)
@example("héllo wörld", 3, 0)
@example("short", 4, 9)
@given(
    st.text(min_size=1, max_size=300),
    st.integers(min_value=1, max_value=40),
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
def test_stream_deltas_always_concatenate_to_the_content(
    content: str, chunk_chars: int, total_chunks: int | None
) -> None:
    payload = {
        "id": "r",
        "model": "m",
        "finish_reason": "stop",
        "message": {"role": "assistant", "content": content},
        "citations": [{"position": len(content), "references": []}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        "context_snippet_count": 1,
    }
    events = chat_stream_events(payload, chunk_chars=chunk_chars, total_chunks=total_chunks)
    chunks = [e for e in events if e["type"] == "content_chunk"]
    text = content_of(events)
    if total_chunks is None:
        assert text == content
    else:
        assert len(chunks) == total_chunks
        if total_chunks == 0:
            assert text == ""
        elif total_chunks <= len(content):
            assert text == content
        else:
            assert text.startswith(content)
    completion = completion_stream_events(
        payload, chunk_chars=chunk_chars, total_chunks=total_chunks
    )
    assert "".join(e["choices"][0]["delta"]["content"] for e in completion[1:-1]) == text
    assert [e["type"] for e in events].count("citation") == 1


def spec_validator(schema_name: str) -> Any:
    """An OpenAPI 3.0 validator for one data-plane schema of the committed 2026-07 contract."""
    spec = contract.load("data", "2026-07")
    return OAS30Validator({"$ref": f"#/components/schemas/{schema_name}", **spec})


def test_payloads_validate_against_the_spec(index: Index) -> None:
    files = {
        file_id: {**file, "metadata": None, "multimodal": False, "signed_url": None}
        for file_id, file in FILES.items()
    }
    hits = index.search("vacation expenses plan move gardening", top_k=20)
    for highlights, as_json in [(True, False), (False, True)]:
        chat = chat_payload(
            messages=[{"role": "user", "content": "vacation expenses plan move"}],
            hits=hits,
            files=files,
            model="gpt-4o",
            include_highlights=highlights,
            json_response=as_json,
            response_id="r",
        )
        spec_validator("ChatModel").validate(chat)
        stream_validator = spec_validator("StreamChatChunkModel")
        for event in chat_stream_events(chat):
            stream_validator.validate(event)
        spec_validator("ChatCompletionModel").validate(completion_payload(chat))
        chunk_validator = spec_validator("StreamChatCompletionChunkModel")
        for chunk in completion_stream_events(chat):
            chunk_validator.validate(chunk)
    context = context_payload(
        hits=hits, files=files, snippet_size=100, multimodal=True, response_id="c"
    )
    spec_validator("ContextModel").validate(context)
    with pytest.raises(ValidationError):
        spec_validator("ContextModel").validate({"snippets": [{"type": "text"}], "usage": {}})
