"""The aiohttp application: one dispatcher in front of every route.

Handlers are plain coroutines `(Ctx) -> Reply` that never touch aiohttp responses. The dispatcher
checks the API version and the key, resolves faults, calls the handler, and writes the reply,
which is where slow headers, fragmented writes, cut connections and stream damage happen.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler as WebHandler

from .controls import (
    CONTROL_HEADER,
    Control,
    ControlError,
    FaultBook,
    add_extra_fields,
    replace_enums,
    retry_after_value,
)
from .records import ObservedResponse, RecordedRequest, ResponseHook
from .state import Store
from .versions import (
    DEFAULT_FEATURES,
    DEFAULT_VERSION,
    SUPPORTED_VERSIONS,
    VersionFeatures,
    error_code_for,
    features,
)

__all__ = [
    "ApiError",
    "Core",
    "Ctx",
    "Handler",
    "Reply",
    "build_app",
    "listing",
    "page_of",
    "sha256_hex",
]

T = TypeVar("T")

VERSION_HEADER = "X-Pinecone-Api-Version"
REQUEST_ID_HEADER = "x-pinecone-request-id"
PROXY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>envoy</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """Raised by handlers; the dispatcher turns it into the spec's error body."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass
class Reply:
    """What a handler answers: a JSON payload, an SSE event list, or nothing."""

    status: int = 200
    payload: Any = None
    events: list[dict[str, Any]] | None = None
    done_marker: bool = False
    raw: bytes | None = None
    content_type: str = "application/json"
    empty: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Core:
    """Everything the handlers share."""

    store: Store
    api_key: str
    faults: FaultBook = field(default_factory=FaultBook)
    instant: bool = False
    record: bool = True
    on_response: ResponseHook | None = None
    base_url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@dataclass
class Ctx:
    """One request as the handlers see it."""

    request: web.Request
    core: Core
    version: str
    feats: VersionFeatures
    control: Control | None
    recorded: RecordedRequest | None

    @property
    def store(self) -> Store:
        return self.core.store

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    async def json_body(self) -> dict[str, Any]:
        """The request's JSON object; 400 when it is not one."""
        raw = await self.request.read()
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(400, "Request body is not valid JSON") from None
        if self.recorded is not None:
            self.recorded.json = value
        if not isinstance(value, dict):
            raise ApiError(400, "Request body must be a JSON object")
        return value

    def note_upload(self, size: int, sha256: str, name: str | None) -> None:
        if self.recorded is not None:
            self.recorded.body_size = size
            self.recorded.body_sha256 = sha256
            self.recorded.file_name = name


Handler = Callable[[Ctx], Awaitable[Reply]]


def error_payload(status: int, message: str, code: str | None, version: str, basic: bool) -> Any:
    if basic:
        return {"message": message}
    return {
        "error": {"code": code or error_code_for(status, version), "message": message},
        "status": status,
    }


def _request_id(core: Core, control: Control | None) -> str:
    if control is not None and control.request_id:
        return control.request_id
    if core.instant:
        return f"emu-{next(core.ids)}"
    return uuid.uuid4().hex


def _record(core: Core, request: web.Request, version: str | None, rid: str) -> RecordedRequest:
    headers = {
        k: ("<redacted>" if k.lower() == "api-key" else v) for k, v in request.headers.items()
    }
    rec = RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers=headers,
        api_key_seen=request.headers.get("Api-Key"),
        api_version=version,
        request_id=rid,
        body_size=request.content_length or 0,
    )
    core.requests.append(rec)
    return rec


