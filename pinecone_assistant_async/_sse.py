"""A pure, incremental Server-Sent Events decoder: bytes in, events out.

It follows the "interpreting an event stream" rules of the WHATWG HTML standard
(https://html.spec.whatwg.org/multipage/server-sent-events.html):

* lines end with CRLF, LF or CR, in any mix; a CR that ends one chunk and an LF that starts
  the next are one line end, not two;
* the stream is UTF-8; one leading BOM is dropped; invalid bytes become U+FFFD;
  other Unicode line separators (U+2028, U+2029, U+0085, ...) are ordinary characters;
* a line starting with ``:`` is a comment; ``name: value`` and ``name:value`` are fields;
  a line with no colon is a field name with an empty value; unknown fields are ignored;
* ``data`` lines accumulate, joined by ``"\\n"``; ``event`` sets the type (default
  ``"message"``); ``id`` sets the last event id unless it contains U+0000; ``retry`` sets the
  reconnection time when it is made of ASCII digits only;
* a blank line dispatches the event, unless its data buffer is empty;
* at the end of the stream an unterminated event is discarded, never dispatched.

Nothing here does I/O. The decoder keeps the bytes after the last line end of each chunk and
never looks at them again, so a line of any length costs linear time, and text is decoded only
up to a line end, so a character split across chunks is decoded whole. Since CR and LF never
occur inside a multi-byte UTF-8 sequence, decoding a run of complete lines at once gives
exactly the text that decoding each line alone would.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

__all__ = ["SSEDecoder", "ServerSentEvent"]

_LF = 0x0A
_CR = 0x0D
_BOM = "\ufeff"
_BOM_BYTES = b"\xef\xbb\xbf"


@dataclass(slots=True)
class ServerSentEvent:
    """One dispatched event.

    ``id`` is the last event id in effect when the event was dispatched (the spec's "last event
    ID string"), or ``None`` while that string is empty. ``retry`` is the value of a valid
    ``retry`` field that appeared within this event, if any.
    """

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turn chunks of an event stream, split anywhere, into :class:`ServerSentEvent` objects.

    Feed every chunk with :meth:`feed`, then call :meth:`close` once at the end of the stream;
    :attr:`has_pending` then tells whether the stream stopped in the middle of a line or event.
    """

    __slots__ = (
        "_closed",
        "_data",
        "_event",
        "_event_retry",
        "_id_buffer",
        "_last_id",
        "_parts",
        "_retry",
        "_skip_lf",
        "_started",
    )

    def __init__(self) -> None:
        self._parts: list[bytes] = []  # bytes received after the last line end
        self._skip_lf = False  # the previous chunk ended with CR: drop one LF that follows
        self._started = False  # the first line was seen (the BOM check is done)
        self._closed = False
        self._data: list[str] = []  # the data buffer, one entry per data line
        self._event = ""  # the event type buffer
        self._id_buffer = ""  # the last event ID buffer
        self._last_id = ""  # the last event ID string, set at each blank line
        self._event_retry: int | None = None  # a retry field seen in the current event
        self._retry: int | None = None  # the reconnection time the stream asked for

    @property
    def last_event_id(self) -> str:
        """The id to send as ``Last-Event-ID`` when reconnecting ("" when none)."""
        return self._last_id

    @property
    def retry(self) -> int | None:
        """The reconnection time in milliseconds set by the last valid ``retry`` field."""
        return self._retry

    @property
    def has_pending(self) -> bool:
        """True if a partial line or an unfinished event is buffered (checked after close)."""
        if self._parts and (self._started or b"".join(self._parts) != _BOM_BYTES):
            return True
        return bool(
            self._data
            or self._event
            or self._event_retry is not None
            or self._id_buffer != self._last_id
        )

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume the next chunk of the stream and return the events it completes."""
        text = self._complete_lines(chunk)
        if text is None:
            return []
        events: list[ServerSentEvent] = self._events(text, full=True)
        return events

    def feed_data(self, chunk: bytes) -> list[str]:
        """:meth:`feed`, returning only the ``data`` of each event it completes (the event
        type, id and retry are tracked all the same). The streaming layer's fast path."""
        text = self._complete_lines(chunk)
        if text is None:
            return []
        data: list[str] = self._events(text, full=False)
        return data

    def _complete_lines(self, chunk: bytes) -> str | None:
        """The complete lines that ``chunk`` ends, as text joined by LF (the last line end
        dropped), or None when it ends none; the rest is kept for the next chunk."""
        if self._closed:
            raise RuntimeError("SSEDecoder.feed() called after close()")
        if not chunk:
            return None
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == _LF:
                chunk = chunk[1:]
                if not chunk:
                    return None
        if b"\r" in chunk:
            # Rare: normalise CRLF and lone CR to LF. A trailing CR is already a line end;
            # remember it so that an LF opening the next chunk is not counted again.
            self._skip_lf = chunk[-1] == _CR
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        end = chunk.rfind(b"\n")
        if end < 0:
            self._parts.append(chunk)
            return None
        parts = self._parts
        if parts:
            parts.append(chunk[:end])
            block = b"".join(parts)
            parts.clear()
        else:
            block = chunk[:end]
        end += 1
        if end < len(chunk):
            parts.append(chunk[end:])
        text = block.decode("utf-8", "replace")
        if not self._started:
            self._started = True
            if text.startswith(_BOM):
                text = text[1:]
        return text

    def _events(self, text: str, *, full: bool) -> list[Any]:
        """Dispatch the events of complete lines ``text``.

        The common shape (an event that is one ``data: `` line, then a blank line) is cut out
        with ``str.split`` on the blank lines; any other event goes through :meth:`_lines`.
        Both follow the same rules: each blank line dispatches (and resets the event type and
        retry), so after a dispatched event nothing is pending and the shortcut applies.
        """
        out: list[Any] = []
        block = text + "\n"
        clean = not (self._data or self._event or self._event_retry is not None)
        cut = block.rfind("\n\n") + 2
        if clean and cut > 1 and block.startswith("data: "):
            # Every event of the block one "data: " line? Then the block is exactly
            # "data: " + payload + "\n\n", again and again: split on the separators, and the
            # count of line ends proves that no payload holds one (so no other field was cut).
            payloads: list[Any] = block[6 : cut - 2].split("\n\ndata: ")
            if block.count("\n", 0, cut) == 2 * len(payloads):
                self._last_id = event_id = self._id_buffer
                if full:
                    out = [ServerSentEvent(p, "message", event_id or None, None) for p in payloads]
                else:
                    out = payloads
                rest = block[cut:]
                if rest:
                    events = self._lines(rest[:-1].split("\n"))
                    out.extend(events if full else [event.data for event in events])
                return out
        pieces = block.split("\n\n")
        rest = pieces.pop()  # lines after the last blank line, each ending with LF (or "")
        for piece in pieces:
            if clean and piece.startswith("data: ") and "\n" not in piece:
                # one data line, then a blank line: dispatch it as _lines would
                self._last_id = event_id = self._id_buffer
                if full:
                    out.append(ServerSentEvent(piece[6:], "message", event_id or None, None))
                else:
                    out.append(piece[6:])
                continue
            clean = True  # after this piece's blank line nothing is pending
            events = self._lines([*piece.split("\n"), ""] if piece else [""])
            out.extend(events if full else [event.data for event in events])
        if rest:
            events = self._lines(rest[:-1].split("\n"))
            out.extend(events if full else [event.data for event in events])
        return out

    def close(self) -> list[ServerSentEvent]:
        """Mark the end of the stream. An unterminated event is discarded, so this returns []."""
        self._closed = True
        return []

    def _lines(self, lines: list[str]) -> list[ServerSentEvent]:
        """Interpret complete lines (without their line ends)."""
        events: list[ServerSentEvent] = []
        data = self._data
        event = self._event
        id_buffer = self._id_buffer
        event_retry = self._event_retry
        last_id = self._last_id
        for line in lines:
            if not line:  # a blank line: dispatch
                last_id = id_buffer
                if data:
                    events.append(
                        ServerSentEvent(
                            "\n".join(data), event or "message", id_buffer or None, event_retry
                        )
                    )
                    data.clear()
                event = ""
                event_retry = None
                continue
            if line[:6] == "data: ":  # the common case, first
                data.append(line[6:])
                continue
            colon = line.find(":")
            if colon == 0:  # a comment
                continue
            if colon < 0:
                name = line
                value = ""
            else:
                name = line[:colon]
                value = line[colon + 2 :] if line.startswith(" ", colon + 1) else line[colon + 1 :]
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id":
                if "\0" not in value:
                    id_buffer = value
            elif name == "retry" and value.isascii() and value.isdigit():
                with suppress(ValueError):  # beyond int()'s digit limit: ignore the field
                    event_retry = self._retry = int(value)
        self._event = event
        self._id_buffer = id_buffer
        self._event_retry = event_retry
        self._last_id = last_id
        return events
