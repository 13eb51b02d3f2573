"""Usage totals by assistant and model; the package's log lines (and never the key in them)."""

from __future__ import annotations

import logging
import time

import pytest

from pinecone_assistant_async import APIStatusError, UsageTotals, WaitTimeoutError
from pinecone_assistant_async.testing import Emulator

from ._setup import FAST_RETRY, QUESTION, ready_docs

pytestmark = pytest.mark.anyio
CHAT = "/assistant/chat/docs"


async def test_usage_totals_add_up_every_answer_by_assistant_and_model(
    emulator: Emulator,
) -> None:
    await ready_docs(emulator, "docs")
    await ready_docs(emulator, "faq")
    async with emulator.client() as client:
        assert client.usage.total() == UsageTotals()
        a = await client.chat("docs", QUESTION)
        b = await client.chat("docs", QUESTION, model="gpt-4.1")
        c = await client.chat_completions("faq", QUESTION)
        async with client.chat_stream("faq", QUESTION) as stream:
            d = await stream.final()
        e = await client.context("docs", "office hours")
        async with client.chat_stream("docs", QUESTION) as early:
            await early.__anext__()  # left before its usage arrived: not counted
        usage = client.usage
        by_key = usage.by_assistant_and_model()
    answers = [a, b, c, d]
    assert all(x.usage is not None for x in answers)
    assert e.usage.prompt_tokens
    assert set(by_key) == {
        ("docs", "gpt-4o"),
        ("docs", "gpt-4.1"),
        ("faq", "gpt-4o"),
        ("docs", None),
    }
    assert by_key[("docs", "gpt-4o")] == UsageTotals(
        1, a.usage.prompt_tokens or 0, a.usage.completion_tokens or 0, 0
    )
    faq = usage.total(assistant="faq")
    assert faq.requests == 2
    assert faq.prompt_tokens == (c.usage.prompt_tokens or 0) + (d.usage.prompt_tokens or 0)
    assert by_key[("docs", None)].context_tokens == e.usage.total_tokens
    total = usage.total()
    assert total.requests == 5
    assert total.completion_tokens == sum(x.usage.completion_tokens or 0 for x in answers)
    assert total.total_tokens == (
        total.prompt_tokens + total.completion_tokens + total.context_tokens
    )
    assert usage.by_model()["gpt-4o"].requests == 3
    assert usage.by_assistant()["docs"].requests == 3


async def test_one_info_line_per_retry_and_per_wait_timeout_debug_per_request_never_the_key(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    await ready_docs(emulator)
    caplog.set_level(logging.DEBUG, logger="pinecone_assistant_async")
    emulator.add_fault("status=503;times=2", path=f"^{CHAT}$")
    async with emulator.client(retry=FAST_RETRY) as client:
        await client.chat("docs", QUESTION)
        async with client.chat_stream("docs", QUESTION) as stream:
            await stream.final()
        await client.assistants.create("slow", wait=False)
        emulator.add_fault("delay=0.3", path="^/assistant/assistants/slow$", method="GET")
        with pytest.raises(WaitTimeoutError):
            await client.assistants.wait_until_ready("slow", timeout=0.05)
    ours = [r for r in caplog.records if r.name.startswith("pinecone_assistant_async")]
    infos = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    retries = [m for m in infos if m.startswith("retrying POST")]
    assert len(retries) == 2 and all("ServiceUnavailableError" in m for m in retries)
    waits = [m for m in infos if m.startswith("gave up waiting")]
    assert len(waits) == 1 and "the assistant to be Ready" in waits[0]
    assert len(infos) == 3
    debugs = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    assert sum(f"POST {emulator.url}{CHAT} -> 503" in m for m in debugs) == 2
    assert sum(f"POST {emulator.url}{CHAT} -> 200" in m for m in debugs) == 2  # chat, stream
    assert emulator.api_key not in caplog.text


async def test_a_debug_line_per_answer_with_its_status_and_the_time_it_took(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    # Every answer's debug line: a success with its time in ms (how long it took on this
    # machine, bounded by the call's own wall time), any status from 300 up (here a proxy's
    # page) without one.
    await ready_docs(emulator)
    caplog.set_level(logging.DEBUG, logger="pinecone_assistant_async")
    url = f"{emulator.url}/assistant/assistants/docs"
    async with emulator.client() as client:
        await client.assistants.describe("docs")  # the pool is warm: one request below
        caplog.clear()
        started = time.perf_counter()
        await client.assistants.describe("docs")
        wall_ms = (time.perf_counter() - started) * 1e3
        timed = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
        emulator.add_fault("status=300;body=html;times=1", path="^/assistant/assistants/docs$")
        caplog.clear()
        with pytest.raises(APIStatusError) as refused:
            await client.assistants.describe("docs")
        untimed = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert refused.value.status == 300
    line = next(m for m in timed if m.startswith(f"GET {url} -> 200 in "))
    ms = float(line.removeprefix(f"GET {url} -> 200 in ").removesuffix(" ms"))
    assert 0 < ms <= wall_ms, (line, wall_ms)
    assert untimed.count(f"GET {url} -> 300") == 1, untimed