def dispatch(core: Core, handler: Handler, kind: str = "api") -> WebHandler:
    """Wrap a handler with versioning, auth, fault injection, recording and writing.

    `kind` is "api" (spec error shape), "basic" (evaluation's `{"message"}` shape) or
    "public" (no key, no version: the signed-URL downloads).
    """
    basic_errors = kind == "basic"
    public = kind == "public"

    async def handle(request: web.Request) -> web.StreamResponse:
        header = request.headers.get(CONTROL_HEADER)
        version = request.headers.get(VERSION_HEADER) or DEFAULT_VERSION
        control: Control | None = None
        reply: Reply | None = None
        try:
            if header or core.faults.active:
                control = core.faults.resolve(request.method, request.path, header)
        except ControlError as exc:
            reply = _error(400, f"Invalid {CONTROL_HEADER} header: {exc}", None, version, False)
        rid = _request_id(core, control)
        recorded = _record(core, request, version, rid) if core.record else None
        if recorded is not None and control is not None and control.transient:
            recorded.fault = control.describe()
        feats = features(version)
        if reply is not None:
            pass
        elif public:
            ctx = Ctx(request, core, DEFAULT_VERSION, DEFAULT_FEATURES, control, recorded)
            try:
                reply = await handler(ctx)
            except ApiError as exc:
                reply = _error(exc.status, exc.message, exc.code, version, False)
        elif feats is None:
            message = (
                f"Unsupported API version {version!r}; supported versions are "
                f"{', '.join(SUPPORTED_VERSIONS)}"
            )
            reply = _error(400, message, None, DEFAULT_VERSION, basic_errors)
        elif request.headers.get("Api-Key") != core.api_key:
            missing = "Api-Key" not in request.headers
            message = (
                "API key is missing; send it in the Api-Key header"
                if missing
                else ("Invalid API key.")
            )
            reply = _error(401, message, None, version, basic_errors)
        elif control is not None and control.status is not None:
            message = control.message or f"Injected error (status {control.status})"
            reply = _error(control.status, message, control.code, version, basic_errors)
        else:
            ctx = Ctx(request, core, version, feats, control, recorded)
            try:
                reply = await handler(ctx)
            except ApiError as exc:
                reply = _error(exc.status, exc.message, exc.code, version, basic_errors)
        if recorded is not None:
            recorded.status = reply.status
        if reply.status >= 400 and request.body_exists and not request.content.at_eof():
            # Read what the client is still sending before refusing it, so it sees a clean
            # error answer (and can retry) rather than a reset in the middle of its upload.
            while await request.content.readany():
                pass
        return await write_reply(request, core, reply, control, rid, version)

    return handle


def _error(status: int, message: str, code: str | None, version: str, basic: bool) -> Reply:
    return Reply(status=status, payload=error_payload(status, message, code, version, basic))


def _encode(reply: Reply, control: Control | None) -> tuple[bytes, str]:
    if reply.raw is not None:
        return reply.raw, reply.content_type
    if reply.empty or (reply.payload is None and reply.events is None):
        return b"", "application/json"
    payload = reply.payload
    if control is not None:
        if reply.status >= 400 and control.status is not None and control.body != "json":
            text = json.dumps(payload).encode()
            if control.body == "html":
                return PROXY_PAGE.encode(), "text/html"
            if control.body == "empty":
                return b"", "application/json"
            return text[: len(text) // 2], "application/json"
        if control.extra_fields:
            payload = add_extra_fields(payload)
        if control.unknown_enum:
            payload = replace_enums(payload)
    return json.dumps(payload, separators=(",", ":")).encode(), "application/json"


async def write_reply(
    request: web.Request,
    core: Core,
    reply: Reply,
    control: Control | None,
    rid: str,
    version: str,
) -> web.StreamResponse:
    """Send a reply, applying the write-time faults of `control`."""
    if control is not None and control.delay > 0:
        await asyncio.sleep(control.delay)
    headers = dict(reply.headers)
    headers[REQUEST_ID_HEADER] = rid
    if control is not None and control.retry_after is not None:
        headers["Retry-After"] = retry_after_value(control.retry_after)
    if reply.events is not None and reply.status < 400:
        return await _write_stream(request, core, reply, control, headers, version)
    body, content_type = _encode(reply, control)
    fragment = control.fragment if control is not None else None
    cut = control.cut_after if control is not None else None
    if fragment is None and cut is None:
        if core.on_response is not None:
            _observe(core, request, reply.status, content_type, body, version, headers, control)
        if not body:
            return web.Response(status=reply.status, headers=headers)
        return web.Response(
            status=reply.status, body=body, content_type=content_type, headers=headers
        )
    resp = web.StreamResponse(status=reply.status, headers=headers)
    resp.content_type = content_type
    resp.content_length = len(body)
    await resp.prepare(request)
    sent = await _write_pieces(request, resp, [body], fragment, cut, control)
    if core.on_response is not None:
        _observe(core, request, reply.status, content_type, sent, version, headers, control)
    if cut is None:
        await resp.write_eof()
    return resp


async def _write_stream(
    request: web.Request,
    core: Core,
    reply: Reply,
    control: Control | None,
    headers: dict[str, str],
    version: str,
) -> web.StreamResponse:
    events = list(reply.events or [])
    done = reply.done_marker
    if control is not None:
        if control.drop_final and events:
            events.pop()
            done = False
        if control.extra_chunk:
            first = events[0] if events else {}
            extra = {
                "type": control.extra_chunk,
                "id": first.get("id", "emulator"),
                "model": first.get("model", "emulator"),
                "payload": {"note": "chunk type unknown to the spec"},
            }
            events.insert(1 if events else 0, extra)
        if control.extra_fields:
            events = [add_extra_fields(e) for e in events]
        if control.unknown_enum:
            events = [replace_enums(e) for e in events]
    pieces = [b"data: " + json.dumps(e, separators=(",", ":")).encode() + b"\n\n" for e in events]
    if done:
        pieces.append(b"data: [DONE]\n\n")
    headers["Cache-Control"] = "no-cache"
    resp = web.StreamResponse(status=reply.status, headers=headers)
    resp.content_type = "text/event-stream"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    fragment = control.fragment if control is not None else None
    cut = control.cut_after if control is not None else None
    sent = await _write_pieces(request, resp, pieces, fragment, cut, control)
    if core.on_response is not None:
        _observe(core, request, reply.status, "text/event-stream", sent, version, headers, control)
    if cut is None:
        await resp.write_eof()
    return resp


async def _write_pieces(
    request: web.Request,
    resp: web.StreamResponse,
    pieces: list[bytes],
    fragment: int | None,
    cut: int | None,
    control: Control | None,
) -> bytes:
    """Write the pieces (SSE events or one body), in `fragment`-byte writes, up to `cut` bytes."""
    stall_after = control.stall_after if control is not None else None
    sent = bytearray()
    for number, piece in enumerate(pieces):
        if stall_after is not None and control is not None and number == stall_after:
            await asyncio.sleep(control.stall)
        if cut is not None and len(sent) + len(piece) >= cut:
            piece = piece[: cut - len(sent)]
            await _write(resp, piece, fragment)
            sent += piece
            await _abort(request)
            return bytes(sent)
        await _write(resp, piece, fragment)
        sent += piece
    if stall_after is not None and control is not None and stall_after >= len(pieces):
        await asyncio.sleep(control.stall)
    if cut is not None:
        await _abort(request)
    return bytes(sent)


async def _write(resp: web.StreamResponse, data: bytes, fragment: int | None) -> None:
    if not data:
        return
    if fragment is None:
        await resp.write(data)
        return
    for start in range(0, len(data), fragment):
        await resp.write(data[start : start + fragment])
        await asyncio.sleep(0)


async def _abort(request: web.Request) -> None:
    """Let what was written reach the socket, then reset the connection."""
    transport = request.transport
    if transport is None:
        return
    for _ in range(200):
        if transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.01)
    transport.abort()


