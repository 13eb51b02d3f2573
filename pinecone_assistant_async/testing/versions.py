"""API versions the emulator serves, and what differs between them.

The `X-Pinecone-Api-Version` header picks the contract. 2026-07 (the default when the header
is absent) and 2026-04 are identical. The older versions differ in ways a client can notice:

==================================  ===========  ===========  ==========
behaviour                           2025-04      2025-10      2026-04/07
==================================  ===========  ===========  ==========
upload answers                      200 + file   200 + file   202 + operation
upload `metadata` travels as        query param  query param  form field
PUT upsert, /operations endpoints   absent       absent       present
delete file answers                 200, empty   200, empty   202 + operation (204 if failed)
list pagination (limit, token)      no           no           yes
assistant name length               1-45         1-63         1-63
TOO_MANY_REQUESTS error code        no           no           yes
upload `multimodal` parameter       ignored      honoured     honoured
==================================  ===========  ===========  ==========
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_FEATURES",
    "DEFAULT_VERSION",
    "SUPPORTED_VERSIONS",
    "VersionFeatures",
    "error_code_for",
    "features",
]

DEFAULT_VERSION = "2026-07"
SUPPORTED_VERSIONS = ("2026-07", "2026-04", "2025-10", "2025-04")


@dataclass(frozen=True)
class VersionFeatures:
    """The observable differences between API versions (see the module table)."""

    version: str
    async_files: bool
    metadata_in_query: bool
    paginated_lists: bool
    max_name_length: int
    has_too_many_requests: bool
    multimodal_uploads: bool


_FEATURES = {
    "2026-07": VersionFeatures("2026-07", True, False, True, 63, True, True),
    "2026-04": VersionFeatures("2026-04", True, False, True, 63, True, True),
    "2025-10": VersionFeatures("2025-10", False, True, False, 63, False, True),
    "2025-04": VersionFeatures("2025-04", False, True, False, 45, False, False),
}


DEFAULT_FEATURES = _FEATURES[DEFAULT_VERSION]


def features(version: str) -> VersionFeatures | None:
    """The features of `version`, or None when the emulator does not serve it."""
    return _FEATURES.get(version)


_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    422: "INVALID_ARGUMENT",
    429: "TOO_MANY_REQUESTS",
    500: "UNKNOWN",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def error_code_for(status: int, version: str) -> str:
    """The error `code` the service uses for `status` in `version`'s error enum."""
    code = _CODES.get(status, "INTERNAL" if status >= 500 else "UNKNOWN")
    feats = _FEATURES.get(version)
    if code == "TOO_MANY_REQUESTS" and feats is not None and not feats.has_too_many_requests:
        return "RESOURCE_EXHAUSTED"
    return code
