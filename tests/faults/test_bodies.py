"""Bodies the spec does not promise: HTML and empty errors, truncated JSON, odd error shapes,
unknown fields, missing optional fields, unknown enum values and unknown chunk types."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    AssistantClient,
    BadRequestError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from pinecone_assistant_async.models import (
    AssistantStatus,
    ContentChunk,
    FileStatus,
    OperationStatus,
    UnknownChunk,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import CHAT, DOCS, FAST_RETRY, LocalServer, json_reply, raw_reply

pytestmark = pytest.mark.anyio

UNKNOWN = "EmulatorUnknownValue"
EXTRA = "x_emulator_unknown_field"


async def _with_a_file(emu: Emulator) -> None:
    async with emu.client() as client:
        await client.files.upload("docs", b"The office opens at nine.", file_name="a.txt")


def _client(server: LocalServer) -> AssistantClient:
    return AssistantClient(api_key="test-key-0123456789", host=server.url, retry=FAST_RETRY)


async def test_an_html_proxy_page_is_a_server_error_with_its_title(docs: Emulator) -> None:
    docs.add_fault("status=502;body=html;request_id=edge-1", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(ServerError) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert type(error) is ServerError
    assert error.message == "HTTP 502 with a non-JSON body: 502 Bad Gateway"
    assert (error.status, error.code, error.request_id) == (502, None, "edge-1")
    assert isinstance(error.body, str) and "<center>envoy</center>" in error.body
    assert docs.count(path=DOCS) == 3  # a 502 is retried whatever its body


async def test_an_empty_error_body_still_gives_the_class_and_a_message(docs: Emulator) -> None:
    docs.add_fault("status=503;body=empty;request_id=e-1", path=DOCS, method="GET")
    async with docs.client(retry=RetryPolicy.disabled()) as client:
        with pytest.raises(ServiceUnavailableError) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert (error.message, error.code, error.body, error.request_id) == (
        "HTTP 503 with an empty body",
        None,
        None,
        "e-1",
    )


async def test_a_truncated_json_error_is_not_a_json_crash(docs: Emulator) -> None:
    docs.add_fault("status=400;body=truncated", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(BadRequestError) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert error.code is None
    assert error.message.startswith('HTTP 400 with a non-JSON body: {"error": {"code": "INVALID')
    assert isinstance(error.body, str) and error.body.startswith('{"error"')
    assert info.value.__cause__ is None and info.value.__suppress_context__ is False
    assert docs.count(path=DOCS) == 1


async def test_evaluation_errors_in_their_basic_shape_keep_the_message(docs: Emulator) -> None:
    docs.add_fault("status=422;message=question is too long", path="evaluation")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(UnprocessableEntityError) as info:
            await client.evaluation.alignment(question="q", answer="a", ground_truth_answer="g")
    assert (info.value.message, info.value.code) == ("question is too long", None)
    assert info.value.body == {"message": "question is too long"}


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"error": {"code": 13, "message": "boom"}}, "13", "boom"),
        ({"error": {"code": "INTERNAL"}}, "INTERNAL", "HTTP 500"),
        ({"error": "plain words"}, None, "plain words"),
        ({"detail": "from a framework"}, None, "from a framework"),
        ({"detail": [{"loc": ["body"], "msg": "bad"}]}, None, '[{"loc": ["body"], "msg": "bad"}]'),
        ([1, 2, 3], None, "HTTP 500 with a non-JSON body: [1, 2, 3]"),
        ("just a string", None, 'HTTP 500 with a non-JSON body: "just a string"'),
    ],
)
async def test_odd_json_error_shapes_give_a_useful_message(
    body: object, code: str | None, message: str
) -> None:
    async with LocalServer(json_reply(body, status=500)) as server, _client(server) as client:
        with pytest.raises(ServerError) as info:
            await client.assistants.describe("docs")
    assert (info.value.code, info.value.message) == (code, message)
    assert len(server.seen) == 3


async def test_a_huge_html_error_page_is_summarised(docs: Emulator) -> None:
    page = b"<html><body>" + b"<p>overloaded</p>" * 100_000 + b"</body></html>"
    async with LocalServer(raw_reply(page, status=503)) as server, _client(server) as client:
        with pytest.raises(ServiceUnavailableError) as info:
            await client.assistants.describe("docs")
    message = info.value.message
    assert message.startswith("HTTP 503 with a non-JSON body: overloaded overloaded")
    assert len(message) <= 240 and message.endswith("...")


async def test_a_2xx_body_that_is_not_json_is_a_decode_error_and_not_retried() -> None:
    async with (
        LocalServer(raw_reply(b"<html>maintenance</html>")) as server,
        _client(server) as client,
    ):
        url = f"{server.url}/assistant/assistants/docs"
        with pytest.raises(ResponseDecodeError) as info:
            await client.assistants.describe("docs")
    assert (info.value.method, info.value.url) == ("GET", url)
    assert str(info.value).startswith(f"unexpected response body for GET {url}: ")
    assert len(server.seen) == 1


async def test_a_2xx_body_missing_a_required_field_is_a_decode_error() -> None:
    async with (
        LocalServer(json_reply({"status": "Ready"})) as server,
        _client(server) as client,
    ):
        with pytest.raises(ResponseDecodeError) as info:
            await client.assistants.describe("docs")
    assert info.value.message.endswith("name: Field required")
    assert info.value.status == 200


async def test_a_decode_error_carries_the_status_request_id_and_a_bounded_redacted_snippet() -> (
    None
):
    key = "test-key-0123456789"
    echoed = {"status": "Ready", "echo": key, "padding": "x" * 5000}
    async with (
        LocalServer(json_reply(echoed, 200, **{"x-pinecone-request-id": "rid-77"})) as server,
        _client(server) as client,
    ):
        with pytest.raises(ResponseDecodeError) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert (error.status, error.request_id, error.attempts) == (200, "rid-77", 1)
    snippet = error.body_snippet
    assert snippet is not None and snippet.startswith('{"status"')
    assert len(snippet) <= ResponseDecodeError.SNIPPET_CHARS
    assert key not in snippet and "[redacted]" in snippet
    assert "HTTP 200" in str(error) and "rid-77" in str(error)


async def test_missing_optional_fields_are_none() -> None:
    async with (
        LocalServer(json_reply({"name": "docs", "status": "Ready"})) as server,
        _client(server) as client,
    ):
        assistant = await client.assistants.describe("docs")
    assert assistant.status == AssistantStatus.READY
    assert (assistant.host, assistant.instructions, assistant.metadata) == (None, None, None)
    assert (assistant.created_at, assistant.region) == (None, None)


async def test_minimal_file_and_operation_bodies_decode() -> None:
    bodies: dict[str, dict[str, Any]] = {
        "/assistant/assistants/docs": {"name": "docs", "status": "Ready", "host": "SELF"},
        "/assistant/files/docs": {"files": [{"id": "f1", "name": "a.txt"}]},
        "/assistant/operations/docs/op1": {
            "id": "op1",
            "operation_type": "upload_file",
            "status": "Processing",
        },
    }

    async def route(request: web.Request) -> web.StreamResponse:
        body = dict(bodies[request.path])
        if body.get("host") == "SELF":
            body["host"] = server.url
        return web.json_response(body)

    async with LocalServer(route) as server, _client(server) as client:
        files = (await client.files.list_page("docs")).items
        op = await client.operations.describe("docs", "op1")
    assert [(f.id, f.name, f.status, f.size, f.metadata) for f in files] == [
        ("f1", "a.txt", None, None, None)
    ]
    assert (op.status, op.file_id, op.percent_complete) == (OperationStatus.PROCESSING, None, None)


async def test_unknown_fields_are_kept_not_fatal(docs: Emulator) -> None:
    async with docs.client(extra_headers={"X-Emulator-Control": "extra_fields=1;times=0"}) as c:
        assistant = await c.assistants.describe("docs")
        uploaded = await c.files.upload("docs", b"The office opens at nine.", file_name="a.txt")
        page = await c.files.list_page("docs")
        reply = await c.chat("docs", "When does the office open?")
    assert assistant.model_extra is not None and EXTRA in assistant.model_extra
    assert uploaded.status == FileStatus.AVAILABLE and EXTRA in (uploaded.model_extra or {})
    assert [f.id for f in page.items] == [uploaded.id]
    assert "nine" in reply.message.content and EXTRA in (reply.model_extra or {})


async def test_unknown_enum_values_are_kept_as_strings(docs: Emulator) -> None:
    await _with_a_file(docs)
    async with docs.client(extra_headers={"X-Emulator-Control": "unknown_enum=1;times=0"}) as c:
        assistant = await c.assistants.describe("docs")
        op = await c.files.upload("docs", b"text", file_name="a.txt", wait=False)
        reply = await c.chat("docs", "anything?")
    assert assistant.status == UNKNOWN
    assert (op.status, op.operation_type) == (UNKNOWN, UNKNOWN)  # type: ignore[union-attr]
    assert reply.finish_reason == UNKNOWN


async def test_waiting_on_an_unknown_status_runs_to_the_deadline(docs: Emulator) -> None:
    docs.add_fault("unknown_enum=1", path=DOCS, method="GET")
    async with docs.client() as client:
        with pytest.raises(WaitTimeoutError) as info:
            await client.assistants.wait_until_ready("docs", timeout=0.3)
    assert info.value.last is not None and info.value.last.status == UNKNOWN
    assert info.value.timeout == 0.3


async def test_an_unknown_chunk_type_is_kept_and_the_answer_is_whole(docs: Emulator) -> None:
    await _with_a_file(docs)
    async with docs.client() as client:
        plain = await client.chat("docs", "hello")
        ctl = {"X-Emulator-Control": "extra_chunk=reasoning_trace"}
        async with (
            docs.client(extra_headers=ctl) as odd,
            odd.chat_stream("docs", "hello") as stream,
        ):
            chunks = [chunk async for chunk in stream]
            final = await stream.final()
    unknown = [c for c in chunks if isinstance(c, UnknownChunk)]
    assert len(unknown) == 1 and chunks[1] is unknown[0]
    assert unknown[0].type == "reasoning_trace"
    assert (unknown[0].model_extra or {})["payload"] == {"note": "chunk type unknown to the spec"}
    text = "".join(c.delta.content for c in chunks if isinstance(c, ContentChunk))
    assert text == final.message.content == plain.message.content


async def test_an_unknown_chunk_in_a_completion_stream_does_not_break_it(docs: Emulator) -> None:
    await _with_a_file(docs)
    async with docs.client() as client:
        plain = await client.chat_completions("docs", "hello")
    ctl = {"X-Emulator-Control": "extra_chunk=reasoning_trace"}
    async with (
        docs.client(extra_headers=ctl) as odd,
        odd.chat_completions_stream("docs", "hello") as stream,
    ):
        final = await stream.final()
    assert final.choices[0].message.content == plain.choices[0].message.content
    assert docs.count(method="POST", path=CHAT + "|completions") >= 2
