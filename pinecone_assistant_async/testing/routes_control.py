"""Control plane: create, describe, list, update and delete assistants."""

from __future__ import annotations

import json
import re
from typing import Any

from .app import Ctx, Handler
from .replies import ApiError, Reply, listing, page_of
from .state import AssistantRecord, iso_time

__all__ = ["ROUTES", "assistant_json", "require_assistant"]

NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
MAX_FIELD_BYTES = 16 * 1024
REGIONS = ("us", "eu")


def assistant_json(ctx: Ctx, rec: AssistantRecord, status: str) -> dict[str, Any]:
    return {
        "name": rec.name,
        "instructions": rec.instructions,
        "metadata": rec.metadata,
        "status": status,
        "host": ctx.core.base_url,
        "region": rec.region,
        "created_at": iso_time(rec.created_at),
        "updated_at": iso_time(rec.updated_at),
    }


def require_assistant(ctx: Ctx, name: str) -> AssistantRecord:
    rec = ctx.store.get_assistant(name)
    if rec is None:
        raise ApiError(404, f'Assistant "{name}" not found.')
    return rec


def _check_instructions(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ApiError(400, "instructions must be a string")
    if len(value.encode()) > MAX_FIELD_BYTES:
        raise ApiError(400, "instructions exceed the maximum size of 16 KB")


def _check_metadata(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ApiError(400, "metadata must be a JSON object")
    if len(json.dumps(value).encode()) > MAX_FIELD_BYTES:
        raise ApiError(400, "metadata exceeds the maximum size of 16 KB")


async def create_assistant(ctx: Ctx) -> Reply:
    body = await ctx.json_body()
    name = body.get("name")
    limit = ctx.feats.max_name_length
    if not isinstance(name, str) or not name:
        raise ApiError(400, "name is required")
    if len(name) > limit or NAME_PATTERN.fullmatch(name) is None:
        raise ApiError(
            400,
            f"Resource name must be 1-{limit} characters long, start and end with an "
            "alphanumeric character, and consist only of lower case alphanumeric characters "
            "or '-'",
        )
    # CreateAssistantRequest makes only `instructions` nullable: an explicit null metadata or
    # region is a wrong type (400), not "absent" (the fault class schemathesis reported).
    for field_name in ("metadata", "region"):
        if field_name in body and body[field_name] is None:
            raise ApiError(400, f"{field_name} must not be null")
    _check_instructions(body.get("instructions"))
    _check_metadata(body.get("metadata"))
    region = body.get("region", "us")
    if region not in REGIONS:
        raise ApiError(400, "Invalid region: Valid options are us, eu")
    if ctx.store.get_assistant(name) is None:  # a taken name is a 409 on every plan
        ctx.core.limits.check_new_assistant(lambda: len(ctx.store.list_assistants()))
    fail = ctx.control is not None and ctx.control.fail_init
    rec = ctx.store.create_assistant(
        name,
        instructions=body.get("instructions"),
        metadata=body.get("metadata"),
        region=str(region),
        fail_init=fail,
    )
    if rec is None:
        raise ApiError(409, f'Assistant "{name}" already exists.')
    return Reply(payload=assistant_json(ctx, rec, ctx.store.assistant_status(rec) or "Ready"))


async def list_assistants(ctx: Ctx) -> Reply:
    pairs = [(r, ctx.store.assistant_status(r)) for r in ctx.store.list_assistants()]
    items = [(r, s) for r, s in pairs if s is not None]
    if not ctx.feats.paginated_lists:
        return Reply(payload={"assistants": [assistant_json(ctx, r, s) for r, s in items]})
    page, token = page_of(items, lambda p: p[0].seq, ctx.request.query, default=50, maximum=100)
    return Reply(payload=listing("assistants", [assistant_json(ctx, r, s) for r, s in page], token))


async def describe_assistant(ctx: Ctx) -> Reply:
    rec = require_assistant(ctx, ctx.param("assistant_name"))
    return Reply(payload=assistant_json(ctx, rec, ctx.store.assistant_status(rec) or "Terminating"))


async def update_assistant(ctx: Ctx) -> Reply:
    rec = require_assistant(ctx, ctx.param("assistant_name"))
    body = await ctx.json_body()
    if "instructions" not in body and "metadata" not in body:
        raise ApiError(400, "No updates provided")
    if ctx.store.assistant_status(rec) == "Terminating":
        raise ApiError(400, f'Assistant "{rec.name}" is being deleted', "FAILED_PRECONDITION")
    _check_instructions(body.get("instructions"))
    _check_metadata(body.get("metadata"))
    ctx.store.update_assistant(
        rec,
        instructions=body.get("instructions", ...),
        metadata=body.get("metadata", ...),
    )
    # The spec's UpdateAssistantResponse is {assistant_name, instructions, metadata} with
    # nothing required and other fields allowed; the official SDK (built against the live
    # service) decodes the answer as a full Assistant. The emulator answers with both: the
    # Assistant fields plus `assistant_name`, leaving out unset instructions/metadata, which
    # that schema does not make nullable.
    payload = assistant_json(ctx, rec, ctx.store.assistant_status(rec) or "Terminating")
    payload["assistant_name"] = rec.name
    for key in ("instructions", "metadata"):
        if payload[key] is None:
            del payload[key]
    return Reply(payload=payload)


async def delete_assistant(ctx: Ctx) -> Reply:
    rec = require_assistant(ctx, ctx.param("assistant_name"))
    ctx.store.delete_assistant(rec)
    return Reply(status=200, empty=True)


ROUTES: list[tuple[str, str, Handler, str]] = [
    ("GET", "/assistant/assistants", list_assistants, "api"),
    ("POST", "/assistant/assistants", create_assistant, "api"),
    ("GET", "/assistant/assistants/{assistant_name}", describe_assistant, "api"),
    ("PATCH", "/assistant/assistants/{assistant_name}", update_assistant, "api"),
    ("DELETE", "/assistant/assistants/{assistant_name}", delete_assistant, "api"),
]
