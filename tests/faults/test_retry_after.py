"""Retry-After (seconds, HTTP date, garbage, above the cap, past the deadline) and the budget.

The transport's sleep is replaced by a recorder, so the delays the client chose are observed
exactly and nothing waits.
"""

from __future__ import annotations

import pytest

from pinecone_assistant_async import (
    RateLimitError,
    RetryPolicy,
    ServiceUnavailableError,
    Timeouts,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import DOCS, FAST_RETRY, SleepRecorder

pytestmark = pytest.mark.anyio


async def _describe_with(
    emu: Emulator, spec: str, *, policy: RetryPolicy = FAST_RETRY, **kwargs: object
) -> SleepRecorder:
    emu.add_fault(spec, path=DOCS, method="GET")
    sleep = SleepRecorder()
    async with emu.client(retry=policy, sleep=sleep, **kwargs) as client:
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    return sleep


async def test_retry_after_in_seconds_is_the_wait(docs: Emulator) -> None:
    sleep = await _describe_with(docs, "status=429;times=1;retry_after=7")
    assert sleep.delays == [7.0]
    assert docs.count(path=DOCS) == 2


async def test_retry_after_as_an_http_date_is_the_wait(docs: Emulator) -> None:
    sleep = await _describe_with(docs, "status=503;times=1;retry_after=date:10")
    assert len(sleep.delays) == 1
    # an HTTP date has whole seconds: 10 s from now, read a moment later
    assert 8.0 <= sleep.delays[0] <= 10.0
    assert docs.count(path=DOCS) == 2


async def test_a_date_in_the_past_retries_at_once(docs: Emulator) -> None:
    sleep = await _describe_with(
        docs, "status=429;times=1;retry_after=raw:Wed, 21 Oct 2015 07:28:00 GMT"
    )
    assert sleep.delays == [0.0]


@pytest.mark.parametrize("garbage", ["soon", "-5", "1e999", "NaN", ""])
async def test_a_garbage_retry_after_falls_back_to_backoff(docs: Emulator, garbage: str) -> None:
    sleep = await _describe_with(docs, f"status=429;times=2;retry_after=raw:{garbage}")
    assert len(sleep.delays) == 2
    # full jitter: retry n waits at most initial_backoff * 2**(n-1)
    assert 0.0 <= sleep.delays[0] <= 0.01 and 0.0 <= sleep.delays[1] <= 0.02
    assert docs.count(path=DOCS) == 3


async def test_a_garbage_retry_after_leaves_retry_after_unset(docs: Emulator) -> None:
    docs.add_fault("status=429;retry_after=raw:later", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        with pytest.raises(RateLimitError) as info:
            await client.assistants.describe("docs")
    assert info.value.retry_after is None


async def test_retry_after_above_the_cap_fails_fast_with_retry_after_set(docs: Emulator) -> None:
    docs.add_fault("status=429;retry_after=31;request_id=slow-down", path=DOCS, method="GET")
    sleep = SleepRecorder()
    async with docs.client(retry=FAST_RETRY, sleep=sleep) as client:  # default cap: 30 s
        with pytest.raises(RateLimitError) as info:
            await client.assistants.describe("docs")
    assert info.value.retry_after == 31.0
    assert info.value.request_id == "slow-down"
    assert sleep.delays == []
    assert docs.count(path=DOCS) == 1


async def test_retry_after_equal_to_the_cap_is_honoured(docs: Emulator) -> None:
    policy = RetryPolicy(max_retry_after=5, initial_backoff=0.01)
    sleep = await _describe_with(docs, "status=429;times=1;retry_after=5", policy=policy)
    assert sleep.delays == [5.0]


async def test_a_lower_cap_fails_fast_sooner(docs: Emulator) -> None:
    docs.add_fault("status=503;retry_after=6", path=DOCS, method="GET")
    async with docs.client(retry=RetryPolicy(max_retry_after=5), sleep=SleepRecorder()) as client:
        with pytest.raises(ServiceUnavailableError) as info:
            await client.assistants.describe("docs")
    assert info.value.retry_after == 6.0  # type: ignore[attr-defined]
    assert docs.count(path=DOCS) == 1


async def test_a_retry_after_past_the_deadline_fails_now_instead_of_sleeping(
    docs: Emulator,
) -> None:
    docs.add_fault("status=429;retry_after=20", path=DOCS, method="GET")
    sleep = SleepRecorder()
    async with docs.client(retry=FAST_RETRY, timeout=Timeouts(total=10), sleep=sleep) as client:
        with pytest.raises(RateLimitError) as info:
            await client.assistants.describe("docs")
    assert info.value.retry_after == 20.0
    assert sleep.delays == []
    assert docs.count(path=DOCS) == 1


async def test_backoff_grows_and_stays_under_max_backoff(docs: Emulator) -> None:
    policy = RetryPolicy(max_retries=6, initial_backoff=0.01, max_backoff=0.03)
    sleep = await _describe_with(docs, "status=500;times=6", policy=policy)
    ceilings = [0.01, 0.02, 0.03, 0.03, 0.03, 0.03]
    assert len(sleep.delays) == 6
    assert all(0.0 <= d <= c for d, c in zip(sleep.delays, ceilings, strict=True))


async def test_the_budget_stops_a_503_storm_from_multiplying_requests(docs: Emulator) -> None:
    calls, burst, ratio = 60, 4, 0.1
    policy = RetryPolicy(max_retries=2, budget_burst=burst, budget_ratio=ratio)
    docs.add_fault("status=503", path=DOCS, method="GET")
    async with docs.client(retry=policy, sleep=SleepRecorder()) as client:
        for _ in range(calls):
            with pytest.raises(ServiceUnavailableError):
                await client.assistants.describe("docs")
        budget = client._t.budget
    sent = docs.count(path=DOCS)
    # without a budget: calls * 3 = 180 requests
    assert calls < sent <= calls + burst + ratio * calls
    assert sent - calls == budget.spent
    assert budget.refused > 0


async def test_the_budget_refills_with_successful_traffic(docs: Emulator) -> None:
    policy = RetryPolicy(max_retries=1, budget_burst=0, budget_ratio=0.5)
    async with docs.client(retry=policy, sleep=SleepRecorder()) as client:
        docs.add_fault("status=503;times=1", path=DOCS, method="GET")
        with pytest.raises(ServiceUnavailableError):
            await client.assistants.describe("docs")  # 0.5 token: no retry
        await client.assistants.describe("docs")  # +0.5: the bucket holds a token
        rule = docs.add_fault("status=503;times=1", path=DOCS, method="GET")
        await client.assistants.describe("docs")  # retried with it, succeeds
        assert rule.hits == 1
    assert [r.status for r in docs.requests] == [503, 200, 503, 200]
