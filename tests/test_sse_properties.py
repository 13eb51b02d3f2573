"""Property tests: the incremental decoder against a plain reading of the spec.

``reference`` below is written straight from the WHATWG "interpreting an event stream" section,
over the whole stream decoded at once, line by line. The decoder, fed the same bytes in random
chunks, must agree with it on the events, the last event id, the retry value and whether the
stream ended mid-event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from pinecone_assistant_async._sse import ServerSentEvent, SSEDecoder

Outcome = tuple[list[ServerSentEvent], str, int | None, bool]

LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n)")


def reference(stream: bytes) -> Outcome:
    text = stream.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    events: list[ServerSentEvent] = []
    data_buffer = ""
    event_type_buffer = ""
    last_event_id_buffer = ""
    last_event_id = ""
    reconnection_time: int | None = None
    retry_in_event: int | None = None
    position = 0
    for match in LINE.finditer(text):
        position = match.end()
        line = match.group(1)
        if line == "":
            # dispatch the event
            last_event_id = last_event_id_buffer
            if data_buffer == "":
                event_type_buffer = ""
                retry_in_event = None
                continue
            if data_buffer.endswith("\n"):
                data_buffer = data_buffer[:-1]
            events.append(
                ServerSentEvent(
                    data=data_buffer,
                    event=event_type_buffer or "message",
                    id=last_event_id or None,
                    retry=retry_in_event,
                )
            )
            data_buffer = ""
            event_type_buffer = ""
            retry_in_event = None
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            field, value = line, ""
        if field == "event":
            event_type_buffer = value
        elif field == "data":
            data_buffer += value + "\n"
        elif field == "id":
            if "\x00" not in value:
                last_event_id_buffer = value
        elif field == "retry" and value and all(c in "0123456789" for c in value):
            reconnection_time = retry_in_event = int(value)
    # at the end of the stream any pending data is discarded
    pending = bool(
        text[position:]
        or data_buffer
        or event_type_buffer
        or retry_in_event is not None
        or last_event_id_buffer != last_event_id
    )
    return events, last_event_id, reconnection_time, pending


def decode_in_chunks(stream: bytes, cuts: list[int]) -> Outcome:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    start = 0
    for cut in sorted(cuts):
        events += decoder.feed(stream[start:cut])
        start = cut
    events += decoder.feed(stream[start:])
    events += decoder.close()
    return events, decoder.last_event_id, decoder.retry, decoder.has_pending


def cuts_for(stream: bytes) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, len(stream)), max_size=12)


# --- random streams of bytes built from the grammar's pieces ----------------------------------

TOKENS = [
    b"data",
    b"event",
    b"id",
    b"retry",
    b"Data",
    b":",
    b": ",
    b" ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\xef\xbb\xbf",
    b"\x00",
    b"7",
    b"42",
    b"x",
    b"\xff",
    b"\xe2\x82",
    "é".encode(),
    "\u2028".encode(),
    "😀".encode(),
]

raw_streams = st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=3)), max_size=60).map(
    b"".join
)


@settings(deadline=None, max_examples=200)
@given(st.data())
def test_random_bytes_match_reference(data: st.DataObject) -> None:
    stream = data.draw(raw_streams, label="stream")
    cuts = data.draw(cuts_for(stream), label="cuts")
    assert decode_in_chunks(stream, cuts) == reference(stream)


# --- well-formed streams encoded from generated events ----------------------------------------

no_breaks = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n"),
    max_size=12,
)
data_text = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\n", "\r", "\u2028", "\u2029", "\x85", ":", " ", "\ufeff"]),
    ),
    max_size=40,
)


@dataclass
class Spec:
    data: str
    event: str | None
    id: str | None
    retry: int | None
    comments: list[str]


specs = st.builds(
    Spec,
    data=data_text,
    event=st.none() | no_breaks,
    id=st.none() | no_breaks,
    retry=st.none() | st.integers(0, 10**12),
    comments=st.lists(no_breaks, max_size=2),
)


def field(name: str, value: str, compact: bool) -> str:
    """``name: value``, or ``name:value`` when that reads the same."""
    if compact and not value.startswith(" "):
        return f"{name}:{value}"
    return f"{name}: {value}"


@settings(deadline=None, max_examples=100)
@given(st.data())
def test_encoded_events_round_trip(data: st.DataObject) -> None:
    events = data.draw(st.lists(specs, max_size=6), label="events")
    bom = data.draw(st.booleans(), label="bom")
    line_ends = st.sampled_from(["\n", "\r", "\r\n"])
    lines: list[str] = []
    expected: list[ServerSentEvent] = []
    last_id: str | None = None
    for spec in events:
        compact = data.draw(st.booleans())
        others = [":" + comment for comment in spec.comments]
        if spec.event is not None:
            others.append(field("event", spec.event, compact))
        if spec.id is not None:
            others.append(field("id", spec.id, compact))
            if "\x00" not in spec.id:
                last_id = spec.id or None
        if spec.retry is not None:
            others.append(field("retry", str(spec.retry), compact))
        data_lines = re.split(r"\r\n|\r|\n", spec.data)
        block = [field("data", line, compact) for line in data_lines]
        for other in others:  # anywhere among the data lines, which keep their order
            block.insert(data.draw(st.integers(0, len(block))), other)
        lines += block
        lines.append("")
        expected.append(
            ServerSentEvent(
                data="\n".join(data_lines),
                event=spec.event or "message",
                id=last_id,
                retry=spec.retry,
            )
        )
    text = ""
    for line in lines:
        end = data.draw(line_ends)
        if end == "\n" and not line and text.endswith("\r"):
            end = "\r\n"  # "\r" + "\n" would read as one CRLF, not two line ends
        text += line + end
    stream = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    cuts = data.draw(cuts_for(stream), label="cuts")
    outcome = decode_in_chunks(stream, cuts)
    assert outcome == reference(stream)
    assert outcome[0] == expected
    assert not outcome[3]


@settings(deadline=None, max_examples=100)
@given(st.data())
def test_one_byte_feeds_match_whole_feed(data: st.DataObject) -> None:
    stream = data.draw(raw_streams, label="stream")
    assert decode_in_chunks(stream, list(range(len(stream)))) == decode_in_chunks(stream, [])


# --- streams made mostly of one-line data events (the decoder's block shortcut) ---------------

SIMPLE_PIECES = [
    b"data: {}\n\n",
    b'data: {"a": "b\\n"}\n\n',
    b"data: \n\n",
    b"data: x\r\n\r\n",
    b"data: one\ndata: two\n\n",
    b"data:tight\n\n",
    b"id: 7\n",
    b"event: note\n",
    b": comment\n",
    b"\n",
    b"data: \xe2\x82\xac\n\n",
]
simple_streams = st.lists(
    st.one_of(st.sampled_from(SIMPLE_PIECES), st.sampled_from(SIMPLE_PIECES[:1])), max_size=40
).map(b"".join)


@settings(deadline=None, max_examples=300)
@given(st.data())
def test_streams_of_one_line_data_events_match_reference(data: st.DataObject) -> None:
    stream = data.draw(simple_streams, label="stream")
    cuts = data.draw(cuts_for(stream), label="cuts")
    assert decode_in_chunks(stream, cuts) == reference(stream)
    decoder = SSEDecoder()  # feed_data gives the same events' data
    payloads: list[str] = []
    start = 0
    for cut in [*sorted(cuts), len(stream)]:
        payloads += decoder.feed_data(stream[start:cut])
        start = cut
    assert payloads == [event.data for event in reference(stream)[0]]
