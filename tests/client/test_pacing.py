"""The SDK paces itself to a plan's limits, against an emulator enforcing that plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import anyio
import pytest

from pinecone_assistant_async import AssistantClient, InvalidInputError
from pinecone_assistant_async.limits import ObjectLimits, RateLimits, operation_class
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

SCALE = 1 / 60  # one rate-limit minute lasts one second
MINUTE = 60 * SCALE


def _files(root: Path, count: int) -> Path:
    for i in range(count):
        (root / f"doc{i:03}.txt").write_text(f"document number {i}\n")
    return root


async def test_upload_many_stays_within_the_standard_upload_limit(tmp_path: Path) -> None:
    limits = RateLimits.standard(minute=MINUTE)
    async with Emulator(plan="standard", time_scale=SCALE) as emu:
        async with emu.client(rate_limits=limits) as client:
            await client.assistants.create("docs")
            await client.assistants.wait_until_ready("docs")
            report = await client.files.upload_many("docs", _files(tmp_path, 45))
        assert report.ok and len(report.available) == 45
        assert emu.limits.refused == dict.fromkeys(emu.limits.refused, 0)
        assert emu.limits.peak["file_upload"] == 20
        # Waiting is batched: far fewer file reads than files.
        assert emu.limits.admitted["file_read"] <= 1.5 * 45


async def test_adaptive_client_learns_the_rate_from_the_first_refusals() -> None:
    async with Emulator(plan="starter", time_scale=SCALE) as emu:
        async with emu.client(rate_limits=RateLimits.adaptive(minute=MINUTE)) as client:

            async def worker() -> None:
                for _ in range(25):
                    await client.assistants.list_page()

            async with anyio.create_task_group() as tg:
                for _ in range(4):
                    tg.start_soon(worker)
            learned = client._t.pacer.learned
        # 100 listings against 40 a minute: every one succeeded; the workers in flight when
        # the limit was reached were refused once, and the learned rate kept the rest in.
        assert emu.limits.admitted["assistant_read"] == 100
        assert 1 <= emu.limits.refused["assistant_read"] <= 8
        assert 36 <= learned["assistant_read"] <= 40


async def test_object_limits_are_checked_before_sending(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as out:
        out.truncate(10 * 1024 * 1024 + 1)
    async with Emulator() as emu, emu.client() as client:
        await client.assistants.create("docs")
        with pytest.raises(InvalidInputError, match=r"limit for a \.txt file is 10 MB"):
            await client.files.upload("docs", big)
        assert emu.count("POST", "/files/") == 0


async def test_object_limits_are_data_users_can_override(tmp_path: Path) -> None:
    objects = ObjectLimits(file_bytes={".md": 10}, files_per_assistant=3)
    limits = dataclasses.replace(RateLimits.standard(), objects=objects)
    for i in range(5):
        (tmp_path / f"n{i}.txt").write_text(f"note {i}")
    (tmp_path / "long.md").write_text("more than ten bytes")
    async with Emulator() as emu, emu.client(rate_limits=limits) as client:
        await client.assistants.create("docs")
        await client.assistants.wait_until_ready("docs")
        report = await client.files.upload_many("docs", tmp_path)
        sent = emu.count("PUT", "/files/")
    assert len(report.available) == 3 and len(report.failed) == 3 and sent == 3
    reasons = [r.reason or "" for r in report.failed]
    assert sum("ObjectLimits.file_bytes['.md']" in r for r in reasons) == 1
    assert all(isinstance(r.error, InvalidInputError) for r in report.failed)
    assert sum("ObjectLimits.files_per_assistant" in r for r in reasons) == 2


def test_rate_limits_are_validated_data() -> None:
    assert RateLimits.standard().per_minute["file_upload"] == 20
    assert RateLimits.for_plan("Enterprise").per_minute["file_read"] == 6000
    assert RateLimits.starter().objects.files_per_assistant == 100
    assert RateLimits.adaptive().per_minute["file_upload"] is None
    assert RateLimits.standard().with_rates(file_upload=40).per_minute["file_upload"] == 40
    with pytest.raises(InvalidInputError, match="unknown operation classes"):
        RateLimits(per_minute={"uploads": 3})
    with pytest.raises(InvalidInputError, match="positive int"):
        RateLimits.standard().with_rates(file_upload=0)
    with pytest.raises(InvalidInputError, match="plan must be one of"):
        RateLimits.for_plan("gold")
    with pytest.raises(InvalidInputError):
        AssistantClient(api_key="k", rate_limits="standard")  # type: ignore[arg-type]


def test_operation_classes_of_urls() -> None:
    data = "https://prod-1-data.ke.pinecone.io/assistant"
    assert operation_class("GET", f"{data}/files/docs?filter=x") == "file_read"
    assert operation_class("PUT", f"{data}/files/docs/f1") == "file_upload"
    assert operation_class("GET", "https://api.pinecone.io/assistant/assistants") == (
        "assistant_read"
    )
    assert operation_class("POST", f"{data}/chat/docs/chat/completions") == "chat_tokens"
    assert operation_class("GET", "https://example.com/other") is None


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_admissions_nobody_answered_leave_with_their_minute_however_many() -> None:
    # An admission whose answer never came (its task vanished without settling it) counts for
    # one window, like an answered one. 100 of them: more than the old scan's cap of 64, which
    # left them in the window for good.
    from pinecone_assistant_async._pacing import MemoryBackend

    clock = _Clock()
    backend = MemoryBackend(clock=clock)
    for _ in range(100):
        wait, ticket = backend.acquire_now("chat_tokens", None, 60.0, 1)
        assert wait == 0.0 and ticket is not None
    wait, ticket = backend.acquire_now("chat_tokens", 100, 60.0, 1)
    assert ticket is None and 59.0 < wait <= 60.0, "the window is full for a minute"
    clock.now += 30.0
    later = [backend.acquire_now("chat_tokens", None, 60.0, 1)[1] for _ in range(10)]
    clock.now += 30.5  # the first 100 are a minute old, the 10 later ones half a minute
    wait, ticket = backend.acquire_now("chat_tokens", 11, 60.0, 1)
    assert ticket is not None and wait == 0.0, "only the 10 later admissions are left"
    wait, ticket = backend.acquire_now("chat_tokens", 11, 60.0, 1)
    assert ticket is None and 29.0 < wait <= 30.0
    for t in later:
        assert t is not None
        backend.settle_now("chat_tokens", t, True)  # answered now: dated to now
    assert await backend.recent("chat_tokens", 60.0) == 10


async def test_a_wait_for_admission_ends_with_the_call_s_deadline() -> None:
    # One assistant read per two seconds: the second listing would wait ~2 s for its turn,
    # but its call has 0.3 s in all, so it times out when the deadline passes, not later.
    from pinecone_assistant_async import APITimeoutError, Timeouts

    limits = RateLimits.standard(minute=2.0).with_rates(assistant_read=1)
    timeout = Timeouts(total=0.3)
    async with Emulator() as emu, emu.client(rate_limits=limits, timeout=timeout) as client:
        await client.assistants.list_page()
        started = anyio.current_time()
        with anyio.fail_after(1.5), pytest.raises(APITimeoutError):
            await client.assistants.list_page()
        waited = anyio.current_time() - started
    assert 0.25 <= waited < 1.0, waited
    assert emu.limits.admitted["assistant_read"] == 1, "the second listing was never sent"


class _Sleeps:
    """A fake sleep that moves a fake clock: every wait the pacer starts, recorded."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.now += seconds


