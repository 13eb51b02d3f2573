"""Micro-benchmark for the SSE decoder.

Decodes a synthetic 20,000-event chat stream, fed in 4 KiB reads the way
``resp.content.iter_any()`` delivers it, and prints events per second for
:class:`~pinecone_assistant_async._sse.SSEDecoder` and, as a baseline in the same run, for the
simplest parser that could work on this particular stream (split on ``\\n\\n``, then on lines;
no CR, comments, BOM, ids or retry). The ratio is the price of following the spec.
It also times the same stream with CRLF line ends and one 2 MiB data line.

Run from the repository root: ``.venv/bin/python benchmarks/bench_sse.py [--events N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable

from pinecone_assistant_async._sse import SSEDecoder

CHUNK = 4096
LINE = b'data: {"type":"content_chunk","id":"x","model":"gpt-4o","delta":{"content":"hello "}}'


def make_stream(events: int, line_end: bytes = b"\n") -> bytes:
    return (LINE + line_end + line_end) * events


def chunks(stream: bytes, size: int = CHUNK) -> list[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def decode_ours(reads: Iterable[bytes]) -> int:
    decoder = SSEDecoder()
    count = 0
    for chunk in reads:
        count += len(decoder.feed(chunk))
    count += len(decoder.close())
    return count


def decode_naive(reads: Iterable[bytes]) -> int:
    buffer = b""
    count = 0
    for chunk in reads:
        buffer += chunk
        *blocks, buffer = buffer.split(b"\n\n")
        for block in blocks:
            data = [
                line[5:].lstrip(b" ").decode()
                for line in block.split(b"\n")
                if line.startswith(b"data:")
            ]
            if data:
                "\n".join(data)
                count += 1
    return count


def best_rate(decode: Callable[[Iterable[bytes]], int], reads: list[bytes], repeat: int) -> float:
    best = float("inf")
    expected = -1
    for _ in range(repeat):
        start = time.perf_counter()
        count = decode(reads)
        best = min(best, time.perf_counter() - start)
        if expected not in (-1, count):
            raise AssertionError("decoders disagree between runs")
        expected = count
    return expected / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    stream = make_stream(args.events)
    reads = chunks(stream)
    if decode_ours(reads) != args.events or decode_naive(reads) != args.events:
        raise SystemExit("a decoder lost events")
    ours = best_rate(decode_ours, reads, args.repeat)
    naive = best_rate(decode_naive, reads, args.repeat)
    crlf = best_rate(decode_ours, chunks(make_stream(args.events, b"\r\n")), args.repeat)
    long_line = chunks(b"data: " + b"x" * 2**21 + b"\n\n")
    long_rate = best_rate(decode_ours, long_line, args.repeat)
    print(
        f"stream: {args.events} events, {len(stream) / 2**20:.2f} MiB, {len(reads)} reads of 4 KiB"
    )
    print(f"SSEDecoder, LF          {ours:>12,.0f} events/s")
    print(f"naive split, LF         {naive:>12,.0f} events/s")
    print(f"ratio naive/ours: {naive / ours:.2f}")
    print(f"SSEDecoder, CRLF        {crlf:>12,.0f} events/s")
    print(f"one 2 MiB data line     {1000 / long_rate:>12.2f} ms")


if __name__ == "__main__":
    main()
