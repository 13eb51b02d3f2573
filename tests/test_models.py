"""The wire models parse real-shaped payloads and stay tolerant of what the server adds later."""

from __future__ import annotations

import json
import typing
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from pinecone_assistant_async import models
from pinecone_assistant_async.models import (
    AlignmentResult,
    Assistant,
    AssistantFile,
    AssistantList,
    AssistantStatus,
    AssistantUpdate,
    ChatCompletion,
    ChatCompletionChunk,
    ChatResponse,
    Citation,
    CitationChunk,
    ContentBlock,
    ContentChunk,
    ContextResponse,
    DocxReference,
    Entailment,
    FileList,
    FileStatus,
    FinishReason,
    ImageBlock,
    JsonReference,
    MarkdownReference,
    Message,
    MessageEndChunk,
    MessageStartChunk,
    MultimodalSnippet,
    Operation,
    OperationList,
    OperationStatus,
    OperationType,
    PdfReference,
    Region,
    TextBlock,
    TextReference,
    TextSnippet,
    TypedReference,
    UnknownBlock,
    UnknownChunk,
    UnknownReference,
    UnknownSnippet,
    Usage,
    parse_chat_chunk,
    parse_completion_chunk,
)

UTC = timezone.utc

FILE: dict[str, Any] = {
    "created_on": "2025-01-01T00:00:00Z",
    "id": "ae79e447-b89e-4994-994b-3232ca52a654",
    "multimodal": False,
    "name": "my_file.pdf",
    "signed_url": "https://storage.googleapis.com/...",
    "size": 25000,
    "status": "Available",
    "updated_on": "2025-01-01T00:01:00.556417063Z",
}

ASSISTANT: dict[str, Any] = {
    "name": "example-assistant",
    "instructions": "Answer questions with clear, helpful answers.",
    "metadata": {"role": "Customer Support Helper", "team": "Operations"},
    "status": "Ready",
    "host": "https://prod-1-data.ke.pinecone.io",
    "region": "us",
    "created_at": "2025-10-01T12:30:00Z",
    "updated_at": "2025-10-01T12:45:00+00:00",
}

CHAT: dict[str, Any] = {
    "id": "00000000000000002fe0c02e20be1c6a",
    "finish_reason": "stop",
    "message": {"role": "assistant", "content": "The capital is Madrid [1]."},
    "model": "gpt-4o-2024-11-20",
    "citations": [
        {
            "position": 24,
            "references": [
                {
                    "file": FILE,
                    "pages": [1, 2],
                    "highlight": {"type": "text", "content": "Madrid is the capital"},
                }
            ],
        }
    ],
    "usage": {"prompt_tokens": 2506, "completion_tokens": 135, "total_tokens": 2641},
    "context_snippet_count": 16,
}


_END: dict[str, Any] = {
    "type": "message_end",
    "id": "00000000000000002fe0c02e20be1c6a",
    "model": "gpt-4o-2024-11-20",
    "finish_reason": "stop",
    "usage": {"completion_tokens": 135, "prompt_tokens": 2506, "total_tokens": 2641},
}


def _both(model: type[Any], payload: dict[str, Any]) -> list[Any]:
    """Parse the same payload from JSON text and from a Python dict."""
    return [model.model_validate_json(json.dumps(payload)), model.model_validate(payload)]


# --- assistants -------------------------------------------------------------------------------


def test_assistant_parses_every_field_with_datetimes_and_enums() -> None:
    for a in _both(Assistant, ASSISTANT):
        assert a.name == "example-assistant"
        assert a.status is AssistantStatus.READY
        assert a.region is Region.US
        assert a.metadata == {"role": "Customer Support Helper", "team": "Operations"}
        assert a.created_at == datetime(2025, 10, 1, 12, 30, tzinfo=UTC)
        assert a.updated_at == datetime(2025, 10, 1, 12, 45, tzinfo=UTC)


def test_assistant_minimal_and_unknown_values_are_tolerated() -> None:
    payload = {"name": "a", "status": "Hibernating", "region": "ap", "shiny": {"x": 1}}
    for a in _both(Assistant, payload):
        assert a.status == "Hibernating"
        assert not isinstance(a.status, AssistantStatus)
        assert a.region == "ap" and not isinstance(a.region, Region)
        assert a.model_extra == {"shiny": {"x": 1}}
        assert a.host is None and a.created_at is None and a.instructions is None


