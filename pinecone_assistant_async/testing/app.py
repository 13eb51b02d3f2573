"""The aiohttp application: one dispatcher in front of every route.

Handlers are plain coroutines `(Ctx) -> Reply` that never touch aiohttp responses. The dispatcher
checks the API version and the key, resolves faults, calls the handler, records the exchange
and hands the reply to `wire.write_reply` (where the write-time faults happen).
"""

from __future__ import annotations

import itertools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler as WebHandler

from .controls import CONTROL_HEADER, Control, ControlError, FaultBook
from .limits import PlanEnforcer
from .records import RecordedRequest, ResponseHook
from .replies import ApiError, Reply, error_payload
from .state import Store
from .versions import (
    DEFAULT_FEATURES,
    DEFAULT_VERSION,
    SUPPORTED_VERSIONS,
    VersionFeatures,
    features,
)
from .wire import REQUEST_ID_HEADER, write_reply

__all__ = ["Core", "Ctx", "Handler", "build_app", "dispatch"]

VERSION_HEADER = "X-Pinecone-Api-Version"
log = logging.getLogger("pinecone_assistant_async.testing")


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
    limits: PlanEnforcer = field(default_factory=PlanEnforcer)


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
            self.recorded.body_size = len(raw)
        if not isinstance(value, dict):
            raise ApiError(400, "Request body must be a JSON object")
        return value

    def note_upload(self, size: int, sha256: str, name: str | None) -> None:
        if self.recorded is not None:
            self.recorded.body_size = size
            self.recorded.body_sha256 = sha256
            self.recorded.file_name = name


Handler = Callable[[Ctx], Awaitable[Reply]]


def _request_id(core: Core, request: web.Request, control: Control | None) -> str:
    """The control's `request_id`, else the one the client sent (echoed), else a new one."""
    if control is not None and control.request_id:
        return control.request_id
    sent = request.headers.get(REQUEST_ID_HEADER)
    if sent:
        return sent
    if core.instant:
        return f"emu-{next(core.ids)}"
    return uuid.uuid4().hex


def _peer(request: web.Request) -> str | None:
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else None


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
        peer=_peer(request),
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
        rid = _request_id(core, request, control)
        recorded = _record(core, request, version, rid) if core.record else None
        if recorded is not None and control is not None and control.transient:
            recorded.fault = control.describe()
        feats = DEFAULT_FEATURES if public else features(version)
        if reply is None and not public:
            reply = _refusal(core, request, version, feats, control, basic_errors)
            if reply is None:  # plan limits (see limits.py): after auth, before the handler
                reply = _throttle(core, request, version, basic_errors)
        if reply is None and feats is not None:
            ctx = Ctx(
                request, core, version if not public else DEFAULT_VERSION, feats, control, recorded
            )
            try:
                reply = await handler(ctx)
            except ApiError as exc:
                reply = _error(exc.status, exc.message, exc.code, version, basic_errors)
            except Exception:
                # An emulator bug: answer like the service's 500 and leave a trace in the log.
                log.exception("emulator handler failed on %s %s", request.method, request.path)
                reply = _error(500, "Internal server error", None, version, basic_errors)
        elif recorded is not None and reply is not None:
            recorded.body_size = await _drain(request)
        if reply is None:  # unreachable: every branch above answers
            reply = _error(500, "Internal server error", None, version, basic_errors)
        if recorded is not None:
            recorded.status = reply.status
        if reply.status >= 400:
            await _drain(request)
        return await write_reply(
            request, core.on_response, reply, control, rid, version, batch=core.instant
        )

    return handle


def _refusal(
    core: Core,
    request: web.Request,
    version: str,
    feats: VersionFeatures | None,
    control: Control | None,
    basic: bool,
) -> Reply | None:
    """The error answer that stops a request before its handler runs, or None."""
    if feats is None:
        message = (
            f"Unsupported API version {version!r}; supported versions are "
            f"{', '.join(SUPPORTED_VERSIONS)}"
        )
        return _error(400, message, None, DEFAULT_VERSION, basic)
    key = request.headers.get("Api-Key")
    if key is None:
        return _error(
            401, "API key is missing; send it in the Api-Key header", None, version, basic
        )
    if key != core.api_key:
        return _error(401, "Invalid API key.", None, version, basic)
    if control is not None and control.status is not None:
        message = control.message or f"Injected error (status {control.status})"
        return _error(control.status, message, control.code, version, basic)
    return None


def _throttle(core: Core, request: web.Request, version: str, basic: bool) -> Reply | None:
    try:
        refused = core.limits.admit(request.method, request.path, request.content_length)
    except ApiError as exc:
        return _error(exc.status, exc.message, exc.code, version, basic)
    if refused is None:
        return None
    reply = _error(429, refused.message, "RESOURCE_EXHAUSTED", version, basic)
    reply.headers["Retry-After"] = refused.header
    return reply


async def _drain(request: web.Request) -> int:
    """Read (and drop) what the client is still sending; the number of bytes read.

    Done before refusing a request so the client sees a clean error answer (and can retry)
    rather than a reset in the middle of its upload.
    """
    total = 0
    if request.body_exists:
        while chunk := await request.content.readany():
            total += len(chunk)
    return total


def _error(status: int, message: str, code: str | None, version: str, basic: bool) -> Reply:
    return Reply(status=status, payload=error_payload(status, message, code, version, basic))


def build_app(
    core: Core,
    routes: list[tuple[str, str, Handler, str]],
    raw_routes: Sequence[tuple[str, str, WebHandler]] = (),
) -> web.Application:
    """An application serving `routes` ((method, path, handler, kind)), `raw_routes` (plain
    aiohttp handlers outside the REST API's conventions, like the MCP endpoint) and a 404 for
    the rest."""
    app = web.Application(client_max_size=1024**3)
    for method, path, handler, kind in routes:
        app.router.add_route(method, path, dispatch(core, handler, kind))
    for method, path, raw in raw_routes:
        app.router.add_route(method, path, raw)

    async def fallback(ctx: Ctx) -> Reply:
        raise ApiError(404, f"No route for {ctx.request.method} {ctx.request.path}")

    app.router.add_route("*", "/{tail:.*}", dispatch(core, fallback))
    return app
