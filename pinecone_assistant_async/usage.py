"""Usage accounting: the tokens a client has spent, by assistant and model.

>>> async with AssistantClient() as client:                      # doctest: +SKIP
...     await client.chat("docs", "What changed?")
...     await client.context("docs", "pricing")
...     print(client.usage.total())
UsageTotals(requests=2, prompt_tokens=..., completion_tokens=..., context_tokens=..., ...)

Every answer that reports usage counts: ``chat``, ``chat_completions``, their streams (when the
stream carried its usage, i.e. was read to its end) and ``context`` (whose tokens are counted as
``context_tokens``; a retrieval has no model, so it is filed under model ``None``). The totals
are shared by the clients derived with ``with_options`` and readable at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["UsageTotals", "UsageTracker"]

Key = tuple[str | None, str | None]


@dataclass(frozen=True)
class UsageTotals:
    """Running totals: answers counted, prompt and completion tokens of chats, tokens of
    context retrievals, and their sum."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    context_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens + self.context_tokens

    def __add__(self, other: UsageTotals) -> UsageTotals:
        return UsageTotals(
            self.requests + other.requests,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.context_tokens + other.context_tokens,
        )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class UsageTracker:
    """``client.usage``: totals by ``(assistant, model)``, by assistant, and overall."""

    def __init__(self) -> None:
        # [requests, prompt, completion, context] per key, added to in place (recorded for
        # every answer, read rarely: the frozen totals are built when read).
        self._counts: dict[Key, list[int]] = {}

    @property
    def _totals(self) -> dict[Key, UsageTotals]:
        items = list(self._counts.items())  # one atomic copy (a reader may be another thread)
        return {key: UsageTotals(*counts) for key, counts in items}

    def record(
        self, assistant: str | None, model: str | None, usage: Any, *, context: bool = False
    ) -> None:
        """Count one answer's ``usage`` (a ``Usage``; ``None`` counts the answer alone)."""
        prompt = _int(getattr(usage, "prompt_tokens", None))
        completion = _int(getattr(usage, "completion_tokens", None))
        key = (assistant, model)
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = [0, 0, 0, 0]
        counts[0] += 1
        if context:
            counts[3] += _int(getattr(usage, "total_tokens", None)) or prompt + completion
        else:
            counts[1] += prompt
            counts[2] += completion

    def by_assistant_and_model(self) -> dict[Key, UsageTotals]:
        """A snapshot: ``{(assistant, model): UsageTotals}``."""
        return self._totals

    def by_assistant(self) -> dict[str | None, UsageTotals]:
        out: dict[str | None, UsageTotals] = {}
        for (assistant, _model), totals in self._totals.items():
            out[assistant] = out.get(assistant, UsageTotals()) + totals
        return out

    def by_model(self) -> dict[str | None, UsageTotals]:
        out: dict[str | None, UsageTotals] = {}
        for (_assistant, model), totals in self._totals.items():
            out[model] = out.get(model, UsageTotals()) + totals
        return out

    def total(self, *, assistant: str | None = None, model: str | None = None) -> UsageTotals:
        """Everything counted so far, or only one assistant's and/or one model's."""
        out = UsageTotals()
        for (a, m), totals in self._totals.items():
            if (assistant is None or a == assistant) and (model is None or m == model):
                out = out + totals
        return out

    def reset(self) -> None:
        self._counts.clear()

    def __repr__(self) -> str:
        return f"<UsageTracker {self.total()}>"