def _observe(
    core: Core,
    request: web.Request,
    status: int,
    content_type: str,
    body: bytes,
    version: str,
    headers: dict[str, str],
    control: Control | None,
) -> None:
    hook = core.on_response
    if hook is not None:
        observed = ObservedResponse(
            method=request.method,
            path=request.path,
            status=status,
            content_type=content_type,
            body=body,
            api_version=version,
            headers=dict(headers),
            control=control,
        )
        hook(observed)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_of(
    items: list[T], seq: Callable[[T], int], ctx: Ctx, *, default: int, maximum: int
) -> tuple[list[T], str | None]:
    """One page of `items` (ordered by `seq`) per the `limit` and `pagination_token` params."""
    query = ctx.request.query
    limit = default
    if "limit" in query:
        try:
            limit = int(query["limit"])
        except ValueError:
            raise ApiError(400, f"limit must be an integer, got {query['limit']!r}") from None
        if not 1 <= limit <= maximum:
            raise ApiError(400, f"limit must be between 1 and {maximum}, got {limit}")
    after = 0
    token = query.get("pagination_token")
    if token:
        try:
            kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            after = int(number)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Invalid pagination token") from None
        if kind != "after":
            raise ApiError(400, "Invalid pagination token")
    rest = [item for item in items if seq(item) > after]
    page = rest[:limit]
    if len(rest) > limit:
        marker = f"after:{seq(page[-1])}".encode()
        return page, base64.urlsafe_b64encode(marker).decode()
    return page, None


def listing(key: str, items: list[Any], next_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {key: items}
    if next_token is not None:
        body["pagination"] = {"next": next_token}
    return body


def build_app(core: Core, routes: list[tuple[str, str, Handler, str]]) -> web.Application:
    """An application serving `routes` ((method, path, handler, kind)) and a 404 for the rest."""
    app = web.Application(client_max_size=1024**3)
    for method, path, handler, kind in routes:
        app.router.add_route(method, path, dispatch(core, handler, kind))

    async def fallback(ctx: Ctx) -> Reply:
        raise ApiError(404, f"No route for {ctx.request.method} {ctx.request.path}")

    app.router.add_route("*", "/{tail:.*}", dispatch(core, fallback))
    return app
