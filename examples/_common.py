"""Shared set-up for the examples: the embedded emulator, or Pinecone when a key is set.

With ``PINECONE_API_KEY`` unset, every example starts an in-process emulator on a free loopback
port and talks to it over real HTTP. Set the key (and optionally ``PINECONE_HOST``) and the same
code runs against the Pinecone service; each example then deletes what it created. Either way,
the first line on stderr says which one it talks to and how to switch, and warns when a variable
that looks like a misspelled ``PINECONE_API_KEY`` is set (it is not read).
"""

from __future__ import annotations

import difflib
import os
import secrets
import sys
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


KEY = "PINECONE_API_KEY"
VARIABLES = (KEY, "PINECONE_HOST")
"""The environment variables the examples (and ``AssistantClient``) read."""


def lookalikes(environ: dict[str, str] | None = None) -> list[str]:
    """Set variables that look like a misspelled ``PINECONE_API_KEY`` (and are not read)."""
    environ = dict(os.environ) if environ is None else environ

    def looks_like_the_key(name: str) -> bool:
        upper = name.upper()
        if "PINECONE" in upper and "KEY" in upper:  # pinecone_api_key, PINECONE_KEY, ...
            return True
        return bool(difflib.get_close_matches(upper, [KEY], n=1, cutoff=0.8))  # PINCONE_API_KEY

    return [name for name in sorted(environ) if name not in VARIABLES and looks_like_the_key(name)]


def describe_target(emulator_url: str | None, environ: dict[str, str] | None = None) -> str:
    """What the examples print on stderr: the service they talk to and how to switch."""
    environ = dict(os.environ) if environ is None else environ
    if emulator_url is None:
        host = environ.get("PINECONE_HOST") or "https://api.pinecone.io"
        return f"Talking to Pinecone at {host} with {KEY} (unset it to use the offline emulator)."
    lines = [
        f"Talking to the offline emulator at {emulator_url} (nothing leaves this machine); "
        f"set {KEY} to use Pinecone."
    ]
    if KEY in environ:
        lines.append(f"note: {KEY} is set but empty, so it is not used.")
    for name in lookalikes(environ):
        lines.append(f"note: {name} is set, but the key is read from {KEY} only (a typo?).")
    return "\n".join(lines)


def use_emulator(environ: dict[str, str] | None = None) -> bool:
    """True unless ``PINECONE_API_KEY`` holds a key."""
    environ = dict(os.environ) if environ is None else environ
    return not environ.get(KEY, "").strip()


@asynccontextmanager
async def target() -> AsyncIterator[Target]:
    """The real service when ``PINECONE_API_KEY`` is set, else a fresh embedded emulator."""
    if not use_emulator():
        print(describe_target(None), file=sys.stderr, flush=True)
        yield Target(emulator=None)
        return
    async with Emulator() as emulator:
        print(describe_target(emulator.url), file=sys.stderr, flush=True)
        yield Target(emulator=emulator)


@asynccontextmanager
async def connect(**options: Any) -> AsyncIterator[AssistantClient]:
    """One client for the chosen target, closed on exit."""
    async with target() as where, where.client(**options) as client:
        yield client


def unique_name(prefix: str) -> str:
    """An assistant name that will not collide with one you already have."""
    return f"{prefix}-{secrets.token_hex(3)}"
