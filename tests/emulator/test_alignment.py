"""The lexical alignment evaluation: facts, entailments, metrics and usage."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from openapi_schema_validator import OAS30Validator

from pinecone_assistant_async.testing import contract
from pinecone_assistant_async.testing.alignment import alignment_payload


def verdicts(result: dict[str, Any]) -> dict[str, str]:
    return {f["fact"]["content"]: f["entailment"] for f in result["reasoning"]["evaluated_facts"]}


def test_identical_texts_align_fully() -> None:
    text = "Paris is the capital of France. It has about 2 million inhabitants."
    result = alignment_payload("Tell me about Paris", text, text)
    assert result["metrics"] == {"correctness": 1.0, "completeness": 1.0, "alignment": 1.0}
    assert set(verdicts(result).values()) == {"entailed"}
    assert list(verdicts(result)) == [
        "Paris is the capital of France.",
        "It has about 2 million inhabitants.",
    ]


def test_disjoint_answers_score_zero() -> None:
    result = alignment_payload("What is the capital city of Spain?", "Barcelona.", "Madrid.")
    assert result["metrics"] == {"correctness": 0.0, "completeness": 0.0, "alignment": 0.0}
    assert verdicts(result) == {"Madrid.": "neutral", "Barcelona.": "neutral"}


def test_restating_the_question_does_not_count_as_support() -> None:
    question = "What is the capital city of Spain?"
    right = alignment_payload(question, "The capital of Spain is Madrid.", "Madrid.")
    assert right["metrics"]["alignment"] == 1.0
    wrong = alignment_payload(question, "The capital of Spain is Barcelona.", "Madrid.")
    assert wrong["metrics"]["alignment"] == 0.0


def test_partial_answers_land_between() -> None:
    truth = (
        "Paris is the capital of France. The Seine flows through Paris. "
        "France has 68 million people."
    )
    answer = "Paris is the capital of France. The Eiffel tower is in Paris."
    result = alignment_payload("Tell me about France", answer, truth)
    metrics = result["metrics"]
    assert metrics["correctness"] == 0.5
    assert metrics["completeness"] == round(1 / 3, 4)
    assert 0.0 < metrics["alignment"] < 1.0
    p, r = metrics["correctness"], metrics["completeness"]
    assert abs(metrics["alignment"] - 2 * p * r / (p + r)) < 1e-3


def test_negation_and_other_numbers_are_contradictions() -> None:
    negated = alignment_payload(
        "Does the Seine flow through Paris?",
        "The Seine does not flow through Paris.",
        "The Seine flows through Paris.",
    )
    assert set(verdicts(negated).values()) == {"contradicted"}
    assert negated["metrics"]["alignment"] == 0.0
    numbers = alignment_payload(
        "How many people?", "France has 60 million people.", "France has 68 million people."
    )
    assert set(verdicts(numbers).values()) == {"contradicted"}


def test_empty_answer_scores_zero() -> None:
    result = alignment_payload("q", "", "Madrid is the capital.")
    assert result["metrics"] == {"correctness": 0.0, "completeness": 0.0, "alignment": 0.0}
    assert verdicts(result) == {"Madrid is the capital.": "neutral"}


def test_usage_adds_up() -> None:
    result = alignment_payload("What is it?", "It is a cat.", "It is a small cat.")
    usage = result["usage"]
    assert usage["prompt_tokens"] > 0
    assert usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert set(result) == {"metrics", "reasoning", "usage"}


SENTENCES = st.lists(
    st.sampled_from(
        [
            "The sky is blue.",
            "Cats are not dogs.",
            "Water boils at 100 degrees.",
            "Madrid is in Spain.",
            "Rain falls in April.",
        ]
    ),
    max_size=5,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), SENTENCES, SENTENCES)
def test_metrics_are_bounded_and_harmonic(question: str, answer: str, truth: str) -> None:
    result = alignment_payload(question, answer, truth)
    metrics = result["metrics"]
    p, r, a = metrics["correctness"], metrics["completeness"], metrics["alignment"]
    assert all(0.0 <= value <= 1.0 for value in (p, r, a))
    if p == 0 or r == 0:
        assert a == 0.0
    else:
        assert abs(a - 2 * p * r / (p + r)) < 1e-3
    assert alignment_payload(question, answer, truth) == result
    for fact in result["reasoning"]["evaluated_facts"]:
        assert fact["entailment"] in {"entailed", "contradicted", "neutral"}


def test_payload_validates_against_the_spec() -> None:
    spec = contract.load("evaluation", "2026-07")
    validator = OAS30Validator({"$ref": "#/components/schemas/AlignmentResponse", **spec})
    validator.validate(alignment_payload("q?", "Cats purr. Dogs bark.", "Cats purr loudly."))
    validator.validate(alignment_payload("", "", ""))
    with pytest.raises(ValidationError):
        validator.validate({"metrics": {}, "reasoning": {"evaluated_facts": []}, "usage": {}})