def test_assistant_requires_name_and_status() -> None:
    with pytest.raises(ValidationError):
        Assistant.model_validate({"name": "a"})


def test_assistant_list_and_update() -> None:
    page = AssistantList.model_validate_json(
        json.dumps({"assistants": [ASSISTANT], "pagination": {"next": "dXNlcl9pZD11c2VyXzE="}})
    )
    assert [a.name for a in page.assistants] == ["example-assistant"]
    assert page.pagination is not None and page.pagination.next == "dXNlcl9pZD11c2VyXzE="
    empty = AssistantList.model_validate_json("{}")
    assert empty.assistants == [] and empty.pagination is None
    upd = AssistantUpdate.model_validate({"assistant_name": "a", "instructions": "x"})
    assert upd.assistant_name == "a" and upd.metadata is None


# --- files and operations ---------------------------------------------------------------------


def test_file_parses_new_and_old_shapes() -> None:
    for f in _both(AssistantFile, FILE):
        assert f.status is FileStatus.AVAILABLE
        assert f.size == 25000 and f.multimodal is False
        assert f.updated_on == datetime(2025, 1, 1, 0, 1, 0, 556417, tzinfo=UTC)
        assert f.percent_done is None and f.error_message is None
    old = {"id": "f1", "name": "x.txt", "status": "ProcessingFailed", "percent_done": 0.5}
    old["error_message"] = "bad file"
    f = AssistantFile.model_validate_json(json.dumps(old))
    assert f.status is FileStatus.PROCESSING_FAILED
    assert f.percent_done == 0.5 and f.error_message == "bad file"


def test_file_unknown_status_and_list() -> None:
    f = AssistantFile.model_validate({"id": "f", "name": "n", "status": "Quarantined", "z": 1})
    assert f.status == "Quarantined" and f.model_extra == {"z": 1}
    page = FileList.model_validate_json(json.dumps({"files": [FILE, FILE]}))
    assert len(page.files) == 2 and page.pagination is None


OPERATIONS: dict[str, Any] = {
    "operations": [
        {
            "created_on": "2025-10-01T12:30:00Z",
            "file_id": "my-report-2025",
            "id": "op-1234-abcd-5678",
            "operation_type": "upload_file",
            "percent_complete": 42,
            "status": "Processing",
        },
        {
            "completed_on": "2025-10-01T11:32:00Z",
            "created_on": "2025-10-01T11:30:00Z",
            "error_message": "File processing failed: unsupported file format.",
            "file_id": "invalid-file",
            "id": "op-5555-eeee-9999",
            "operation_type": "reindex_file",
            "percent_complete": 15,
            "status": "Cancelled",
            "ingestion_units": 50.0,
        },
    ],
    "pagination": {"next": "dXNlcl9pZD11c2VyXzE="},
}


def test_operation_list_known_and_unknown_enums() -> None:
    for page in _both(OperationList, OPERATIONS):
        first, second = page.operations
        assert first.status is OperationStatus.PROCESSING
        assert first.operation_type is OperationType.UPLOAD_FILE
        assert first.percent_complete == 42 and first.completed_on is None
        assert second.status == "Cancelled" and not isinstance(second.status, OperationStatus)
        assert second.operation_type == "reindex_file"
        assert second.completed_on == datetime(2025, 10, 1, 11, 32, tzinfo=UTC)
        assert second.error_message is not None and second.ingestion_units == 50.0


def test_operation_requires_id() -> None:
    with pytest.raises(ValidationError):
        Operation.model_validate({"operation_type": "upload_file", "status": "Processing"})


# --- chat -------------------------------------------------------------------------------------


def test_chat_response_parses_citations_and_usage() -> None:
    for r in _both(ChatResponse, CHAT):
        assert r.finish_reason is FinishReason.STOP
        assert r.message == Message(role="assistant", content="The capital is Madrid [1].")
        ref = r.citations[0].references[0]
        assert ref.file.name == "my_file.pdf" and ref.pages == [1, 2]
        assert ref.highlight is not None and ref.highlight.content == "Madrid is the capital"
        assert r.usage == Usage(prompt_tokens=2506, completion_tokens=135, total_tokens=2641)
        assert r.context_snippet_count == 16


