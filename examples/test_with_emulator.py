"""Testing your own code offline: the ``assistant_emulator`` pytest fixture.

    pytest examples/test_with_emulator.py

Copy it into your own project: installing ``pinecone-assistant-async`` registers the pytest
plugin that provides the fixture (a ``pytest11`` entry point), so there is nothing to enable.
Each test gets a fresh emulator on a free loopback port.
"""

from __future__ import annotations

import pytest

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.testing import Emulator


async def warranty_answer(client: AssistantClient, assistant: str) -> str:
    """The code under test: something your application does with the SDK."""
    reply = await client.chat(assistant, "How long is the lamp's warranty?")
    return reply.message.content


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # anyio's pytest plugin runs `@pytest.mark.anyio` tests on asyncio


@pytest.mark.anyio
async def test_warranty_answer(assistant_emulator: Emulator) -> None:
    async with assistant_emulator.client() as client:
        await client.assistants.create("support")
        await client.files.upload(
            "support", b"The lamp has a three year warranty.", file_name="faq.txt"
        )
        assert "three year warranty" in await warranty_answer(client, "support")


@pytest.mark.anyio
async def test_warranty_answer_survives_a_server_error(assistant_emulator: Emulator) -> None:
    async with assistant_emulator.client() as client:
        await client.assistants.create("support")
        await client.files.upload("support", b"Three year warranty.", file_name="faq.txt")
        # The next chat request gets a 503; the client's default policy retries it.
        assistant_emulator.add_fault("status=503;times=1", path="^/assistant/chat/")
        assert "warranty" in await warranty_answer(client, "support")
        assert assistant_emulator.count(method="POST", path="^/assistant/chat/") == 2
