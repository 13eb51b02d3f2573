"""The alignment evaluation, computed lexically from the three texts (pure, deterministic).

Facts are the sentences of the ground truth and of the answer. A fact is checked against the
other text using its *new* terms (those not already in the question, so restating the
question proves nothing):

- ``contradicted`` when the most similar sentence of the other text shares at least half of
  those terms but differs in negation ("not", "never", "n't", ...) or states other numbers;
- ``entailed`` when, failing that, at least 60 % of the terms appear in the other text and
  every number of the fact does too;
- ``neutral`` otherwise.

correctness = share of answer facts entailed by the ground truth (precision), completeness =
share of ground-truth facts entailed by the answer (recall), alignment = their harmonic mean
(0 when either is 0). Identical texts score 1.0 on all three.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .documents import split_sentences
from .retrieval import count_tokens, terms

__all__ = ["ENTAILMENT_THRESHOLD", "alignment_payload"]

ENTAILMENT_THRESHOLD = 0.6
CONTRADICTION_OVERLAP = 0.5
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|neither|nor|cannot|without)\b|n['’]t\b", re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Fact:
    text: str
    terms: frozenset[str]
    negated: bool

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(term for term in self.terms if term[:1].isdigit())


def _fact(text: str) -> _Fact:
    found = frozenset(terms(text)) or frozenset(_WORD.findall(text.lower()))
    return _Fact(text, found, bool(_NEGATION.search(text)))


def _facts(text: str) -> list[_Fact]:
    facts = [_fact(sentence) for sentence in split_sentences(text)]
    return [fact for fact in facts if fact.terms]


def _judge(fact: _Fact, others: Sequence[_Fact], question: frozenset[str]) -> str:
    novel = (fact.terms - question) or fact.terms
    everything = frozenset().union(*(other.terms for other in others))
    best: _Fact | None = None
    best_overlap = 0
    for other in others:
        overlap = len(novel & other.terms)
        if overlap > best_overlap:
            best, best_overlap = other, overlap
    if best is not None:
        numbers = fact.numbers & novel
        words = novel - numbers
        shared_words = len(words & best.terms) / len(words) if words else 1.0
        if best_overlap / len(novel) >= CONTRADICTION_OVERLAP and best.negated != fact.negated:
            return "contradicted"
        if (
            numbers
            and best.numbers
            and numbers.isdisjoint(best.numbers)
            and (shared_words >= CONTRADICTION_OVERLAP)
        ):
            return "contradicted"
        if numbers <= everything and (len(novel & everything) / len(novel) >= ENTAILMENT_THRESHOLD):
            return "entailed"
    return "neutral"


def _share(verdicts: Sequence[str]) -> float:
    if not verdicts:
        return 0.0
    return round(sum(1 for v in verdicts if v == "entailed") / len(verdicts), 4)


def alignment_payload(question: str, answer: str, ground_truth_answer: str) -> dict[str, Any]:
    """An AlignmentResponse dict comparing ``answer`` with ``ground_truth_answer``."""
    asked = frozenset(terms(question))
    truth_facts = _facts(ground_truth_answer)
    answer_facts = _facts(answer)
    truth_verdicts = [_judge(fact, answer_facts, asked) for fact in truth_facts]
    answer_verdicts = [_judge(fact, truth_facts, asked) for fact in answer_facts]
    correctness = _share(answer_verdicts)
    completeness = _share(truth_verdicts)
    total = correctness + completeness
    alignment = round(2 * correctness * completeness / total, 4) if total else 0.0

    evaluated: list[dict[str, Any]] = []
    seen: set[str] = set()
    for fact, verdict in [
        *zip(truth_facts, truth_verdicts, strict=True),
        *zip(answer_facts, answer_verdicts, strict=True),
    ]:
        if fact.text not in seen:
            seen.add(fact.text)
            evaluated.append({"fact": {"content": fact.text}, "entailment": verdict})

    base = count_tokens(question) + count_tokens(answer) + count_tokens(ground_truth_answer)
    fact_tokens = sum(count_tokens(item["fact"]["content"]) for item in evaluated)
    prompt = 2 * base + fact_tokens
    completion = fact_tokens + 3 * len(evaluated) + 12
    return {
        "metrics": {
            "correctness": correctness,
            "completeness": completeness,
            "alignment": alignment,
        },
        "reasoning": {"evaluated_facts": evaluated},
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
