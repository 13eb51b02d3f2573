"""README: everything goes to the ``pinecone_assistant_async`` logger, one INFO line per retry
(method, URL, error, attempt, wait). A retry says what failed; a retry the retry budget refuses
says so (at DEBUG)."""

from __future__ import annotations

import logging

import pytest

from pinecone_assistant_async import RetryPolicy, ServiceUnavailableError
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

DOCS = "^/assistant/assistants/docs$"
LOGGER = "pinecone_assistant_async"


def _lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name.startswith(LOGGER) and r.levelno == level
    ]


async def test_a_retry_is_logged_with_its_reason(
    docs: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    docs.add_fault("status=503;times=1", path=DOCS, method="GET")
    async with docs.client(retry=RetryPolicy(initial_backoff=0.001)) as client:
        await client.assistants.describe("docs")
    retries = [line for line in _lines(caplog, logging.INFO) if line.startswith("retrying")]
    assert len(retries) == 1
    assert "ServiceUnavailableError" in retries[0]
    assert f"GET {docs.url}/assistant/assistants/docs" in retries[0]


async def test_a_retry_refused_by_the_budget_is_logged(
    docs: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    docs.add_fault("status=503", path=DOCS, method="GET")
    policy = RetryPolicy(budget_burst=0, budget_ratio=0.0, initial_backoff=0.001)
    async with docs.client(retry=policy) as client:
        with pytest.raises(ServiceUnavailableError):
            await client.assistants.describe("docs")
    assert not [line for line in _lines(caplog, logging.INFO) if line.startswith("retrying")]
    refused = [line for line in _lines(caplog, logging.DEBUG) if "budget" in line]
    assert len(refused) == 1
    assert f"{docs.url}/assistant/assistants/docs" in refused[0]
    assert docs.count(path=DOCS) == 1
