"""Byte-level tests of the SSE decoder: raw bytes in, events out, split at every boundary."""

from __future__ import annotations

import json

import pytest

from pinecone_assistant_async._sse import ServerSentEvent, SSEDecoder


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return events


def ev(
    data: str, event: str = "message", id: str | None = None, retry: int | None = None
) -> ServerSentEvent:
    return ServerSentEvent(data=data, event=event, id=id, retry=retry)


# --- one rule per test ------------------------------------------------------------------------


def test_simple_event_and_default_type() -> None:
    assert decode(b"data: hello\n\n") == [ev("hello")]


def test_data_without_space_and_only_one_space_removed() -> None:
    assert decode(b"data:hello\n\ndata:  two\n\ndata:\tx\n\n") == [
        ev("hello"),
        ev(" two"),
        ev("\tx"),
    ]


def test_multi_line_data_joined_with_lf() -> None:
    assert decode(b"data: a\ndata\ndata: b\ndata:\n\n") == [ev("a\n\nb\n")]


def test_empty_data_line_dispatches_empty_string() -> None:
    assert decode(b"data\n\ndata:\n\n") == [ev(""), ev("")]


def test_no_data_means_no_dispatch() -> None:
    assert decode(b"event: ping\n\n: comment\n\nid: 1\n\nretry: 5\n\n\n\n") == []


def test_event_type_resets_after_each_blank_line() -> None:
    stream = b"event: add\ndata: 1\n\ndata: 2\n\nevent: drop\n\ndata: 3\n\n"
    assert decode(stream) == [ev("1", "add"), ev("2"), ev("3")]


def test_empty_event_field_means_message() -> None:
    assert decode(b"event:\ndata: x\n\nevent\ndata: y\n\n") == [ev("x"), ev("y")]


def test_last_field_wins_for_event() -> None:
    assert decode(b"event: a\nevent: b\ndata: x\n\n") == [ev("x", "b")]


def test_comments_are_ignored_anywhere() -> None:
    stream = b": hi\ndata: a\n:\n: data: nope\ndata: b\n\n"
    assert decode(stream) == [ev("a\nb")]


def test_unknown_fields_and_wrong_case_are_ignored() -> None:
    stream = b"foo: bar\nData: no\nEVENT: no\ndata : no\nx\ndata: yes\n\n"
    assert decode(stream) == [ev("yes")]


def test_line_without_colon_is_field_with_empty_value() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 7\ndata: a\n\nid\ndata: b\n\n") == [ev("a", id="7"), ev("b")]
    assert decoder.last_event_id == ""


def test_only_first_colon_splits() -> None:
    assert decode(b"data: a: b:c\n\nevent:x:y\ndata::\n\n") == [ev("a: b:c"), ev(":", "x:y")]


def test_id_persists_across_events_until_changed() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"
    assert decode(stream) == [ev("a", id="1"), ev("b", id="1"), ev("c", id="2")]


def test_id_without_data_still_sets_last_event_id() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 9\n\n") == []
    assert decoder.last_event_id == "9"
    assert decoder.feed(b"data: x\n\n") == [ev("x", id="9")]


def test_id_takes_effect_at_the_blank_line() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n")
    assert decoder.last_event_id == "1"
    assert decoder.feed(b"\n") == [ev("b", id="2")]
    assert decoder.last_event_id == "2"


def test_id_with_nul_is_ignored() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\n\nid: a\x00b\ndata: x\n\n")
    assert events == [ev("x", id="1")]
    assert decoder.last_event_id == "1"


def test_retry_needs_ascii_digits() -> None:
    decoder = SSEDecoder()
    assert decoder.retry is None
    stream = (
        b"retry: 1500\ndata: a\n\n"
        b"retry: 12a\ndata: b\n\n"
        b"retry: -1\ndata: c\n\n"
        b"retry:\ndata: d\n\n"
        b"retry: \xd9\xa3\ndata: e\n\n"  # ARABIC-INDIC DIGIT THREE: a digit, but not ASCII
        b"retry: 1.5\ndata: f\n\n"
    )
    assert decoder.feed(stream) == [
        ev("a", retry=1500),
        ev("b"),
        ev("c"),
        ev("d"),
        ev("e"),
        ev("f"),
    ]
    assert decoder.retry == 1500
    decoder.feed(b"retry:250\n\n")
    assert decoder.retry == 250


