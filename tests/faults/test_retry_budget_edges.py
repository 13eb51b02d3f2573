"""The retry budget at its edges, counted in requests the emulator received: with no burst,
successful calls earn retries but at most one is saved; a burst is spent one retry at a time."""

from __future__ import annotations

import pytest

from pinecone_assistant_async import RetryPolicy, ServiceUnavailableError
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

DOCS = "^/assistant/assistants/docs$"


async def test_with_no_burst_the_budget_saves_at_most_one_retry(docs: Emulator) -> None:
    policy = RetryPolicy(
        max_retries=3, budget_burst=0, budget_ratio=1.0, initial_backoff=0.001, max_backoff=0.002
    )
    async with docs.client(retry=policy) as client:
        for _ in range(5):  # each call earns a whole retry; the bucket keeps one
            await client.assistants.describe("docs")
        docs.add_fault("status=503", path=DOCS, method="GET")
        docs.reset_log()
        with pytest.raises(ServiceUnavailableError):
            await client.assistants.describe("docs")
    assert docs.count(path=DOCS) == 2  # the first attempt and the one saved retry


@pytest.mark.parametrize("burst", [1, 2, 3])
async def test_a_burst_allows_that_many_retries_before_any_traffic(
    docs: Emulator, burst: int
) -> None:
    policy = RetryPolicy(max_retries=5, budget_burst=burst, budget_ratio=0.0, initial_backoff=0.001)
    docs.add_fault("status=503", path=DOCS, method="GET")
    async with docs.client(retry=policy) as client:
        for _ in range(2):
            with pytest.raises(ServiceUnavailableError):
                await client.assistants.describe("docs")
    # 2 first attempts; the burst's retries go to the first call, none is left for the second
    assert docs.count(path=DOCS) == 2 + burst
