"""Data plane: files (upload, upsert, describe, list, delete) and their operations."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import uuid
import warnings
from typing import Any

from aiohttp import BodyPartReader
from aiohttp.http_exceptions import HttpProcessingError

from .app import Ctx, Handler
from .documents import ExtractionError, chunk_pages, extract_pages
from .filters import FilterError, matches, validate_filter
from .replies import ApiError, Reply, listing, page_of
from .routes_control import MAX_FIELD_BYTES, require_assistant
from .state import AssistantRecord, FileRecord, OperationRecord, iso_time

__all__ = ["ROUTES", "check_filter", "file_json", "parse_filter"]

FILE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
OPERATION_TYPES = frozenset({"upload_file", "upsert_file", "update_file_metadata", "delete_file"})
OPERATION_STATUSES = frozenset({"Processing", "Completed", "Failed"})
# Why a file failed when a control header asked for it (documents.FAIL_MARKER is the
# in-content trigger, a different thing).
CONTROL_FAILURE_REASON = "provoked by X-Emulator-Control fail_processing=1"
THREAD_THRESHOLD = 256 * 1024


def signature(ctx: Ctx, assistant: str, file_id: str) -> str:
    key = ctx.core.api_key.encode()
    return hmac.new(key, f"{assistant}/{file_id}".encode(), hashlib.sha256).hexdigest()[:32]


def file_json(
    ctx: Ctx, owner: AssistantRecord, rec: FileRecord, *, include_url: bool = False
) -> dict[str, Any]:
    status = ctx.store.file_status(owner, rec) or "Deleting"
    out: dict[str, Any] = {
        "name": rec.name,
        "id": rec.id,
        "size": len(rec.content),
        "metadata": rec.metadata,
        "created_on": iso_time(rec.created_at),
        "updated_on": iso_time(rec.updated_at),
        "status": status,
        "multimodal": rec.multimodal,
        "percent_done": 1.0 if status != "Processing" else ctx.store.percent_done(rec),
    }
    if status == "ProcessingFailed":
        out["error_message"] = rec.failure
    if include_url:
        sig = signature(ctx, owner.name, rec.id)
        out["signed_url"] = (
            f"{ctx.core.base_url}/emulator/signed/{owner.name}/{rec.id}?signature={sig}"
        )
    return out


def operation_json(ctx: Ctx, op: OperationRecord) -> dict[str, Any]:
    status, percent = ctx.store.operation_progress(op)
    out: dict[str, Any] = {
        "id": op.id,
        "operation_type": op.kind,
        "file_id": op.file_id,
        "status": status,
        "created_on": iso_time(op.created_at),
        "percent_complete": percent,
    }
    if status != "Processing":
        out["completed_on"] = iso_time(op.created_at + op.duration)
    if status == "Failed":
        out["error_message"] = op.failure
    if status == "Completed" and op.ingestion_units is not None:
        out["ingestion_units"] = op.ingestion_units
    return out


def _flag(ctx: Ctx, name: str) -> bool:
    value = ctx.request.query.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise ApiError(400, f"{name} must be 'true' or 'false', got {value!r}")
    return value == "true"


def _metadata(text: str | None) -> dict[str, Any] | None:
    if text is None or text == "":
        return None
    if len(text.encode()) > MAX_FIELD_BYTES:
        raise ApiError(400, "metadata exceeds the maximum size of 16 KB")
    try:
        value = json.loads(text)
    except ValueError:
        raise ApiError(400, "metadata must be a JSON object encoded as a string") from None
    if value is not None and not isinstance(value, dict):
        raise ApiError(400, "metadata must be a JSON object")
    return value


def _require_new_api(ctx: Ctx, what: str) -> None:
    if not ctx.feats.async_files:
        raise ApiError(404, f"{what} is not available in API version {ctx.version}")


def _reason(exc: Exception) -> str:
    """What was wrong with the body, in one line."""
    if isinstance(exc, HttpProcessingError):
        return " ".join(exc.message.split()) or "bad part header"
    return str(exc)


async def _read_form(ctx: Ctx) -> tuple[str, bytes, str | None]:
    """(file name, file bytes, metadata text) from the multipart body."""
    if not ctx.request.headers.get("Content-Type", "").lower().startswith("multipart/"):
        raise ApiError(400, "Expected a multipart/form-data body with a 'file' field")
    name: str | None = None
    content: bytes | None = None
    metadata: str | None = None
    try:
        # aiohttp's part reader calls its own deprecated StreamReader.unread_data() at some
        # chunk boundaries (it silences one of its two calls, not the other); under a
        # "warnings are errors" test suite that would turn an upload into a 500.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "unread_data", DeprecationWarning)
            reader = await ctx.request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "file":
                    name = part.filename
                    content = bytes(await part.read(decode=False))
                elif part.name == "metadata":
                    metadata = await part.text()
    except (ValueError, AssertionError, LookupError, HttpProcessingError) as exc:
        # HttpProcessingError: aiohttp's parser refusing a part's header line (no colon, a
        # control character), which is bad input like the rest, not a server fault.
        raise ApiError(400, f"Malformed multipart body: {_reason(exc)}") from None
    if content is None:
        raise ApiError(400, "Missing 'file' field in the multipart body")
    if not name:
        raise ApiError(400, "The 'file' field needs a file name (with its extension)")
    ctx.note_upload(len(content), hashlib.sha256(content).hexdigest(), name)
    return name, content, metadata


async def _ingest(ctx: Ctx, owner: AssistantRecord, file_id: str | None, kind: str) -> Reply:
    if ctx.store.assistant_status(owner) != "Ready":
        raise ApiError(400, f'Assistant "{owner.name}" is not ready', "FAILED_PRECONDITION")
    multimodal = _flag(ctx, "multimodal") if ctx.feats.multimodal_uploads else False
    name, content, form_metadata = await _read_form(ctx)
    query_metadata = ctx.request.query.get("metadata") if ctx.feats.metadata_in_query else None
    metadata = _metadata(query_metadata if query_metadata is not None else form_metadata)
    if multimodal and not name.lower().endswith(".pdf"):
        raise ApiError(400, "Multimodal processing is only available for PDF files")
    fid = file_id or str(uuid.uuid4())
    ctx.core.limits.check_file(  # plan object limits (limits.py)
        name,
        len(content),
        multimodal=multimodal,
        replacing=ctx.store.get_file(owner, fid) is not None,
        counts=lambda: _counts(ctx, owner),
    )
    failure: str | None = None
    chunks: list[Any] = []
    pages = 0
    if ctx.control is not None and ctx.control.fail_processing:
        failure = f"File processing failed: {CONTROL_FAILURE_REASON}"
    else:
        # Like the service since 2026-04, an unsupported or unreadable file is accepted and
        # fails during processing (ProcessingFailed, operation Failed with the reason) rather
        # than being refused at upload time.
        try:
            if len(content) > THREAD_THRESHOLD:
                found = await asyncio.to_thread(extract_pages, name, content)
            else:
                found = extract_pages(name, content)
            chunks = chunk_pages(fid, found)
            pages = len(found)
            if multimodal:
                ctx.core.limits.check_pages(name, pages)
        except ExtractionError as exc:
            failure = str(exc)  # ExtractionError messages carry the service's prefix already
    rec, op = ctx.store.put_file(
        owner,
        file_id=fid,
        name=name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        metadata=metadata,
        multimodal=multimodal,
        chunks=chunks,
        pages=pages,
        failure=failure,
        kind=kind,
    )
    if not ctx.feats.async_files:
        return Reply(payload=file_json(ctx, owner, rec))
    location = f"/operations/{owner.name}/{op.id}"
    return Reply(status=202, payload=operation_json(ctx, op), headers={"Location": location})


def _counts(ctx: Ctx, owner: AssistantRecord) -> tuple[int, int]:
    """(files, multimodal files) the assistant holds, for the plan's count limits."""
    files = ctx.store.list_files(owner)
    return len(files), sum(1 for f in files if f.multimodal)


