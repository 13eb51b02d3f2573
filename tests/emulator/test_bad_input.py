"""The emulator's answers to bad input: the service's 400 error object, never a 500.

Found by schemathesis (tests/emulator/test_schemathesis.py) and pinned here one by one.
"""

from __future__ import annotations

from typing import Any

import pytest

from pinecone_assistant_async.testing import contract
from tests.conftest import Api

pytestmark = pytest.mark.anyio

HELLO = [{"role": "user", "content": "How many vacation days?"}]
CHATS = ("/chat/docs", "/chat/docs/chat/completions")


async def _ready(api: Api) -> None:
    await api.create_ready("docs")
    await api.upload_ready("docs", "handbook.md", b"Employees get 25 vacation days per year.")


def _is_invalid_argument(status: int, body: Any, *words: str) -> None:
    assert status == 400, (status, body)
    assert body["status"] == 400
    assert body["error"]["code"] == "INVALID_ARGUMENT"
    for word in words:
        assert word in body["error"]["message"], body


@pytest.mark.parametrize("path", CHATS)
@pytest.mark.parametrize("role", [{}, {"a": 1}, ["user"], [], 3, True])
async def test_a_role_that_is_not_a_string_is_a_400(api: Api, path: str, role: Any) -> None:
    await _ready(api)
    body = {"messages": [{"role": role, "content": "hi"}]}
    status, answer = await api.call("POST", path, json=body)
    _is_invalid_argument(status, answer, "role")


async def test_a_role_that_is_not_a_string_is_a_400_for_context(api: Api) -> None:
    await _ready(api)
    body = {"messages": [{"role": {"x": 1}, "content": "hi"}]}
    status, answer = await api.call("POST", "/chat/docs/context", json=body)
    _is_invalid_argument(status, answer, "role")


MALFORMED_PART_HEADERS = [
    b"no colon in this header line",
    b"Content-Type: \x00bad",
    b'Content-Disposition: form-data; name="\x07bell"; filename="a.txt"',
]


@pytest.mark.parametrize("header", MALFORMED_PART_HEADERS)
async def test_a_malformed_multipart_part_header_is_a_400(api: Api, header: bytes) -> None:
    await api.create_ready("docs")
    body = (
        b"--XX\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        + header
        + b"\r\n\r\nhello\r\n--XX--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=XX"}
    status, answer = await api.call("POST", "/files/docs", data=body, headers=headers)
    _is_invalid_argument(status, answer, "multipart")


# Fields the spec types without `nullable: true`: `null` is not "absent", it is a wrong type.
CHAT_NULLS = [
    "stream",
    "model",
    "temperature",
    "filter",
    "json_response",
    "include_highlights",
    "context_options",
]
COMPLETION_NULLS = ["stream", "model", "temperature", "filter"]
CONTEXT_NULLS = [
    "query",
    "filter",
    "messages",
    "top_k",
    "snippet_size",
    "multimodal",
    "include_binary_content",
]


@pytest.mark.parametrize("field", CHAT_NULLS)
async def test_null_where_the_chat_spec_forbids_it_is_a_400(api: Api, field: str) -> None:
    await _ready(api)
    status, answer = await api.call("POST", "/chat/docs", json={"messages": HELLO, field: None})
    _is_invalid_argument(status, answer, field)


@pytest.mark.parametrize("field", COMPLETION_NULLS)
async def test_null_where_the_completions_spec_forbids_it_is_a_400(api: Api, field: str) -> None:
    await _ready(api)
    status, answer = await api.call(
        "POST", "/chat/docs/chat/completions", json={"messages": HELLO, field: None}
    )
    _is_invalid_argument(status, answer, field)


@pytest.mark.parametrize("field", CONTEXT_NULLS)
async def test_null_where_the_context_spec_forbids_it_is_a_400(api: Api, field: str) -> None:
    await _ready(api)
    body: dict[str, Any] = {"query": "vacation"} if field != "query" else {"messages": HELLO}
    body[field] = None
    status, answer = await api.call("POST", "/chat/docs/context", json=body)
    _is_invalid_argument(status, answer, field)


@pytest.mark.parametrize("field", ["top_k", "snippet_size", "multimodal", "include_binary_content"])
async def test_null_inside_context_options_is_a_400(api: Api, field: str) -> None:
    await _ready(api)
    body = {"messages": HELLO, "context_options": {field: None}}
    status, answer = await api.call("POST", "/chat/docs", json=body)
    _is_invalid_argument(status, answer, field)


async def test_null_message_content_and_null_messages_are_still_400s(api: Api) -> None:
    await _ready(api)
    for body in ({"messages": None}, {"messages": [{"role": "user", "content": None}]}):
        status, answer = await api.call("POST", "/chat/docs", json=body)
        _is_invalid_argument(status, answer)


@pytest.mark.parametrize("path", CHATS)
async def test_an_unknown_model_is_refused_like_the_service_does(api: Api, path: str) -> None:
    await _ready(api)
    status, answer = await api.call("POST", path, json={"messages": HELLO, "model": "gpt-2"})
    _is_invalid_argument(status, answer, "gpt-2", "gpt-4o")


@pytest.mark.parametrize(("path", "completions"), [(CHATS[0], False), (CHATS[1], True)])
async def test_every_model_the_spec_lists_is_accepted(
    api: Api, path: str, completions: bool
) -> None:
    await _ready(api)
    models = contract.chat_models("2026-07", completions=completions)
    assert len(models) >= 5
    for model in models:
        _, answer = await api.call(
            "POST", path, json={"messages": HELLO, "model": model}, expect=200
        )
        assert answer["model"] == model


async def test_a_model_only_chat_offers_is_refused_by_chat_completions(api: Api) -> None:
    await _ready(api)
    only_chat = set(contract.chat_models("2026-07")) - set(
        contract.chat_models("2026-07", completions=True)
    )
    assert only_chat == {"gpt-5"}
    await api.call("POST", CHATS[0], json={"messages": HELLO, "model": "gpt-5"}, expect=200)
    status, answer = await api.call("POST", CHATS[1], json={"messages": HELLO, "model": "gpt-5"})
    _is_invalid_argument(status, answer, "gpt-5")


async def test_each_version_has_its_own_model_list(api: Api) -> None:
    await _ready(api)
    old = {"X-Pinecone-Api-Version": "2025-10"}
    body = {"messages": HELLO, "model": "claude-3-7-sonnet"}
    await api.call("POST", CHATS[0], json=body, headers=old, expect=200)
    status, answer = await api.call("POST", CHATS[0], json=body)  # 2026-07 dropped it
    _is_invalid_argument(status, answer, "claude-3-7-sonnet")


@pytest.mark.parametrize("field", ["metadata", "region", "name"])
async def test_null_where_the_create_spec_forbids_it_is_a_400(api: Api, field: str) -> None:
    body: dict[str, Any] = {"name": "docs", field: None}
    status, answer = await api.call("POST", "/assistants", json=body)
    _is_invalid_argument(status, answer, field)
    status, _ = await api.call("GET", "/assistants/docs")
    assert status == 404  # nothing was created


async def test_null_instructions_on_create_and_null_fields_on_update_are_allowed(
    api: Api,
) -> None:
    # CreateAssistantRequest.instructions and both UpdateAssistantRequest fields are nullable.
    await api.call("POST", "/assistants", json={"name": "docs", "instructions": None}, expect=200)
    await api.wait_for("/assistants/docs", "Ready")
    body = {"instructions": None, "metadata": None}
    await api.call("PATCH", "/assistants/docs", json=body, expect=200)
