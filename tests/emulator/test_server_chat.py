"""Chat, chat completions, context and evaluation over real HTTP (streaming and not)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api

pytestmark = pytest.mark.anyio

SPAIN = b"The capital of Spain is Madrid. Madrid has many museums.\n\nSeville is in the south."
FRANCE = b"The capital of France is Paris. The Seine flows through Paris."
QUESTION = [{"role": "user", "content": "What is the capital of Spain?"}]


async def _ready(api: Api) -> dict[str, str]:
    await api.create_ready("docs")
    spain = await api.upload_ready("docs", "spain.txt", SPAIN, metadata={"country": "es"})
    france = await api.upload_ready("docs", "france.md", FRANCE, metadata={"country": "fr"})
    return {"spain": spain, "france": france}


async def _stream(api: Api, path: str, body: dict[str, Any], **kw: Any) -> tuple[str, list[str]]:
    async with api.session.post("/assistant" + path, json=body, **kw) as resp:
        assert resp.status == 200, await resp.text()
        content_type = resp.headers["Content-Type"]
        text = (await resp.read()).decode()
    blocks = [b for b in text.split("\n\n") if b]
    assert all(b.startswith("data: ") for b in blocks)
    return content_type, [b[len("data: ") :] for b in blocks]


async def test_chat_answers_with_citations_to_real_files(api: Api) -> None:
    ids = await _ready(api)
    _, reply = await api.call("POST", "/chat/docs", json={"messages": QUESTION}, expect=200)
    assert "Madrid" in reply["message"]["content"]
    assert reply["finish_reason"] == "stop"
    cited = {ref["file"]["id"] for c in reply["citations"] for ref in c["references"]}
    assert ids["spain"] in cited
    for citation in reply["citations"]:
        assert 0 < citation["position"] <= len(reply["message"]["content"])
    assert reply["usage"]["total_tokens"] == (
        reply["usage"]["prompt_tokens"] + reply["usage"]["completion_tokens"]
    )


async def test_chat_stream_matches_the_unary_answer(api: Api) -> None:
    await _ready(api)
    _, unary = await api.call("POST", "/chat/docs", json={"messages": QUESTION}, expect=200)
    content_type, data = await _stream(api, "/chat/docs", {"messages": QUESTION, "stream": True})
    assert content_type.startswith("text/event-stream")
    events = [json.loads(d) for d in data]
    assert events[0]["type"] == "message_start"
    assert events[-1]["type"] == "message_end"
    text = "".join(e["delta"]["content"] for e in events if e["type"] == "content_chunk")
    assert text == unary["message"]["content"]
    assert [e["citation"]["position"] for e in events if e["type"] == "citation"] == [
        c["position"] for c in unary["citations"]
    ]


async def test_stream_chunks_control_sets_the_chunk_count(api: Api) -> None:
    await _ready(api)
    _, data = await _stream(
        api,
        "/chat/docs",
        {"messages": QUESTION, "stream": True},
        headers={"X-Emulator-Control": "stream_chunks=50"},
    )
    kinds = [json.loads(d)["type"] for d in data]
    assert kinds.count("content_chunk") == 50


async def test_chat_completions_unary_and_stream(api: Api) -> None:
    await _ready(api)
    _, done = await api.call(
        "POST", "/chat/docs/chat/completions", json={"messages": QUESTION}, expect=200
    )
    assert done["choices"][0]["message"]["role"] == "assistant"
    assert "Madrid" in done["choices"][0]["message"]["content"]
    _, data = await _stream(
        api, "/chat/docs/chat/completions", {"messages": QUESTION, "stream": True}
    )
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == done["choices"][0]["message"]["content"]


async def test_filter_restricts_retrieval(api: Api) -> None:
    ids = await _ready(api)
    body = {"messages": QUESTION, "filter": {"country": {"$eq": "fr"}}}
    _, reply = await api.call("POST", "/chat/docs", json=body, expect=200)
    cited = {ref["file"]["id"] for c in reply["citations"] for ref in c["references"]}
    assert ids["spain"] not in cited
    _, ctx = await api.call(
        "POST", "/chat/docs/context", json={"query": "capital", "filter": {"country": "es"}}
    )
    assert {s["reference"]["file"]["id"] for s in ctx["snippets"]} == {ids["spain"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messages": [{"role": "user", "content": ""}]}, "Message content cannot be empty"),
        ({"messages": [{"role": "user", "content": "   "}]}, "Message content cannot be empty"),
        ({"messages": []}, None),
        ({"messages": [{"role": "robot", "content": "hi"}]}, None),
        ({"messages": QUESTION, "filter": {"x": {"$bad": 1}}}, None),
        ({"messages": QUESTION, "filter": "x"}, None),
        ({"messages": QUESTION, "stream": True, "json_response": True}, None),
        ({"messages": QUESTION, "context_options": {"top_k": 65}}, None),
        ({"messages": QUESTION, "context_options": {"snippet_size": 100}}, None),
        ({"messages": QUESTION, "temperature": "hot"}, None),
    ],
)
async def test_chat_bad_requests_are_400(
    api: Api, body: dict[str, Any], message: str | None
) -> None:
    await _ready(api)
    status, reply = await api.call("POST", "/chat/docs", json=body)
    assert (status, reply["error"]["code"]) == (400, "INVALID_ARGUMENT")
    if message is not None:
        assert reply["error"]["message"] == message


async def test_chat_needs_a_ready_assistant_with_available_files(api: Api) -> None:
    status, _ = await api.call("POST", "/chat/nobody", json={"messages": QUESTION})
    assert status == 404
    await api.call("POST", "/assistants", json={"name": "young"}, expect=200)
    status, body = await api.call("POST", "/chat/young", json={"messages": QUESTION})
    assert (status, body["error"]["code"]) == (400, "FAILED_PRECONDITION")
    await api.wait_for("/assistants/young", "Ready")
    for path in ("/chat/young", "/chat/young/chat/completions"):
        status, body = await api.call("POST", path, json={"messages": QUESTION})
        assert (status, body["error"]["code"]) == (400, "FAILED_PRECONDITION")
    status, _ = await api.call("POST", "/chat/young/context", json={"query": "x"})
    assert status == 400


async def test_json_response_is_json(api: Api) -> None:
    await _ready(api)
    body = {"messages": QUESTION, "json_response": True}
    _, reply = await api.call("POST", "/chat/docs", json=body, expect=200)
    assert isinstance(json.loads(reply["message"]["content"]), dict)


async def test_context_query_or_messages(api: Api) -> None:
    ids = await _ready(api)
    _, ctx = await api.call("POST", "/chat/docs/context", json={"query": "Madrid"}, expect=200)
    assert ctx["snippets"][0]["reference"]["file"]["id"] == ids["spain"]
    assert ctx["snippets"][0]["reference"]["type"] == "text"
    _, ctx = await api.call("POST", "/chat/docs/context", json={"messages": QUESTION}, expect=200)
    assert ctx["snippets"]
    _, ctx = await api.call("POST", "/chat/docs/context", json={"query": "Seine"}, expect=200)
    assert ctx["snippets"][0]["reference"]["type"] == "markdown"
    for bad in (
        {},
        {"query": "x", "messages": QUESTION},
        {"query": ""},
        {"query": "x", "top_k": 0},
        {"query": "x", "snippet_size": 9000},
        {"query": "x", "multimodal": "yes"},
    ):
        status, _ = await api.call("POST", "/chat/docs/context", json=bad)
        assert status == 400, bad


async def test_old_version_stream_and_context(api: Api) -> None:
    await _ready(api)
    headers = {"X-Pinecone-Api-Version": "2025-04"}
    _, data = await _stream(
        api, "/chat/docs", {"messages": QUESTION, "stream": True}, headers=headers
    )
    assert json.loads(data[-1])["type"] == "message_end"
    _, ctx = await api.call("POST", "/chat/docs/context", json={"query": "Madrid"}, headers=headers)
    assert ctx["snippets"]


async def test_alignment_scores_and_422s(api: Api) -> None:
    body = {
        "question": "What is the capital of Spain?",
        "answer": "The capital of Spain is Madrid.",
        "ground_truth_answer": "The capital of Spain is Madrid.",
    }
    _, result = await api.call("POST", "/evaluation/metrics/alignment", json=body, expect=200)
    assert result["metrics"]["alignment"] == pytest.approx(1.0)
    for bad in (
        {k: v for k, v in body.items() if k != "answer"},
        {**body, "extra": 1},
        {**body, "question": 3},
    ):
        status, err = await api.call("POST", "/evaluation/metrics/alignment", json=bad)
        assert status == 422
        assert set(err) == {"message"}
    status, err = await api.call("POST", "/evaluation/metrics/alignment", data=b"nope")
    assert (status, set(err)) == (422, {"message"})
    status, err = await api.call(
        "POST", "/evaluation/metrics/alignment", json=body, headers={"Api-Key": "bad"}
    )
    assert (status, set(err)) == (401, {"message"})


async def test_highlights_on_request(api: Api) -> None:
    await _ready(api)
    body = {"messages": QUESTION, "include_highlights": True}
    _, reply = await api.call("POST", "/chat/docs", json=body, expect=200)
    highlights = [r["highlight"] for c in reply["citations"] for r in c["references"]]
    assert highlights
    assert all(h["type"] == "text" and h["content"] for h in highlights)
    _, plain = await api.call("POST", "/chat/docs", json={"messages": QUESTION}, expect=200)
    assert all(r.get("highlight") is None for c in plain["citations"] for r in c["references"])
