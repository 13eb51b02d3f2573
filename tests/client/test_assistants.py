"""client.assistants end to end against the emulator: waiting, pagination, errors, bad input."""

from __future__ import annotations

import pytest

from pinecone_assistant_async import (
    AssistantFailedError,
    AssistantStatus,
    ConflictError,
    InvalidInputError,
    InvalidTypeError,
    NotFoundError,
    WaitTimeoutError,
)
from pinecone_assistant_async.testing import Emulator
from tests.conftest import EmulatorFactory

pytestmark = pytest.mark.anyio


async def test_create_waits_until_ready(emulator: Emulator) -> None:
    async with emulator.client() as client:
        created = await client.assistants.create(
            "docs", instructions="Be brief.", metadata={"team": "ops"}, region="eu"
        )
    assert created.status == AssistantStatus.READY
    assert created.instructions == "Be brief."
    assert created.metadata == {"team": "ops"}
    assert created.host and created.host.startswith("http://127.0.0.1")
    sent = emulator.requests[0]
    assert (sent.method, sent.path) == ("POST", "/assistant/assistants")
    assert sent.json == {
        "name": "docs",
        "region": "eu",
        "instructions": "Be brief.",
        "metadata": {"team": "ops"},
    }
    assert sent.headers["X-Pinecone-Api-Version"] == "2026-07"
    assert sent.headers["User-Agent"].startswith("pinecone-assistant-async/")
    # polled until Ready: at least one describe after the create
    assert emulator.count(method="GET", path="^/assistant/assistants/docs$") >= 1


async def test_create_without_waiting_returns_at_once(emulator: Emulator) -> None:
    async with emulator.client() as client:
        created = await client.assistants.create("docs", wait=False)
        assert created.status == AssistantStatus.INITIALIZING
        ready = await client.assistants.wait_until_ready("docs", timeout=10)
    assert ready.status == AssistantStatus.READY
    assert emulator.count(method="POST") == 1


async def test_initialization_failure_raises_with_the_last_state(emulator: Emulator) -> None:
    async with emulator.client(extra_headers={"X-Emulator-Control": "fail_init=1"}) as client:
        with pytest.raises(AssistantFailedError, match="InitializationFailed") as info:
            await client.assistants.create("broken", timeout=10)
    assert info.value.last.status == AssistantStatus.INITIALIZATION_FAILED


async def test_a_deadline_raises_wait_timeout_with_the_last_state(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(ready_delay=30) as emu, emu.client() as client:
        with pytest.raises(WaitTimeoutError) as info:
            await client.assistants.create("slow", timeout=0.3)
    assert info.value.last.status == AssistantStatus.INITIALIZING
    assert info.value.timeout == 0.3
    assert info.value.attempts == emu.count(method="GET") >= 2  # every poll is counted
    assert "Initializing" in str(info.value)


async def test_waiting_for_ready_stops_at_terminating_with_the_last_state(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(delete_delay=30) as emu, emu.client() as client:
        await client.assistants.create("docs")
        await client.assistants.delete("docs", wait=False)
        before = emu.count(method="GET")
        with pytest.raises(AssistantFailedError, match="Terminating") as info:
            await client.assistants.wait_until_ready("docs", timeout=10)
    assert info.value.last.status == AssistantStatus.TERMINATING
    assert emu.count(method="GET") == before + 1  # one look was enough
    assert info.value.attempts == 1


async def test_list_walks_every_page(emulator: Emulator) -> None:
    names = [f"a{i}" for i in range(7)]
    async with emulator.client() as client:
        for name in names:
            await client.assistants.create(name, wait=False)
        seen = [a.name async for a in client.assistants.list(limit=3)]
        first = await client.assistants.list_page(limit=3)
        second = await client.assistants.list_page(limit=3, pagination_token=first.next_token)
    assert sorted(seen) == names
    assert len(first) == 3 and first.has_more
    assert {a.name for a in first}.isdisjoint({a.name for a in second})
    assert emulator.count(method="GET", path="^/assistant/assistants$") >= 3 + 2


async def test_update_sends_only_what_changes(emulator: Emulator) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
        updated = await client.assistants.update("docs", metadata={"v": 2})
        cleared = await client.assistants.update("docs", instructions=None)
        described = await client.assistants.describe("docs")
    assert updated.metadata == {"v": 2}
    assert cleared.instructions is None
    assert described.metadata == {"v": 2}
    patches = [r.json for r in emulator.requests if r.method == "PATCH"]
    assert patches == [{"metadata": {"v": 2}}, {"instructions": None}]


async def test_delete_waits_until_gone(emulator: Emulator) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
        await client.assistants.delete("docs")
        with pytest.raises(NotFoundError) as info:
            await client.assistants.describe("docs")
    assert info.value.status == 404
    assert info.value.code == "NOT_FOUND"
    assert info.value.request_id


async def test_a_duplicate_name_is_a_conflict_and_is_not_retried(emulator: Emulator) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
        with pytest.raises(ConflictError) as info:
            await client.assistants.create("docs")
    assert info.value.status == 409 and info.value.code == "ALREADY_EXISTS"
    assert emulator.count(method="POST", path="^/assistant/assistants$") == 2


@pytest.mark.parametrize(
    "name", ["", "Docs", "-docs", "docs-", "a" * 64, "docs_v2", "docs v2", "döcs"]
)
async def test_invalid_names_fail_before_any_request(emulator: Emulator, name: str) -> None:
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="assistant name"):
            await client.assistants.create(name)
        with pytest.raises(InvalidInputError):
            await client.assistants.describe(name)
    assert emulator.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"region": "Mars!"}, InvalidInputError),
        ({"metadata": {"x": object()}}, InvalidInputError),
        ({"metadata": ["not", "a", "dict"]}, InvalidTypeError),
        ({"metadata": {"big": "x" * 17000}}, InvalidInputError),
        ({"instructions": "x" * 17000}, InvalidInputError),
        ({"timeout": 0}, InvalidInputError),
        ({"timeout": float("inf")}, InvalidInputError),
        ({"timeout": "10"}, InvalidTypeError),
    ],
)
async def test_bad_create_arguments_fail_before_any_request(
    emulator: Emulator, kwargs: dict[str, object], error: type[Exception]
) -> None:
    async with emulator.client() as client:
        with pytest.raises(error):
            await client.assistants.create("docs", **kwargs)  # type: ignore[arg-type]
    assert emulator.count() == 0


async def test_update_needs_something_to_change(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(InvalidInputError, match="instructions= or metadata="):
            await client.assistants.update("docs")
    assert emulator.count() == 0
