"""The per-token fast paths of the streams give exactly what the general path gives.

A payload that starts like the service's content chunks (``{"type":"content_chunk"``, compact)
goes straight to ``ContentChunk``'s validator; anything it rejects falls back to the general
path (``_on_event``). These tests serve odd bodies byte for byte and compare what a stream
yields, assembles and raises with the fast path against the same stream read by the general
path alone (``EventStream._chunks``, which hands every event to ``_on_event``). The same
holds for ``ChatCompletionStream``, whose fast path validates and accounts a chunk inline.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinecone_assistant_async import StreamError
from pinecone_assistant_async._event_stream import EventStream
from pinecone_assistant_async.models.chat import (
    CONTENT_CHUNK_PREFIX,
    parse_chat_chunk,
    parse_content_chunk,
)
from pinecone_assistant_async.streaming import ChatCompletionStream, ChatStream
from tests.test_chat import QUESTION
from tests.test_streaming_bytes import Serve, chunk_fields, outcome, serve

__all__ = ["serve"]  # the fixture, imported for these tests

pytestmark = pytest.mark.anyio


def compact(payload: Any) -> str:
    """A payload the way the service writes it: ``type`` first, no spaces."""
    return payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))


def body(*payloads: Any) -> bytes:
    return b"".join(b"data: " + compact(p).encode() + b"\n\n" for p in payloads)


HEAD = {"id": "r1", "model": "gpt-4o"}
START = {"type": "message_start", **HEAD, "role": "assistant"}
END = {"type": "message_end", **HEAD, "finish_reason": "stop"}


def content(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "content_chunk", **HEAD, "delta": {"content": text}, **extra}


C = '{"type":"content_chunk","id":"r1","model":"gpt-4o"'
EVENTS: dict[str, Any] = {
    "content": content("a"),
    "content, extra fields": content("b", x=[1, {"y": None}]),
    "content, extra delta field": {**content(""), "delta": {"content": "c", "role": "x"}},
    "content, type not first": '{"id":"r1","type":"content_chunk","model":"m",'
    '"delta":{"content":"d"}}',
    "content, spaced": '{"type": "content_chunk", "id": "r1", "model": "m", '
    '"delta": {"content": "e"}}',
    "content, filters": content("f", content_filter_results={"spec": "ok"}),
    "content, unicode": content("é😀\u2028"),
    "a longer type name": '{"type":"content_chunk_v2","id":"r1","model":"m","delta":{}}',
    "unknown type": '{"type":"tool_call","id":"r1","model":"m","tool":{"name":"x"}}',
    "prefix, no fields": '{"type":"content_chunk"}',
    "prefix, content not a string": C + ',"delta":{"content":1}}',
    "prefix, delta missing": C + "}",
    "prefix, truncated JSON": C + ',"delta":{"content":"h"',
    "prefix, trailing garbage": C + ',"delta":{"content":"i"}} x',
    "prefix, then a citation type": C + ',"delta":{"content":"j"},"citation":{"position":1},'
    '"type":"citation"}',
    "prefix, then an unknown type": C + ',"delta":{"content":"k"},"type":"other"}',
    "prefix, then the same type": C + ',"delta":{"content":"l"},"type":"content_chunk"}',
    "citation": {"type": "citation", **HEAD, "citation": {"position": 1, "references": []}},
    "not JSON": "not json",
    "error event": {"error": {"code": "INTERNAL", "message": "model overloaded"}},
    "[DONE]": "[DONE]",
    "message_end": END,
}


async def observe(client: Any) -> list[Any]:
    """Everything a reader sees: each chunk, then the answer or the error."""
    seen: list[Any] = []
    try:
        async with client.chat_stream("docs", QUESTION) as stream:
            async for chunk in stream:
                seen.append((type(chunk).__name__, chunk.model_dump()))
            final = await stream.final()
    except StreamError as exc:
        seen.append(("error", type(exc).__name__, str(exc), exc.line))
    else:
        seen.append(("final", final.model_dump()))
    return seen


async def both_paths(serve: Serve, data: bytes, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the fast path shows for ``data``, after checking that the general path agrees."""
    fast = await observe(serve(data))
    with monkeypatch.context() as patched:
        patched.setattr(ChatStream, "_chunks", EventStream._chunks)
        general = await observe(serve(data))
    assert fast == general
    return fast


