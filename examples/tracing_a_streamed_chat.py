"""OpenTelemetry: the spans of a streamed chat, printed by the SDK's console exporter.

pip install "pinecone-assistant-async[otel]" opentelemetry-sdk
python examples/tracing_a_streamed_chat.py

The app's own span ("answer question") holds the chat's operation span ("chat gpt-4o", which
ends when the stream closes and carries the token usage and the time to the first chunk), which
holds one span per HTTP attempt ("POST"). Prompts and answers are not recorded unless you pass
``capture_content=True`` to ``instrument``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from _common import SAMPLE_DOCS, connect, unique_name
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

from pinecone_assistant_async.integrations.otel import instrument


async def main(out: TextIO = sys.stdout) -> str:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
    tracer = provider.get_tracer("lamp-support-bot")
    async with connect() as client:
        name = unique_name("tracing")
        await client.assistants.create(name)
        try:
            await client.files.upload(name, SAMPLE_DOCS / "handbook.md")
            tracing = instrument(client, tracer_provider=provider)
            with tracer.start_as_current_span("answer question"):
                async with client.chat_stream(name, "How many vacation days do I get?") as stream:
                    async for text in stream.text():
                        print(text, end="", flush=True, file=sys.stderr)
                    reply = await stream.final()
            print(file=sys.stderr)
            tracing.uninstrument()
        finally:
            await client.assistants.delete(name)
    provider.shutdown()
    return reply.message.content


if __name__ == "__main__":
    asyncio.run(main())
