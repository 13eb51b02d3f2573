"""A thousand concurrent calls through one client while the service throws 503s: every call ends
in a result or a typed error, nothing hangs, the pool is empty afterwards, nothing leaks, and
retries add no more than the budget allows."""

from __future__ import annotations

import gc
import warnings

import anyio
import pytest

from pinecone_assistant_async import (
    AssistantClient,
    PineconeError,
    RetryPolicy,
    ServiceUnavailableError,
)
from pinecone_assistant_async._pagination import Page
from pinecone_assistant_async.models import Assistant
from pinecone_assistant_async.testing import Emulator

from .conftest import DOCS, FAST_RETRY, FILES, in_use

pytestmark = pytest.mark.anyio

CALLS = 1000
DESCRIBE_OR_LIST = f"{DOCS}|{FILES}"


async def _storm(emu: Emulator, policy: RetryPolicy) -> tuple[list[object], int, int]:
    """CALLS concurrent calls (half describe, half list files); (outcomes, in use, spent).

    The data-plane host is given, so every call is exactly one logical request.
    """
    outcomes: list[object] = []
    client = emu.client(retry=policy, data_host=emu.url)

    async def call(client: AssistantClient, n: int) -> None:
        try:
            if n % 2:
                outcomes.append(await client.assistants.describe("docs"))
            else:
                outcomes.append(await client.files.list_page("docs"))
        except PineconeError as exc:
            outcomes.append(exc)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client:
            with anyio.fail_after(40):
                async with anyio.create_task_group() as tg:
                    for n in range(CALLS):
                        tg.start_soon(call, client, n)
            busy = in_use(client)
            spent = client._t.budget.spent
        del client
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    return outcomes, busy, spent


async def test_a_thousand_calls_with_10_percent_503s(docs: Emulator) -> None:
    rule = docs.add_fault(
        "status=503", path=DESCRIBE_OR_LIST, method="GET", probability=0.1, seed=7
    )
    outcomes, busy, spent = await _storm(docs, FAST_RETRY)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(outcomes) == CALLS
    assert all(type(f) is ServiceUnavailableError and f.status == 503 for f in failures)
    successes = [o for o in outcomes if not isinstance(o, BaseException)]
    assert all(isinstance(o, (Assistant, Page)) for o in successes)
    assert len(successes) == sum(r.status == 200 for r in docs.requests)
    assert busy == 0
    sent = docs.count(method="GET", path=DESCRIBE_OR_LIST)
    extra = sent - CALLS
    assert extra == spent <= FAST_RETRY.budget_burst + FAST_RETRY.budget_ratio * CALLS
    assert rule.hits == sum(r.status == 503 for r in docs.requests)
    assert rule.hits > 50  # the storm did happen (about 10% of the requests)
    # every 503 was either retried (spent a token) or handed to a caller
    assert rule.hits == spent + len(failures)
    # the budget's savings cover a 10% blip: nearly every 503 was retried away
    assert len(failures) <= rule.hits // 10
    print(f"503s: {rule.hits}, retried: {spent}, returned to callers: {len(failures)}")


async def test_a_total_503_storm_adds_at_most_the_budget(docs: Emulator) -> None:
    docs.add_fault("status=503", path=DESCRIBE_OR_LIST, method="GET")
    outcomes, busy, spent = await _storm(docs, FAST_RETRY)
    assert all(type(o) is ServiceUnavailableError for o in outcomes) and len(outcomes) == CALLS
    assert busy == 0
    sent = len(docs.requests)
    # without a budget: 3 * CALLS = 3000 requests
    assert CALLS < sent <= CALLS + FAST_RETRY.budget_burst + FAST_RETRY.budget_ratio * CALLS
    assert sent - CALLS == spent
