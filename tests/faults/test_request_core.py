"""Faults of the request core that users debug with: attempts, lost creates, stalled attempts,
hosts that move or come without a scheme, and regions newer than the SDK."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    APIConnectionError,
    AssistantClient,
    NotFoundError,
    ServerError,
    ServiceUnavailableError,
    Timeouts,
)
from pinecone_assistant_async.testing import Emulator
from tests.conftest import EmulatorFactory

from .conftest import DOCS, FAST_RETRY, FILES, LocalServer, SleepRecorder

pytestmark = pytest.mark.anyio

MAY_EXIST = "may have taken effect anyway"


# -- a create whose answer is lost ---------------------------------------------------------


async def test_an_upload_whose_answer_is_cut_says_the_file_may_exist(docs: Emulator) -> None:
    docs.add_fault("cut_after=1;times=1", path=FILES, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.files.upload("docs", b"The office opens at nine.", file_name="a.txt")
        files = [f async for f in client.files.list("docs")]
    error = info.value
    assert error.outcome_unknown and MAY_EXIST in str(error)
    assert error.attempts == 1  # a POST whose answer was lost is never sent twice
    assert [f.name for f in files] == ["a.txt"]  # and indeed, the file exists


async def test_an_upload_answered_500_may_exist_but_one_answered_503_did_not_land(
    docs: Emulator,
) -> None:
    docs.add_fault("status=500;times=1", path=FILES, method="POST")
    async with docs.client(retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        with pytest.raises(ServerError) as lost:
            await client.files.upload("docs", b"x", file_name="x.txt")
        docs.add_fault("status=503;times=3", path=FILES, method="POST")
        with pytest.raises(ServiceUnavailableError) as refused:
            await client.files.upload("docs", b"x", file_name="x.txt")
    assert lost.value.outcome_unknown and MAY_EXIST in str(lost.value)
    assert (lost.value.attempts, refused.value.attempts) == (1, 3)
    assert not refused.value.outcome_unknown and MAY_EXIST not in str(refused.value)


async def test_a_failed_upsert_with_the_callers_id_is_not_outcome_unknown(docs: Emulator) -> None:
    docs.add_fault("status=500;times=3", path="^/assistant/files/docs/f1$", method="PUT")
    async with docs.client(retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        with pytest.raises(ServerError) as info:
            await client.files.upsert("docs", "f1", b"x", file_name="x.txt")
    assert info.value.attempts == 3 and not info.value.outcome_unknown  # safe to repeat


# -- a stalled attempt ---------------------------------------------------------------------


async def test_a_stalled_get_is_given_up_and_retried_within_the_deadline(
    docs: Emulator, timer: str
) -> None:
    docs.add_fault("stall_after=0;stall=30;times=1", path=DOCS, method="GET")
    timeouts = Timeouts(total=20, attempt=1.0)  # the second attempt has a second to answer
    async with docs.client(timeout=timeouts, retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    assert docs.count(method="GET", path=DOCS) == 2


async def test_a_get_stalled_on_every_attempt_says_so_and_counts_its_attempts(
    docs: Emulator, timer: str
) -> None:
    docs.add_fault("stall_after=0;stall=30;times=3", path=DOCS, method="GET")
    timeouts = Timeouts(total=5, attempt=0.2)
    async with docs.client(timeout=timeouts, retry=FAST_RETRY, sleep=SleepRecorder()) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.assistants.describe("docs")
    assert "no answer within 0.2s (one attempt)" in str(info.value)
    assert info.value.attempts == 3 and str(info.value).endswith("after 3 attempts")
    assert info.value.__context__ is None


# -- hosts -----------------------------------------------------------------------------------


def _control_plane(hosts: list[str], seen: list[str]) -> Any:
    """A control plane whose describe() names the next host of ``hosts`` (the last repeats)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        seen.append(f"{request.method} {request.path}")
        host = hosts.pop(0) if len(hosts) > 1 else hosts[0]
        return web.json_response({"name": "docs", "status": "Ready", "host": host})

    return respond


@contextlib.asynccontextmanager
async def _described_by(
    hosts: list[str], api_key: str, seen: list[str]
) -> AsyncIterator[AssistantClient]:
    """A client whose control plane describes the assistant at ``hosts`` in turn."""
    async with (
        LocalServer(_control_plane(hosts, seen)) as server,
        AssistantClient(api_key=api_key, host=server.url, retry=FAST_RETRY) as client,
    ):
        yield client


