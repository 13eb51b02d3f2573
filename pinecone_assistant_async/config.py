"""Client configuration: frozen values with documented defaults, validated on construction.

>>> policy = RetryPolicy(max_retries=4, max_backoff=5.0)
>>> Timeouts(total=30.0).stream_idle
60.0
"""

from __future__ import annotations

import os
import ssl as _ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ._validation import check_count, check_seconds
from .errors import InvalidInputError

__all__ = [
    "API_FEATURES",
    "DEFAULT_API_VERSION",
    "DEFAULT_CONTROL_HOST",
    "EVALUATION_HOSTS",
    "SUPPORTED_API_VERSIONS",
    "ApiFeatures",
    "ClientConfig",
    "ConnectionLimits",
    "RetryPolicy",
    "Timeouts",
]


@dataclass(frozen=True)
class ApiFeatures:
    """What the SDK does differently per API version (one row per version below)."""

    metadata_in_form: bool
    """Upload metadata travels as a multipart field (2026-04 on), not as a query parameter."""


# Adding an API version is a row here and one in testing/versions.py; tests/test_contract.py
# checks that the two tables name the same versions and agree where they overlap.
API_FEATURES = MappingProxyType(
    {
        "2026-07": ApiFeatures(metadata_in_form=True),
        "2026-04": ApiFeatures(metadata_in_form=True),
        "2025-10": ApiFeatures(metadata_in_form=False),
        "2025-04": ApiFeatures(metadata_in_form=False),
    }
)
DEFAULT_API_VERSION = "2026-07"
SUPPORTED_API_VERSIONS = tuple(API_FEATURES)
DEFAULT_CONTROL_HOST = "https://api.pinecone.io"
EVALUATION_HOSTS = MappingProxyType(
    {"us": "https://prod-1-data.ke.pinecone.io", "eu": "https://prod-eu-data.ke.pinecone.io"}
)
DEFAULT_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """When and how failed requests are retried.

    Defaults: 2 retries on 408, 429, 500, 502, 503, 504 and on connection errors; exponential
    backoff from ``initial_backoff`` doubling up to ``max_backoff``, with full jitter;
    ``Retry-After`` honoured up to ``max_retry_after`` seconds (above it the call fails at once
    with ``RateLimitError.retry_after`` set). 409 is never retried. A per-client budget (token
    bucket) lets retries add at most ``budget_ratio`` of the traffic plus a burst of
    ``budget_burst`` retries, so a 503 storm cannot multiply the load.

    >>> RetryPolicy.disabled().max_retries
    0
    """

    max_retries: int = 2
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    initial_backoff: float = 0.25
    max_backoff: float = 8.0
    max_retry_after: float = 30.0
    retry_connection_errors: bool = True
    budget_ratio: float = 0.2
    budget_burst: int = 20

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise InvalidInputError("max_retries must be an int")
        if self.max_retries < 0:
            raise InvalidInputError("max_retries must be >= 0")
        if 409 in self.retry_statuses:
            raise InvalidInputError("409 means 'already exists' and is never retried")
        check_seconds("initial_backoff", self.initial_backoff)
        check_seconds("max_backoff", self.max_backoff)
        check_seconds("max_retry_after", self.max_retry_after)
        ratio = self.budget_ratio
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 <= ratio <= 10:
            raise InvalidInputError("budget_ratio must be between 0 and 10")
        check_count("budget_burst", self.budget_burst, 0)
        object.__setattr__(self, "retry_statuses", frozenset(self.retry_statuses))

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_retries=0)


@dataclass(frozen=True)
class Timeouts:
    """Deadlines in seconds.

    ``total`` bounds a unary call from start to finish, retries and their waits included.
    ``attempt`` bounds each attempt of a safe request other than a POST (describe, list,
    update, delete): a stalled attempt is given up and retried while ``total`` lasts
    (``None``: attempts are bounded by ``total`` alone). Chat, context and evaluation calls
    (POSTs, which a model may take long to answer) are bounded by ``total`` only.
    ``upload`` bounds each attempt of sending a file, whose call is bounded by the upload's
    own ``timeout=`` (``None``: by that alone). ``connect`` bounds opening a connection.
    ``stream_idle`` bounds the silence between two reads of a streaming response (streams
    have no total deadline).
    """

    total: float = 60.0
    connect: float = 10.0
    stream_idle: float = 60.0
    upload: float | None = 900.0
    attempt: float | None = 20.0

    def __post_init__(self) -> None:
        check_seconds("total", self.total)
        check_seconds("connect", self.connect)
        check_seconds("stream_idle", self.stream_idle)
        check_seconds("upload", self.upload, allow_none=True)
        check_seconds("attempt", self.attempt, allow_none=True)


@dataclass(frozen=True)
class ConnectionLimits:
    """The connection pool: ``max_connections`` in all, ``per_host`` for one host (0: no
    separate limit), idle connections kept ``keepalive`` seconds."""

    max_connections: int = 100
    per_host: int = 0
    keepalive: float = 15.0

    def __post_init__(self) -> None:
        check_count("max_connections", self.max_connections, 1)
        check_count("per_host", self.per_host, 0)
        check_seconds("keepalive", self.keepalive)


