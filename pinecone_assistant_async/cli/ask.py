"""``pinecone-assistant chat|context|evaluate``: ask, retrieve, score.

``chat`` streams the answer as it is written, sentence by sentence, with a ``[n]`` marker where
each citation points (the same text as ``--no-stream``); then it lists every distinct source
once, numbered, with its file and pages (and the cited passages with ``--highlights``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..citations import CitedText, Source
from ..client import AssistantClient
from ..models import ChatModelName, Snippet, TextSnippet
from ._args import Command, count, json_object, number
from ._output import Output, plain

__all__ = ["register"]

SNIPPET_CHARS = 160
MODELS = ", ".join(model.value for model in ChatModelName)


def _sources(out: Output, sources: list[Source], highlights: bool) -> None:
    if sources:
        out.text("")
        for source in sources:
            out.text(str(source))
            for passage in source.highlights if highlights else ():
                out.text(f"    \u201c{_clip(passage)}\u201d")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "\u2026"


def _write(text: str) -> None:
    if text:
        sys.stdout.write(text)
        sys.stdout.flush()


async def chat(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    options: dict[str, Any] = {
        "model": args.model,
        "filter": args.filter,
        "temperature": args.temperature,
        "include_highlights": args.highlights,
    }
    if args.top_k is not None:
        options["context_options"] = {"top_k": args.top_k}
    if out.json_mode or args.no_stream:
        reply = await client.chat(args.assistant, args.question, **options)
        if out.json_mode:
            out.emit_json(reply)
        else:
            cited = CitedText.from_reply(reply)
            out.text(cited.marked)
            _sources(out, cited.sources, args.highlights)
        return 0
    cited = CitedText()
    try:
        async with client.chat_stream(args.assistant, args.question, **options) as stream:
            async for chunk in stream:
                _write(cited.feed(chunk))
            await stream.final()
    finally:
        rest = cited.finish()  # the text held back and the end of the line, even on an error
        _write(rest + "\n" if cited.marked else rest)
    _sources(out, cited.sources, args.highlights)
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
    return (
        number,
        "-" if score is None else f"{score:.3f}",
        getattr(file, "name", "-"),
        ", ".join(map(str, pages)) or "-",
        text,
    )


async def context(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    found = await client.context(
        args.assistant,
        args.query,
        filter=args.filter,
        top_k=args.top_k,
        snippet_size=args.snippet_size,
    )
    if out.json_mode:
        out.emit_json(found)
    else:
        out.table(
            f"{len(found.snippets)} snippet(s)",
            ("#", "score", "file", "pages", "text"),
            (_snippet_row(n, s) for n, s in enumerate(found.snippets, 1)),
        )
    return 0


async def evaluate(client: AssistantClient, args: argparse.Namespace, out: Output) -> int:
    result = await client.evaluation.alignment(
        question=args.question, answer=args.answer, ground_truth_answer=args.ground_truth
    )
    if out.json_mode:
        out.emit_json(result)
        return 0
    m = result.metrics
    out.table(
        "alignment",
        ("metric", "score"),
        [
            ("correctness", f"{m.correctness:.3f}"),
            ("completeness", f"{m.completeness:.3f}"),
            ("alignment", f"{m.alignment:.3f}"),
        ],
    )
    facts = result.reasoning.evaluated_facts
    if facts:
        out.table(
            "facts", ("fact", "entailment"), ((f.fact.content, plain(f.entailment)) for f in facts)
        )
    return 0


def register(
    groups: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = groups.add_parser(
        "chat",
        parents=[common],
        help="ask an assistant (streams the answer with citations)",
        description="Ask an assistant a question. The answer streams in with [n] markers where "
        "its citations point, then each source is listed once.",
    )
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument("question", help="the question (quote it)")
    p.add_argument(
        "--model",
        default="gpt-4o",
        help=f"the model that writes the answer (default gpt-4o; {MODELS})",
    )
    p.add_argument(
        "--temperature",
        type=number(0, 2),
        metavar="T",
        help="randomness of the answer, 0 to 2 (the service's default when omitted)",
    )
    p.add_argument(
        "--top-k", type=count, metavar="N", help="context snippets given to the model (1-64)"
    )
    p.add_argument(
        "--highlights",
        action="store_true",
        help="ask for the cited passages and print them under each source",
    )
    p.add_argument(
        "--filter",
        type=json_object,
        metavar="JSON",
        help='a metadata filter on files, like \'{"team": "hr"}\'',
    )
    p.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    p.set_defaults(command=Command(chat))
    p = groups.add_parser("context", parents=[common], help="retrieve context snippets")
    p.add_argument("assistant", help="the assistant's name")
    p.add_argument("query", help="what to look for (quote it)")
    p.add_argument("--filter", type=json_object, metavar="JSON", help="a metadata filter on files")
    p.add_argument("--top-k", type=count, metavar="N", help="number of snippets (1-64)")
    p.add_argument(
        "--snippet-size", type=count, metavar="TOKENS", help="tokens per snippet (512-8192)"
    )
    p.set_defaults(command=Command(context))
    p = groups.add_parser(
        "evaluate", parents=[common], help="score an answer against a ground truth (alignment)"
    )
    p.add_argument("--question", required=True, help="the question that was asked")
    p.add_argument("--answer", required=True, help="the answer to score")
    p.add_argument("--ground-truth", required=True, help="the correct answer")
    p.set_defaults(command=Command(evaluate))
