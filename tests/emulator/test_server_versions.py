"""The same journey in every supported API version; the `emulator` fixture validates every
response against that version's spec (tests/spec_check.py)."""

from __future__ import annotations

import json

import pytest

from pinecone_assistant_async.testing import DEFAULT_VERSION, SUPPORTED_VERSIONS, ObservedResponse
from pinecone_assistant_async.testing.versions import error_code_for, features
from tests.conftest import Api
from tests.spec_check import spec_checker

pytestmark = pytest.mark.anyio

QUESTION = [{"role": "user", "content": "Where is the Prado museum?"}]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
async def test_journey_validates_in_every_version(api: Api, version: str) -> None:
    headers = {"X-Pinecone-Api-Version": version}
    await api.call("POST", "/assistants", json={"name": "v"}, headers=headers, expect=200)
    await api.wait_for("/assistants/v", "Ready")
    expect = 202 if features(version).async_files else 200  # type: ignore[union-attr]
    _, answer = await api.upload(
        "v", "museum.txt", b"The Prado museum is in Madrid.", headers=headers, expect=expect
    )
    file_id = answer["file_id"] if expect == 202 else answer["id"]
    await api.wait_for(f"/files/v/{file_id}", "Available")
    await api.call("GET", "/assistants", headers=headers, expect=200)
    await api.call("GET", "/files/v", headers=headers, expect=200)
    await api.call("GET", f"/files/v/{file_id}", headers=headers, expect=200)
    _, reply = await api.call(
        "POST", "/chat/v", json={"messages": QUESTION}, headers=headers, expect=200
    )
    assert "Madrid" in reply["message"]["content"]
    for path in ("/chat/v", "/chat/v/chat/completions"):
        async with api.session.post(
            "/assistant" + path, json={"messages": QUESTION, "stream": True}, headers=headers
        ) as resp:
            assert resp.status == 200
            await resp.read()
    await api.call("POST", "/chat/v/chat/completions", json={"messages": QUESTION}, headers=headers)
    await api.call("POST", "/chat/v/context", json={"query": "Prado"}, headers=headers, expect=200)
    body = {"question": "Where?", "answer": "Madrid.", "ground_truth_answer": "Madrid."}
    await api.call("POST", "/evaluation/metrics/alignment", json=body, headers=headers, expect=200)
    await api.call("PATCH", "/assistants/v", json={"instructions": "x"}, headers=headers)
    status, _ = await api.call("DELETE", f"/files/v/{file_id}", headers=headers)
    assert status in (200, 202)
    await api.call("GET", "/files/v/missing", headers=headers, expect=404)
    await api.call("DELETE", "/assistants/v", headers=headers, expect=200)


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
async def test_the_multimodal_parameter_exists_from_2025_10(api: Api, version: str) -> None:
    # 2025-04's upload has no `multimodal` query parameter, so a non-PDF asked to be
    # multimodal is an ordinary upload there and a 400 in every later version.
    headers = {"X-Pinecone-Api-Version": version}
    await api.call("POST", "/assistants", json={"name": "m"}, headers=headers, expect=200)
    await api.wait_for("/assistants/m", "Ready")
    status, _ = await api.upload(
        "m", "a.txt", b"text", params={"multimodal": "true"}, headers=headers, expect=None
    )
    assert status == (200 if version == "2025-04" else 400)
    assert features(version).multimodal_uploads is (status == 400)  # type: ignore[union-attr]


async def test_default_version_when_header_absent(api: Api) -> None:
    await api.call("POST", "/assistants", json={"name": "d"}, expect=200)
    assert api.emu.requests[-1].api_version == DEFAULT_VERSION
    assert json.loads(json.dumps(api.emu.requests[-1].json)) == {"name": "d"}


def test_error_codes_per_version() -> None:
    assert error_code_for(429, "2026-07") == "TOO_MANY_REQUESTS"
    assert error_code_for(429, "2025-04") == "RESOURCE_EXHAUSTED"
    assert error_code_for(418, "2026-07") == "UNKNOWN"
    assert error_code_for(599, "2026-07") == "INTERNAL"
    assert features("1999-01") is None


def _observed(path: str, status: int, body: object, **kw: object) -> ObservedResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    options: dict[str, object] = {
        "method": "GET",
        "path": path,
        "status": status,
        "content_type": "application/json",
        "body": raw,
        "api_version": DEFAULT_VERSION,
        "headers": {"x-pinecone-request-id": "r"},
        **kw,
    }
    return ObservedResponse(**options)  # type: ignore[arg-type]


def test_spec_checker_catches_mismatches() -> None:
    checker = spec_checker()
    good = {"name": "a", "status": "Ready", "created_at": "2026-01-01T00:00:00Z"}
    assert checker.problems(_observed("/assistant/assistants/a", 200, good)) == []
    assert checker.problems(_observed("/assistant/assistants/a", 200, {"name": "a"}))
    bad_time = {**good, "created_at": "yesterday"}
    assert checker.problems(_observed("/assistant/assistants/a", 200, bad_time))
    assert checker.problems(_observed("/assistant/assistants/a", 200, good, headers={}))
    assert checker.problems(_observed("/assistant/assistants/a", 404, {"message": "x"}))
    assert checker.problems(_observed("/assistant/assistants/a", 201, good))
    old_file = {"id": "not-a-uuid", "name": "a.txt"}
    assert checker.problems(_observed("/assistant/files/a/x", 200, old_file, api_version="2025-10"))
    snippet = {"type": "text", "content": "c", "score": 1, "reference": {"type": "pdf", "file": {}}}
    context = {"snippets": [snippet], "usage": {}}
    assert checker.problems(_observed("/assistant/chat/a/context", 200, context, method="POST"))
    event = b'data: {"type":"content_chunk","id":"i","model":"m"}\n\n'
    stream = _observed(
        "/assistant/chat/a", 200, event, method="POST", content_type="text/event-stream"
    )
    assert checker.problems(stream)
