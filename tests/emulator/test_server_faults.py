"""Fault injection over real HTTP: every X-Emulator-Control key and emulator-wide rules."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import aiohttp
import pytest

from pinecone_assistant_async.testing import Emulator, parse_control
from pinecone_assistant_async.testing.controls import EXTRA_FIELD, UNKNOWN_ENUM_VALUE, ControlError
from tests.conftest import Api

pytestmark = pytest.mark.anyio

CTL = "X-Emulator-Control"
TEXT = b"The capital of Spain is Madrid. Madrid is large. Museums are everywhere in Madrid."
QUESTION = {"messages": [{"role": "user", "content": "What is the capital of Spain?"}]}


async def _ready(api: Api) -> None:
    await api.create_ready("docs")
    await api.upload_ready("docs", "spain.txt", TEXT)


async def test_status_times_and_retry_after_seconds(api: Api, emulator: Emulator) -> None:
    control = {CTL: "status=503;times=2;retry_after=1"}
    for _ in range(2):
        async with api.session.get("/assistant/assistants", headers=control) as resp:
            body = await resp.json()
            assert (resp.status, resp.headers["Retry-After"]) == (503, "1")
            assert body == {
                "error": {"code": "UNAVAILABLE", "message": "Injected error (status 503)"},
                "status": 503,
            }
    async with api.session.get("/assistant/assistants", headers=control) as resp:
        assert resp.status == 200
        assert "Retry-After" not in resp.headers
    faults = [r.fault for r in emulator.requests]
    assert faults == ["status=503;times=2;retry_after=1"] * 2 + [None]


async def test_times_zero_means_always(api: Api) -> None:
    for _ in range(4):
        status, _ = await api.call("GET", "/assistants", headers={CTL: "status=500;times=0"})
        assert status == 500


async def test_retry_after_http_date_and_raw(api: Api) -> None:
    async with api.session.get(
        "/assistant/assistants", headers={CTL: "status=429;retry_after=date:30"}
    ) as resp:
        when = parsedate_to_datetime(resp.headers["Retry-After"])
        assert when > datetime.now(timezone.utc)
        assert (await resp.json())["error"]["code"] == "TOO_MANY_REQUESTS"
    async with api.session.get(
        "/assistant/assistants", headers={CTL: "status=429;retry_after=raw:soon"}
    ) as resp:
        assert resp.headers["Retry-After"] == "soon"


async def test_error_code_follows_the_version(api: Api) -> None:
    headers = {CTL: "status=429", "X-Pinecone-Api-Version": "2025-10"}
    _, body = await api.call("GET", "/assistants", headers=headers)
    assert body["error"]["code"] == "RESOURCE_EXHAUSTED"


async def test_code_and_message_overrides(api: Api) -> None:
    headers = {CTL: "status=400;code=FAILED_PRECONDITION;message=not now"}
    status, body = await api.call("GET", "/assistants", headers=headers)
    assert (status, body["error"]) == (400, {"code": "FAILED_PRECONDITION", "message": "not now"})


@pytest.mark.parametrize("shape", ["html", "empty", "truncated"])
async def test_error_body_shapes(api: Api, shape: str) -> None:
    async with api.session.get(
        "/assistant/assistants", headers={CTL: f"status=502;body={shape}"}
    ) as resp:
        raw = await resp.read()
        assert resp.status == 502
        content_type = resp.headers.get("Content-Type", "")
    if shape == "html":
        assert content_type.startswith("text/html")
        assert b"<html>" in raw
    elif shape == "empty":
        assert raw == b""
    else:
        with pytest.raises(ValueError):
            json.loads(raw)
        assert raw.startswith(b'{"error":')


async def test_slow_headers_trip_a_read_timeout(api: Api) -> None:
    timeout = aiohttp.ClientTimeout(sock_read=0.1)
    with pytest.raises(TimeoutError):
        async with api.session.get(
            "/assistant/assistants", headers={CTL: "delay=2"}, timeout=timeout
        ) as resp:
            await resp.read()


async def test_fragmented_body_arrives_whole_in_pieces(api: Api) -> None:
    await _ready(api)
    _, whole = await api.call("POST", "/chat/docs", json=QUESTION, expect=200)
    async with api.session.post(
        "/assistant/chat/docs", json=QUESTION, headers={CTL: "fragment=7"}
    ) as resp:
        pieces = [piece async for piece in resp.content.iter_any()]
    body = json.loads(b"".join(pieces))
    assert body["message"] == whole["message"]
    assert len(pieces) > 1


async def test_fragmented_stream_still_parses(api: Api) -> None:
    await _ready(api)
    async with api.session.post(
        "/assistant/chat/docs", json={**QUESTION, "stream": True}, headers={CTL: "fragment=3"}
    ) as resp:
        text = (await resp.read()).decode()
    events = [json.loads(b[6:]) for b in text.split("\n\n") if b]
    assert events[-1]["type"] == "message_end"


async def test_cut_json_body_is_a_payload_error(api: Api) -> None:
    with pytest.raises(aiohttp.ClientPayloadError):
        async with api.session.get("/assistant/assistants", headers={CTL: "cut_after=10"}) as resp:
            assert resp.status == 200
            await resp.read()
    status, _ = await api.call("GET", "/assistants", headers={CTL: "cut_after=10"})
    assert status == 200


async def test_cut_stream_delivers_a_prefix_then_fails(api: Api) -> None:
    await _ready(api)
    got = bytearray()
    with pytest.raises(aiohttp.ClientPayloadError):
        async with api.session.post(
            "/assistant/chat/docs",
            json={**QUESTION, "stream": True},
            headers={CTL: "cut_after=150"},
        ) as resp:
            async for piece in resp.content.iter_any():
                got += piece
    assert 0 < len(got) <= 150
    assert got.startswith(b"data: {")


async def test_stall_in_stream_trips_an_idle_timeout(api: Api) -> None:
    await _ready(api)
    timeout = aiohttp.ClientTimeout(sock_read=0.2)
    got = bytearray()
    with pytest.raises(TimeoutError):
        async with api.session.post(
            "/assistant/chat/docs",
            json={**QUESTION, "stream": True},
            headers={CTL: "stall_after=2;stall=3"},
            timeout=timeout,
        ) as resp:
            async for piece in resp.content.iter_any():
                got += piece
    assert got.count(b"\n\n") == 2


async def _events(api: Api, path: str, control: str) -> list[str]:
    async with api.session.post(
        "/assistant" + path, json={**QUESTION, "stream": True}, headers={CTL: control}
    ) as resp:
        text = (await resp.read()).decode()
    return [b[6:] for b in text.split("\n\n") if b]


async def test_drop_final_chunk(api: Api) -> None:
    await _ready(api)
    events = await _events(api, "/chat/docs", "drop_final=1")
    assert json.loads(events[-1])["type"] != "message_end"
    chunks = await _events(api, "/chat/docs/chat/completions", "drop_final=1")
    assert chunks[-1] != "[DONE]"
    assert all(json.loads(c)["choices"][0].get("finish_reason") is None for c in chunks)


async def test_extra_chunk_of_unknown_type(api: Api) -> None:
    await _ready(api)
    events = [json.loads(e) for e in await _events(api, "/chat/docs", "extra_chunk=reasoning")]
    assert events[0]["type"] == "message_start"
    assert events[1]["type"] == "reasoning"
    assert events[-1]["type"] == "message_end"


async def test_extra_fields_and_unknown_enums(api: Api) -> None:
    await api.call("POST", "/assistants", json={"name": "x"}, expect=200)
    _, body = await api.call("GET", "/assistants/x", headers={CTL: "extra_fields=1"})
    assert EXTRA_FIELD in body
    assert body["name"] == "x"
    _, body = await api.call("GET", "/assistants/x", headers={CTL: "unknown_enum=1"})
    assert body["status"] == UNKNOWN_ENUM_VALUE
    await _ready(api)
    events = [json.loads(e) for e in await _events(api, "/chat/docs", "unknown_enum=1")]
    assert events[-1]["finish_reason"] == UNKNOWN_ENUM_VALUE
    events = [json.loads(e) for e in await _events(api, "/chat/docs", "extra_fields=1")]
    assert all(EXTRA_FIELD in e for e in events)


@pytest.mark.parametrize(
    "header", ["bogus=1", "status=abc", "body=xml", "fragment=0", "drop_final=maybe", "justtext"]
)
async def test_bad_control_header_is_400(api: Api, header: str) -> None:
    status, body = await api.call("GET", "/assistants", headers={CTL: header})
    assert status == 400
    assert "X-Emulator-Control" in body["error"]["message"]


def test_parse_control_roundtrip() -> None:
    control = parse_control("status=503; times=2 ;retry_after=date:5;drop_final=1")
    assert (control.status, control.times, control.drop_final) == (503, 2, True)
    assert control.describe() == "status=503;times=2;retry_after=date:5;drop_final=1"
    with pytest.raises(ControlError):
        parse_control("retry_after=date:x")


async def test_rules_match_path_method_and_times(api: Api, emulator: Emulator) -> None:
    rule = emulator.add_fault("status=503;times=2", path=r"^/assistant/assistants$", method="get")
    statuses = [(await api.call("GET", "/assistants"))[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert rule.hits == 2
    status, _ = await api.call("POST", "/assistants", json={"name": "ok"})
    assert status == 200
    emulator.add_fault("status=500")
    assert (await api.call("GET", "/assistants/ok"))[0] == 500
    emulator.clear_faults()
    assert (await api.call("GET", "/assistants/ok"))[0] == 200


async def test_header_wins_over_rule(api: Api, emulator: Emulator) -> None:
    emulator.add_fault("status=503")
    status, body = await api.call("GET", "/assistants", headers={CTL: "status=429"})
    assert (status, body["status"]) == (429, 429)


async def test_probability_rules_are_seeded(emulator: Emulator, api: Api) -> None:
    async def run() -> list[int]:
        emulator.clear_faults()
        emulator.add_fault("status=503", probability=0.5, seed=7)
        return [(await api.call("GET", "/assistants"))[0] for _ in range(12)]

    first = await run()
    assert first == await run()
    assert {503, 200} == set(first)
    with pytest.raises(ControlError):
        emulator.add_fault("status=503", probability=2.0)


async def test_request_log_count_and_reset(api: Api, emulator: Emulator) -> None:
    await api.call("GET", "/assistants")
    await api.call("POST", "/assistants", json={"name": "logged"})
    assert emulator.count() == 2
    assert emulator.count(method="post", path="assistants$") == 1
    posted = emulator.requests[-1]
    assert (posted.json, posted.status, posted.api_key_seen) == (
        {"name": "logged"},
        200,
        "emulator-api-key",
    )
    assert posted.headers["Api-Key"] == "<redacted>"
    assert "emulator-api-key" not in repr(posted)
    emulator.reset_log()
    assert emulator.count() == 0


async def test_refused_upload_is_read_whole_and_recorded(api: Api, emulator: Emulator) -> None:
    await api.create_ready("docs")
    content = b"x" * (512 * 1024)

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(content), 65536):
            yield content[start : start + 65536]

    emulator.add_fault("status=503;times=1", path="^/assistant/files/docs$", method="POST")
    async with api.session.post("/assistant/files/docs", data=chunked()) as resp:
        assert resp.status == 503
        assert (await resp.json())["status"] == 503
    refused = emulator.requests[-1]
    assert (refused.status, refused.body_size, refused.body_sha256) == (503, len(content), None)
    status, _ = await api.upload("docs", "a.txt", content)
    assert status == 202
    accepted = emulator.requests[-1]
    assert (accepted.body_size, accepted.file_name) == (len(content), "a.txt")


async def test_stall_before_a_json_body(api: Api) -> None:
    timeout = aiohttp.ClientTimeout(sock_read=0.2)
    async with api.session.get(
        "/assistant/assistants", headers={CTL: "stall_after=0;stall=3"}, timeout=timeout
    ) as resp:
        assert resp.status == 200
        with pytest.raises(TimeoutError):
            await resp.read()