def test_retry_beyond_int_digit_limit_is_ignored() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: " + b"9" * 10_000 + b"\ndata: x\n\n") == [ev("x")]
    assert decoder.retry is None


def test_crlf_cr_and_lf_line_ends() -> None:
    expected = [ev("a\nb", "t"), ev("c")]
    assert decode(b"event: t\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n") == expected
    assert decode(b"event: t\rdata: a\rdata: b\r\rdata: c\r\r") == expected
    assert decode(b"event: t\ndata: a\rdata: b\r\n\ndata: c\n\r") == expected


def test_cr_lf_cr_is_two_line_ends() -> None:
    assert decode(b"data: a\r\n\rdata: b\n\r\n") == [ev("a"), ev("b")]


def test_lf_cr_is_two_line_ends() -> None:
    assert decode(b"data: a\n\r") == [ev("a")]


def test_cr_at_chunk_end_and_lf_at_next_start_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\r\n") == [ev("a\nb")]


def test_cr_then_empty_chunk_then_lf_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"", b"\ndata: b\n\n") == [ev("a\nb")]


def test_bom_is_dropped_once() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [ev("a")]
    # a BOM that makes the first field name unknown would hide it: only the first is dropped
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n") == [ev("b")]
    assert decode(b"data: \xef\xbb\xbfa\n\n") == [ev("\ufeffa")]


def test_bom_split_across_chunks() -> None:
    assert decode(b"\xef", b"\xbb", b"\xbfdata: a\n\n") == [ev("a")]


def test_bom_before_blank_first_line() -> None:
    assert decode(b"\xef\xbb\xbf\ndata: a\n\n") == [ev("a")]


def test_bom_in_a_later_chunk_is_data() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\n")
    assert decoder.feed(b"\xef\xbb\xbfdata: b\n\n") == []
    assert decoder.feed(b"data: \xef\xbb\xbf\n\n") == [ev("\ufeff")]


def test_utf8_character_split_across_chunks() -> None:
    payload = "héllo ☃ 𝄞 日本".encode()
    stream = b"data: " + payload + b"\n\n"
    for cut in range(len(stream) + 1):
        assert decode(stream[:cut], stream[cut:]) == [ev("héllo ☃ 𝄞 日本")]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    stream = b"data: a\xffb\xe2\x82c\xed\xa0\x80\n\ndata: \xf0\x9f\x98\n\n"
    assert decode(stream) == [
        ev("a\ufffdb\ufffdc\ufffd\ufffd\ufffd"),
        ev("\ufffd"),
    ]


def test_unicode_line_separators_inside_data_are_not_line_ends() -> None:
    text = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei"
    assert decode(b"data: " + text.encode() + b"\n\n") == [ev(text)]


def test_u2028_inside_json() -> None:
    payload = {"type": "content_chunk", "delta": {"content": "line\u2028sep\u2029para\u0085"}}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    events = decode(b"data: " + raw + b"\n\n")
    assert len(events) == 1
    assert json.loads(events[0].data) == payload


def test_nul_in_data_is_kept() -> None:
    assert decode(b"data: a\x00b\n\n") == [ev("a\x00b")]


def test_two_mib_line_fed_in_small_chunks() -> None:
    body = b"x" * (2 * 1024 * 1024)
    stream = b"data: " + body + b"\n\n"
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for i in range(0, len(stream), 1024):
        events += decoder.feed(stream[i : i + 1024])
    assert len(events) == 1
    assert events[0].data == body.decode()
    assert not decoder.has_pending


def test_two_mib_line_with_cr_line_ends() -> None:
    body = "é" * (1024 * 1024)
    stream = b"data: " + body.encode() + b"\r\r"
    chunks = [stream[i : i + 777] for i in range(0, len(stream), 777)]
    assert decode(*chunks) == [ev(body)]


