"""Lexical retrieval over chunks: tokenizing, a BM25 index, and a token counter.

The index keeps per-chunk term frequencies and postings lists built once on :meth:`Index.add`,
so a search only touches chunks sharing a term with the query. Scores are BM25 (k1=1.2,
b=0.75) divided by the sum of the query terms' IDFs and clamped to 1, so they lie in 0..1
(about "how much of the query this chunk covers, weighted by rarity").
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .documents import Chunk

__all__ = ["STOP_WORDS", "Hit", "Index", "count_tokens", "terms", "tokenize"]

K1 = 1.2
B = 0.75

_STOP_WORDS_TEXT = """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can cannot could couldn d did didn do does doesn
    doing don down during each few for from further had hadn has hasn have haven having he her
    here hers herself him himself his how i if in into is isn it its itself just ll m me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own
    re s same shan she should shouldn so some such t than that the their theirs them themselves
    then there these they this those through to too under until up ve very was wasn we were
    weren what when where which while who whom why will with won would wouldn y you your yours
    yourself yourselves"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[^\W_]+")
_STEMS: dict[str, str] = {}


def tokenize(text: str) -> list[str]:
    """Lowercase words of ``text`` (letters and digits), with English stop words dropped."""
    return [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        stem = word
        if len(word) > 4 and word.endswith("ies"):
            stem = word[:-3] + "y"
        elif len(word) > 4 and word.endswith("sses"):
            stem = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            stem = word[:-1]
        if len(_STEMS) < 200_000:
            _STEMS[word] = stem
    return stem


def terms(text: str) -> list[str]:
    """Index terms of ``text``: :func:`tokenize` plus a light plural-folding stem."""
    return [_stem(word) for word in tokenize(text)]


def count_tokens(text: str) -> int:
    """A deterministic token estimate: about 4/3 tokens per word (at least 1 per 6 chars)."""
    if not text:
        return 0
    words = len(text.split())
    return max((words * 4 + 2) // 3, (len(text) + 5) // 6)


@dataclass(frozen=True)
class Hit:
    """One search result; ``score`` is normalised to 0..1."""

    chunk: Chunk
    score: float


_Key = tuple[str, int]


class Index:
    """An in-memory BM25 index of chunks, keyed by (file_id, ordinal)."""

    def __init__(self, chunks: Iterable[Chunk] = ()) -> None:
        self._chunks: dict[_Key, Chunk] = {}
        self._lengths: dict[_Key, int] = {}
        self._terms: dict[_Key, tuple[str, ...]] = {}
        self._postings: dict[str, dict[_Key, int]] = {}
        self._by_file: dict[str, list[_Key]] = {}
        self._total_length = 0
        self.add(list(chunks))

    def __len__(self) -> int:
        return len(self._chunks)

    def __contains__(self, file_id: object) -> bool:
        return file_id in self._by_file

    def file_ids(self) -> list[str]:
        """The ids of the files with at least one chunk, sorted."""
        return sorted(self._by_file)

    def chunks(self, file_id: str) -> list[Chunk]:
        """The chunks of one file in ordinal order (empty when unknown)."""
        return [self._chunks[key] for key in sorted(self._by_file.get(file_id, ()))]

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Index ``chunks``; a chunk with an already indexed (file_id, ordinal) replaces it."""
        for chunk in chunks:
            key = (chunk.file_id, chunk.ordinal)
            if key in self._chunks:
                self._drop(key)
            frequencies = Counter(terms(chunk.text))
            length = sum(frequencies.values())
            self._chunks[key] = chunk
            self._lengths[key] = length
            self._terms[key] = tuple(frequencies)
            self._total_length += length
            self._by_file.setdefault(chunk.file_id, []).append(key)
            for term, count in frequencies.items():
                self._postings.setdefault(term, {})[key] = count

    def remove(self, file_id: str) -> None:
        """Forget every chunk of ``file_id`` (no error when it is unknown)."""
        for key in list(self._by_file.get(file_id, ())):
            self._drop(key)

    def _drop(self, key: _Key) -> None:
        chunk = self._chunks.pop(key)
        self._total_length -= self._lengths.pop(key)
        keys = self._by_file[chunk.file_id]
        keys.remove(key)
        if not keys:
            del self._by_file[chunk.file_id]
        for term in self._terms.pop(key):
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(key, None)
                if not posting:
                    del self._postings[term]

    def search(
        self,
        query: str,
        *,
        top_k: int,
        allowed: Callable[[str], bool] | None = None,
    ) -> list[Hit]:
        """The ``top_k`` best chunks for ``query`` among files ``allowed`` accepts.

        Only chunks sharing at least one term with the query are returned. Order: score
        descending, then file_id, then ordinal (deterministic).
        """
        count = len(self._chunks)
        if top_k <= 0 or count == 0:
            return []
        query_terms = list(dict.fromkeys(terms(query)))
        average = (self._total_length / count) or 1.0
        verdicts: dict[str, bool] = {}
        raw: dict[_Key, float] = {}
        idf_total = 0.0
        for term in query_terms:
            posting = self._postings.get(term, {})
            frequency = len(posting)
            idf = math.log(1.0 + (count - frequency + 0.5) / (frequency + 0.5))
            idf_total += idf
            for key, tf in posting.items():
                if allowed is not None:
                    verdict = verdicts.get(key[0])
                    if verdict is None:
                        verdict = verdicts[key[0]] = bool(allowed(key[0]))
                    if not verdict:
                        continue
                norm = K1 * (1.0 - B + B * self._lengths[key] / average)
                raw[key] = raw.get(key, 0.0) + idf * tf * (K1 + 1.0) / (tf + norm)
        best = heapq.nsmallest(top_k, raw.items(), key=lambda item: (-item[1], item[0]))
        return [
            Hit(self._chunks[key], min(1.0, score / idf_total) if idf_total > 0 else 0.0)
            for key, score in best
        ]