@pytest.mark.parametrize("name", sorted(EVENTS))
async def test_one_odd_event_between_content_chunks(
    serve: Serve, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    seen = await both_paths(
        serve, body(START, content("x"), EVENTS[name], content("y"), END), monkeypatch
    )
    assert seen[1] == ("ContentChunk", content("x") | {"content_filter_results": None})


async def test_the_answer_is_assembled_from_fast_chunks(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = [f"w{i} " for i in range(300)]  # several reads' worth
    general_path = ChatStream._on_event
    calls: list[str] = []

    def counted(stream: ChatStream, data: str) -> Any:
        calls.append(data)
        return general_path(stream, data)

    monkeypatch.setattr(ChatStream, "_on_event", counted)
    data = body(START, *map(content, words), END)
    seen = await observe(serve(data))
    fast_path_calls = list(calls)
    fast_calls = len(fast_path_calls)
    calls.clear()
    # the start and the end (neither the first event of a read) took the fast path too
    assert {compact(START), compact(END)}.isdisjoint(fast_path_calls)
    assert seen == await both_paths(serve, data, monkeypatch)
    assert seen[-1][0] == "final"
    assert seen[-1][1]["message"]["content"] == "".join(words)
    # the two paths really differ: the general one took every event (the start, 300
    # contents, the end), the fast one only the first event of each read after the first
    # (it comes through _next, which reads); both_paths read it once more each way
    assert 1 <= fast_calls <= 10
    assert len(calls) == fast_calls + 302 and calls[fast_calls + 1] == compact(content("w0 "))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(st.sampled_from(sorted(EVENTS)), max_size=8))
async def test_any_mix_of_events(
    serve: Serve, monkeypatch: pytest.MonkeyPatch, names: list[str]
) -> None:
    # content first: an error event before any content would be retried as a failed opening
    events = (EVENTS[n] for n in names)
    await both_paths(serve, body(START, content("a"), *events, content("z"), END), monkeypatch)


@settings(max_examples=300, deadline=None)
@given(fields=chunk_fields("content_chunk"), duplicate=st.sampled_from([None, "citation", "x"]))
def test_the_content_parser_agrees_with_the_general_one(
    fields: dict[str, Any], duplicate: str | None
) -> None:
    data = compact({"type": "content_chunk", **fields})
    if duplicate is not None:
        data = data[:-1] + f',"type":"{duplicate}"}}'
    assert data.startswith(CONTENT_CHUNK_PREFIX)
    direct = outcome(parse_content_chunk, data)
    assert direct == "invalid" or direct == outcome(parse_chat_chunk, data)


# -- completion streams ------------------------------------------------------------------------


def choice(index: int = 0, finish: str | None = None, **delta: Any) -> dict[str, Any]:
    one: dict[str, Any] = {"index": index, "delta": delta}
    if finish is not None:
        one["finish_reason"] = finish
    return {"id": "c1", "model": "m", "choices": [one]}


COMPLETION_EVENTS: dict[str, Any] = {
    "role": choice(role="assistant", content=""),
    "content": choice(content="a"),
    "content, choice 1": choice(1, content="b"),
    "finish": choice(finish="stop"),
    "finish, choice 1": choice(1, finish="length"),
    "unknown finish reason": choice(finish="tool_use"),
    "no choices, usage": {
        "id": "c1",
        "model": "m",
        "choices": [],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    },
    "extra fields": choice(content="c") | {"system_fingerprint": "x"},
    "content not a string": choice(content=1),
    "truncated JSON": '{"id":"c1","model":"m","choices":[',
    "error event": {"error": {"code": "INTERNAL", "message": "model overloaded"}},
    "[DONE]": "[DONE]",
}


async def observe_completion(client: Any) -> list[Any]:
    seen: list[Any] = []
    try:
        async with client.chat_completions_stream("docs", QUESTION) as stream:
            async for chunk in stream:
                seen.append(chunk.model_dump())
            final = await stream.final()
    except StreamError as exc:
        seen.append(("error", type(exc).__name__, str(exc), exc.line))
    else:
        seen.append(("final", final.model_dump()))
    return seen


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(st.sampled_from(sorted(COMPLETION_EVENTS)), max_size=8))
async def test_completion_streams_take_the_same_path_either_way(
    serve: Serve, monkeypatch: pytest.MonkeyPatch, names: list[str]
) -> None:
    data = body(choice(content="first"), *(COMPLETION_EVENTS[n] for n in names), "[DONE]")
    fast = await observe_completion(serve(data))
    with monkeypatch.context() as patched:
        patched.setattr(ChatCompletionStream, "_chunks", EventStream._chunks)
        general = await observe_completion(serve(data))
    assert fast == general


async def test_a_completion_stream_ends_when_its_last_choice_finishes(serve: Serve) -> None:
    # choice 0 finishes in the first read (4 KiB); choice 1 goes on for several more reads
    words = [f"w{i} " for i in range(400)]
    data = body(
        choice(0, content="a"),
        choice(1, content="b"),
        choice(0, finish="stop"),
        *(choice(1, content=w) for w in words),
        choice(1, finish="length"),
        "[DONE]",
    )
    async with serve(data).chat_completions_stream("docs", QUESTION) as stream:
        final = await stream.final()
    assert [c.message.content for c in final.choices] == ["a", "b" + "".join(words)]
    assert [c.finish_reason for c in final.choices] == ["stop", "length"]