async def test_a_moved_assistant_is_described_again_and_the_call_retried_there(
    emulator_factory: EmulatorFactory,
) -> None:
    async with emulator_factory() as old_home, emulator_factory() as new_home:
        async with new_home.client() as setup:
            await setup.assistants.create("docs")
            await setup.files.upload("docs", b"Nine to five.", file_name="hours.txt")
        seen: list[str] = []
        async with _described_by([old_home.url, new_home.url], new_home.api_key, seen) as client:
            page = await client.files.list_page("docs")
            again = await client.files.list_page("docs")
    assert [f.name for f in page] == [f.name for f in again] == ["hours.txt"]
    assert seen == ["GET /assistant/assistants/docs"] * 2  # described again once, then kept
    assert old_home.count(path=FILES) == 1
    assert new_home.count(method="GET", path=FILES) == 2


async def test_a_failed_first_attempt_at_the_new_home_is_retried_there(
    emulator_factory: EmulatorFactory,
) -> None:
    # After the move, the call starts over at the new host (its own first attempt, outside
    # the retry machinery); when that attempt fails, the retries carry on from its error.
    async with emulator_factory() as old_home, emulator_factory() as new_home:
        async with new_home.client() as setup:
            await setup.assistants.create("docs")
        new_home.add_fault("status=503;times=1", path=FILES, method="GET")
        async with _described_by([old_home.url, new_home.url], new_home.api_key, []) as client:
            page = await client.files.list_page("docs")
    assert list(page) == []
    assert old_home.count(path=FILES) == 1
    assert new_home.count(method="GET", path=FILES) == 2  # the 503, then the retry


async def test_an_assistant_gone_for_good_raises_the_calls_own_404(emulator: Emulator) -> None:
    seen: list[str] = []
    async with _described_by([emulator.url], emulator.api_key, seen) as client:
        with pytest.raises(NotFoundError) as info:
            await client.files.list_page("docs")
    assert 'Assistant "docs" not found' in info.value.message
    assert info.value.url == f"{emulator.url}/assistant/files/docs"
    assert len(seen) == 2  # the host was looked up, and once more after the 404
    assert emulator.count(path=FILES) == 1  # the same host: not sent again


async def test_a_404_without_a_code_is_taken_for_a_moved_assistant(emulator: Emulator) -> None:
    # A bare 404 (a proxy's page, a host that no longer serves assistants) cannot say what is
    # missing: the host is looked up again before the 404 is believed.
    async def bare_404(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, text="Not Found")

    seen: list[str] = []
    async with (
        LocalServer(bare_404) as data,
        _described_by([data.url], emulator.api_key, seen) as client,
    ):
        with pytest.raises(NotFoundError) as info:
            await client.files.list_page("docs")
        assert info.value.code is None and info.value.url == f"{data.url}/assistant/files/docs"
    assert len(seen) == 2  # looked up, and once more after the bare 404


async def test_a_lookup_that_fails_after_a_404_leaves_the_calls_own_404(
    emulator: Emulator,
) -> None:
    seen: list[str] = []

    async def control_plane(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        if len(seen) == 1:
            return web.json_response({"name": "docs", "status": "Ready", "host": emulator.url})
        gone = {"error": {"code": "NOT_FOUND", "message": "the control plane lost it"}}
        return web.json_response(gone, status=404)

    async with (
        LocalServer(control_plane) as server,
        AssistantClient(api_key=emulator.api_key, host=server.url, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(NotFoundError) as info:
            await client.files.list_page("docs")
    assert 'Assistant "docs" not found' in info.value.message  # the data plane's, not the lookup's
    assert info.value.url == f"{emulator.url}/assistant/files/docs"
    assert len(seen) == 2


async def test_a_scheme_less_host_gets_the_scheme_of_the_control_host(emulator: Emulator) -> None:
    async with emulator.client() as setup:
        await setup.assistants.create("docs")
    bare = emulator.url.removeprefix("http://")
    async with _described_by([bare], emulator.api_key, []) as client:
        page = await client.files.list_page("docs")
    assert page.items == []
    assert emulator.count(method="GET", path=FILES) == 1


# -- regions -----------------------------------------------------------------------------


async def test_a_region_newer_than_the_sdk_is_sent_as_given() -> None:
    bodies: list[Any] = []

    async def respond(request: web.Request) -> web.StreamResponse:
        bodies.append(await request.json())
        return web.json_response({"name": "docs", "status": "Initializing", "region": "ap-1"})

    async with (
        LocalServer(respond) as server,
        AssistantClient(api_key="k", host=server.url, region="ap-1") as client,
    ):
        created = await client.assistants.create("docs", region="ap-1", wait=False)
    assert bodies == [{"name": "docs", "region": "ap-1"}]
    assert created.region == "ap-1"
