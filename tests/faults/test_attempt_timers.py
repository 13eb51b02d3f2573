"""Each attempt is bounded by ``asyncio.timeout`` (3.11+) or, on Python 3.10, by an anyio cancel
scope: both timers must give the same errors, at the same moments, with nothing as context.

CI runs one Python, so the fallback is selected here by hand for the same scenarios.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pinecone_assistant_async import APIConnectionError, APITimeoutError, Timeouts
from pinecone_assistant_async import _retries as retries
from pinecone_assistant_async.testing import Emulator

from .conftest import DOCS, FAST_RETRY, SleepRecorder, in_use


@pytest.fixture(params=["asyncio", "anyio-fallback"])
def timer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "anyio-fallback":
        monkeypatch.setattr(retries, "_timeout", retries._AnyioTimeout)
    else:
        assert retries._timeout is asyncio.timeout  # what 3.11+ uses
    yield request.param


async def test_the_call_deadline_passing_is_a_timeout_without_context(
    docs: Emulator, timer: str
) -> None:
    docs.add_fault("delay=2", path=DOCS, method="GET")
    async with docs.client(timeout=Timeouts(total=0.3), retry=FAST_RETRY) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.assistants.describe("docs")
        assert in_use(client) == 0
    url = f"{docs.url}/assistant/assistants/docs"
    assert str(info.value) == f"no answer within 0.3s: GET {url}"
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert docs.count(path=DOCS) == 1


async def test_a_stalled_attempt_is_given_up_and_the_next_one_answers(
    docs: Emulator, timer: str
) -> None:
    docs.add_fault("stall_after=0;stall=30;times=1", path=DOCS, method="GET")
    timeouts = Timeouts(total=20, attempt=0.3)
    async with docs.client(timeout=timeouts, retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    assert docs.count(method="GET", path=DOCS) == 2


async def test_every_attempt_stalled_says_so(docs: Emulator, timer: str) -> None:
    docs.add_fault("stall_after=0;stall=30;times=3", path=DOCS, method="GET")
    timeouts = Timeouts(total=5, attempt=0.2)
    async with docs.client(timeout=timeouts, retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.assistants.describe("docs")
    assert "no answer within 0.2s (one attempt)" in str(info.value)
    assert info.value.attempts == 3
    assert info.value.__context__ is None


@pytest.mark.anyio
async def test_a_timeout_raised_by_the_caller_code_is_not_taken_for_ours(timer: str) -> None:
    # A TimeoutError from inside the attempt that no timer of ours raised goes through as it is.
    async def attempt() -> None:
        raise TimeoutError("the caller's own")

    bound = retries.AttemptBound(retries.Deadline.after(30.0), None, "GET", "http://h/x")
    with pytest.raises(TimeoutError, match="the caller's own"):
        await bound.run(attempt())
