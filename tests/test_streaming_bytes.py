"""Stream decoding against byte-exact bodies from a tiny aiohttp.web server.

The emulator cannot produce every kind of damage (malformed JSON, error objects mid-stream,
U+2028 inside a chunk, [DONE] followed by more data); these tests serve the exact bytes. The
last test checks that ``parse_chat_chunk`` (pydantic-core's tagged union over the known chunk
types, the general union only when the tag is not one of them) agrees with validating the parsed
JSON against the public ``ChatStreamChunk`` union.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from pinecone_assistant_async import AssistantClient, StreamError
from pinecone_assistant_async.models import parse_chat_chunk
from pinecone_assistant_async.models.chat import ChatStreamChunk
from pinecone_assistant_async.streaming import ChatStream
from tests.test_chat import QUESTION

pytestmark = pytest.mark.anyio


# -- byte-exact bodies from a local server ---------------------------------------------------


def sse(*payloads: Any) -> bytes:
    out = []
    for payload in payloads:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        out.append(b"data: " + text.encode() + b"\n\n")
    return b"".join(out)


HEAD = {"id": "r1", "model": "gpt-4o"}
START = {"type": "message_start", "role": "assistant", **HEAD}
END = {"type": "message_end", "finish_reason": "stop", **HEAD}


def content(text: str) -> dict[str, Any]:
    return {"type": "content_chunk", "delta": {"content": text}, **HEAD}


Serve = Callable[..., AssistantClient]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """``serve(body)``: a client whose chat streams answer with exactly ``body``."""
    state: dict[str, Any] = {}

    async def chat(request: web.Request) -> web.StreamResponse:
        await request.read()
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(state["body"])
        if state.get("cut"):
            assert request.transport is not None
            request.transport.close()  # drop the connection without ending the body
        else:
            await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_post("/assistant/chat/{name}", chat)
    app.router.add_post("/assistant/chat/{name}/chat/completions", chat)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    clients: list[AssistantClient] = []

    def make(body: bytes, *, cut: bool = False) -> AssistantClient:
        state["body"] = body
        state["cut"] = cut
        client = AssistantClient(api_key="local-key", host=url, data_host=url)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    await runner.cleanup()


async def read_all(stream: ChatStream) -> list[Any]:
    return [chunk async for chunk in stream]


async def test_u2028_inside_a_chunk_is_text_not_a_line_end(serve: Serve) -> None:
    client = serve(sse(START, content("a\u2028b\u2029c\x85d"), content(" é😀"), END))
    async with client.chat_stream("docs", QUESTION) as stream:
        pieces = [piece async for piece in stream.text()]
    assert pieces == ["a\u2028b\u2029c\x85d", " é😀"]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            '{"type": "content_chunk", "id": "r1", "model": "gpt-4o", "delta": {"content": "x"',
            "JSON",
        ),
        ('{"type": "content_chunk", "id": "r1", "model": "gpt-4o"}', "delta"),
        ("not json at all", "JSON"),
        ('["a list"]', ""),
    ],
)
async def test_a_malformed_chunk_names_the_line(serve: Serve, bad: str, reason: str) -> None:
    client = serve(sse(START, content("ok"), bad, END))
    async with client.chat_stream("docs", QUESTION) as stream:
        received: list[Any] = []
        with pytest.raises(StreamError) as caught:
            async for chunk in stream:
                received.append(chunk)
    error = caught.value
    assert error.line == "data: " + bad
    assert reason in str(error)
    assert "malformed chunk" in str(error)
    assert "pydantic" not in str(error) and "ValidationError" not in str(error)
    assert error.__cause__ is None and error.__context__ is None
    assert len(received) == 2  # the good chunks before it were delivered


async def test_an_error_object_mid_stream_gives_the_server_message(serve: Serve) -> None:
    error_event = {"error": {"code": "INTERNAL", "message": "model overloaded"}}
    client = serve(sse(START, content("partial"), error_event))
    async with client.chat_stream("docs", QUESTION) as stream:
        with pytest.raises(StreamError, match="model overloaded") as caught:
            await read_all(stream)
    assert caught.value.line is not None and "model overloaded" in caught.value.line


async def test_a_stream_cut_inside_an_event_is_a_stream_error(serve: Serve) -> None:
    body = sse(START, content("partial"), END)
    client = serve(body[:-1])  # the blank line that would dispatch message_end is missing
    async with client.chat_stream("docs", QUESTION) as stream:
        with pytest.raises(StreamError, match="middle of an event"):
            await read_all(stream)


async def test_done_ends_a_completion_stream(serve: Serve) -> None:
    chunk = {"id": "c1", "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": "hi"}}]}
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    tail = {"id": "c1", "model": "gpt-4o", "choices": [], "usage": usage}
    client = serve(sse(chunk, tail, "[DONE]", chunk))  # nothing after [DONE] counts
    async with client.chat_completions_stream("docs", QUESTION) as stream:
        chunks = [c async for c in stream]
        final = await stream.final()
    assert len(chunks) == 2
    assert final.choices[0].message.content == "hi"
    assert final.choices[0].finish_reason is None
    assert final.usage is not None and final.usage.total_tokens == 4


async def test_a_completion_stream_without_done_or_finish_fails(serve: Serve) -> None:
    chunk = {"id": "c1", "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": "hi"}}]}
    client = serve(sse(chunk))
    async with client.chat_completions_stream("docs", QUESTION) as stream:
        with pytest.raises(StreamError, match=r"finish_reason or \[DONE\]"):
            await stream.final()


async def test_aiohttp_session_is_borrowed_for_streams(serve: Serve) -> None:
    client = serve(sse(START, content("x"), END))
    async with aiohttp.ClientSession() as session:
        async with (
            AssistantClient(
                api_key="k",
                host=client.config.control_base,
                data_host=client.config.control_base,
                session=session,
            ) as borrowed,
            borrowed.chat_stream("docs", QUESTION) as stream,
        ):
            assert (await stream.final()).message.content == "x"
        assert not session.closed


# -- the fast parser agrees with the general union --------------------------------------------

TAGS = ["content_chunk", "citation", "message_start", "message_end", "other", ""]
VALID_FIELDS: dict[str, dict[str, Any]] = {
    "content_chunk": {"id": "r", "model": "m", "delta": {"content": "x"}},
    "citation": {"id": "r", "model": "m", "citation": {"position": 1, "references": []}},
    "message_start": {"id": "r", "model": "m", "role": "assistant"},
    "message_end": {"id": "r", "model": "m", "finish_reason": "stop"},
    "other": {"id": "r"},
    "": {},
}
FIELD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just({"content": "x"})
)
FIELD_NAMES = st.sampled_from(["id", "model", "delta", "citation", "finish_reason", "x"])


@st.composite
def chunk_fields(draw: st.DrawFn, tag: str) -> dict[str, Any]:
    """The valid fields of ``tag``'s chunk, sometimes with one dropped, changed or added."""
    fields = dict(VALID_FIELDS[tag])
    action = draw(st.sampled_from(["keep", "keep", "drop", "set"]))
    if action == "drop" and fields:
        del fields[draw(st.sampled_from(sorted(fields)))]
    elif action == "set":
        fields[draw(FIELD_NAMES)] = draw(FIELD_VALUES)
    return fields


