"""Shared pieces of the fault suite: the fast retry policy, an assistant that is Ready, a sleep
recorder (to observe backoff and Retry-After without waiting), a look at the pool, and the
choice of attempt timer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async import _retries as retries
from pinecone_assistant_async.testing import Emulator
from tests.conftest import FAST_RETRY, EmulatorFactory

ASSISTANTS = "^/assistant/assistants$"
DOCS = "^/assistant/assistants/docs$"
FILES = "^/assistant/files/docs$"
CHAT = "^/assistant/chat/docs$"

__all__ = ["ASSISTANTS", "CHAT", "DOCS", "FAST_RETRY", "FILES", "LocalServer", "SleepRecorder"]


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


Responder = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LocalServer:
    """A raw aiohttp server on loopback answering every request with ``responder``."""

    def __init__(self, responder: Responder) -> None:
        self._responder = responder
        self.seen: list[web.Request] = []
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request)
        return await self._responder(request)

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    async def __aenter__(self) -> LocalServer:
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._server.close()


def json_reply(payload: Any, status: int = 200, **headers: str) -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        await request.read()
        return web.json_response(payload, status=status, headers=headers)

    return respond


def raw_reply(body: bytes, status: int = 200, content_type: str = "text/html") -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        await request.read()
        return web.Response(body=body, status=status, content_type=content_type)

    return respond


@pytest.fixture(params=["asyncio", "anyio-fallback"])
def timer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each attempt is bounded by ``asyncio.timeout`` (3.11+) or, on Python 3.10, by an anyio
    cancel scope; CI runs one Python, so a test taking this fixture runs under both."""
    if request.param == "anyio-fallback":
        monkeypatch.setattr(retries, "_timeout", retries._AnyioTimeout)
    else:
        assert retries._timeout is asyncio.timeout  # what 3.11+ uses
    yield request.param
