"""Spec-shaped chat, chat-completion and context payloads built from retrieval hits (pure).

The "model" is extractive: the answer is the few sentences of the retrieved chunks that share
the most terms with the question, in retrieval order, each followed by a citation whose
``position`` is the character offset just after that sentence in ``message.content``.
Everything is deterministic: the same inputs give the same JSON.

``files`` maps file_id -> AssistantFileModel dict; hits whose file is not in ``files`` are
ignored. ``snippet_size`` is measured in characters (the real service counts tokens).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .documents import reference_type, split_sentences
from .retrieval import Hit, count_tokens, terms, tokenize

__all__ = [
    "MAX_SENTENCES",
    "NO_ANSWER",
    "chat_payload",
    "chat_stream_events",
    "completion_payload",
    "completion_stream_events",
    "context_payload",
    "question_from_messages",
    "truncate",
]

NO_ANSWER = "I could not find anything about that in this assistant's files."
MAX_SENTENCES = 3
MAX_SENTENCE_CHARS = 400
HEADING_WEIGHT = 0.25  # a markdown heading is a poor answer sentence, but better than nothing
_PAGED_TYPES = frozenset({"pdf", "doc_x"})
_LEADING_MARKUP = " \t#>*-+|"


def question_from_messages(messages: Sequence[Mapping[str, Any]]) -> str:
    """The last user message; a short follow-up ("why?") is prefixed by the user turn before."""
    texts = [str(m.get("content") or "") for m in messages if m.get("role", "user") == "user"]
    if not texts:
        texts = [str(m.get("content") or "") for m in messages]
    if not texts:
        return ""
    if len(texts) > 1 and len(tokenize(texts[-1])) < 3:
        return f"{texts[-2]} {texts[-1]}"
    return texts[-1]


def truncate(text: str, size: int | None) -> str:
    """``text`` cut to at most ``size`` characters, on a word boundary when one is near."""
    if size is None or len(text) <= size:
        return text
    if size <= 0:
        return ""
    cut = text[:size]
    space = cut.rfind(" ")
    if space > size // 2:
        cut = cut[:space]
    return cut.rstrip()


@dataclass
class _Sentence:
    text: str
    rank: tuple[int, int]
    sources: list[tuple[Hit, str]] = field(default_factory=list)


def _clean(sentence: str) -> str:
    text = " ".join(sentence.split()).lstrip(_LEADING_MARKUP)
    head, _, rest = text.partition(" ")
    if rest and head[:-1].isdigit() and head[-1:] in ".)":
        text = rest
    if len(text) > MAX_SENTENCE_CHARS:
        text = truncate(text, MAX_SENTENCE_CHARS - 3) + "..."
    text = text.rstrip(",;")
    if text and text[-1] not in ".!?:…":
        text += "."
    return text


_SENTENCE_CACHE: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {}
_SENTENCE_CACHE_SIZE = 8192


def _sentences(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The sentences of a context text with their terms, memoised (chunks repeat a lot)."""
    found = _SENTENCE_CACHE.get(text)
    if found is None:
        found = tuple((raw, frozenset(terms(raw))) for raw in split_sentences(text))
        if len(_SENTENCE_CACHE) >= _SENTENCE_CACHE_SIZE:
            _SENTENCE_CACHE.clear()
        _SENTENCE_CACHE[text] = found
    return found


def _select(question: str, hits: Sequence[Hit], texts: Sequence[str]) -> list[_Sentence]:
    wanted = frozenset(terms(question))
    scored: list[tuple[float, tuple[int, int], str, Hit, str]] = []
    for i, (hit, text) in enumerate(zip(hits, texts, strict=True)):
        for j, (raw, found) in enumerate(_sentences(text)):
            overlap = len(wanted & found)
            if overlap:
                score = overlap / len(wanted) * (0.5 + hit.score)
                if raw.startswith("#"):
                    score *= HEADING_WEIGHT
                scored.append((-score, (i, j), _clean(raw), hit, raw))
    if not scored and hits:
        first = _sentences(texts[0])
        if first:
            scored.append((0.0, (0, 0), _clean(first[0][0]), hits[0], first[0][0]))
    scored.sort(key=lambda item: (item[0], item[1]))
    chosen: dict[str, _Sentence] = {}
    for _, rank, clean, hit, raw in scored:
        if not clean:
            continue
        sentence = chosen.get(clean)
        if sentence is None:
            if len(chosen) == MAX_SENTENCES:
                continue
            sentence = chosen[clean] = _Sentence(clean, rank)
        sentence.sources.append((hit, raw))
    return sorted(chosen.values(), key=lambda s: s.rank)


