"""``with_options``: other per-call options over the same session, pool and shared state."""

from __future__ import annotations

import anyio
import pytest

from pinecone_assistant_async import (
    ClientClosedError,
    ConnectionLimits,
    InvalidInputError,
    RetryPolicy,
    ServiceUnavailableError,
    Timeouts,
)
from pinecone_assistant_async.testing import Emulator

from ._setup import FAST_RETRY, QUESTION, ready_docs

pytestmark = pytest.mark.anyio
CHAT = "/assistant/chat/docs"


def peers(emulator: Emulator) -> set[str]:
    """The client ends of every connection the emulator was sent a request over."""
    return {r.peer for r in emulator.requests if r.peer is not None}


async def test_derived_clients_share_one_connection_pool(emulator: Emulator) -> None:
    await ready_docs(emulator)
    emulator.reset_log()
    limits = ConnectionLimits(max_connections=3)
    async with emulator.client(limits=limits) as client:
        derived = [
            client.with_options(timeout=30),
            client.with_options(extra_headers={"X-Team": "a"}),
            client.with_options(retry=RetryPolicy(max_retries=4), api_version="2026-04"),
        ]

        async def ask(c: object, n: int) -> None:
            for _ in range(n):
                await c.chat("docs", QUESTION)  # type: ignore[attr-defined]

        async with anyio.create_task_group() as tg:
            for c in [client, *derived]:
                for _ in range(4):
                    tg.start_soon(ask, c, 3)
        # 16 tasks of 4 clients, 48 chats: one pool of at most 3 connections carried them all
        connections = peers(emulator)
        assert 1 <= len(connections) <= 3, connections
        shared_session = client._t.session
        assert all(d._t.session is shared_session for d in derived)
        for d in derived:
            await d.aclose()
        assert not shared_session.closed, "closing a derived client keeps the shared session"
        await client.chat("docs", QUESTION)
    assert emulator.count(method="POST", path=f"^{CHAT}$") == 49
    assert peers(emulator) == connections, "the last chat reused a pooled connection"
    assert shared_session.closed, "closing the original closes the session"


async def test_separate_clients_open_separate_pools(emulator: Emulator) -> None:
    """The control for the test above: the same load from four clients uses more connections."""
    await ready_docs(emulator)
    emulator.reset_log()
    limits = ConnectionLimits(max_connections=3)
    clients = [emulator.client(limits=limits) for _ in range(4)]
    try:
        async with anyio.create_task_group() as tg:
            for c in clients:
                for _ in range(4):
                    tg.start_soon(c.chat, "docs", QUESTION)
    finally:
        for c in clients:
            await c.aclose()
    assert len(peers(emulator)) > 3


async def test_each_derived_client_sends_its_own_options(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client(extra_headers={"X-App": "base"}) as client:
        await client.chat("docs", QUESTION)
        tagged = client.with_options(
            extra_headers={"X-Team": "search", "X-Pinecone-Request-Id": "from-caller"},
            api_version="2026-04",
        )
        reply = await tagged.chat("docs", QUESTION)
        again = await client.chat("docs", QUESTION)
        await tagged.aclose()
        with pytest.raises(ClientClosedError):
            await tagged.chat("docs", QUESTION)
        await client.chat("docs", QUESTION)  # the original still works
    base, derived, after = [r for r in emulator.requests if r.path == CHAT][:3]
    assert base.headers.get("X-App") == "base" and "X-Team" not in base.headers
    assert derived.headers.get("X-App") == "base" and derived.headers.get("X-Team") == "search"
    assert derived.api_version == "2026-04" and base.api_version == after.api_version == "2026-07"
    assert reply.request_id == "from-caller", "the emulator echoes a request id the client sent"
    assert again.request_id != "from-caller"


async def test_derived_clients_share_the_host_cache_budget_hooks_and_usage(
    emulator: Emulator,
) -> None:
    await ready_docs(emulator)
    emulator.reset_log()
    async with emulator.client() as client:
        derived = client.with_options(timeout=Timeouts(total=20.0, connect=2.0))
        assert derived.config.timeouts.total == 20.0 and client.config.timeouts.total == 60.0
        await client.chat("docs", QUESTION)
        await derived.chat("docs", QUESTION)
        await derived.with_options(timeout=5).chat("docs", QUESTION)
        assert derived._t.budget is client._t.budget
        assert derived._t.hosts is client._t.hosts
        assert derived.hooks is client.hooks
        assert derived.usage is client.usage and client.usage.total().requests == 3
        await derived.aclose()
    assert emulator.count(method="GET", path="^/assistant/assistants/docs$") == 1


async def test_a_derived_retry_policy_applies_to_its_calls_only(emulator: Emulator) -> None:
    await ready_docs(emulator)
    async with emulator.client(retry=RetryPolicy.disabled()) as client:
        await client.assistants.describe("docs")
        emulator.add_fault("status=503;times=2", path=f"^{CHAT}$")
        with pytest.raises(ServiceUnavailableError):
            await client.chat("docs", QUESTION)
        patient = client.with_options(retry=FAST_RETRY)
        reply = await patient.chat("docs", QUESTION)  # one more 503, then the answer
    assert reply.message.content
    assert [r.status for r in emulator.requests if r.path == CHAT] == [503, 503, 200]


async def test_bad_options_are_rejected_before_anything_is_sent(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="api_version"):
            client.with_options(api_version="1999-01")
        with pytest.raises(InvalidInputError, match="Api-Key"):
            client.with_options(extra_headers={"Api-Key": "other"})
        with pytest.raises(InvalidInputError, match="timeout"):
            client.with_options(timeout="soon")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="retry"):
            client.with_options(retry=3)  # type: ignore[arg-type]
    assert emulator.requests == []
