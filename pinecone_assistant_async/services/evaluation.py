"""``client.evaluation``: score an answer against a ground truth (alignment metrics)."""

from __future__ import annotations

from .._validation import check_text, check_timeout
from ..models import AlignmentResult
from ._base import Service

__all__ = ["EvaluationService"]


class EvaluationService(Service):
    """Answer evaluation.

    >>> r = await client.evaluation.alignment(  # doctest: +SKIP
    ...     question="Capital of France?", answer="Paris.", ground_truth_answer="Paris")
    >>> r.metrics.alignment  # doctest: +SKIP
    1.0
    """

    async def alignment(
        self,
        *,
        question: str,
        answer: str,
        ground_truth_answer: str,
        timeout: float | None = None,
    ) -> AlignmentResult:
        """Correctness, completeness and alignment of ``answer`` against the ground truth."""
        body = {
            "question": check_text(question, "question"),
            "answer": check_text(answer, "answer"),
            "ground_truth_answer": check_text(ground_truth_answer, "ground_truth_answer"),
        }
        url = self._t.evaluation_url("/evaluation/metrics/alignment")
        return await self._t.request_model(
            AlignmentResult,
            "POST",
            url,
            json_body=body,
            timeout=None if timeout is None else check_timeout(timeout),
        )
