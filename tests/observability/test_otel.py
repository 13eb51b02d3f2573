"""OpenTelemetry: a span per operation and per attempt, read back from the SDK's in-memory
exporter (the real SDK, not a stand-in)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from pinecone_assistant_async import NotFoundError, RetryPolicy
from pinecone_assistant_async.integrations.otel import instrument
from pinecone_assistant_async.testing import Emulator

from ._setup import QUESTION, ready_docs

pytestmark = pytest.mark.anyio
CHAT = "/assistant/chat/docs"
FAST = RetryPolicy(initial_backoff=0.001, max_backoff=0.002)


@pytest.fixture
def exporter() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    yield provider, memory
    provider.shutdown()


def children(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


async def test_a_streamed_chat_is_one_operation_span_ending_at_close_with_an_attempt_child(
    emulator: Emulator, exporter: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, memory = exporter
    await ready_docs(emulator)
    async with emulator.client() as client:
        instrument(client, tracer_provider=provider)
        await client.assistants.describe("docs")
        memory.clear()
        async with client.chat_stream("docs", QUESTION, model="gpt-4.1") as stream:
            await stream.__anext__()
            assert [s.name for s in memory.get_finished_spans()] == ["POST"], (
                "only the attempt has ended while the stream is open"
            )
            reply = await stream.final()
    spans = memory.get_finished_spans()
    assert [s.name for s in spans] == ["POST", "chat gpt-4.1"]
    attempt, operation = spans
    assert operation.parent is None and children(spans, operation) == [attempt]
    assert operation.kind == attempt.kind == SpanKind.CLIENT
    attrs = dict(operation.attributes or {})
    usage = reply.usage
    assert usage is not None
    assert {k: attrs[k] for k in attrs if not k.startswith("pinecone.stream.time")} == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "pinecone",
        "gen_ai.request.model": "gpt-4.1",
        "gen_ai.response.model": "gpt-4.1",
        "gen_ai.response.id": reply.id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": usage.prompt_tokens,
        "gen_ai.usage.output_tokens": usage.completion_tokens,
        "pinecone.operation": "chat",
        "pinecone.assistant.name": "docs",
        "pinecone.stream": True,
        "pinecone.stream.events": attrs["pinecone.stream.events"],
        "pinecone.request_id": stream.request_id,
        "pinecone.retries": 0,
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
    }
    assert isinstance(attrs["pinecone.stream.events"], int) and attrs["pinecone.stream.events"] > 2
    ttfc = attrs["pinecone.stream.time_to_first_chunk"]
    assert isinstance(ttfc, float) and 0 < ttfc * 1e9 <= operation.end_time - operation.start_time
    assert [e.name for e in operation.events] == ["pinecone.stream.opened"]
    assert dict(attempt.attributes or {}) == {
        "http.request.method": "POST",
        "url.full": f"{emulator.url}{CHAT}",
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
        "http.response.status_code": 200,
        "pinecone.request_id": stream.request_id,
    }
    assert operation.status.status_code == StatusCode.UNSET


async def test_retries_are_attempt_spans_and_events_and_errors_mark_the_span(
    emulator: Emulator, exporter: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, memory = exporter
    await ready_docs(emulator)
    async with emulator.client(retry=FAST) as client:
        instrument(client, tracer_provider=provider)
        await client.assistants.describe("docs")
        emulator.add_fault("status=503;times=2", path=f"^{CHAT}$")
        memory.clear()
        reply = await client.chat("docs", QUESTION)
        with pytest.raises(NotFoundError):
            await client.files.describe("docs", "no-such-file")
    chat = next(s for s in memory.get_finished_spans() if s.name == "chat gpt-4o")
    attempts = children(memory.get_finished_spans(), chat)
    assert [a.attributes.get("http.response.status_code") for a in attempts] == [503, 503, 200]
    assert [a.attributes.get("http.request.resend_count") for a in attempts] == [None, 1, 2]
    assert [a.status.status_code for a in attempts] == [StatusCode.ERROR] * 2 + [StatusCode.UNSET]
    assert [a.attributes.get("error.type") for a in attempts] == ["503", "503", None]
    assert chat.attributes["pinecone.retries"] == 2
    assert chat.attributes["pinecone.request_id"] == reply.request_id
    assert chat.attributes["gen_ai.usage.output_tokens"] == reply.usage.completion_tokens
    retries = [e for e in chat.events if e.name == "pinecone.retry"]
    assert [e.attributes["pinecone.retry.reason"] for e in retries] == ["HTTP 503", "HTTP 503"]
    missing = next(s for s in memory.get_finished_spans() if s.name == "files.describe")
    assert missing.status.status_code == StatusCode.ERROR
    assert missing.attributes["error.type"] == "404"
    assert missing.attributes["http.response.status_code"] == 404


async def test_no_key_prompt_or_answer_is_recorded_unless_content_capture_is_asked(
    emulator: Emulator, exporter: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, memory = exporter
    await ready_docs(emulator)
    async with emulator.client() as client:
        tracing = instrument(client, tracer_provider=provider)
        reply = await client.chat("docs", QUESTION)
        recorded = json.dumps([dict(s.attributes or {}) for s in memory.get_finished_spans()])
        assert emulator.api_key not in recorded
        assert QUESTION not in recorded and reply.message.content not in recorded
        tracing.uninstrument()
        memory.clear()
        await client.chat("docs", QUESTION)
        assert memory.get_finished_spans() == ()
        instrument(client, tracer_provider=provider, capture_content=True)
        reply = await client.chat("docs", QUESTION)
    chat = next(s for s in memory.get_finished_spans() if s.name == "chat gpt-4o")
    assert json.loads(chat.attributes["gen_ai.input.messages"]) == [
        {"role": "user", "content": QUESTION}
    ]
    assert json.loads(chat.attributes["gen_ai.output.messages"]) == [
        {"role": "assistant", "content": reply.message.content}
    ]
    assert emulator.api_key not in json.dumps(dict(chat.attributes))


async def test_a_derived_client_is_traced_under_the_callers_span(
    emulator: Emulator, exporter: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, memory = exporter
    await ready_docs(emulator)
    tracer = provider.get_tracer("app")
    async with emulator.client() as client:
        instrument(client, tracer_provider=provider)
        with tracer.start_as_current_span("handle user request"):
            await client.with_options(timeout=10).context("docs", "office hours")
    spans = memory.get_finished_spans()
    root = next(s for s in spans if s.name == "handle user request")
    ops = children(spans, root)
    assert [s.name for s in ops] == ["assistants.describe", "context"]
    assert all(len(children(spans, op)) == 1 for op in ops)


def test_importing_and_using_the_client_never_imports_opentelemetry() -> None:
    script = textwrap.dedent(
        """
        import sys, anyio
        from pinecone_assistant_async.testing import Emulator

        async def main():
            async with Emulator(instant=True) as emu, emu.client() as client:
                await client.assistants.create("docs")
                await client.files.upload("docs", b"hours: nine", file_name="a.txt")
                await client.chat("docs", "hours?")
                async with client.chat_stream("docs", "hours?") as s:
                    await s.final()
            print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))

        anyio.run(main)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=50
    )
    assert out.stdout.strip() == "[]"
