"""Evaluation shapes: the alignment of an answer with a ground-truth answer."""

from __future__ import annotations

from pydantic import Field

from ._base import APIModel, ResponseModel
from .common import Entailment

__all__ = [
    "AlignmentMetrics",
    "AlignmentResult",
    "EvaluatedFact",
    "Fact",
    "Reasoning",
    "TokenCounts",
]


class Fact(APIModel):
    """One atomic statement taken from the ground-truth answer."""

    content: str


class EvaluatedFact(APIModel):
    """A fact and whether the evaluated answer entails, contradicts or ignores it."""

    fact: Fact
    entailment: Entailment | str = Field(union_mode="left_to_right")


class Reasoning(APIModel):
    evaluated_facts: list[EvaluatedFact] = Field(default_factory=list)


class AlignmentMetrics(APIModel):
    """Scores between 0 and 1 (the spec's ``Metrics``)."""

    correctness: float
    completeness: float
    alignment: float


class TokenCounts(APIModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AlignmentResult(ResponseModel):
    """The answer of ``POST /evaluation/metrics/alignment`` (the spec's ``AlignmentResponse``)."""

    metrics: AlignmentMetrics
    reasoning: Reasoning
    usage: TokenCounts
