"""``pinecone-assistant chat|context|evaluate``: ask, retrieve, score.

``chat`` streams the answer as it is written. A citation that arrives before the text it
supports is marked inline (``[1]``) when the text reaches it; every citation is then listed,
numbered, with its files and pages. ``--no-stream`` waits for the whole answer and marks every
citation inline.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..client import AssistantClient
from ..models import Citation, CitationChunk, ContentChunk, Snippet, TextSnippet
from ._args import Command, count, json_object
from ._output import Output, plain

__all__ = ["LiveText", "mark_citations", "register"]

SNIPPET_CHARS = 160


def mark_citations(text: str, citations: list[Citation]) -> str:
    """``text`` with ``[n]`` inserted at each citation's position (n counts from 1)."""
    marks = sorted(((c.position, n) for n, c in enumerate(citations, 1)), reverse=True)
    for position, number in marks:
        at = max(0, min(position, len(text)))
        text = f"{text[:at]}[{number}]{text[at:]}"
    return text


def _source(citation: Citation) -> str:
    parts = []
    for ref in citation.references:
        pages = f" p. {', '.join(str(p) for p in ref.pages)}" if ref.pages else ""
        parts.append(f"{ref.file.name}{pages}")
    return "; ".join(parts) or "(no reference)"


def _sources(out: Output, citations: list[Citation]) -> None:
    if citations:
        out.text("")
        for number, citation in enumerate(citations, 1):
            out.text(f"[{number}] {_source(citation)}")


class LiveText:
    """Writes deltas to stdout, inserting ``[n]`` where a pending citation falls."""

    def __init__(self) -> None:
        self.written = 0
        self.citations: list[Citation] = []
        self._pending: list[tuple[int, int]] = []  # (position, number)

    def cite(self, citation: Citation) -> None:
        self.citations.append(citation)
        if citation.position > self.written:
            self._pending.append((citation.position, len(self.citations)))
            self._pending.sort()

    def write(self, delta: str) -> None:
        start = self.written
        self.written += len(delta)
        if self._pending and self._pending[0][0] <= self.written:
            out: list[str] = []
            for index, char in enumerate(delta):
                while self._pending and self._pending[0][0] <= start + index:
                    out.append(f"[{self._pending.pop(0)[1]}]")
                out.append(char)
            delta = "".join(out)
        sys.stdout.write(delta)
        sys.stdout.flush()

    def finish(self) -> None:
        """Put the markers still pending at the end and end the line (if anything was shown)."""
        tail = "".join(f"[{number}]" for _, number in self._pending)
        self._pending.clear()
        if self.written or tail:
            sys.stdout.write(tail + "\n")
            sys.stdout.flush()


async def chat(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    options: dict[str, Any] = {"model": args.model, "filter": args.filter}
    if out.json_mode or args.no_stream:
        reply = await client.chat(args.assistant, args.question, **options)
        if out.json_mode:
            out.emit_json(reply)
        else:
            out.text(mark_citations(reply.message.content, reply.citations))
            _sources(out, reply.citations)
        return 0
    live = LiveText()
    try:
        async with client.chat_stream(args.assistant, args.question, **options) as stream:
            async for chunk in stream:
                if isinstance(chunk, ContentChunk):
                    live.write(chunk.delta.content)
                elif isinstance(chunk, CitationChunk):
                    live.cite(chunk.citation)
            await stream.final()
    finally:
        live.finish()  # ends the line even when the stream broke, before any error message
    _sources(out, live.citations)
    return 0


def _snippet_row(number: int, snippet: Snippet) -> tuple[Any, ...]:
    ref = getattr(snippet, "reference", None)
    file = getattr(ref, "file", None)
    pages = getattr(ref, "pages", None) or []
    if isinstance(snippet, TextSnippet):
        text = " ".join(snippet.content.split())
    else:
        text = f"({getattr(snippet, 'type', 'unknown')} snippet)"
    if len(text) > SNIPPET_CHARS:
        text = text[: SNIPPET_CHARS - 1] + "…"
    score = getattr(snippet, "score", None)
    return (number, "-" if score is None else f"{score:.3f}",
            getattr(file, "name", "-"), ", ".join(map(str, pages)) or "-", text)


async def context(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found = await client.context(
        args.assistant, args.query, filter=args.filter, top_k=args.top_k,
        snippet_size=args.snippet_size,
    )
    if out.json_mode:
        out.emit_json(found)
    else:
        out.table(f"{len(found.snippets)} snippet(s)", ("#", "score", "file", "pages", "text"),
                  (_snippet_row(n, s) for n, s in enumerate(found.snippets, 1)))
    return 0


async def evaluate(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    result = await client.evaluation.alignment(
        question=args.question, answer=args.answer, ground_truth_answer=args.ground_truth
    )
    if out.json_mode:
        out.emit_json(result)
        return 0
    m = result.metrics
    out.table("alignment", ("metric", "score"), [
        ("correctness", f"{m.correctness:.3f}"), ("completeness", f"{m.completeness:.3f}"),
        ("alignment", f"{m.alignment:.3f}"),
    ])
    facts = result.reasoning.evaluated_facts
    if facts:
        out.table("facts", ("fact", "entailment"),
                  ((f.fact.content, plain(f.entailment)) for f in facts))
    return 0


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = groups.add_parser("chat", parents=[common], help="ask an assistant (streams the answer)")
    p.add_argument("assistant")
    p.add_argument("question")
    p.add_argument("--model", default="gpt-4o", help="the model (gpt-4o)")
    p.add_argument("--filter", type=json_object, metavar="JSON",
                   help="a metadata filter on files")
    p.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    p.set_defaults(command=Command(chat))
    p = groups.add_parser("context", parents=[common], help="retrieve context snippets")
    p.add_argument("assistant")
    p.add_argument("query")
    p.add_argument("--filter", type=json_object, metavar="JSON",
                   help="a metadata filter on files")
    p.add_argument("--top-k", type=count, help="number of snippets (1-64)")
    p.add_argument("--snippet-size", type=count, help="tokens per snippet (512-8192)")
    p.set_defaults(command=Command(context))
    p = groups.add_parser("evaluate", parents=[common],
                          help="score an answer against a ground truth (alignment)")
    p.add_argument("--question", required=True)
    p.add_argument("--answer", required=True)
    p.add_argument("--ground-truth", required=True, help="the correct answer")
    p.set_defaults(command=Command(evaluate))
