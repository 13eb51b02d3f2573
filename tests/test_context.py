"""client.context: query or messages, every option on the wire, typed snippets and references."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import AssistantClient, InvalidInputError, InvalidTypeError
from pinecone_assistant_async.models import (
    ContextResponse,
    DocxReference,
    ImageBlock,
    JsonReference,
    MarkdownReference,
    MultimodalSnippet,
    PdfReference,
    TextBlock,
    TextReference,
    TextSnippet,
    UnknownSnippet,
)
from pinecone_assistant_async.testing import Emulator
from tests.test_chat import ready_docs

pytestmark = pytest.mark.anyio


def context_requests(emulator: Emulator) -> list[Any]:
    return [
        r.json
        for r in emulator.requests
        if r.method == "POST" and r.path == "/assistant/chat/docs/context"
    ]


async def test_context_for_a_query(emulator: Emulator) -> None:
    files = await ready_docs(emulator)
    async with emulator.client() as client:
        ctx = await client.context("docs", "When does the office open?")
    assert isinstance(ctx, ContextResponse)
    assert ctx.id
    assert ctx.usage.prompt_tokens
    top = ctx.snippets[0]
    assert isinstance(top, TextSnippet)
    assert "office opens at nine" in top.content
    assert 0 < top.score <= 1
    assert isinstance(top.reference, TextReference)
    assert top.reference.file.id == files["guide.txt"]
    assert context_requests(emulator) == [{"query": "When does the office open?"}]


async def test_every_context_parameter_reaches_the_service(emulator: Emulator) -> None:
    files = await ready_docs(emulator)
    async with emulator.client() as client:
        ctx = await client.context(
            "docs",
            messages=[{"content": "Where do visitors sign in?"}],
            filter={"team": "library"},
            top_k=64,
            snippet_size=512,
            multimodal=True,
            include_binary_content=False,
            timeout=15,
        )
    assert context_requests(emulator) == [
        {
            "messages": [{"role": "user", "content": "Where do visitors sign in?"}],
            "filter": {"team": "library"},
            "top_k": 64,
            "snippet_size": 512,
            "multimodal": True,
            "include_binary_content": False,
        }
    ]
    assert ctx.snippets
    for snippet in ctx.snippets:
        assert isinstance(snippet, TextSnippet)
        assert isinstance(snippet.reference, MarkdownReference)
        assert snippet.reference.file.id == files["notes.md"]


async def test_json_files_give_json_references(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        data = {"cafeteria": "The cafeteria serves breakfast from seven."}
        await client.files.upload("docs", json.dumps(data).encode(), file_name="facts.json")
        ctx = await client.context("docs", "cafeteria breakfast", top_k=1)
    [snippet] = ctx.snippets
    assert isinstance(snippet, TextSnippet)
    assert isinstance(snippet.reference, JsonReference)
    assert snippet.reference.file.name == "facts.json"


BAD_CONTEXT_CALLS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({}, InvalidInputError, "exactly one"),
    ({"query": "q", "messages": "q"}, InvalidInputError, "exactly one"),
    ({"query": ""}, InvalidInputError, "query"),
    ({"query": 5}, InvalidTypeError, "query"),
    ({"messages": []}, InvalidInputError, "messages"),
    ({"query": "q", "top_k": 0}, InvalidInputError, "top_k"),
    ({"query": "q", "top_k": 65}, InvalidInputError, "top_k"),
    ({"query": "q", "top_k": True}, InvalidTypeError, "top_k"),
    ({"query": "q", "snippet_size": 511}, InvalidInputError, "snippet_size"),
    ({"query": "q", "snippet_size": 8193}, InvalidInputError, "snippet_size"),
    ({"query": "q", "snippet_size": "big"}, InvalidTypeError, "snippet_size"),
    ({"query": "q", "multimodal": 1}, InvalidTypeError, "multimodal"),
    ({"query": "q", "include_binary_content": "no"}, InvalidTypeError, "include_binary"),
    (
        {"query": "q", "multimodal": False, "include_binary_content": True},
        InvalidInputError,
        "include_binary_content",
    ),
    ({"query": "q", "filter": "team"}, InvalidTypeError, "filter"),
    ({"query": "q", "timeout": -1}, InvalidInputError, "timeout"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD_CONTEXT_CALLS)
async def test_bad_context_input_is_rejected_before_sending(
    emulator: Emulator, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    async with emulator.client() as client:
        with pytest.raises(error, match=match):
            await client.context("docs", **kwargs)
    assert emulator.requests == []


async def test_the_limits_themselves_are_accepted(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client() as client:
        await client.context("docs", "office", top_k=1, snippet_size=8192)
        await client.context("docs", "office", top_k=64, snippet_size=512)
    assert [(b["top_k"], b["snippet_size"]) for b in context_requests(emulator)] == [
        (1, 8192),
        (64, 512),
    ]


async def test_multimodal_snippets_and_every_reference_type() -> None:
    """Shapes the emulator does not produce (images, pdf, docx), from a local server."""
    file = {"id": "f1", "name": "report.pdf", "status": "Available"}
    body = {
        "id": "ctx-1",
        "usage": {"prompt_tokens": 9, "completion_tokens": 0, "total_tokens": 9},
        "snippets": [
            {
                "type": "multimodal",
                "score": 0.9,
                "content": [
                    {"type": "text", "text": "Figure 2"},
                    {
                        "type": "image",
                        "caption": "a chart",
                        "image": {"type": "base64", "mime_type": "image/png", "data": "iVBO"},
                    },
                ],
                "reference": {"type": "pdf", "file": file, "pages": [2]},
            },
            {
                "type": "text",
                "score": 0.5,
                "content": "Section 4",
                "reference": {"type": "doc_x", "file": {**file, "name": "a.docx"}, "pages": [4]},
            },
            {"type": "video", "score": 0.1, "frames": 3},
        ],
    }
    seen: list[Any] = []

    async def context(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.json_response(body)

    app = web.Application()
    app.router.add_post("/assistant/chat/{name}/context", context)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with AssistantClient(api_key="k", host=url, data_host=url) as client:
            ctx = await client.context(
                "docs", "chart", multimodal=True, include_binary_content=True
            )
    finally:
        await runner.cleanup()
    assert seen == [{"query": "chart", "multimodal": True, "include_binary_content": True}]
    image, docx, unknown = ctx.snippets
    assert isinstance(image, MultimodalSnippet)
    assert isinstance(image.reference, PdfReference) and image.reference.pages == [2]
    text_block, image_block = image.content
    assert isinstance(text_block, TextBlock) and text_block.text == "Figure 2"
    assert isinstance(image_block, ImageBlock) and image_block.image is not None
    assert image_block.image.mime_type == "image/png"
    assert isinstance(docx, TextSnippet) and isinstance(docx.reference, DocxReference)
    assert isinstance(unknown, UnknownSnippet) and unknown.model_extra == {"frames": 3}
