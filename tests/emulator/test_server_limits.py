"""Plan enforcement over real HTTP: sliding-minute rate limits and object limits per plan."""

from __future__ import annotations

import io

import aiohttp
import pytest

from pinecone_assistant_async.testing import Emulator
from pinecone_assistant_async.testing.__main__ import parse_args
from pinecone_assistant_async.testing.limits import PLANS, operation_class
from tests.conftest import EmulatorFactory, api_for

pytestmark = pytest.mark.anyio

SCALE = 0.01  # a minute lasts 0.6 s of the hand-driven clock
MINUTE = 60 * SCALE
TEXT = b"Plans limit how fast and how much one project may send."


async def test_uploads_past_the_standard_limit_get_429_resource_exhausted(
    emulator_factory: EmulatorFactory,
) -> None:
    now = [1000.0]
    options = {"plan": "standard", "time_scale": SCALE, "clock": lambda: now[0]}
    async with emulator_factory(**options) as emu, api_for(emu) as api:
        await api.call("POST", "/assistants", json={"name": "docs"}, expect=200)
        now[0] += 1.0  # Ready (the ready delay is scaled too)
        statuses = []
        for i in range(20):
            now[0] += MINUTE / 40  # the 20 uploads fill the first half of one minute
            status, _ = await api.upload("docs", f"f{i}.txt", TEXT, expect=None)
            statuses.append(status)
        assert statuses == [202] * 20
        async with api.session.post("/assistant/files/docs", data=_form("late.txt")) as resp:
            body = await resp.json()
            assert resp.status == 429
            retry_after = float(resp.headers["Retry-After"])
        assert body["error"]["code"] == "RESOURCE_EXHAUSTED"
        assert "20 requests per minute for file upload" in body["error"]["message"]
        # The first upload leaves the window one compressed minute after it was admitted.
        assert retry_after == pytest.approx(MINUTE / 2 + MINUTE / 40, abs=0.002)
        # A refused request does not count: once the oldest admission leaves, one more fits.
        now[0] += retry_after
        assert (await api.upload("docs", "late.txt", TEXT, expect=None))[0] == 202
        assert (await api.upload("docs", "later.txt", TEXT, expect=None))[0] == 429
        assert (emu.limits.admitted["file_upload"], emu.limits.refused["file_upload"]) == (21, 2)
        assert emu.limits.peak["file_upload"] == 20
        # Other classes have their own windows: reads still pass.
        assert (await api.call("GET", "/files/docs"))[0] == 200


async def test_each_plan_has_its_own_limits(emulator_factory: EmulatorFactory) -> None:
    now = [0.0]
    for plan, reads in (("starter", 40), ("enterprise", 500)):
        async with emulator_factory(plan=plan, clock=lambda: now[0]) as emu, api_for(emu) as api:
            seen = [(await api.call("GET", "/assistants"))[0] for _ in range(reads + 1)]
            assert seen == [200] * reads + [429], plan
            now[0] += 60.0  # time_scale 1: a real minute, and a whole-second Retry-After
            assert (await api.call("GET", "/assistants"))[0] == 200
            assert emu.limits.refused["assistant_read"] == 1


async def test_without_a_plan_nothing_is_throttled(emulator: Emulator) -> None:
    async with api_for(emulator) as api:
        seen = {(await api.call("GET", "/assistants"))[0] for _ in range(150)}
    assert seen == {200}
    assert emulator.limits.refused["assistant_read"] == 0


async def test_starter_allows_five_assistants(emulator_factory: EmulatorFactory) -> None:
    async with emulator_factory(plan="starter") as emu, api_for(emu) as api:
        for i in range(5):
            await api.call("POST", "/assistants", json={"name": f"a{i}"}, expect=200)
        status, body = await api.call("POST", "/assistants", json={"name": "a5"})
        assert (status, body["error"]["code"]) == (400, "QUOTA_EXCEEDED")
        assert "Starter plan allows 5" in body["error"]["message"]
        # A taken name is still a conflict, not a quota problem.
        assert (await api.call("POST", "/assistants", json={"name": "a0"}))[0] == 409