_UNION = TypeAdapter(ChatStreamChunk)


def _by_the_union(data: str) -> Any:
    """The reference: Python's JSON parser (last duplicate key wins, as in pydantic-core),
    then the public union validating the Python object."""
    return _UNION.validate_python(json.loads(data))


def outcome(parse: Callable[[str], Any], data: str) -> Any:
    try:
        chunk = parse(data)
    except ValidationError:
        return "invalid"
    return type(chunk), chunk.model_dump()


@settings(max_examples=300, deadline=None)
@given(
    tag_and_fields=st.sampled_from(TAGS).flatmap(
        lambda tag: st.tuples(st.just(tag), chunk_fields(tag))
    ),
    type_first=st.booleans(),
    spaced=st.booleans(),
    duplicate=st.sampled_from([None, None, None, *TAGS]),
)
def test_the_fast_parser_parses_exactly_like_the_union(
    tag_and_fields: tuple[str, dict[str, Any]],
    type_first: bool,
    spaced: bool,
    duplicate: str | None,
) -> None:
    tag, fields = tag_and_fields
    separators = (", ", ": ") if spaced else (",", ":")
    body = json.dumps(fields, separators=separators)[1:-1]
    head = json.dumps({"type": tag}, separators=separators)[1:-1]
    parts = [head, body] if type_first else [body, head]
    if duplicate is not None:
        parts.append(json.dumps({"type": duplicate}, separators=separators)[1:-1])
    data = "{" + separators[0].join(p for p in parts if p) + "}"
    assert outcome(parse_chat_chunk, data) == outcome(_by_the_union, data)


@pytest.mark.parametrize("cut", [False, True])
async def test_a_complete_answer_survives_damage_after_its_end(serve: Serve, cut: bool) -> None:
    client = serve(sse(START, content("done"), END) + b'data: {"type":', cut=cut)
    async with client.chat_stream("docs", QUESTION) as stream:
        final = await stream.final()
    assert final.message.content == "done"


async def test_a_cut_before_the_end_is_a_stream_error(serve: Serve) -> None:
    client = serve(sse(START, content("partial")), cut=True)
    async with client.chat_stream("docs", QUESTION) as stream:
        with pytest.raises(StreamError, match="cut"):
            await stream.final()


@pytest.mark.parametrize("before_content", [True, False])
async def test_the_api_key_never_appears_in_a_stream_error(
    serve: Serve, before_content: bool
) -> None:
    echo = {"error": {"message": "rejected key local-key"}}
    client = serve(sse(START, echo) if before_content else sse(START, content("a"), echo))
    with pytest.raises(StreamError) as caught:
        # before any content the error event fails the opening (after its retries): it
        # raises on entry; after content it fails the stream
        async with client.chat_stream("docs", QUESTION) as stream:
            await stream.final()
    error = caught.value
    assert "rejected key" in str(error)
    assert "local-key" not in str(error) and "local-key" not in repr(error)
    assert error.line is not None and "local-key" not in error.line
