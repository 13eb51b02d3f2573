"""``Retry-After`` values at the edges, as the errors report them: 0 and fractions are valid
waits (``retry_after`` is set), and a 0 is retried at once instead of falling back to
backoff."""

from __future__ import annotations

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    AssistantClient,
    RateLimitError,
    RetryPolicy,
    ServiceUnavailableError,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import LocalServer, SleepRecorder

pytestmark = pytest.mark.anyio

DOCS = "^/assistant/assistants/docs$"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("0", 0.0), ("0.5", 0.5), ("  2 ", 2.0), ("1.25", 1.25), ("30", 30.0)],
)
@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_reported_in_seconds(
    docs: Emulator, header: str, seconds: float, status: int
) -> None:
    docs.add_fault(f"status={status};retry_after=raw:{header}", path=DOCS, method="GET")
    async with docs.client(retry=RetryPolicy.disabled()) as client:
        with pytest.raises((RateLimitError, ServiceUnavailableError)) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert type(error) is (RateLimitError if status == 429 else ServiceUnavailableError)
    assert error.retry_after == seconds  # type: ignore[union-attr]
    assert isinstance(error.retry_after, float)  # type: ignore[union-attr]


@pytest.mark.parametrize("header", ["-1", "soon", "nan", "inf", ""])
async def test_an_invalid_retry_after_is_not_reported(docs: Emulator, header: str) -> None:
    docs.add_fault(f"status=429;retry_after=raw:{header}", path=DOCS, method="GET")
    async with docs.client(retry=RetryPolicy.disabled()) as client:
        with pytest.raises(RateLimitError) as info:
            await client.assistants.describe("docs")
    assert info.value.retry_after is None


async def test_a_retry_after_of_zero_is_retried(docs: Emulator) -> None:
    docs.add_fault("status=503;times=1;retry_after=0", path=DOCS, method="GET")
    # A backoff far past the 5 s deadline: without the Retry-After of 0 there is no retry.
    policy = RetryPolicy(initial_backoff=3600, max_backoff=3600)
    async with docs.client(retry=policy, timeout=5) as client:
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    assert [r.status for r in docs.requests if r.path == "/assistant/assistants/docs"] == [
        503,
        200,
    ]


async def test_each_retry_waits_the_retry_after_of_its_own_failure() -> None:
    # The client's sleep= testing hook records the waits it chose; nothing waits.
    answers = [
        web.json_response({"error": {"message": "busy"}}, status=503, headers={"Retry-After": "1"}),
        web.json_response(
            {"error": {"message": "slow"}}, status=429, headers={"Retry-After": "2.5"}
        ),
        web.json_response({"name": "docs", "status": "Ready"}),
    ]

    async def respond(request: web.Request) -> web.StreamResponse:
        return answers[len(server.seen) - 1]

    server = LocalServer(respond)
    sleep = SleepRecorder()
    async with (
        server,
        AssistantClient(
            api_key="retry-after-key",
            host=server.url,
            retry=RetryPolicy(max_retries=3),
            sleep=sleep,
        ) as client,
    ):
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    assert sleep.delays == [1.0, 2.5]
    assert len(server.seen) == 3
