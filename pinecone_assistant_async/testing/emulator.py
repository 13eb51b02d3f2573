"""`Emulator`: the Pinecone Assistant service on a loopback port (tests, examples, benchmarks).

>>> async with Emulator() as emu:                       # doctest: +SKIP
...     async with emu.client() as client:
...         await client.assistants.create("docs")
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from ..client import AssistantClient
from . import mcp_remote, routes_chat, routes_control, routes_files
from .app import Core, build_app
from .controls import FaultRule
from .limits import PlanEnforcer
from .records import RecordedRequest, ResponseHook
from .state import Store, Timings

__all__ = ["DEFAULT_API_KEY", "Emulator"]

DEFAULT_API_KEY = "emulator-api-key"
ROUTES = routes_control.ROUTES + routes_files.ROUTES + routes_chat.ROUTES


class Emulator:
    """An aiohttp server answering every operation of the Assistant API specs.

    One server plays the control plane, the data plane and evaluation: `describe()` returns
    `host` = `url`, so the data plane is `url + "/assistant"`. Server-side work takes
    `ready_delay` (assistant Initializing -> Ready), `processing_delay` (file Processing ->
    Available) and `delete_delay` (Terminating/Deleting -> gone) seconds. `instant=True` makes
    every delay zero and stops request recording (benchmark mode). `on_response` is called with
    an `ObservedResponse` for every response sent. `faults` are fault specs applied to every
    request matching `fault_path` (a regex), as with `add_fault`. `clock` (seconds, monotonic;
    default `time.monotonic`) drives every status transition, so tests can move time by hand.

    `plan` ("starter", "standard" or "enterprise"; default None: unlimited) enforces that
    plan's documented rate and object limits (see `testing.limits`); `time_scale` compresses
    time: a rate-limit minute lasts `60 * time_scale` seconds and every delay above is
    multiplied by it. Counters: `emu.limits.admitted`, `.refused`, `.peak` per operation class.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        ready_delay: float = 0.2,
        processing_delay: float = 0.2,
        delete_delay: float = 0.1,
        instant: bool = False,
        record: bool | None = None,
        on_response: ResponseHook | None = None,
        faults: Sequence[str] = (),
        fault_path: str | None = None,
        clock: Callable[[], float] | None = None,
        plan: str | None = None,
        time_scale: float = 1.0,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must be a non-empty string")
        limits = PlanEnforcer(plan, time_scale=time_scale, clock=clock or time.monotonic)
        timings = (
            Timings(0.0, 0.0, 0.0)
            if instant
            else Timings(
                ready_delay * time_scale, processing_delay * time_scale, delete_delay * time_scale
            )
        )
        self._host = host
        self._port = port
        self._core = Core(
            store=Store(timings, clock=clock or time.monotonic),
            api_key=api_key,
            instant=instant,
            record=(not instant) if record is None else record,
            on_response=on_response,
            limits=limits,
        )
        for spec in faults:
            self._core.faults.add(spec, path=fault_path)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the port and start serving (idempotent errors: starting twice raises)."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        sock = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            runner = web.AppRunner(
                build_app(self._core, ROUTES, mcp_remote.routes(self._core)),
                access_log=None,
                handle_signals=False,
                shutdown_timeout=0.5,
            )
            await runner.setup()
        except BaseException:
            sock.close()
            raise
        site = web.SockSite(runner, sock, backlog=1024)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            sock.close()
            raise
        self._runner = runner
        port = sock.getsockname()[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._url = f"http://{host}:{port}"
        self._core.base_url = self._url

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        runner, self._runner = self._runner, None
        self._url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def serve_in_thread(cls, **kwargs: Any) -> Iterator[Emulator]:
        """Run an emulator on its own event loop in a daemon thread (for sync code and CLIs).

        >>> with Emulator.serve_in_thread(ready_delay=0) as emu:   # doctest: +SKIP
        ...     Pinecone(api_key=emu.api_key, host=emu.url)
        """
        emu = cls(**kwargs)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="assistant-emulator", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(emu.start(), loop).result(timeout=30)
            yield emu
        finally:
            try:
                asyncio.run_coroutine_threadsafe(emu.stop(), loop).result(timeout=30)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=30)
                loop.close()

    # -- addresses --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL with scheme, e.g. ``http://127.0.0.1:40123`` (the `host` of every assistant)."""
        if self._url is None:
            raise RuntimeError("the emulator is not running; use `async with Emulator()`")
        return self._url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def api_key(self) -> str:
        """The only key the emulator accepts."""
        return self._core.api_key

    def __repr__(self) -> str:
        where = self._url or "not running"
        return f"Emulator({where})"

    def client(self, **kwargs: Any) -> AssistantClient:
        """An `AssistantClient` pointed at this emulator (close it: `async with emu.client()`)."""
        return AssistantClient(api_key=self.api_key, host=self.url, **kwargs)

    # -- state and faults -------------------------------------------------------------------

    @property
    def limits(self) -> PlanEnforcer:
        """The plan being enforced and its counters (admitted, refused, peak per class)."""
        return self._core.limits

    @property
    def store(self) -> Store:
        """The in-memory state (assistants, files, operations)."""
        return self._core.store

    def fail_assistant(self, name: str) -> None:
        """Make assistant `name` end in InitializationFailed (it must exist)."""
        if not self._core.store.fail_assistant(name):
            raise KeyError(f"no assistant named {name!r}")

    def add_fault(
        self,
        spec: str,
        *,
        path: str | None = None,
        method: str | None = None,
        probability: float = 1.0,
        seed: int | None = None,
    ) -> FaultRule:
        """Apply `spec` (the X-Emulator-Control language) to matching requests from now on.

        `path` is a regex searched in the request path; `times=` in the spec bounds how many
        requests the rule hits (default: all). Returns the rule (its `hits` counts firings).
        """
        return self._core.faults.add(
            spec, path=path, method=method, probability=probability, seed=seed
        )

    def clear_faults(self) -> None:
        """Drop every fault rule and forget the per-header `times` counters."""
        self._core.faults.clear()

    # -- observability ----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since start (or `reset_log`), oldest first."""
        return self._core.requests

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many recorded requests match `method` and the `path` regex."""
        pattern = re.compile(path) if path is not None else None
        return sum(
            1
            for r in list(self._core.requests)
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.search(r.path) is not None)
        )

    def reset_log(self) -> None:
        """Forget the recorded requests."""
        self._core.requests.clear()
