"""``upload_many``'s inputs: option checks, metadata, file ids, and what it needs of a service.

Kept apart from ``bulk`` (the run itself) so that module stays one concern; ``BulkFiles`` is
the small protocol ``bulk`` is typed over, which keeps it below ``services/`` (no import loop).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Literal, Protocol

from ._pagination import Page
from ._sources import SourceItem, path_file_id
from ._validation import check_file_id, check_json_object
from .config import RetryPolicy
from .errors import InvalidInputError, InvalidTypeError
from .limits import RateLimits
from .models import AssistantFile, Operation

__all__ = [
    "HASH_METADATA_KEY",
    "BulkFiles",
    "IdStrategy",
    "MetadataArg",
    "check_metadata",
    "check_options",
    "file_ids",
    "metadata_for",
]

HASH_METADATA_KEY = "content_sha256"

IdStrategy = Literal["path", "content"] | Callable[[str], str]
MetadataArg = Mapping[str, Any] | Callable[[str], Mapping[str, Any] | None] | None


class BulkFiles(Protocol):
    """What ``upload_many`` needs of the files service (``client.files`` is one)."""

    @property
    def limits(self) -> RateLimits: ...

    @property
    def _retry_policy(self) -> RetryPolicy:
        """The client's retry policy: whole-file re-sends back off as it says."""
        ...

    async def _pause(self, seconds: float) -> None:
        """The client's wait between retries and polls (its ``sleep=`` seam)."""
        ...

    async def upsert(
        self,
        assistant: str,
        /,
        file_id: str,
        source: Any,
        *,
        file_name: str | None = ...,
        metadata: dict[str, Any] | None = ...,
        multimodal: bool = ...,
        wait: bool = ...,
        timeout: float = ...,
    ) -> Operation | AssistantFile: ...

    def list(
        self, assistant: str, /, *, filter: dict[str, Any] | None = ..., limit: int | None = ...
    ) -> AsyncIterator[AssistantFile]: ...

    async def list_page(
        self,
        assistant: str,
        /,
        *,
        filter: dict[str, Any] | None = ...,
        limit: int | None = ...,
        pagination_token: str | None = ...,
    ) -> Page[AssistantFile]: ...

    async def delete(
        self, assistant: str, /, file_id: str, *, wait: bool = ..., timeout: float = ...
    ) -> None: ...


def check_options(concurrency: object, file_retries: object, strategy: object) -> None:
    for name, value, low in (("concurrency", concurrency, 1), ("file_retries", file_retries, 0)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidTypeError(f"{name} must be an int, got {type(value).__name__}")
        if not low <= value <= 1024:
            raise InvalidInputError(f"{name} must be between {low} and 1024, got {value}")
    if strategy not in ("path", "content") and not callable(strategy):
        raise InvalidInputError(
            f"id_strategy must be 'path', 'content' or a callable(key) -> id, got {strategy!r}"
        )


def check_metadata(value: object, what: str) -> dict[str, Any] | None:
    meta = check_json_object(value, what)
    if meta is not None and HASH_METADATA_KEY in meta:
        raise InvalidInputError(f"{what}: the key {HASH_METADATA_KEY!r} is set by upload_many")
    return meta


def metadata_for(metadata: MetadataArg, key: str, digest: str | None) -> dict[str, Any] | None:
    """The metadata sent with ``key``: the caller's (checked) plus the content digest."""
    given = metadata(key) if callable(metadata) else metadata
    meta = check_metadata(given, f"metadata for {key}")
    if digest is None:
        return meta
    return {**(meta or {}), HASH_METADATA_KEY: digest}


def file_ids(items: list[SourceItem], strategy: IdStrategy) -> dict[str, str]:
    """Ids known before hashing (path or callable strategies), checked and unique."""
    if strategy == "content":
        for item in items:
            if not item.hashable:
                raise InvalidInputError(
                    f"id_strategy='content' needs to hash {item.key} before sending it, but its "
                    "source is a one-shot stream; pass bytes, a path or a seekable file"
                )
        return {}
    ids: dict[str, str] = {}
    owners: dict[str, str] = {}
    for item in items:
        file_id = path_file_id(item.key) if isinstance(strategy, str) else strategy(item.key)
        check_file_id(file_id, f"file id for {item.key}")
        if owners.setdefault(file_id, item.key) != item.key:
            raise InvalidInputError(
                f"{owners[file_id]} and {item.key} would share the file id {file_id!r}"
            )
        ids[item.key] = file_id
    return ids
