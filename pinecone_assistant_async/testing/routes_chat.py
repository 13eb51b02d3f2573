"""Data plane chat, chat completions and context; the evaluation (alignment) endpoint."""

from __future__ import annotations

import uuid
from typing import Any

from . import contract
from .alignment import alignment_payload
from .answers import (
    chat_payload,
    chat_stream_events,
    completion_payload,
    completion_stream_events,
    context_payload,
    question_from_messages,
)
from .app import Ctx, Handler
from .filters import matches
from .replies import ApiError, Reply
from .retrieval import Hit
from .routes_control import require_assistant
from .routes_files import check_filter, file_json
from .state import AssistantRecord

__all__ = ["ROUTES"]

# Deliberate deviation from the schema, following the spec's prose (and the service): the
# MessageModel schema types `role` as any string and `content` as any string, but the prose
# says a role is "user" or "assistant" (the emulator also takes "system") and content cannot
# be empty, so anything else is a 400.
# tests/emulator/test_schemathesis.py lists this among its EXCLUDED_CHECKS reasons.
ROLES = frozenset({"user", "assistant", "system"})
DEFAULT_MODEL = "gpt-4o"  # the spec's default for `model`
DEFAULT_TOP_K = 16
MAX_TOP_K = 64
SNIPPET_SIZES = (512, 8192)
DEFAULT_SNIPPET_SIZE = 2048


def _messages(value: object) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise ApiError(400, "messages must be a non-empty list of messages")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ApiError(400, "each message must be an object with role and content")
        role = item.get("role", "user")
        content = item.get("content")
        if not isinstance(role, str) or role not in ROLES:  # an object or list role: not a 500
            raise ApiError(400, f"Invalid message role {role!r}; use user or assistant")
        if content is None or (isinstance(content, str) and not content.strip()):
            raise ApiError(400, "Message content cannot be empty")
        if not isinstance(content, str):
            raise ApiError(400, "Message content must be a string")
        out.append({"role": str(role), "content": content})
    return out


# The request fields each spec types without `nullable: true`. The service reads an explicit
# `null` there as a wrong type (400), not as "absent"; schemathesis checks the emulator agrees.
CHAT_FIELDS = (
    "messages",
    "stream",
    "model",
    "temperature",
    "filter",
    "json_response",
    "include_highlights",
    "context_options",
)
COMPLETION_FIELDS = ("messages", "stream", "model", "temperature", "filter")
CONTEXT_FIELDS = (
    "query",
    "filter",
    "messages",
    "top_k",
    "snippet_size",
    "multimodal",
    "include_binary_content",
)
CONTEXT_OPTION_FIELDS = ("top_k", "snippet_size", "multimodal", "include_binary_content")


def _refuse_nulls(body: dict[str, Any], names: tuple[str, ...], where: str = "") -> None:
    for name in names:
        if name in body and body[name] is None:
            raise ApiError(400, f"{where}{name} must not be null")


def _model(ctx: Ctx, body: dict[str, Any], completions: bool) -> str:
    """The requested model, refused (400) when the spec of this version does not list it.

    The list is the `model` enum of the committed contract (`contract.chat_models`): the
    service answers 400 for a model outside it, and the OpenAI-compatible endpoint's list can
    be shorter than chat's (2026-07 offers gpt-5 only to chat).
    """
    model = body.get("model", DEFAULT_MODEL)
    if not isinstance(model, str):
        raise ApiError(400, "model must be a string")
    allowed = contract.chat_models(ctx.version, completions=completions)
    if allowed and model not in allowed:
        raise ApiError(400, f"Model {model!r} is not supported; use one of: {', '.join(allowed)}")
    return model


def _bool(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError(400, f"{name} must be a boolean")
    return value


def _int(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, f"{name} must be an integer")
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}, got {value}")
    return value


def _ready_with_files(ctx: Ctx) -> AssistantRecord:
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    status = ctx.store.assistant_status(owner)
    if status != "Ready":
        raise ApiError(
            400, f'Assistant "{owner.name}" is not ready (status {status})', "FAILED_PRECONDITION"
        )
    # The official SDK documents that chat, chat completions and context fail while the
    # assistant has no file in "Available" status; the service answers 400 then.
    if not any(ctx.store.is_available(owner, fid) for fid in list(owner.files)):
        raise ApiError(
            400,
            f'Assistant "{owner.name}" has no available files; upload a file and wait for it '
            "to be Available",
            "FAILED_PRECONDITION",
        )
    return owner


def _search(
    ctx: Ctx, owner: AssistantRecord, query: str, flt: dict[str, Any] | None, top_k: int
) -> tuple[list[Hit], dict[str, dict[str, Any]]]:
    store = ctx.store

    def allowed(file_id: str) -> bool:
        rec = owner.files.get(file_id)
        return rec is not None and store.is_available(owner, file_id) and matches(flt, rec.metadata)

    hits = owner.index.search(query, top_k=top_k, allowed=allowed)
    files = {}
    for hit in hits:
        fid = hit.chunk.file_id
        if fid not in files:
            files[fid] = file_json(ctx, owner, owner.files[fid])
    return hits, files


