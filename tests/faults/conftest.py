"""Shared pieces of the fault suite: a fast retry policy, an assistant that is Ready, a sleep
recorder (to observe backoff and Retry-After without waiting), and a look at the pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from pinecone_assistant_async import AssistantClient, RetryPolicy
from pinecone_assistant_async.testing import Emulator
from tests.conftest import EmulatorFactory

FAST = RetryPolicy(initial_backoff=0.01, max_backoff=0.05)
ASSISTANTS = "^/assistant/assistants$"
DOCS = "^/assistant/assistants/docs$"
FILES = "^/assistant/files/docs$"
CHAT = "^/assistant/chat/docs$"


class SleepRecorder:
    """Stands in for the transport's sleep: remembers each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def in_use(client: AssistantClient) -> int:
    """Connections of the client's pool that are checked out right now."""
    session = client._t._session
    if session is None:
        return 0
    connector = session.connector
    assert isinstance(connector, aiohttp.BaseConnector)
    return len(connector._acquired)


@pytest.fixture
async def docs(emulator_factory: EmulatorFactory) -> AsyncIterator[Emulator]:
    """An emulator holding a Ready assistant named "docs", its request log emptied."""
    async with emulator_factory() as emu:
        async with emu.client() as client:
            await client.assistants.create("docs")
        emu.reset_log()
        yield emu
