"""Admission of every request of a client by operation class, so it stays within the limits.

The transport calls :meth:`Pacer.admit` before each attempt and :meth:`Pacer.answered` with
the service's status. An admission is counted from the moment it is made and, once answered,
from the moment of the answer (no earlier than the service counted it: this is what keeps
connection queues and latency from letting one request too many into the service's window);
a 429 does not count (the service did not count it either). Each class
(``limits.OPERATION_CLASSES``) has one sliding-minute window shared by every call of the
client (or, with a Redis backend, of every process):

* a known rate (``RateLimits.standard()``, ...) admits at most that many requests in any
  window of ``minute * (1 + SAFETY)`` seconds, so the service's own window never sees one
  too many.
* an unknown rate (adaptive) admits freely until the first 429 with a ``Retry-After``; the
  number of this client's requests the service accepted in the last minute becomes the
  learned rate (unless that is under ``MIN_LEARN``: a refusal after a handful of requests
  says the limit is shared or not a rate, not what the rate is).
* every 429 with a ``Retry-After`` holds back the whole class until it has passed, not only
  the request that got it, so concurrent callers do not each run into the same refusal. A
  ``Retry-After`` above ``max_hold`` (the retry policy's ``max_retry_after``) holds nothing:
  the request that got it fails at once, as the retry policy says.
"""

from __future__ import annotations

import contextvars
import enum
import itertools
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

import anyio

from .limits import LimiterBackend, RateLimits, operation_class

__all__ = ["SAFETY", "WAIT", "Admission", "MemoryBackend", "Pacer"]

SAFETY = 0.005
"""Fraction of a minute added to every window (rounding; latency is covered by dating each
admission to its answer, which comes after the service counted it)."""
CHARS_PER_TOKEN = 4  # chat input tokens are estimated from the body size
# Set in the task that got a 429: its own retry already waited out the Retry-After (in the
# retry loop), so that one admission does not wait for the hold a second time.
_HOLD_SERVED: contextvars.ContextVar[str | None] = contextvars.ContextVar("hold", default=None)
MIN_LEARN = 5  # fewer requests than this in a minute teach nothing about the rate


@dataclass
class _Window:
    """One class's admissions: in flight (by ticket, dated to the admission) and answered
    (in answer order, so expiry pops from the left). Sums are kept, so a request costs O(1)
    unless the window is full (then the oldest entries are walked to find the wait)."""

    flying: dict[str, tuple[float, int]] = field(default_factory=dict)
    flying_used: int = 0
    answered: deque[tuple[float, int, bool]] = field(default_factory=deque)
    answered_used: int = 0
    settled_used: int = 0

    def expire(self, now: float, window: float) -> None:
        edge = now - window
        answered = self.answered
        while answered and answered[0][0] <= edge:
            _, cost, settled = answered.popleft()
            self.answered_used -= cost
            self.settled_used -= cost if settled else 0
        flying = self.flying
        # An admission answered by nobody (lost) leaves with its minute. The dict is in
        # admission order, so the oldest is first: one look when nothing is that old.
        while flying:
            ticket, (moment, cost) = next(iter(flying.items()))
            if moment > edge:
                break
            del flying[ticket]
            self.flying_used -= cost

    @property
    def used(self) -> int:
        return self.flying_used + self.answered_used

    def wait_for(self, need: int, now: float, window: float) -> float:
        """Seconds until ``need`` units have left the window (oldest first)."""
        flying = sorted(self.flying.values())
        i = j = 0
        answered = self.answered
        while i < len(answered) or j < len(flying):
            if j >= len(flying) or (i < len(answered) and answered[i][0] <= flying[j][0]):
                moment, cost = answered[i][0], answered[i][1]
                i += 1
            else:
                moment, cost = flying[j]
                j += 1
            need -= cost
            if need <= 0:
                return max(moment + window - now, 1e-4)
        return window


