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
        self._totals: dict[Key, UsageTotals] = {}

    def record(
        self, assistant: str | None, model: str | None, usage: Any, *, context: bool = False
    ) -> None:
        """Count one answer's ``usage`` (a ``Usage``; ``None`` counts the answer alone)."""
        prompt = _int(getattr(usage, "prompt_tokens", None))
        completion = _int(getattr(usage, "completion_tokens", None))
        if context:
            total = _int(getattr(usage, "total_tokens", None)) or prompt + completion
            add = UsageTotals(1, 0, 0, total)
        else:
            add = UsageTotals(1, prompt, completion, 0)
        key = (assistant, model)
        current = self._totals.get(key)
        self._totals[key] = add if current is None else current + add

    def by_assistant_and_model(self) -> dict[Key, UsageTotals]:
        """A snapshot: ``{(assistant, model): UsageTotals}``."""
        return dict(self._totals)

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
        self._totals.clear()

    def __repr__(self) -> str:
        return f"<UsageTracker {self.total()}>"
