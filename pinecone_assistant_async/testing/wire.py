"""Writing replies to the socket, where the write-time faults happen: slow headers, unknown
fields and enums, broken error bodies, fragmented writes, stalls, dropped or extra stream chunks
and connections cut mid-body."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from .controls import Control, add_extra_fields, replace_enums, retry_after_value
from .records import ObservedResponse, ResponseHook
from .replies import Reply

__all__ = ["PROXY_PAGE", "REQUEST_ID_HEADER", "write_reply"]

REQUEST_ID_HEADER = "x-pinecone-request-id"
_ENCODER = json.JSONEncoder(separators=(",", ":"))
PROXY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>envoy</center>\r\n"
    "</body>\r\n</html>\r\n"
)


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
    return _ENCODER.encode(payload).encode(), "application/json"


async def write_reply(
    request: web.Request,
    hook: ResponseHook | None,
    reply: Reply,
    control: Control | None,
    rid: str,
    version: str,
    *,
    batch: bool = False,
) -> web.StreamResponse:
    """Send a reply, applying the write-time faults of `control` (`batch`: fewer writes)."""
    if control is not None and control.delay > 0:
        await asyncio.sleep(control.delay)
    headers = dict(reply.headers)
    headers[REQUEST_ID_HEADER] = rid
    if control is not None and control.retry_after is not None:
        headers["Retry-After"] = retry_after_value(control.retry_after)
    if reply.events is not None and reply.status < 400:
        return await _write_stream(request, hook, reply, control, headers, version, batch)
    body, content_type = _encode(reply, control)
    fragment = control.fragment if control is not None else None
    cut = control.cut_after if control is not None else None
    stall = control.stall_after if control is not None else None
    if fragment is None and cut is None and stall is None:
        if hook is not None:
            _observe(hook, request, reply.status, content_type, body, version, headers, control)
        if not body:
            return web.Response(status=reply.status, headers=headers)
        return web.Response(
            status=reply.status, body=body, content_type=content_type, headers=headers
        )
    resp = web.StreamResponse(status=reply.status, headers=headers)
    resp.content_type = content_type
    resp.content_length = len(body)
    await resp.prepare(request)
    sent = await _write_pieces(request, resp, [body], control, collect=hook is not None)
    if hook is not None:
        _observe(hook, request, reply.status, content_type, sent, version, headers, control)
    if cut is None:
        await resp.write_eof()
    return resp


async def _write_stream(
    request: web.Request,
    hook: ResponseHook | None,
    reply: Reply,
    control: Control | None,
    headers: dict[str, str],
    version: str,
    batch: bool,
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
    encode = _ENCODER.encode
    pieces = [b"data: " + encode(e).encode() + b"\n\n" for e in events]
    if done:
        pieces.append(b"data: [DONE]\n\n")
    headers["Cache-Control"] = "no-cache"
    resp = web.StreamResponse(status=reply.status, headers=headers)
    resp.content_type = "text/event-stream"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    fragment = control.fragment if control is not None else None
    cut = control.cut_after if control is not None else None
    stall = control.stall_after if control is not None else None
    if batch and fragment is None and cut is None and stall is None:
        # Instant mode: events go out in ~32 KiB writes instead of one write per event.
        pieces = _batched(pieces, 32 * 1024)
    sent = await _write_pieces(request, resp, pieces, control, collect=hook is not None)
    if hook is not None:
        _observe(hook, request, reply.status, "text/event-stream", sent, version, headers, control)
    if cut is None:
        await resp.write_eof()
    return resp


def _batched(pieces: list[bytes], size: int) -> list[bytes]:
    out: list[bytes] = []
    current: list[bytes] = []
    length = 0
    for piece in pieces:
        current.append(piece)
        length += len(piece)
        if length >= size:
            out.append(b"".join(current))
            current, length = [], 0
    if current:
        out.append(b"".join(current))
    return out


async def _write_pieces(
    request: web.Request,
    resp: web.StreamResponse,
    pieces: list[bytes],
    control: Control | None,
    *,
    collect: bool,
) -> bytes:
    """Write the pieces (SSE events or one body) with the write-time faults of `control`:
    `fragment`-byte writes, a stall after `stall_after` pieces, an abort after `cut_after`
    bytes. Returns what was written when `collect` is set (for the response hook)."""
    fragment = control.fragment if control is not None else None
    cut = control.cut_after if control is not None else None
    stall_after = control.stall_after if control is not None else None
    stall = control.stall if control is not None else 0.0
    written = 0
    kept: list[bytes] = []
    for number, piece in enumerate(pieces):
        if number == stall_after:
            await asyncio.sleep(stall)
        if cut is not None and written + len(piece) >= cut:
            piece = piece[: cut - written]
            await _write(resp, piece, fragment)
            if collect:
                kept.append(piece)
            await _abort(request)
            return b"".join(kept)
        await _write(resp, piece, fragment)
        written += len(piece)
        if collect:
            kept.append(piece)
    if stall_after is not None and stall_after >= len(pieces):
        await asyncio.sleep(stall)
    if cut is not None:
        await _abort(request)
    return b"".join(kept)


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
    hook: ResponseHook | None,
    request: web.Request,
    status: int,
    content_type: str,
    body: bytes,
    version: str,
    headers: dict[str, str],
    control: Control | None,
) -> None:
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