async def test_file_sizes_by_type_and_plan(emulator_factory: EmulatorFactory) -> None:
    eleven_mb = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    async with emulator_factory(plan="starter") as emu, api_for(emu) as api:
        await api.create_ready("docs")
        status, body = await api.call("POST", "/files/docs", data=_form("big.pdf", eleven_mb))
        assert status == 400
        assert "maximum for this file type on the Starter plan is 10 MB" in body["error"]["message"]
    async with emulator_factory(plan="standard") as emu, api_for(emu) as api:
        await api.create_ready("docs")
        # 100 MB for PDFs on Standard: accepted (and fails processing: it is no real PDF).
        assert (await api.call("POST", "/files/docs", data=_form("big.pdf", eleven_mb)))[0] == 202


async def test_always_on_limits_without_a_plan(emulator: Emulator) -> None:
    async with api_for(emulator) as api:
        await api.create_ready("docs")
        big_text = b"x" * (10 * 1024 * 1024 + 1)
        status, body = await api.call("POST", "/files/docs", data=_form("big.txt", big_text))
        assert status == 400
        assert "10 MB" in body["error"]["message"]
        status, body = await api.upload(
            "docs", "meta.txt", TEXT, metadata={"k": "v" * (16 * 1024)}, expect=None
        )
        assert (status, body["error"]["message"]) == (
            400,
            "metadata exceeds the maximum size of 16 KB",
        )
        history = [{"role": "user", "content": "word " * 60_000}]
        status, body = await api.call("POST", "/chat/docs", json={"messages": history})
        assert status == 400
        assert "64,000 tokens" in body["error"]["message"]


async def test_starter_files_per_assistant(emulator_factory: EmulatorFactory) -> None:
    cap = PLANS["starter"].files_per_assistant
    assert cap is not None
    async with emulator_factory(plan="starter", time_scale=SCALE) as emu, api_for(emu) as api:
        await api.create_ready("docs")
        record = emu.store.get_assistant("docs")
        assert record is not None
        for i in range(cap):  # stored directly: the upload rate limit is not under test
            emu.store.put_file(record, file_id=f"f{i}", name="a.txt", content=TEXT,
                               sha256="0" * 64, metadata=None, multimodal=False, chunks=[],
                               pages=1, failure=None, kind="upsert_file")  # fmt: skip
        status, body = await api.upload("docs", "one-more.txt", TEXT, expect=None)
        assert (status, body["error"]["code"]) == (400, "QUOTA_EXCEEDED")
        # Replacing a file the assistant already holds is no new file.
        assert (await api.upload("docs", "a.txt", TEXT, file_id="f3", expect=None))[0] == 202


def test_operation_classes() -> None:
    assert operation_class("GET", "/assistant/assistants/docs") == "assistant_read"
    assert operation_class("PATCH", "/assistant/assistants/docs") == "assistant_write"
    assert operation_class("DELETE", "/assistant/assistants/docs") == "assistant_delete"
    assert operation_class("GET", "/assistant/operations/docs/op1") == "file_read"
    assert operation_class("PUT", "/assistant/files/docs/f1") == "file_upload"
    assert operation_class("DELETE", "/assistant/files/docs/f1") == "file_delete"
    assert operation_class("POST", "/assistant/chat/docs/context") == "chat_tokens"
    assert operation_class("GET", "/emulator/signed/docs/f1") is None


def test_cli_plan_and_time_scale() -> None:
    args = parse_args(["--plan", "standard", "--time-scale", "0.01"])
    assert (args.plan, args.time_scale) == ("standard", 0.01)
    assert parse_args([]).plan is None
    with pytest.raises(SystemExit):
        parse_args(["--plan", "gold"])
    with pytest.raises(ValueError, match="plan must be one of"):
        Emulator(plan="gold")


def _form(name: str, content: bytes = TEXT) -> aiohttp.FormData:
    form = aiohttp.FormData()
    # A file object: aiohttp warns about (and the suite refuses) large bytes bodies.
    form.add_field("file", io.BytesIO(content), filename=name)
    return form