READS = "https://api.pinecone.io/assistant/assistants/docs"


def _paced(rate: int) -> tuple[Any, _Clock, _Sleeps]:
    from pinecone_assistant_async._pacing import MemoryBackend, Pacer

    clock = _Clock()
    sleeps = _Sleeps(clock)
    limits = RateLimits.standard(minute=10.0).with_rates(assistant_read=rate)
    pacer = Pacer(limits.with_backend(MemoryBackend(clock=clock)), sleep=sleeps, max_hold=30.0)
    return pacer, clock, sleeps


async def test_a_request_that_waits_counts_one_wait_however_long() -> None:
    pacer, _, sleeps = _paced(rate=1)
    first = await pacer.admit("GET", READS)
    # The window is full for ~10 s: the second request sleeps until its deadline (2 s), finds
    # its turn still 8 s away and gives up; the third sleeps those 8 s. One wait each.
    later = await pacer.admit("GET", READS, within=2.0)
    assert later is None and sleeps.waits == [2.0], "a wait never goes past the deadline"
    admitted = await pacer.admit("GET", READS)
    assert first is not None and admitted is not None
    assert pacer.waits["assistant_read"] == 2, "two requests waited, each counted once"


async def test_a_refusal_counts_once_and_holds_the_class_but_not_its_own_retry() -> None:
    pacer, clock, sleeps = _paced(rate=100)

    async def refused_then_retried() -> float:
        admission = await pacer.admit("GET", READS)
        await pacer.answered(admission, 429, 4.0)  # the service said: retry after 4 s
        before = clock.now
        await pacer.admit("GET", READS)  # the refused request's retry, in its own task
        return clock.now - before

    async with anyio.create_task_group() as tg:
        waited: list[float] = []

        async def run() -> None:
            waited.append(await refused_then_retried())

        tg.start_soon(run)
    assert waited == [0.0], "the retry already waited out the Retry-After itself"
    assert pacer.refusals["assistant_read"] == 1
    before = clock.now
    await pacer.admit("GET", READS)  # anyone else: held until the 4 s are over
    assert 3.9 <= clock.now - before <= 4.0, sleeps.waits


async def test_recent_counts_only_the_answers_of_the_last_window() -> None:
    from pinecone_assistant_async._pacing import MemoryBackend

    clock = _Clock()
    backend = MemoryBackend(clock=clock)
    for _ in range(3):
        _, ticket = backend.acquire_now("file_read", None, 60.0, 1)
        assert ticket is not None
        backend.settle_now("file_read", ticket, True)
    assert await backend.recent("file_read", 60.0) == 3
    clock.now += 61.0
    assert await backend.recent("file_read", 60.0) == 0, "a minute later they have left"