def test_unterminated_event_is_discarded_at_close() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: b\n") == [ev("a")]
    assert decoder.close() == []
    assert decoder.has_pending


def test_unterminated_line_is_pending() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: b") == [ev("a")]
    assert decoder.close() == []
    assert decoder.has_pending


@pytest.mark.parametrize("tail", [b"event: x\n", b"id: 3\n", b"retry: 10\n", b"data\n"])
def test_unfinished_event_of_any_field_is_pending(tail: bytes) -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\n" + tail)
    decoder.close()
    assert decoder.has_pending


@pytest.mark.parametrize(
    "stream", [b"", b"data: a\n\n", b"data: a\r\r", b"data: a\r\n\r\n", b": bye\n", b"x: y\n"]
)
def test_clean_end_is_not_pending(stream: bytes) -> None:
    decoder = SSEDecoder()
    decoder.feed(stream)
    assert decoder.close() == []
    assert not decoder.has_pending


def test_feed_after_close_raises() -> None:
    decoder = SSEDecoder()
    decoder.close()
    with pytest.raises(RuntimeError):
        decoder.feed(b"data: a\n\n")


# --- every split of every sample gives the unsplit result -------------------------------------

SAMPLES: list[bytes] = [
    b"data: hello\n\n",
    b"\xef\xbb\xbfevent: greet\r\nid: 1\r\ndata: h\xc3\xa9llo\r\ndata: w\xe2\x98\x83rld\r\n\r\n",
    b": comment\rdata\rdata:x\r\rretry: 300\rid: 2\rdata: \xf0\x9f\x98\x80\r\r",
    b"data: a\r\n\rdata: b\n\r\ndata: c\r\r\nevent: end\ndata: \r\n\n",
    b"id: 1\n\nid: \x00\ndata: a\xffb\xe2\x82\n\nid\ndata: c\n\ndata: trailing",
    b'data: {"delta":{"content":"a\xe2\x80\xa8b\xe2\x80\xa9c"}}\n\ndata: [DONE]\n\n',
    b"\xef\xbb\xbf\r\n\xef\xbb\xbfdata: x\r\n\r\ndata: y\r\n\r",
    b"retry: 12x\nretry: 99\nfoo\n:\n\nevent: e\ndata: 1\ndata: 2\n\n\n\n",
]


def split_all(stream: bytes) -> list[list[bytes]]:
    splits = [[stream[:i], stream[i:]] for i in range(len(stream) + 1)]
    splits.append([stream[i : i + 1] for i in range(len(stream))])
    splits.append([stream[i : i + 3] for i in range(0, len(stream), 3)])
    return splits


def run(chunks: list[bytes]) -> tuple[list[ServerSentEvent], str, int | None, bool]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return events, decoder.last_event_id, decoder.retry, decoder.has_pending


@pytest.mark.parametrize("stream", SAMPLES, ids=range(len(SAMPLES)))
def test_every_split_matches_unsplit(stream: bytes) -> None:
    whole = run([stream])
    assert whole[0], "each sample dispatches at least one event"
    for chunks in split_all(stream):
        assert run(chunks) == whole, chunks


def test_samples_decode_as_expected() -> None:
    assert run([SAMPLES[1]]) == ([ev("héllo\nw☃rld", "greet", "1")], "1", None, False)
    assert run([SAMPLES[2]]) == ([ev("\nx"), ev("😀", id="2", retry=300)], "2", 300, False)
    assert run([SAMPLES[3]]) == ([ev("a"), ev("b"), ev("c"), ev("", "end")], "", None, False)
    assert run([SAMPLES[4]]) == ([ev("a\ufffdb\ufffd", id="1"), ev("c")], "", None, True)
    assert run([SAMPLES[6]]) == ([ev("y")], "", None, False)
    assert run([SAMPLES[7]]) == ([ev("1\n2", "e")], "", 99, False)