async def upload_file(ctx: Ctx) -> Reply:
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    return await _ingest(ctx, owner, None, "upload_file")


async def upsert_file(ctx: Ctx) -> Reply:
    _require_new_api(ctx, "Upserting a file")
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    file_id = ctx.param("file_id")
    if FILE_ID_PATTERN.fullmatch(file_id) is None:
        raise ApiError(
            400,
            "assistant_file_id must be 1-128 characters long and consist only of alphanumeric "
            "characters, hyphens (-), or underscores (_)",
        )
    return await _ingest(ctx, owner, file_id, "upsert_file")


def _require_file(ctx: Ctx, owner: AssistantRecord) -> FileRecord:
    file_id = ctx.param("file_id")
    rec = ctx.store.get_file(owner, file_id)
    if rec is None:
        raise ApiError(404, f"File with id {file_id} not found in provided assistant")
    return rec


async def describe_file(ctx: Ctx) -> Reply:
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    include_url = _flag(ctx, "include_url")
    rec = _require_file(ctx, owner)
    return Reply(payload=file_json(ctx, owner, rec, include_url=include_url))


def parse_filter(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ApiError(400, "filter must be a JSON-encoded metadata filter") from None
    return check_filter(value)


def check_filter(value: object) -> dict[str, Any]:
    try:
        return validate_filter(value)
    except FilterError as exc:
        raise ApiError(400, f"Invalid filter: {exc}") from None


async def list_files(ctx: Ctx) -> Reply:
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    flt = parse_filter(ctx.request.query.get("filter"))
    records = [r for r in ctx.store.list_files(owner) if matches(flt, r.metadata)]
    if not ctx.feats.paginated_lists:
        return Reply(payload={"files": [file_json(ctx, owner, r) for r in records]})
    page, token = page_of(records, lambda r: r.seq, ctx.request.query, default=100, maximum=100)
    return Reply(payload=listing("files", [file_json(ctx, owner, r) for r in page], token))


async def delete_file(ctx: Ctx) -> Reply:
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    rec = _require_file(ctx, owner)
    op = ctx.store.delete_file(owner, rec)
    if not ctx.feats.async_files:
        return Reply(status=200, empty=True)
    if op is None:
        return Reply(status=204, empty=True)
    location = f"/operations/{owner.name}/{op.id}"
    return Reply(status=202, payload=operation_json(ctx, op), headers={"Location": location})


def _choice(ctx: Ctx, name: str, allowed: frozenset[str]) -> str | None:
    value = ctx.request.query.get(name)
    if value is not None and value not in allowed:
        raise ApiError(400, f"{name} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return value


async def list_operations(ctx: Ctx) -> Reply:
    _require_new_api(ctx, "Listing operations")
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    kind = _choice(ctx, "operation_type", OPERATION_TYPES)
    status = _choice(ctx, "status", OPERATION_STATUSES)
    ops = [
        op
        for op in owner.operations.values()
        if (kind is None or op.kind == kind)
        and (status is None or ctx.store.operation_progress(op)[0] == status)
    ]
    page, token = page_of(ops, lambda op: op.seq, ctx.request.query, default=100, maximum=100)
    return Reply(payload=listing("operations", [operation_json(ctx, op) for op in page], token))


async def describe_operation(ctx: Ctx) -> Reply:
    _require_new_api(ctx, "Describing an operation")
    owner = require_assistant(ctx, ctx.param("assistant_name"))
    op_id = ctx.param("operation_id")
    op = owner.operations.get(op_id)
    if op is None:
        raise ApiError(404, f"Operation {op_id} not found.")
    return Reply(payload=operation_json(ctx, op))


async def signed_download(ctx: Ctx) -> Reply:
    """The target of `signed_url`: the raw file, no Api-Key needed, signature checked."""
    owner = ctx.store.get_assistant(ctx.param("assistant_name"))
    rec = ctx.store.get_file(owner, ctx.param("file_id")) if owner is not None else None
    given = ctx.request.query.get("signature", "")
    if owner is None or rec is None:
        raise ApiError(404, "Not found")
    if not hmac.compare_digest(given, signature(ctx, owner.name, rec.id)):
        raise ApiError(403, "Invalid signature")
    return Reply(raw=rec.content, content_type="application/octet-stream")


ROUTES: list[tuple[str, str, Handler, str]] = [
    ("GET", "/assistant/files/{assistant_name}", list_files, "api"),
    ("POST", "/assistant/files/{assistant_name}", upload_file, "api"),
    ("GET", "/assistant/files/{assistant_name}/{file_id}", describe_file, "api"),
    ("PUT", "/assistant/files/{assistant_name}/{file_id}", upsert_file, "api"),
    ("DELETE", "/assistant/files/{assistant_name}/{file_id}", delete_file, "api"),
    ("GET", "/assistant/operations/{assistant_name}", list_operations, "api"),
    ("GET", "/assistant/operations/{assistant_name}/{operation_id}", describe_operation, "api"),
    ("GET", "/emulator/signed/{assistant_name}/{file_id}", signed_download, "public"),
]