def _references(
    sentence: _Sentence, files: Mapping[str, Mapping[str, Any]], include_highlights: bool
) -> list[dict[str, Any]]:
    references: dict[str, dict[str, Any]] = {}
    for hit, raw in sentence.sources:
        chunk = hit.chunk
        reference = references.get(chunk.file_id)
        if reference is None:
            highlight = {"type": "text", "content": raw} if include_highlights else None
            reference = {"file": dict(files[chunk.file_id]), "pages": [], "highlight": highlight}
            references[chunk.file_id] = reference
        if chunk.page not in reference["pages"]:
            reference["pages"].append(chunk.page)
    for reference in references.values():
        reference["pages"].sort()
    return list(references.values())


def _escaped(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def chat_payload(
    *,
    messages: Sequence[Mapping[str, Any]],
    hits: Sequence[Hit],
    files: Mapping[str, Mapping[str, Any]],
    model: str,
    include_highlights: bool,
    json_response: bool,
    response_id: str,
    snippet_size: int | None = None,
) -> dict[str, Any]:
    """A ChatModel dict answering the last user message from ``hits``."""
    usable = [hit for hit in hits if hit.chunk.file_id in files]
    texts = [truncate(hit.chunk.text, snippet_size) for hit in usable]
    sentences = _select(question_from_messages(messages), usable, texts)
    answer = " ".join(s.text for s in sentences) if sentences else NO_ANSWER
    if json_response:
        names = list(dict.fromkeys(str(files[h.chunk.file_id].get("name", "")) for h in usable))
        sources = names if sentences else []
        content = json.dumps({"answer": answer, "sources": sources}, ensure_ascii=False)
        offset = len('{"answer": "')
    else:
        content, offset = answer, 0
    citations: list[dict[str, Any]] = []
    written = ""
    for sentence in sentences:
        written = f"{written} {sentence.text}" if written else sentence.text
        position = offset + (len(_escaped(written)) if json_response else len(written))
        references = _references(sentence, files, include_highlights)
        citations.append({"position": position, "references": references})
    prompt = sum(count_tokens(str(m.get("content") or "")) for m in messages)
    prompt += sum(count_tokens(text) for text in texts)
    completion = count_tokens(content)
    return {
        "id": response_id,
        "model": model,
        "finish_reason": "stop",
        "message": {"role": "assistant", "content": content},
        "citations": citations,
        "usage": _usage(prompt, completion),
        "context_snippet_count": len(usable),
    }


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _stream_pieces(content: str, chunk_chars: int, total_chunks: int | None) -> list[str]:
    """The content deltas. Their concatenation is ``content`` unless ``total_chunks`` exceeds
    ``len(content)``: then the answer is repeated (separated by a space) and cut so that there
    are exactly ``total_chunks`` deltas of ``chunk_chars`` characters (content is a prefix)."""
    if chunk_chars < 1:
        raise ValueError("chunk_chars must be at least 1")
    if total_chunks is None:
        if not content:
            return [""]
        return [content[i : i + chunk_chars] for i in range(0, len(content), chunk_chars)]
    if total_chunks <= 0:
        return []
    if total_chunks <= len(content):
        size, extra = divmod(len(content), total_chunks)
        pieces: list[str] = []
        start = 0
        for index in range(total_chunks):
            end = start + size + (1 if index < extra else 0)
            pieces.append(content[start:end])
            start = end
        return pieces
    target = total_chunks * chunk_chars
    filler = " " + (content or ".")
    repeats = -(-(target - len(content)) // len(filler))
    text = (content + filler * repeats)[:target]
    return [text[i : i + chunk_chars] for i in range(0, target, chunk_chars)]


def chat_stream_events(
    payload: Mapping[str, Any], *, chunk_chars: int = 12, total_chunks: int | None = None
) -> list[dict[str, Any]]:
    """The StreamChatChunkModel events for a ChatModel ``payload``.

    message_start, then content_chunk deltas with each citation chunk sent right after the
    delta that reaches its position, then message_end with finish_reason and usage.
    """
    response_id, model = payload["id"], payload["model"]
    content = str(payload["message"]["content"])
    pieces = _stream_pieces(content, chunk_chars, total_chunks)
    citations = sorted(payload.get("citations") or [], key=lambda c: int(c["position"]))
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "id": response_id,
            "model": model,
            "role": "assistant",
            "context_snippet_count": payload.get("context_snippet_count", 0),
        }
    ]
    pending = 0
    streamed = 0
    for piece in pieces:
        delta = {"content": piece}
        events.append({"type": "content_chunk", "id": response_id, "model": model, "delta": delta})
        streamed += len(piece)
        while pending < len(citations) and int(citations[pending]["position"]) <= streamed:
            events.append(_citation_event(response_id, model, citations[pending]))
            pending += 1
    for citation in citations[pending:]:
        events.append(_citation_event(response_id, model, citation))
    usage = dict(payload["usage"])
    if streamed > len(content):
        usage = _usage(usage["prompt_tokens"], count_tokens("".join(pieces)))
    events.append(
        {
            "type": "message_end",
            "id": response_id,
            "model": model,
            "finish_reason": payload.get("finish_reason", "stop"),
            "usage": usage,
        }
    )
    return events