def _base_url(value: str, what: str) -> str:
    value = value.strip().rstrip("/")
    if not value:
        raise InvalidInputError(f"{what} must not be empty")
    if "://" not in value:
        value = "https://" + value
    scheme = value.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise InvalidInputError(f"{what} must be an http or https URL, got scheme {scheme!r}")
    if value.endswith("/assistant"):
        value = value[: -len("/assistant")]
    return value


@dataclass(frozen=True)
class ClientConfig:
    """Everything an ``AssistantClient`` needs, resolved and validated.

    Build it with :meth:`resolve`, which applies environment fallbacks
    (``PINECONE_API_KEY``, ``PINECONE_HOST``).
    """

    api_key: str = field(repr=False)
    control_base: str
    evaluation_base: str
    api_version: str
    timeouts: Timeouts
    retry: RetryPolicy
    limits: ConnectionLimits
    proxy: str | None
    ssl: _ssl.SSLContext | bool
    extra_headers: Mapping[str, str]
    data_host_override: str | None

    @property
    def features(self) -> ApiFeatures:
        """The behaviour of ``api_version`` (validated by :meth:`resolve`)."""
        return API_FEATURES[self.api_version]

    def __repr__(self) -> str:
        return (
            f"ClientConfig(control_base={self.control_base!r}, "
            f"evaluation_base={self.evaluation_base!r}, api_version={self.api_version!r})"
        )

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None,
        host: str | None,
        evaluation_host: str | None,
        data_host: str | None,
        api_version: str,
        region: str | None,
        timeouts: Timeouts | float | None,
        retry: RetryPolicy | None,
        limits: ConnectionLimits | None,
        proxy: str | None,
        ssl_context: _ssl.SSLContext | None,
        ca_file: str | None,
        verify_ssl: bool,
        extra_headers: Mapping[str, str] | None,
    ) -> ClientConfig:
        key = api_key if api_key is not None else os.environ.get("PINECONE_API_KEY")
        if not key or not isinstance(key, str) or not key.strip():
            raise InvalidInputError(
                "no API key: pass api_key=... or set the PINECONE_API_KEY environment variable"
            )
        if api_version not in SUPPORTED_API_VERSIONS:
            raise InvalidInputError(
                f"api_version must be one of {', '.join(SUPPORTED_API_VERSIONS)}, "
                f"got {api_version!r}"
            )
        if region is not None and (not isinstance(region, str) or not region.strip()):
            raise InvalidInputError(f"region must be a non-empty str, got {region!r}")
        host = host if host is not None else os.environ.get("PINECONE_HOST") or None
        control = _base_url(host, "host") if host else DEFAULT_CONTROL_HOST
        if evaluation_host:
            evaluation = _base_url(evaluation_host, "evaluation_host")
        elif host:
            evaluation = control
        elif (region or "us") in EVALUATION_HOSTS:
            evaluation = EVALUATION_HOSTS[region or "us"]
        else:
            # The spec's region is an extensible enum: a region newer than this SDK is fine,
            # but its evaluation endpoint is not known here.
            raise InvalidInputError(
                f"region {region!r} is newer than this SDK's table of evaluation endpoints "
                f"({', '.join(EVALUATION_HOSTS)}); pass evaluation_host=... as well"
            )
        if isinstance(timeouts, (int, float)) and not isinstance(timeouts, bool):
            timeouts = Timeouts(total=float(timeouts))
        elif timeouts is None:
            timeouts = Timeouts()
        elif not isinstance(timeouts, Timeouts):
            raise InvalidInputError("timeout must be a number of seconds or a Timeouts")
        ssl_value: _ssl.SSLContext | bool = True
        if ssl_context is not None:
            ssl_value = ssl_context
        elif ca_file is not None:
            if not os.path.isfile(ca_file):
                raise InvalidInputError(f"ca_file does not exist: {ca_file}")
            ssl_value = _ssl.create_default_context(cafile=ca_file)
        elif not verify_ssl:
            ssl_value = False
        headers = dict(extra_headers or {})
        for name in headers:
            if name.lower() in ("api-key", "x-pinecone-api-version"):
                raise InvalidInputError(f"extra_headers may not set {name}")
        if proxy is not None and not proxy.startswith(("http://", "https://")):
            raise InvalidInputError("proxy must be an http:// or https:// URL")
        return cls(
            api_key=key.strip(),
            control_base=control,
            evaluation_base=evaluation,
            api_version=api_version,
            timeouts=timeouts,
            retry=retry if retry is not None else RetryPolicy(),
            limits=limits if limits is not None else ConnectionLimits(),
            proxy=proxy,
            ssl=ssl_value,
            extra_headers=MappingProxyType(headers),
            data_host_override=_base_url(data_host, "data_host") if data_host else None,
        )
