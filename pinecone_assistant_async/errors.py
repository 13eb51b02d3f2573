"""Every failure this package raises, as one small tree.

::

    PineconeError
    ├── InvalidInputError (also ValueError)      bad input, raised before any request
    │   └── InvalidTypeError (also TypeError)
    ├── ClientClosedError (also RuntimeError)    the client was used after aclose()
    │   └── EventLoopError                        ... or from another event loop than its first
    ├── APIError                                  something went wrong talking to the service
    │   ├── APIStatusError                        the service answered with an error status
    │   │   ├── BadRequestError          400
    │   │   ├── AuthenticationError      401
    │   │   ├── PermissionDeniedError    403
    │   │   ├── NotFoundError            404
    │   │   ├── ConflictError            409
    │   │   ├── PreconditionFailedError  412
    │   │   ├── UnprocessableEntityError 422
    │   │   ├── RateLimitError           429  (.retry_after)
    │   │   └── ServerError              5xx
    │   │       └── ServiceUnavailableError 503
    │   ├── APIConnectionError                    no usable response (refused, DNS, TLS, reset)
    │   │   └── APITimeoutError                   a deadline or idle timeout passed
    │   ├── StreamError                           a stream was cut, malformed or unterminated
    │   └── ResponseDecodeError                   a 2xx body that is not what the spec says
    ├── UploadNotReplayableError                  a retry needed a stream that cannot be re-read
    ├── WaitTimeoutError                          waiting for server-side work ran out of time
    └── ServerSideFailure                         server-side work ended in a failed state
        ├── AssistantFailedError                  assistant InitializationFailed / Failed
        ├── FileProcessingError                   file ProcessingFailed
        └── OperationFailedError                  operation Failed

Nothing here ever holds the API key: messages are built from the status, the error code and
message the server sent, and the request id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from multidict import CIMultiDict  # aiohttp's header type, without aiohttp

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantFailedError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "EventLoopError",
    "FileProcessingError",
    "InvalidInputError",
    "InvalidTypeError",
    "NotFoundError",
    "OperationFailedError",
    "PermissionDeniedError",
    "PineconeError",
    "PreconditionFailedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ServerError",
    "ServerSideFailure",
    "ServiceUnavailableError",
    "StreamError",
    "UnprocessableEntityError",
    "UploadNotReplayableError",
    "WaitTimeoutError",
    "error_class_for_status",
]


class PineconeError(Exception):
    """Root of every exception raised by this package.

    ``attempts`` says how many requests were sent for the failed call, retries included
    (0 when it failed before anything was sent).
    """

    attempts: int = 0

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its attributes, not re-built from its arguments (most take keyword
        # arguments that BaseException.args does not hold): errors cross process boundaries
        # (multiprocessing, task queues) whole.
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(cls: type[PineconeError], args: tuple[Any, ...]) -> PineconeError:
    error = cls.__new__(cls)
    error.args = args
    return error


class InvalidInputError(PineconeError, ValueError):
    """An argument was rejected before any request was sent.

    >>> raise InvalidInputError("name must be 1-63 characters")  # doctest: +SKIP
    """


class InvalidTypeError(InvalidInputError, TypeError):
    """An argument had the wrong type; raised before any request was sent."""


class ClientClosedError(PineconeError, RuntimeError):
    """The client (or the session it borrowed) was already closed."""


class EventLoopError(ClientClosedError):
    """The client was used from another event loop than the one it first ran in (for
    example a second ``asyncio.run()``): its connections belong to that loop. Create one
    client per event loop."""


class APIError(PineconeError):
    """A request to the service failed. ``method`` and ``url`` say which one (never the key).

    ``outcome_unknown`` is True when the request may have taken effect although the call
    failed: a POST that creates something (an upload with a service-chosen id, a new
    assistant) whose answer was lost (a reset, a timeout, a 500). The file or assistant may
    exist anyway; look before creating it again (or upsert with your own id, which is safe to
    repeat). The message says so too.
    """

    outcome_unknown: bool = False

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url

    def _suffix(self) -> str:
        text = ""
        if self.attempts > 1:
            text += f" after {self.attempts} attempts"
        if self.outcome_unknown:
            text += "; the request may have taken effect anyway (what it creates may exist)"
        return text

    def __str__(self) -> str:
        return self.message + self._suffix()


class APIStatusError(APIError):
    """The service answered with a status >= 400.

    ``status``, ``code`` (e.g. ``NOT_FOUND``), ``message`` (the server's words), ``request_id``
    (from the response headers, when the service sent one), ``body`` (the parsed JSON body,
    or the raw text when it was not JSON), ``retry_after`` (the seconds of the response's
    ``Retry-After`` header, when it had one) and ``headers`` (the response's headers,
    case-insensitive, any occurrence of the API key redacted; empty for an error you built
    yourself). Errors pickle with all of these (for worker pools and task queues).

    >>> try:                                                           # doctest: +SKIP
    ...     await client.chat("docs", "hi")
    ... except RateLimitError as error:
    ...     print(error.status, error.retry_after, error.headers.get("Retry-After"))
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
        method: str | None = None,
        url: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after
        self.headers: Mapping[str, str] = CIMultiDict(headers or {})  # a copy: read, don't write

    def __str__(self) -> str:
        parts = [f"{self.status}"]
        if self.code:
            parts.append(self.code)
        text = " ".join(parts) + f": {self.message}"
        if self.method and self.url:
            text += f" ({self.method} {self.url})"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text + self._suffix()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    """400: the service rejected the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: the assistant, file or operation does not exist."""


class ConflictError(APIStatusError):
    """409: it already exists. Never retried."""


class PreconditionFailedError(APIStatusError):
    """412: a precondition of the request did not hold."""


class UnprocessableEntityError(APIStatusError):
    """422: the body was well-formed but not acceptable (e.g. evaluation input)."""


class RateLimitError(APIStatusError):
    """429: throttled. ``retry_after`` is the server's wait in seconds, when it sent one."""


class ServerError(APIStatusError):
    """5xx: the service (or a proxy in front of it) failed."""


class ServiceUnavailableError(ServerError):
    """503: the service is temporarily unavailable."""


class APIConnectionError(APIError):
    """No usable HTTP response: connection refused or reset, DNS failure, TLS failure.

    ``not_sent`` is True when the connection never opened, so the request provably did not
    reach the service; ``permanent`` when every attempt would fail the same way (a
    certificate that fails verification). Both decide whether the failure is retried.
    """

    def __init__(
        self,
        message: str,
        *,
        not_sent: bool = False,
        permanent: bool = False,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.not_sent = not_sent
        self.permanent = permanent


class APITimeoutError(APIConnectionError):
    """A deadline (unary calls) or an idle timeout (streams) passed."""


class StreamError(APIError):
    """A stream ended without its final chunk, was cut, or carried a malformed chunk.

    ``line`` is the offending ``data:`` line (key redacted), ``code`` the error code of an
    error event the service sent in place of a chunk, ``request_id`` the response's request
    id. ``before_content`` is true for an error event that arrived before any content, while
    nothing had reached the caller: such a stream is retried like a failed opening.
    """

    def __init__(
        self,
        message: str,
        *,
        line: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        before_content: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.line = line
        self.code = code
        self.request_id = request_id
        self.before_content = before_content


class ResponseDecodeError(APIError):
    """A successful response whose body does not match the documented shape.

    ``status`` and ``request_id`` are the response's; ``body_snippet`` is the start of the
    body (at most ``SNIPPET_CHARS`` characters, the key redacted), to show what came instead;
    ``content_type`` the media type it came with, when that is what was wrong (a stream
    request answered with a page or a JSON body instead of ``text/event-stream``).
    """

    SNIPPET_CHARS = 500

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        body_snippet: str | None = None,
        content_type: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status
        self.request_id = request_id
        self.body_snippet = body_snippet
        self.content_type = content_type

    def __str__(self) -> str:
        text = self.message
        if self.status is not None:
            text += f" (HTTP {self.status})"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text + self._suffix()


class UploadNotReplayableError(PineconeError):
    """An upload failed in a way that allows a retry, but its source is a stream that cannot
    be read a second time. Nothing shorter than the file is ever sent; ``__cause__`` is the
    failure that called for the retry."""


class WaitTimeoutError(PineconeError, TimeoutError):
    """Waiting for the service ran past ``timeout``. ``last`` holds the last state seen."""

    def __init__(self, message: str, *, last: Any = None, timeout: float | None = None) -> None:
        super().__init__(message)
        self.last = last
        self.timeout = timeout


class ServerSideFailure(PineconeError):
    """Server-side work ended in a failed state. ``last`` holds the final object."""

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.last = last


class AssistantFailedError(ServerSideFailure):
    """The assistant reached ``InitializationFailed`` or ``Failed``."""


class FileProcessingError(ServerSideFailure):
    """The file reached ``ProcessingFailed``; the message is the server's ``error_message``."""


class OperationFailedError(ServerSideFailure):
    """The operation reached ``Failed``; the message is the server's ``error_message``."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_class_for_status(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status.

    >>> error_class_for_status(404).__name__
    'NotFoundError'
    >>> error_class_for_status(502).__name__
    'ServerError'
    """
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return ServerError
    return APIStatusError