def test_chat_response_minimal_and_unknown_finish_reason() -> None:
    r = ChatResponse.model_validate_json(
        '{"id":"i","model":"m","message":{"content":"hi"},"finish_reason":"function_call"}'
    )
    assert r.finish_reason == "function_call" and r.citations == [] and r.usage is None
    assert r.message.role == "user"  # the model's input default when the server omits it


def test_message_as_input_defaults_to_user() -> None:
    assert Message(content="hello").model_dump() == {"role": "user", "content": "hello"}


def test_chat_response_assembled_from_chunks_equals_parsed_one() -> None:
    chunks = [
        parse_chat_chunk(
            '{"type":"message_start","id":"00000000000000002fe0c02e20be1c6a",'
            '"model":"gpt-4o-2024-11-20","role":"assistant","context_snippet_count":16}'
        ),
        parse_chat_chunk(
            '{"type":"content_chunk","id":"00000000000000002fe0c02e20be1c6a",'
            '"model":"gpt-4o-2024-11-20","delta":{"content":"The capital is "}}'
        ),
        parse_chat_chunk(
            '{"type":"content_chunk","id":"00000000000000002fe0c02e20be1c6a",'
            '"model":"gpt-4o-2024-11-20","delta":{"content":"Madrid [1]."}}'
        ),
        parse_chat_chunk(
            json.dumps(
                {
                    "type": "citation",
                    "id": "00000000000000002fe0c02e20be1c6a",
                    "model": "gpt-4o-2024-11-20",
                    "citation": CHAT["citations"][0],
                }
            )
        ),
        parse_chat_chunk(json.dumps(_END)),
    ]
    start, end = chunks[0], chunks[-1]
    assert isinstance(start, MessageStartChunk) and isinstance(end, MessageEndChunk)
    text = "".join(c.delta.content for c in chunks if isinstance(c, ContentChunk))
    assembled = ChatResponse(
        id=start.id,
        model=start.model,
        message=Message(role=start.role, content=text),
        finish_reason=end.finish_reason,
        citations=[c.citation for c in chunks if isinstance(c, CitationChunk)],
        usage=end.usage,
        context_snippet_count=start.context_snippet_count,
    )
    assert assembled == ChatResponse.model_validate_json(json.dumps(CHAT))
    assert assembled != ChatResponse.model_validate_json(json.dumps({**CHAT, "extra": 1}))


def test_chat_chunk_dispatch_by_type() -> None:
    base = '"id":"i","model":"m"'
    assert isinstance(parse_chat_chunk('{"type":"message_start",' + base + "}"), MessageStartChunk)
    content = parse_chat_chunk(
        b'{"type":"content_chunk",' + base.encode() + b',"delta":{"content":"x"}}'
    )
    assert isinstance(content, ContentChunk) and content.delta.content == "x"
    citation = parse_chat_chunk(
        '{"type":"citation",' + base + ',"citation":{"position":3,"references":[]}}'
    )
    assert isinstance(citation, CitationChunk) and citation.citation == Citation(position=3)
    end = parse_chat_chunk(json.dumps(_END))
    assert isinstance(end, MessageEndChunk) and end.finish_reason is FinishReason.STOP
    assert end.usage is not None and end.usage.total_tokens == 2641


def test_chat_chunk_unknown_type_is_kept_not_fatal() -> None:
    chunk = parse_chat_chunk('{"type":"tool_call","id":"i","model":"m","tool":{"name":"x"}}')
    assert isinstance(chunk, UnknownChunk)
    assert chunk.type == "tool_call" and chunk.id == "i"
    assert chunk.model_extra == {"tool": {"name": "x"}}


def test_chat_chunk_tolerates_new_fields_and_finish_reasons() -> None:
    chunk = parse_chat_chunk(
        '{"type":"message_end","id":"i","model":"m","finish_reason":"x","n":2}'
    )
    assert isinstance(chunk, MessageEndChunk)
    assert chunk.finish_reason == "x" and chunk.model_extra == {"n": 2}


