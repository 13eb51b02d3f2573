"""Waiting, as seen from outside: a 404 while waiting for Ready is an error (only a deletion
waits for one), a deadline reports the state the last poll saw, and polls back off instead of
hammering the service. Everything goes through the public client and the emulator's log."""

from __future__ import annotations

import pytest

from pinecone_assistant_async import NotFoundError, WaitTimeoutError
from pinecone_assistant_async.models import AssistantStatus, FileStatus, OperationStatus
from pinecone_assistant_async.testing import Emulator
from tests.conftest import EmulatorFactory

pytestmark = pytest.mark.anyio

SLOW = "^/assistant/assistants/slow$"


async def test_waiting_for_an_assistant_that_does_not_exist_raises_not_found(
    docs: Emulator,
) -> None:
    async with docs.client() as client:
        with pytest.raises(NotFoundError) as info:
            await client.assistants.wait_until_ready("ghost", timeout=5)
    assert info.value.status == 404
    assert docs.count(method="GET", path="^/assistant/assistants/ghost$") == 1  # no polling on


async def test_an_assistant_deleted_while_being_waited_for_raises_not_found(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(ready_delay=30, delete_delay=0.01) as emu, emu.client() as c:
        await c.assistants.create("slow", wait=False)
        await c.assistants.delete("slow")  # waits until gone
        with pytest.raises(NotFoundError):
            await c.assistants.wait_until_ready("slow", timeout=5)


async def test_waiting_for_a_file_that_does_not_exist_raises_not_found(docs: Emulator) -> None:
    async with docs.client() as client:
        with pytest.raises(NotFoundError):
            await client.files.wait_until_available("docs", "no-such-file", timeout=5)


async def test_waiting_for_an_operation_that_does_not_exist_raises_not_found(
    docs: Emulator,
) -> None:
    async with docs.client() as client:
        with pytest.raises(NotFoundError):
            await client.operations.wait("docs", "no-such-operation", timeout=5)


async def test_a_deadline_reports_the_last_polled_state_when_no_state_was_given(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(ready_delay=30) as emu, emu.client() as client:
        await client.assistants.create("slow", wait=False)
        with pytest.raises(WaitTimeoutError) as info:
            await client.assistants.wait_until_ready("slow", timeout=0.3)
    last = info.value.last
    assert last is not None and last.name == "slow"
    assert last.status == AssistantStatus.INITIALIZING
    assert "nothing seen yet" not in str(info.value)
    assert "Initializing" in str(info.value)


async def test_a_file_deadline_reports_the_file_as_last_polled(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(processing_delay=30) as emu, emu.client() as client:
        await client.assistants.create("docs")
        started = await client.files.upload("docs", b"text", file_name="a.txt", wait=False)
        file_id = getattr(started, "file_id", None) or started.id
        with pytest.raises(WaitTimeoutError) as info:
            await client.files.wait_until_available("docs", file_id, timeout=0.3)
        with pytest.raises(WaitTimeoutError) as on_op:
            await client.operations.wait("docs", started.id, timeout=0.3)
    assert info.value.last.id == file_id
    assert info.value.last.status == FileStatus.PROCESSING
    assert on_op.value.last.id == started.id
    assert on_op.value.last.status == OperationStatus.PROCESSING


async def test_a_wait_that_starts_from_a_known_state_still_reports_the_newest_one(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(ready_delay=30) as emu, emu.client() as client:
        created = await client.assistants.create("slow", wait=False)
        emu.add_fault("extra_fields=1", path=SLOW, method="GET")
        with pytest.raises(WaitTimeoutError) as info:
            await client.assistants.wait_until_ready("slow", timeout=0.3, initial=created)
    last = info.value.last
    assert last is not created  # the state a poll returned, not the one passed in
    assert last.model_extra and "x_emulator_unknown_field" in last.model_extra


async def test_polls_back_off_instead_of_hammering_the_service(
    emulator_factory: EmulatorFactory,
) -> None:
    # Polls wait 0.05 s, then 0.05, 0.1, 0.2, 0.4, 0.8 s (doubling, at most 2 s): an assistant
    # that takes 1 s to become Ready is seen after at most 7 polls (fewer on a slow machine).
    # Intervals of 0, or stuck at the first interval, would poll dozens of times.
    async with emulator_factory(ready_delay=1.0) as emu, emu.client() as client:
        await client.assistants.create("slow", wait=False)
        ready = await client.assistants.wait_until_ready("slow", timeout=10)
    assert ready.status == AssistantStatus.READY
    polls = emu.count(method="GET", path=SLOW)
    assert 2 <= polls <= 10


async def test_a_deletion_wait_backs_off_too(emulator_factory: EmulatorFactory) -> None:
    async with emulator_factory(delete_delay=1.0) as emu, emu.client() as client:
        await client.assistants.create("slow")
        emu.reset_log()
        await client.assistants.delete("slow", timeout=10)
    polls = emu.count(method="GET", path=SLOW)
    assert 2 <= polls <= 10
