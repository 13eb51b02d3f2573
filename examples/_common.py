"""Shared set-up for the examples: the embedded emulator, or Pinecone when a key is set.

With ``PINECONE_API_KEY`` unset, every example starts an in-process emulator on a free loopback
port and talks to it over real HTTP. Set the key (and optionally ``PINECONE_HOST``) and the same
code runs against the Pinecone service; each example then deletes what it created.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.testing import Emulator

SAMPLE_DOCS = Path(__file__).resolve().parent / "sample_docs"
"""A handful of small documents about a made-up company, Lumen Labs, and its desk lamp."""

SAMPLE_METADATA: dict[str, dict[str, Any]] = {
    "handbook.md": {"team": "hr", "year": 2026},
    "security_policy.txt": {"team": "security", "year": 2025},
    "release_notes_2025.txt": {"team": "product", "year": 2025},
    "release_notes_2026.md": {"team": "product", "year": 2026},
    "faq.json": {"team": "support", "year": 2026},
}
"""Metadata attached to each sample document (used by the metadata filter example)."""


@dataclass
class Target:
    """Where the examples send their requests. ``emulator`` is None on the real service."""

    emulator: Emulator | None

    @property
    def on_emulator(self) -> bool:
        return self.emulator is not None

    def client(self, **options: Any) -> AssistantClient:
        """A new client for this target; ``options`` go to ``AssistantClient``."""
        if self.emulator is None:
            return AssistantClient(**options)  # PINECONE_API_KEY (and PINECONE_HOST) from env
        return AssistantClient(api_key=self.emulator.api_key, host=self.emulator.url, **options)


@asynccontextmanager
async def target() -> AsyncIterator[Target]:
    """The real service when ``PINECONE_API_KEY`` is set, else a fresh embedded emulator."""
    if os.environ.get("PINECONE_API_KEY"):
        yield Target(emulator=None)
        return
    async with Emulator() as emulator:
        yield Target(emulator=emulator)


@asynccontextmanager
async def connect(**options: Any) -> AsyncIterator[AssistantClient]:
    """One client for the chosen target, closed on exit."""
    async with target() as where, where.client(**options) as client:
        yield client


def unique_name(prefix: str) -> str:
    """An assistant name that will not collide with one you already have."""
    return f"{prefix}-{secrets.token_hex(3)}"