@pytest.mark.parametrize(
    "payload",
    [
        "{not json",
        "",
        '{"type":"content_chunk","id":"i","model":"m","delta":',
        '{"type":"content_chunk","id":"i","model":"m"}',  # known type, missing delta
        '{"id":"i"}',  # no type at all
        "[1, 2]",
        '"text"',
        "[DONE]",
    ],
)
def test_chat_chunk_malformed_raises_validation_error(payload: str) -> None:
    with pytest.raises(ValidationError):
        parse_chat_chunk(payload)


def test_chunk_union_also_validates_python_objects() -> None:
    adapter: TypeAdapter[models.ChatStreamChunk] = TypeAdapter(models.ChatStreamChunk)
    chunk = adapter.validate_python(
        {"type": "content_chunk", "id": "i", "model": "m", "delta": {"content": "y"}}
    )
    assert isinstance(chunk, ContentChunk)
    assert isinstance(adapter.validate_python({"type": "ping"}), UnknownChunk)
    assert adapter.validate_python(chunk) is chunk


# --- completions ------------------------------------------------------------------------------


def test_chat_completion_parses() -> None:
    payload = {
        "id": "chatcmpl-1",
        "model": "gpt-4o",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Madrid"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }
    for c in _both(ChatCompletion, payload):
        assert c.choices[0].message.content == "Madrid"
        assert c.choices[0].finish_reason is FinishReason.STOP
        assert c.usage is not None and c.usage.total_tokens == 6


def test_completion_chunks_parse_fast_path() -> None:
    first = parse_completion_chunk(
        '{"id":"c","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}'
    )
    assert isinstance(first, ChatCompletionChunk)
    assert first.choices[0].delta.role == "assistant" and first.choices[0].finish_reason is None
    last = parse_completion_chunk(
        b'{"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"u":1}'
    )
    assert last.choices[0].finish_reason is FinishReason.LENGTH
    assert last.choices[0].delta.content is None and last.model_extra == {"u": 1}
    with pytest.raises(ValidationError):
        parse_completion_chunk("[DONE]")


# --- context ----------------------------------------------------------------------------------


def _ref(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "file": FILE, **more}


def test_references_dispatch_by_type_including_unknown() -> None:
    adapter: TypeAdapter[TypedReference] = TypeAdapter(TypedReference)
    assert isinstance(adapter.validate_python(_ref("text")), TextReference)
    assert isinstance(adapter.validate_python(_ref("json")), JsonReference)
    assert isinstance(adapter.validate_python(_ref("markdown")), MarkdownReference)
    pdf = adapter.validate_json(json.dumps(_ref("pdf", pages=[3])))
    assert isinstance(pdf, PdfReference) and pdf.pages == [3]
    docx = adapter.validate_python(_ref("doc_x", pages=[1, 2]))
    assert isinstance(docx, DocxReference) and docx.pages == [1, 2]
    other = adapter.validate_json(json.dumps(_ref("pptx", slides=[4])))
    assert isinstance(other, UnknownReference) and other.type == "pptx"
    assert other.file is not None and other.model_extra == {"slides": [4]}
    with pytest.raises(ValidationError):
        adapter.validate_python({"file": FILE})


def test_content_blocks_dispatch() -> None:
    adapter: TypeAdapter[ContentBlock] = TypeAdapter(ContentBlock)
    text = adapter.validate_python({"type": "text", "text": "hello"})
    assert isinstance(text, TextBlock) and text.text == "hello"
    img = adapter.validate_json(
        '{"type":"image","caption":"a chart",'
        '"image":{"type":"base64","mime_type":"image/png","data":"iVBO"}}'
    )
    assert isinstance(img, ImageBlock) and img.image is not None
    assert img.image.mime_type == "image/png" and img.caption == "a chart"
    no_binary = adapter.validate_python({"type": "image", "caption": "c", "image": None})
    assert isinstance(no_binary, ImageBlock) and no_binary.image is None
    audio = adapter.validate_python({"type": "audio", "seconds": 3})
    assert isinstance(audio, UnknownBlock) and audio.model_extra == {"seconds": 3}


CONTEXT: dict[str, Any] = {
    "id": "ctx-1",
    "snippets": [
        {
            "type": "text",
            "content": "Madrid is the capital",
            "score": 0.91,
            "reference": _ref("pdf", pages=[1]),
        },
        {
            "type": "multimodal",
            "content": [
                {"type": "text", "text": "Figure 1"},
                {
                    "type": "image",
                    "caption": "map",
                    "image": {"type": "base64", "mime_type": "image/jpeg", "data": "/9j/"},
                },
            ],
            "score": 0.5,
            "reference": _ref("doc_x", pages=[2]),
        },
        {"type": "video", "score": 0.1, "frames": 24},
        {"content": "untyped 2025-04 snippet", "score": 0.2, "reference": _ref("text")},
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 0, "total_tokens": 10},
}


def test_context_response_snippets_dispatch() -> None:
    for ctx in _both(ContextResponse, CONTEXT):
        text, multi, unknown, legacy = ctx.snippets
        assert isinstance(text, TextSnippet) and isinstance(text.reference, PdfReference)
        assert text.score == pytest.approx(0.91)
        assert isinstance(multi, MultimodalSnippet) and isinstance(multi.reference, DocxReference)
        assert [type(b) for b in multi.content] == [TextBlock, ImageBlock]
        assert isinstance(unknown, UnknownSnippet) and unknown.model_extra == {"frames": 24}
        assert isinstance(legacy, TextSnippet) and isinstance(legacy.reference, TextReference)
        assert ctx.usage.total_tokens == 10


def test_context_response_minimal() -> None:
    ctx = ContextResponse.model_validate_json('{"snippets":[],"usage":{}}')
    assert ctx.id is None and ctx.snippets == [] and ctx.usage == Usage()


# --- evaluation -------------------------------------------------------------------------------


ALIGNMENT: dict[str, Any] = {
    "metrics": {"correctness": 0.0, "completeness": 0.0, "alignment": 0.0},
    "reasoning": {
        "evaluated_facts": [
            {"fact": {"content": "Madrid is the capital of Spain."}, "entailment": "contradicted"},
            {"fact": {"content": "It is in the centre."}, "entailment": "partially"},
        ]
    },
    "usage": {"prompt_tokens": 1222, "completion_tokens": 25, "total_tokens": 1247},
}


def test_alignment_result_parses() -> None:
    for res in _both(AlignmentResult, ALIGNMENT):
        assert res.metrics.alignment == 0.0
        first, second = res.reasoning.evaluated_facts
        assert first.entailment is Entailment.CONTRADICTED
        assert second.entailment == "partially" and not isinstance(second.entailment, Entailment)
        assert res.usage.total_tokens == 1247
    with pytest.raises(ValidationError):
        AlignmentResult.model_validate({"metrics": ALIGNMENT["metrics"]})


# --- package surface --------------------------------------------------------------------------


def test_all_is_complete_and_resolvable() -> None:
    # typing's own names (TYPE_CHECKING, Any), imported for the lazy loading, are not ours
    names = [
        n
        for n in dir(models)
        if not n.startswith("_") and getattr(models, n) is not getattr(typing, n, None)
    ]
    public = {n for n in names if n[0].isupper() or n.startswith("parse_")}
    assert public <= set(models.__all__)
    for name in models.__all__:
        assert hasattr(models, name), name


def test_populate_by_name_and_extras_survive_round_trip() -> None:
    f = AssistantFile.model_validate({"id": "f", "name": "n", "future": [1]})
    again = AssistantFile.model_validate_json(f.model_dump_json())
    assert again == f and again.model_extra == {"future": [1]}


def test_enums_print_as_their_wire_value() -> None:
    from pinecone_assistant_async.models import Assistant, AssistantStatus

    assistant = Assistant.model_validate({"name": "docs", "status": "Ready"})
    assert f"{assistant.status}" == "Ready" == str(assistant.status)
    assert f"{assistant.status:>7}" == "  Ready"
    assert assistant.status is AssistantStatus.READY


def test_a_union_with_two_members_for_one_type_is_refused_when_it_is_built() -> None:
    # The union is the registry of kinds: a second class claiming "content_chunk" would make
    # one of them unreachable, so building its validator fails and names the type.
    from typing import Annotated, Literal

    from pinecone_assistant_async.models import ContentChunk
    from pinecone_assistant_async.models._base import APIModel, ByType

    class AnotherContent(APIModel):
        type: Literal["content_chunk"] = "content_chunk"
        text: str

    with pytest.raises(TypeError, match="stand for type 'content_chunk'"):
        TypeAdapter(Annotated[ContentChunk | AnotherContent, ByType()])
