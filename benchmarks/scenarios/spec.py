"""What the benchmarks measure: scenarios, sizes, client kinds and the adapter protocol."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

__all__ = [
    "API_KEY",
    "CHAT_ASSISTANT",
    "CLIENTS",
    "QUESTION",
    "SCENARIOS",
    "Adapter",
    "Sizes",
    "WorkerJob",
    "runs_in",
    "stream_header",
]

API_KEY = "emulator-api-key"
CHAT_ASSISTANT = "bench-chat"
QUESTION = "What does the handbook say about the deployment checklist and the on-call rota?"

CLIENTS = ("raw", "typed", "ours", "official")
"""Client kinds, in table order: raw aiohttp (the floor), raw aiohttp handing out this SDK's
pydantic chunks (the floor for a typed stream), this package, Pinecone's SDK."""

ONLY_IN = {"typed": frozenset({"c"})}
"""The scenarios of a client kind that does not run them all."""


def runs_in(client: str, scenario: str) -> bool:
    """Whether ``client`` takes part in ``scenario``."""
    only = ONLY_IN.get(client)
    return only is None or scenario in only


SCENARIOS = ("a", "b", "c", "d", "e")
"""Scenarios run by workers; f (imports) runs its own subprocesses."""


def stream_header(chunks: int) -> dict[str, str]:
    """The emulator control header that makes a chat stream carry ``chunks`` content chunks."""
    return {"X-Emulator-Control": f"stream_chunks={chunks}"}


@dataclass(frozen=True)
class Sizes:
    """How much work each scenario does (full run vs ``--quick``)."""

    seq_warmup: int
    seq_calls: int
    conc_tasks: int
    conc_seconds: float
    stream_chunks: int
    stream_repeats: int
    short_streams: int
    bulk_files: int
    bulk_file_size: int
    bulk_concurrency: int
    big_file_mb: int
    import_repeats: int
    rounds: int
    """How many times each (scenario, client) pair runs, interleaved; the table shows the best."""

    @classmethod
    def full(cls) -> Sizes:
        return cls(
            seq_warmup=30,
            seq_calls=500,
            conc_tasks=64,
            conc_seconds=5.0,
            stream_chunks=20_000,
            stream_repeats=3,
            short_streams=100,
            bulk_files=500,
            bulk_file_size=4096,
            bulk_concurrency=16,
            big_file_mb=300,
            import_repeats=9,
            rounds=5,
        )

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            seq_warmup=5,
            seq_calls=40,
            conc_tasks=64,
            conc_seconds=0.8,
            stream_chunks=2_000,
            stream_repeats=1,
            short_streams=5,
            bulk_files=40,
            bulk_file_size=4096,
            bulk_concurrency=16,
            big_file_mb=20,
            import_repeats=3,
            rounds=1,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WorkerJob:
    """Everything one worker process needs (passed as JSON on its command line)."""

    client: str
    scenario: str
    url: str
    sizes: dict[str, Any]
    bulk_dir: str
    big_file: str
    assistant: str = ""
    """A fresh assistant for d and e (created by the runner for this one run)."""
    profile: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Adapter(Protocol):
    """One client kind doing the HTTP calls each scenario needs, the way its users would."""

    mode: str
    """How this client runs (shown in the table), e.g. "asyncio" or "sync in threads"."""

    async def open(self, *, extra_headers: dict[str, str] | None = None) -> None: ...

    async def aclose(self) -> None: ...

    async def chat(self, assistant: str, question: str) -> None:
        """One non-streaming chat call, its answer decoded the way the client decodes it."""

    async def stream(self, assistant: str, question: str) -> tuple[int, float]:
        """One chat stream read to its end: (content chunks seen, seconds to the first one)."""

    async def upload_many(self, assistant: str, paths: list[str], concurrency: int) -> int:
        """Upload the files at most ``concurrency`` at a time, each until Available."""

    async def upload_big(self, assistant: str, path: str) -> None:
        """Upload one large file (the request only; processing is not awaited)."""