class MemoryBackend:
    """The limiter's state in this process (the default)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # Only durations are compared (admissions against each other), so any monotonic
        # clock will do: this one is a single C call, asked twice per request.
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._blocked: dict[str, float] = {}
        self._tickets = itertools.count(1)

    def _window(self, kind: str) -> _Window:
        window = self._windows.get(kind)
        if window is None:
            window = self._windows[kind] = _Window()
        return window

    async def acquire(
        self, kind: str, rate: int | None, window: float, cost: int, *, held: bool = True
    ) -> tuple[float, str | None]:
        return self.acquire_now(kind, rate, window, cost, held=held)

    async def settle(self, kind: str, ticket: str, counted: bool) -> None:
        self.settle_now(kind, ticket, counted)

    def acquire_now(
        self, kind: str, rate: int | None, window: float, cost: int, *, held: bool = True
    ) -> tuple[float, str | None]:
        """:meth:`acquire` without a coroutine (this backend never waits on I/O)."""
        now = self._clock()
        blocked = self._blocked.get(kind, 0.0) - now
        if held and blocked > 0:
            return blocked, None
        state = self._window(kind)
        state.expire(now, window)
        if rate is not None and state.used and state.used + cost > rate:
            return state.wait_for(state.used + cost - rate, now, window), None
        ticket = str(next(self._tickets))
        state.flying[ticket] = (now, cost)
        state.flying_used += cost
        return 0.0, ticket

    def settle_now(self, kind: str, ticket: str, counted: bool) -> None:
        state = self._window(kind)
        entry = state.flying.pop(ticket, None)
        if entry is None:
            return
        state.flying_used -= entry[1]
        if counted:
            state.answered.append((self._clock(), entry[1], True))
            state.answered_used += entry[1]
            state.settled_used += entry[1]

    async def block(self, kind: str, seconds: float) -> None:
        until = self._clock() + seconds
        self._blocked[kind] = max(self._blocked.get(kind, 0.0), until)

    async def recent(self, kind: str, window: float) -> int:
        state = self._window(kind)
        state.expire(self._clock(), window)
        return state.settled_used


class Admission(NamedTuple):
    """One admitted request (settled by :meth:`Pacer.answered`)."""

    kind: str
    ticket: str


class _Wait(enum.Enum):
    WAIT = "wait"


WAIT: Final = _Wait.WAIT
"""What :meth:`Pacer.admit_now` returns when it cannot admit at once (then ``admit``)."""


def _cost(kind: str, body_size: int) -> int:
    """What one request spends of its class's rate: chat tokens are estimated from the body."""
    return max(1, body_size // CHARS_PER_TOKEN) if kind == "chat_tokens" else 1


class Pacer:
    """One client's admission control (see the module docstring)."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        max_hold: float = 30.0,
    ) -> None:
        self.limits = limits if limits is not None else RateLimits.adaptive()
        self.max_hold = max_hold
        self.backend: LimiterBackend = (
            self.limits.backend if self.limits.backend is not None else MemoryBackend()
        )
        self.sleep = sleep
        self.learned: dict[str, int] = {}
        self.waits: Counter[str] = Counter()
        """How many times a request of each class waited for its turn."""
        self.refusals: Counter[str] = Counter()
        """429 answers seen per class."""

    @property
    def window(self) -> float:
        return self.limits.minute * (1.0 + SAFETY)

    def rate(self, kind: str) -> int | None:
        given = self.limits.per_minute.get(kind)
        return given if given is not None else self.learned.get(kind)

    def admit_now(
        self, method: str, url: str, body_size: int = 0
    ) -> Admission | Literal[_Wait.WAIT] | None:
        """:meth:`admit` when it needs no wait and no I/O (the in-process backend, room in the
        window, no hold): the admission, or None for a request no limit covers; otherwise
        ``WAIT``, and nothing was counted: the caller awaits :meth:`admit`."""
        backend = self.backend
        if type(backend) is not MemoryBackend:
            return WAIT
        kind = operation_class(method, url)
        if kind is None:
            return None
        served = _HOLD_SERVED.get()
        _, ticket = backend.acquire_now(
            kind, self.rate(kind), self.window, _cost(kind, body_size), held=served != kind
        )
        if ticket is None:
            return WAIT
        if served is not None:
            _HOLD_SERVED.set(None)
        return Admission(kind, ticket)

    def answered_now(self, admission: Admission) -> bool:
        """:meth:`answered` for a success, when it needs no I/O; False: await that instead."""
        backend = self.backend
        if type(backend) is not MemoryBackend:
            return False
        backend.settle_now(admission.kind, admission.ticket, True)
        return True

    async def admit(
        self, method: str, url: str, body_size: int = 0, within: float | None = None
    ) -> Admission | None:
        """Wait until a request of this kind may be sent, and count it.

        ``within``: the request's remaining deadline; a wait never goes past it (the caller
        then finds its deadline passed and times out).
        """
        kind = operation_class(method, url)
        if kind is None:
            return None
        cost = _cost(kind, body_size)
        waited = False
        held = _HOLD_SERVED.get() != kind
        _HOLD_SERVED.set(None)
        while True:
            wait, ticket = await self.backend.acquire(
                kind, self.rate(kind), self.window, cost, held=held
            )
            if ticket is not None:
                return Admission(kind, ticket)
            held = False  # a hold is waited out once (also when the sleep is a test's fake)
            if not waited:
                self.waits[kind] += 1
                waited = True
            if within is not None:
                if within <= 0:
                    return None
                wait = min(wait, within)
                within -= wait
            await self.sleep(wait)

    async def answered(
        self, admission: Admission | None, status: int | None, retry_after: float | None
    ) -> None:
        """The service answered (``status``; None: no answer). A 429 slows the whole class
        down (and teaches its rate); any other answer dates the admission to now, which is
        no earlier than the service counted it."""
        if admission is None:
            return
        kind = admission.kind
        # No answer at all (connection lost): the service may have counted it, so it counts.
        await self.backend.settle(kind, admission.ticket, status != 429)
        if status != 429:
            return
        self.refusals[kind] += 1
        if retry_after is None or not 0 < retry_after <= self.max_hold:
            return
        if self.limits.per_minute.get(kind) is None:
            # What the service accepted from us in the last minute is what it allows (or, when
            # others share the limit, our share of it); the latest refusal knows best.
            guess = await self.backend.recent(kind, self.limits.minute)
            if guess >= MIN_LEARN:
                self.learned[kind] = guess
        await self.backend.block(kind, retry_after)
        _HOLD_SERVED.set(kind)
