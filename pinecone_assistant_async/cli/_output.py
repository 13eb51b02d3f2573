"""How the command-line tool prints: rich tables for people, JSON for scripts, one-line errors.

Results go to stdout; progress bars, notes and errors go to stderr, so ``--json`` output can be
piped into another program untouched.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

__all__ = ["Output", "human_bytes", "plain"]


def plain(value: Any) -> Any:
    """A JSON-ready copy of models, enums, datetimes and containers of them."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def human_bytes(size: float | None) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    if size is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover


class Output:
    """Where and how a command writes. ``json_mode`` switches every result to JSON."""

    def __init__(self, *, json_mode: bool, debug: bool) -> None:
        self.json_mode = json_mode
        self.debug = debug
        self.out = Console(soft_wrap=True, highlight=False)
        self.err = Console(stderr=True, highlight=False)

    def emit_json(self, value: Any) -> None:
        sys.stdout.write(json.dumps(plain(value), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def table(
        self, title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*("-" if cell is None else str(cell) for cell in row))
        self.out.print(table)

    def fields(self, title: str, values: dict[str, Any]) -> None:
        """A two-column table of one object's fields (None shown as '-')."""
        self.table(title, ("field", "value"), ((k, _cell(v)) for k, v in values.items()))

    def note(self, message: str) -> None:
        self.err.print(message, markup=False)

    def text(self, message: str) -> None:
        self.out.print(message, markup=False)

    def error(self, message: str) -> None:
        first = message.strip().splitlines()[0] if message.strip() else "failed"
        self.err.print(f"error: {first}", markup=False, highlight=False, soft_wrap=True)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(plain(value), ensure_ascii=False)
    return plain(value)