def _filter(body: dict[str, Any]) -> dict[str, Any] | None:
    value = body.get("filter")
    if value is None:
        return None
    return check_filter(value)


async def _chat_common(
    ctx: Ctx, completions: bool = False
) -> tuple[dict[str, Any], bool, int | None]:
    owner = _ready_with_files(ctx)
    body = await ctx.json_body()
    _refuse_nulls(body, COMPLETION_FIELDS if completions else CHAT_FIELDS)
    messages = _messages(body.get("messages"))
    stream = _bool(body, "stream", False)
    json_response = _bool(body, "json_response", False)
    if stream and json_response:
        raise ApiError(400, "json_response cannot be used together with streaming")
    model = _model(ctx, body, completions)
    temperature = body.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool) or not isinstance(temperature, (int, float))
    ):
        raise ApiError(400, "temperature must be a number")
    flt = _filter(body)
    options = body.get("context_options", {})
    if not isinstance(options, dict):
        raise ApiError(400, "context_options must be an object")
    _refuse_nulls(options, CONTEXT_OPTION_FIELDS, "context_options.")
    top_k = _int(options, "top_k", DEFAULT_TOP_K, 1, MAX_TOP_K)
    snippet_size = _int(options, "snippet_size", DEFAULT_SNIPPET_SIZE, *SNIPPET_SIZES)
    hits, files = _search(ctx, owner, question_from_messages(messages), flt, top_k)
    payload = chat_payload(
        messages=messages,
        hits=hits,
        files=files,
        model=model,
        include_highlights=_bool(body, "include_highlights", False),
        json_response=json_response,
        response_id=uuid.uuid4().hex,
        snippet_size=snippet_size,
    )
    chunks = ctx.control.stream_chunks if ctx.control is not None else None
    return payload, stream, chunks


async def chat(ctx: Ctx) -> Reply:
    payload, stream, chunks = await _chat_common(ctx)
    if stream:
        return Reply(events=chat_stream_events(payload, total_chunks=chunks))
    return Reply(payload=payload)


async def chat_completions(ctx: Ctx) -> Reply:
    payload, stream, chunks = await _chat_common(ctx, completions=True)
    if stream:
        events = completion_stream_events(payload, total_chunks=chunks)
        return Reply(events=events, done_marker=True)
    return Reply(payload=completion_payload(payload))


async def context(ctx: Ctx) -> Reply:
    owner = _ready_with_files(ctx)
    body = await ctx.json_body()
    _refuse_nulls(body, CONTEXT_FIELDS)
    query = body.get("query")
    raw_messages = body.get("messages")
    has_query = isinstance(query, str) and query != ""
    has_messages = raw_messages is not None and raw_messages != []
    if has_query == has_messages:
        raise ApiError(400, "Exactly one of query or messages must be provided")
    if query is not None and not isinstance(query, str):
        raise ApiError(400, "query must be a string")
    question = query if has_query else question_from_messages(_messages(raw_messages))
    top_k = _int(body, "top_k", DEFAULT_TOP_K, 1, MAX_TOP_K)
    snippet_size = _int(body, "snippet_size", DEFAULT_SNIPPET_SIZE, *SNIPPET_SIZES)
    multimodal = _bool(body, "multimodal", True)
    _bool(body, "include_binary_content", True)
    hits, files = _search(ctx, owner, str(question), _filter(body), top_k)
    payload = context_payload(
        hits=hits,
        files=files,
        snippet_size=snippet_size,
        multimodal=multimodal,
        response_id=uuid.uuid4().hex,
        query=str(question),
    )
    return Reply(payload=payload)


ALIGNMENT_FIELDS = ("question", "answer", "ground_truth_answer")


async def alignment(ctx: Ctx) -> Reply:
    try:
        body = await ctx.json_body()
    except ApiError as exc:
        raise ApiError(422, exc.message) from None
    unknown = sorted(set(body) - set(ALIGNMENT_FIELDS))
    if unknown:
        raise ApiError(422, f"Unexpected fields: {', '.join(unknown)}")
    for name in ALIGNMENT_FIELDS:
        value = body.get(name)
        if not isinstance(value, str):
            raise ApiError(422, f"Field required: {name} (a string)")
        if not value.strip():
            raise ApiError(422, f"{name} must not be empty")
    payload = alignment_payload(body["question"], body["answer"], body["ground_truth_answer"])
    return Reply(payload=payload)


ROUTES: list[tuple[str, str, Handler, str]] = [
    ("POST", "/assistant/chat/{assistant_name}", chat, "api"),
    ("POST", "/assistant/chat/{assistant_name}/chat/completions", chat_completions, "api"),
    ("POST", "/assistant/chat/{assistant_name}/context", context, "api"),
    ("POST", "/assistant/evaluation/metrics/alignment", alignment, "basic"),
]
