"""The client's lifecycle: lazy session, async with, aclose, borrowed sessions, warnings."""

from __future__ import annotations

import asyncio
import gc
import socket
import warnings

import aiohttp
import pytest

from pinecone_assistant_async import (
    APIConnectionError,
    AssistantClient,
    ClientClosedError,
    EventLoopError,
    InvalidInputError,
    RetryPolicy,
)
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio


async def test_async_with_closes_the_owned_session(emulator: Emulator) -> None:
    async with emulator.client() as client:
        await client.assistants.list_page()
        session = client._t._session
        assert session is not None and not session.closed
    assert session.closed
    assert client.closed


async def test_using_a_closed_client_is_a_clear_error_and_sends_nothing(emulator: Emulator) -> None:
    client = emulator.client()
    await client.aclose()
    await client.aclose()  # twice is fine
    before = emulator.count()
    with pytest.raises(ClientClosedError, match="closed"):
        await client.assistants.list_page()
    assert emulator.count() == before


async def test_borrowed_session_is_never_closed(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with emulator.client(session=session) as client:
            page = await client.assistants.list_page()
            assert page.items == []
        assert not session.closed
        async with session.get(emulator.url + "/assistant/assistants") as resp:
            assert resp.status == 401  # the borrowed session is still usable


async def test_a_borrowed_session_closed_by_its_owner_is_a_clear_error(emulator: Emulator) -> None:
    session = aiohttp.ClientSession()
    client = emulator.client(session=session)
    await session.close()
    with pytest.raises(ClientClosedError, match="session"):
        await client.assistants.list_page()


async def test_an_unclosed_client_warns(emulator: Emulator) -> None:
    client = emulator.client()
    await client.assistants.list_page()
    session = client._t._session
    assert session is not None
    with pytest.warns(ResourceWarning, match="unclosed AssistantClient"):
        del client
        gc.collect()
    await session.close()


async def test_a_dropped_client_warns_once_and_logs_no_asyncio_error(emulator: Emulator) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    client = emulator.client()
    await client.assistants.list_page()  # a pooled keep-alive connection now exists
    gc.collect()  # whatever earlier tests left behind is gone before we look
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del client
            gc.collect()
    finally:
        loop.set_exception_handler(previous)
    unclosed = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert [str(w.message) for w in unclosed] == [
        "unclosed AssistantClient: use 'async with' or 'await aclose()'"
    ]
    assert reported == []


def test_a_client_used_in_a_second_asyncio_run_is_a_typed_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on: no connection stays open
        sock.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{sock.getsockname()[1]}"
    client = AssistantClient(api_key="k", host=host, retry=RetryPolicy.disabled())

    async def first() -> None:
        with pytest.raises(APIConnectionError):
            await client.assistants.list_page()

    async def second() -> None:
        async with client:
            with pytest.raises(EventLoopError, match="another event loop") as info:
                await client.assistants.list_page()
        assert isinstance(info.value, ClientClosedError)

    asyncio.run(first())
    asyncio.run(second())
    assert client.closed


async def test_a_client_that_never_sent_anything_does_not_warn(emulator: Emulator) -> None:
    client = emulator.client()
    del client
    gc.collect()  # filterwarnings=error turns any warning into a failure


def test_api_key_and_host_fall_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINECONE_API_KEY", "env-key-123")
    monkeypatch.setenv("PINECONE_HOST", "http://127.0.0.1:9")
    client = AssistantClient()
    assert client.config.api_key == "env-key-123"
    assert client.config.control_base == "http://127.0.0.1:9"
    assert client.config.evaluation_base == "http://127.0.0.1:9"
    assert "env-key-123" not in repr(client) + repr(client.config)


def test_no_api_key_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    with pytest.raises(InvalidInputError, match="PINECONE_API_KEY"):
        AssistantClient()


def test_default_hosts_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINECONE_HOST", raising=False)
    us = AssistantClient(api_key="k").config
    assert us.control_base == "https://api.pinecone.io"
    assert us.evaluation_base == "https://prod-1-data.ke.pinecone.io"
    eu = AssistantClient(api_key="k", region="eu").config
    assert eu.evaluation_base == "https://prod-eu-data.ke.pinecone.io"
    custom = AssistantClient(api_key="k", host="proxy.local/assistant", evaluation_host="e.local")
    assert custom.config.control_base == "https://proxy.local"
    assert custom.config.evaluation_base == "https://e.local"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_version": "2024-01"}, "api_version"),
        ({"region": "mars"}, "region"),
        ({"timeout": -1}, "timeout|positive"),
        ({"proxy": "socks5://x"}, "proxy"),
        ({"host": "ftp://x"}, "scheme"),
        ({"extra_headers": {"Api-Key": "other"}}, "Api-Key"),
        ({"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
    ],
)
def test_bad_configuration_is_rejected_up_front(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        AssistantClient(api_key="k", **kwargs)  # type: ignore[arg-type]


def test_session_must_be_an_aiohttp_session() -> None:
    with pytest.raises(TypeError):
        AssistantClient(api_key="k", session="nope")  # type: ignore[arg-type]
