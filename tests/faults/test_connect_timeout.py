"""A connection that cannot be opened in ``Timeouts.connect`` seconds is an ``APITimeoutError``
(not a generic connection error, and not the call's total deadline).

The listener below never accepts and its accept queue is already full, so the kernel drops
the client's SYN and the connect really stalls, on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from pinecone_assistant_async import (
    APIConnectionError,
    APITimeoutError,
    AssistantClient,
    RetryPolicy,
    Timeouts,
)

pytestmark = pytest.mark.anyio

KEY = "connect-timeout-key-7"


@contextmanager
def _stalling_listener() -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):  # fill the accept queue: later SYNs are dropped, not refused
            filler = socket.socket()
            filler.setblocking(False)
            with suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_a_connect_timeout_is_an_api_timeout_error() -> None:
    with _stalling_listener() as host:
        async with AssistantClient(
            api_key=KEY,
            host=host,
            timeout=Timeouts(total=30, connect=0.2),
            retry=RetryPolicy.disabled(),
        ) as client:
            with pytest.raises(APITimeoutError) as info:
                await client.assistants.describe("docs")
    error = info.value
    assert isinstance(error, APIConnectionError)
    assert str(error) == f"timed out: GET {host}/assistant/assistants/docs"
    assert (error.method, error.url) == ("GET", f"{host}/assistant/assistants/docs")
    assert "no answer within" not in str(error)  # not the 30 s total deadline
    assert KEY not in repr(error.__dict__)
    assert error.__cause__ is None


async def test_a_connect_timeout_on_a_create_is_an_api_timeout_error_too() -> None:
    with _stalling_listener() as host:
        async with AssistantClient(
            api_key=KEY,
            host=host,
            timeout=Timeouts(total=30, connect=0.2),
            retry=RetryPolicy(max_retries=1, initial_backoff=0.01),
        ) as client:
            with pytest.raises(APITimeoutError, match=r"^timed out: POST "):
                await client.assistants.create("docs", wait=False)
