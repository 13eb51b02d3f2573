"""Backoff draws for loops that wait themselves (``upload_many``'s re-sends, watcher polls):
full jitter under a cap that starts at ``initial_backoff`` and doubles per retry, up to
``max_backoff``."""

from __future__ import annotations

import random

import pytest

from pinecone_assistant_async import RetryPolicy
from pinecone_assistant_async._retries import backoff_delay


@pytest.mark.parametrize(("retry", "cap"), [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (9, 0.5)])
def test_each_retry_draws_below_its_doubling_cap(retry: int, cap: float) -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=0.5)
    random.seed(retry)
    draws = [backoff_delay(policy, retry) for _ in range(400)]
    assert all(0.0 <= d <= cap for d in draws)
    assert max(draws) > 0.9 * cap and min(draws) < 0.1 * cap, "the whole range is drawn"