def _citation_event(response_id: str, model: str, citation: Any) -> dict[str, Any]:
    return {"type": "citation", "id": response_id, "model": model, "citation": citation}


def completion_payload(chat: Mapping[str, Any]) -> dict[str, Any]:
    """The ChatCompletionModel (OpenAI-compatible) form of a ChatModel dict."""
    return {
        "id": chat["id"],
        "model": chat["model"],
        "choices": [
            {
                "index": 0,
                "finish_reason": chat.get("finish_reason", "stop"),
                "message": {"role": "assistant", "content": chat["message"]["content"]},
            }
        ],
        "usage": dict(chat["usage"]),
    }


def completion_stream_events(
    chat: Mapping[str, Any], *, chunk_chars: int = 12, total_chunks: int | None = None
) -> list[dict[str, Any]]:
    """StreamChatCompletionChunkModel chunks: a role delta, content deltas, a final stop chunk.

    ``total_chunks`` counts only the content deltas. The server writes ``data: [DONE]`` after.
    """
    response_id, model = chat["id"], chat["model"]
    pieces = _stream_pieces(str(chat["message"]["content"]), chunk_chars, total_chunks)

    def chunk(choice: dict[str, Any]) -> dict[str, Any]:
        return {"id": response_id, "model": model, "choices": [{"index": 0, **choice}]}

    events = [chunk({"delta": {"role": "assistant", "content": ""}})]
    events.extend(chunk({"delta": {"content": piece}}) for piece in pieces)
    events.append(chunk({"delta": {}, "finish_reason": chat.get("finish_reason", "stop")}))
    return events


def context_payload(
    *,
    hits: Sequence[Hit],
    files: Mapping[str, Mapping[str, Any]],
    snippet_size: int | None,
    multimodal: bool,
    response_id: str,
    query: str = "",
) -> dict[str, Any]:
    """A ContextModel dict: one text snippet per hit (in hit order), typed by file format.

    ``multimodal`` is accepted for the contract; the emulator has no image snippets.
    ``query`` (the query or the joined messages) only feeds ``usage.prompt_tokens``.
    """
    snippets: list[dict[str, Any]] = []
    for hit in hits:
        file = files.get(hit.chunk.file_id)
        if file is None:
            continue
        kind = reference_type(str(file.get("name", "")))
        reference: dict[str, Any] = {"type": kind, "file": dict(file)}
        if kind in _PAGED_TYPES:
            reference["pages"] = [hit.chunk.page]
        snippets.append(
            {
                "type": "text",
                "content": truncate(hit.chunk.text, snippet_size),
                "score": round(max(0.0, min(1.0, hit.score)), 6),
                "reference": reference,
            }
        )
    prompt = count_tokens(query) + sum(count_tokens(s["content"]) for s in snippets)
    return {"id": response_id, "snippets": snippets, "usage": _usage(prompt, 0)}
