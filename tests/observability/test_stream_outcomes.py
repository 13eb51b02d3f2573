"""A traced stream's operation span carries the answer it assembled (id, model, finish
reasons), whether the caller asked for ``final()`` or only iterated to the end, for chat and
for chat-completion streams; a stream left early carries none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pinecone_assistant_async.integrations.otel import instrument
from pinecone_assistant_async.testing import Emulator

from ._setup import QUESTION, ready_docs

pytestmark = pytest.mark.anyio


@pytest.fixture
def traced() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    yield provider, memory
    provider.shutdown()


def _operation(memory: InMemorySpanExporter) -> dict[str, Any]:
    spans = [s for s in memory.get_finished_spans() if s.parent is None]
    assert len(spans) == 1
    return dict(spans[0].attributes or {})


@pytest.mark.parametrize("opener", ["chat_stream", "chat_completions_stream"])
@pytest.mark.parametrize("how", ["final", "iterated"])
async def test_a_stream_span_carries_the_assembled_answer(
    emulator: Emulator,
    traced: tuple[TracerProvider, InMemorySpanExporter],
    opener: str,
    how: str,
) -> None:
    provider, memory = traced
    await ready_docs(emulator)
    async with emulator.client() as client:
        instrument(client, tracer_provider=provider)
        await client.assistants.describe("docs")
        memory.clear()
        async with getattr(client, opener)("docs", QUESTION) as stream:
            if how == "final":
                ids = {(await stream.final()).id}
            else:  # chat streams have chunks without an id (citations); completions do not
                ids = {getattr(chunk, "id", None) async for chunk in stream} - {None}
    attrs = _operation(memory)
    assert {attrs["gen_ai.response.id"]} == ids
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)


async def test_a_stream_left_early_carries_no_answer(
    emulator: Emulator, traced: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, memory = traced
    await ready_docs(emulator)
    async with emulator.client() as client:
        instrument(client, tracer_provider=provider)
        await client.assistants.describe("docs")
        memory.clear()
        async with client.chat_completions_stream("docs", QUESTION) as stream:
            await stream.__anext__()
    assert "gen_ai.response.id" not in _operation(memory)
