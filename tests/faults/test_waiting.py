"""Waiting for server-side work: failed states raise their typed errors with the server's words,
a deadline raises WaitTimeoutError carrying the last state, and a cancelled wait leaves nothing
behind."""

from __future__ import annotations

import itertools

import anyio
import pytest

from pinecone_assistant_async import (
    AssistantFailedError,
    ConnectionLimits,
    FileProcessingError,
    OperationFailedError,
    WaitTimeoutError,
)
from pinecone_assistant_async.models import (
    AssistantFile,
    AssistantStatus,
    FileStatus,
    Operation,
    OperationStatus,
)
from pinecone_assistant_async.testing import Emulator
from tests.conftest import EmulatorFactory

from .conftest import DOCS, FAST_RETRY, in_use

pytestmark = pytest.mark.anyio

PROVOKED = "File processing failed: provoked by X-Emulator-Control fail_processing=1"


async def test_initialization_failed_raises_with_the_last_state(docs: Emulator) -> None:
    ctl = {"X-Emulator-Control": "fail_init=1"}
    async with docs.client(extra_headers=ctl) as client:
        with pytest.raises(AssistantFailedError) as info:
            await client.assistants.create("broken", timeout=10)
    assert str(info.value) == "assistant 'broken' is InitializationFailed"
    assert info.value.last.status == AssistantStatus.INITIALIZATION_FAILED
    assert info.value.last.name == "broken"


async def test_processing_failed_raises_with_the_server_message(docs: Emulator) -> None:
    ctl = {"X-Emulator-Control": "fail_processing=1"}
    async with docs.client(extra_headers=ctl) as client:
        with pytest.raises(FileProcessingError) as info:
            await client.files.upload("docs", b"fine text", file_name="a.txt", timeout=10)
        op = info.value.last
        assert isinstance(op, Operation) and op.status == OperationStatus.FAILED
        with pytest.raises(FileProcessingError) as on_file:
            await client.files.wait_until_available("docs", op.file_id or "", timeout=10)
    assert str(info.value) == op.error_message == PROVOKED
    file = on_file.value.last
    assert isinstance(file, AssistantFile) and file.status == FileStatus.PROCESSING_FAILED
    assert str(on_file.value) == PROVOKED


async def test_an_operation_that_failed_raises_operation_failed(docs: Emulator) -> None:
    ctl = {"X-Emulator-Control": "fail_processing=1"}
    async with docs.client(extra_headers=ctl) as client:
        started = await client.files.upload("docs", b"text", file_name="a.txt", wait=False)
        assert isinstance(started, Operation)
        with pytest.raises(OperationFailedError) as info:
            await client.operations.wait("docs", started.id, timeout=10)
    assert str(info.value) == PROVOKED
    assert info.value.last.id == started.id and info.value.last.status == OperationStatus.FAILED


async def test_an_assistant_deadline_raises_wait_timeout_with_the_last_state(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(ready_delay=30) as emu, emu.client() as client:
        with pytest.raises(WaitTimeoutError) as info:
            await client.assistants.create("slow", timeout=0.3)
    assert isinstance(info.value, TimeoutError)
    assert info.value.timeout == 0.3
    assert info.value.last.status == AssistantStatus.INITIALIZING
    assert str(info.value) == (
        "waited 0.3s for the assistant to be Ready; last state: status=Initializing"
    )


async def test_an_upload_deadline_raises_wait_timeout_with_the_operation(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory(processing_delay=30) as emu, emu.client() as client:
        await client.assistants.create("docs")
        with pytest.raises(WaitTimeoutError) as info:
            await client.files.upload("docs", b"slow", file_name="s.txt", timeout=0.3)
    last = info.value.last
    assert isinstance(last, Operation) and last.status == OperationStatus.PROCESSING
    assert str(info.value).startswith("waited ")
    assert f"for the operation to complete; last state: operation {last.id} status=Processing" in (
        str(info.value)
    )


async def test_no_sleep_crosses_the_deadline(emulator_factory: EmulatorFactory) -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        await anyio.sleep(seconds)

    async with emulator_factory(ready_delay=30) as emu, emu.client(sleep=sleep) as client:
        with pytest.raises(WaitTimeoutError):
            await client.assistants.create("slow", timeout=0.5)
    assert len(delays) >= 3  # it did poll more than once
    assert sum(delays) <= 0.5
    # backoff grows; only the last sleep may be cut short to end at the deadline
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays[:-1]))


async def test_a_poll_that_hangs_does_not_outlive_the_deadline(docs: Emulator) -> None:
    async with docs.client() as client:
        await client.assistants.create("second", wait=False)
        docs.add_fault("delay=5", path="^/assistant/assistants/second$", method="GET")
        with anyio.fail_after(3), pytest.raises(WaitTimeoutError) as info:
            await client.assistants.wait_until_ready("second", timeout=0.3)
        assert in_use(client) == 0
    assert info.value.timeout == 0.3


async def test_transient_errors_while_polling_are_retried(docs: Emulator) -> None:
    async with docs.client(retry=FAST_RETRY) as client:
        await client.assistants.create("second", wait=False)
        docs.add_fault("status=503;times=2", path="^/assistant/assistants/second$", method="GET")
        ready = await client.assistants.wait_until_ready("second", timeout=10)
    assert ready.status == AssistantStatus.READY
    statuses = [r.status for r in docs.requests if r.path == "/assistant/assistants/second"]
    assert statuses[:2] == [503, 503] and statuses[-1] == 200


async def test_cancelling_a_wait_leaves_the_client_usable(
    emulator_factory: EmulatorFactory,
) -> None:
    async with (
        emulator_factory(ready_delay=30) as emu,
        emu.client(limits=ConnectionLimits(max_connections=1)) as client,
    ):
        with anyio.move_on_after(0.3) as scope:
            await client.assistants.create("slow", timeout=60)
        assert scope.cancelled_caught
        assert in_use(client) == 0
        await anyio.sleep(0.1)  # a poll already on the wire may still reach the server
        polls = emu.count(method="GET", path="^/assistant/assistants/slow$")
        await anyio.sleep(0.5)  # the wait polled every <= 0.2 s before it was cancelled
        assert emu.count(method="GET", path="^/assistant/assistants/slow$") == polls  # stopped
        with anyio.fail_after(5):
            described = await client.assistants.describe("slow")
    assert described.status == AssistantStatus.INITIALIZING


async def test_deleting_waits_until_gone_through_transient_errors(docs: Emulator) -> None:
    async with docs.client(retry=FAST_RETRY) as client:
        docs.add_fault("status=502;times=1", path=DOCS, method="GET")
        await client.assistants.delete("docs", timeout=10)
        assert [a.name async for a in client.assistants.list()] == []
