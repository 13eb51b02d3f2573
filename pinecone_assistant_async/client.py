"""``AssistantClient``: one aiohttp session, the services that share it, and its lifecycle.

>>> async with AssistantClient() as client:          # doctest: +SKIP
...     reply = await client.chat("docs", "What is in the handbook?")
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiohttp
import anyio

from ._options import derive_config, derive_transport
from ._transport import Transport
from ._validation import check_assistant_name
from .config import DEFAULT_API_VERSION, ClientConfig, ConnectionLimits, RetryPolicy, Timeouts
from .errors import InvalidTypeError
from .hooks import Hooks

if TYPE_CHECKING:
    from ._raw import WithRawResponse
    from .handle import AssistantHandle
    from .limits import RateLimits
    from .services import (
        AssistantsService,
        ChatService,
        EvaluationService,
        FilesService,
        OperationsService,
    )
    from .usage import UsageTracker

__all__ = ["AssistantClient"]


def _service(module: str, name: str) -> Callable[[AssistantClient], Any]:
    def build(client: AssistantClient) -> Any:
        import importlib

        cls = getattr(importlib.import_module(module, __package__), name)
        if name == "FilesService":
            return cls(client._t, client.operations)
        return cls(client._t)

    return build


def _chat_method(name: str) -> Callable[[AssistantClient], Any]:
    return lambda client: getattr(client._chat, name)


# The services (and with them pydantic and the models) are imported and built on first use,
# not by the constructor: a client made by a CLI or a cold-started function pays for aiohttp
# and this module only, and its first call for what that call needs (benchmarks/README.md, f).
_LAZY: dict[str, Callable[[AssistantClient], Any]] = {
    "assistants": _service(".services.assistants", "AssistantsService"),
    "operations": _service(".services.operations", "OperationsService"),
    "files": _service(".services.files", "FilesService"),
    "evaluation": _service(".services.evaluation", "EvaluationService"),
    "_chat": _service(".services.chat", "ChatService"),
    **{
        name: _chat_method(name)
        for name in ("chat", "chat_stream", "chat_completions", "chat_completions_stream")
    },
    "context": _chat_method("context"),
}


class AssistantClient:
    """The asyncio client for the Pinecone Assistant API.

    ``api_key`` defaults to ``PINECONE_API_KEY``; ``host`` (the control-plane base URL, e.g. an
    emulator or a proxy) to ``PINECONE_HOST``, else ``https://api.pinecone.io``. Each
    assistant's data-plane host is looked up once with ``describe`` and cached. Evaluation goes
    to ``evaluation_host``, else to ``host`` when given, else to the ``region``'s endpoint.

    The client owns one ``aiohttp.ClientSession``, created on first use inside the event loop,
    unless you pass ``session=`` (then it is borrowed and never closed by the client). Close it
    with ``async with`` or ``await client.aclose()``; a client dropped unclosed warns with
    ``ResourceWarning``. A client belongs to the event loop it is first used in.

    ``rate_limits`` (``RateLimits.standard()``, ...; see ``limits``) paces every request to the
    plan's limits per operation class; without it the client learns them from 429 answers.

    ``sleep`` (keyword-only, default ``anyio.sleep``) is a testing hook: every wait between
    retries and between polls goes through it, so a recorder that returns at once makes
    backoff and ``Retry-After`` observable without waiting.

    >>> client = AssistantClient(api_key="...", timeout=30)   # doctest: +SKIP
    >>> docs = client.assistant("docs")                       # doctest: +SKIP
    >>> reply = await docs.chat("What changed in 2026?")       # doctest: +SKIP
    """

    def __init__(
        self,
        api_key: str | None = None,
        host: str | None = None,
        *,
        evaluation_host: str | None = None,
        data_host: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        region: str | None = None,
        timeout: float | Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limits: ConnectionLimits | None = None,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        ca_file: str | None = None,
        verify_ssl: bool = True,
        extra_headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        rate_limits: RateLimits | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        self._transport: Transport | None = None
        config = ClientConfig.resolve(
            api_key=api_key,
            host=host,
            evaluation_host=evaluation_host,
            data_host=data_host,
            api_version=api_version,
            region=region,
            timeouts=timeout,
            retry=retry,
            limits=limits,
            proxy=proxy,
            ssl_context=ssl_context,
            ca_file=ca_file,
            verify_ssl=verify_ssl,
            extra_headers=extra_headers,
        )
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise InvalidTypeError(
                f"session must be an aiohttp.ClientSession, got {type(session).__name__}"
            )
        if hooks is not None and not isinstance(hooks, Hooks):
            raise InvalidTypeError(f"hooks must be a Hooks, got {type(hooks).__name__}")
        self._transport = transport = Transport(config, session, sleep=sleep)
        if rate_limits is not None:  # pacing per operation class (see limits.py, _pacing.py)
            from ._pacing import Pacer
            from .limits import RateLimits

            if not isinstance(rate_limits, RateLimits):
                raise InvalidTypeError("rate_limits must be a RateLimits: RateLimits.standard()")
            transport.pacer = Pacer(
                rate_limits,
                sleep=lambda seconds: transport.sleep(seconds),
                max_hold=config.retry.max_retry_after,
            )
        self._hooks = hooks if hooks is not None else Hooks()
        transport.instruments.add(self._hooks)
        self._wire(transport)

    def _wire(self, transport: Transport) -> None:
        self._transport = transport
        self._raw: WithRawResponse | None = None
        if TYPE_CHECKING:  # built on first use by __getattr__; these lines give their types
            self.assistants = AssistantsService(transport)
            self.operations = OperationsService(transport)
            self.files = FilesService(transport, self.operations)
            self.evaluation = EvaluationService(transport)
            self._chat = ChatService(transport)
            self.chat = self._chat.chat
            self.chat_stream = self._chat.chat_stream
            self.chat_completions = self._chat.chat_completions
            self.chat_completions_stream = self._chat.chat_completions_stream
            self.context = self._chat.context

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            """Build a service (or bind a chat method) on first use, then keep it."""
            build = _LAZY.get(name)
            if build is None or name.startswith("__"):
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = build(self)
            setattr(self, name, value)
            return value

    def with_options(
        self,
        *,
        timeout: float | Timeouts | None = None,
        retry: RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
        api_version: str | None = None,
    ) -> AssistantClient:
        """A client with these options (``None``: keep this client's) that shares this one's
        session and connection pool, host cache, retry budget, rate limiter, hooks and usage
        totals. ``extra_headers`` are added to this client's. Closing the derived client does
        not close the session; closing this one closes it for both.

        >>> patient = client.with_options(timeout=300, retry=RetryPolicy(max_retries=5))
        """
        config = derive_config(
            self.config,
            timeout=timeout,
            retry=retry,
            extra_headers=extra_headers,
            api_version=api_version,
        )
        derived = AssistantClient.__new__(AssistantClient)
        derived._hooks = self._hooks
        derived._wire(derive_transport(self._t, config))
        return derived

    @property
    def with_raw_response(self) -> WithRawResponse:
        """The same calls, returning ``APIResponse`` (status, headers, elapsed, attempts,
        request id, and the parsed result as ``.parsed``)."""
        if self._raw is None:
            from ._raw import WithRawResponse

            self._raw = WithRawResponse(self)
        return self._raw

    @property
    def hooks(self) -> Hooks:
        """This client's hooks (add more with ``client.hooks.add(event, fn)``)."""
        return self._hooks

    @property
    def usage(self) -> UsageTracker:
        """Running token totals by assistant and model (shared with ``with_options`` clients)."""
        return self._t.instruments.usage

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (its repr never shows the API key)."""
        return self._t.config

    @property
    def _t(self) -> Transport:
        assert self._transport is not None
        return self._transport

    @property
    def closed(self) -> bool:
        return self._t.closed

    def assistant(self, name: str) -> AssistantHandle:
        """A handle bound to one assistant: ``client.assistant("docs").chat(...)``."""
        from .handle import AssistantHandle

        return AssistantHandle(self, check_assistant_name(name))

    async def aclose(self) -> None:
        """Close the session if the client owns it. Safe to call twice."""
        await self._t.aclose()

    close = aclose

    async def __aenter__(self) -> AssistantClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Looked up in __dict__: a call with a wrong keyword fails before __init__ runs, and
        # __getattr__ would then raise from here, printed as "Exception ignored in __del__".
        transport = self.__dict__.get("_transport")
        if transport is not None:
            transport.abandon(self)

    def __repr__(self) -> str:
        config = self._t.config
        state = "closed" if self.closed else "open"
        return f"<AssistantClient {config.control_base} api_version={config.api_version} {state}>"
