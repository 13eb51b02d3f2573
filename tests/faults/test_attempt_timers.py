"""The attempt timer takes only the timeouts it raised itself for its own (the deadline and
per-attempt scenarios run under both timers in test_connections and test_request_core, through
the ``timer`` fixture)."""

from __future__ import annotations

import pytest

from pinecone_assistant_async import _retries as retries


@pytest.mark.anyio
async def test_a_timeout_raised_by_the_caller_code_is_not_taken_for_ours(timer: str) -> None:
    # A TimeoutError from inside the attempt that no timer of ours raised goes through as it is.
    async def attempt() -> None:
        raise TimeoutError("the caller's own")

    bound = retries.AttemptBound(retries.Deadline.after(30.0), None, "GET", "http://h/x")
    with pytest.raises(TimeoutError, match="the caller's own"):
        await bound.run(attempt())
