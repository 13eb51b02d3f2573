"""Fault injection: the `X-Emulator-Control` header language and emulator-wide fault rules.

A control is a `;`-separated list of `key=value` pairs, for example
``status=503;times=2;retry_after=1`` or ``cut_after=200``. The same language serves the
per-request header and `Emulator.add_fault(spec, ...)` rules.

Transient keys (errors, delays, fragmentation, cuts, stalls, stream damage, unknown fields and
enums) apply to the first `times` matching requests (default 1 for the header, counted per
(method, path, header value); unlimited for rules unless `times=` is given; `times=0` means
always). Behaviour keys (`fail_init`, `fail_processing`, `stream_chunks`, `request_id`) always
apply.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from email.utils import formatdate
from typing import Any

__all__ = [
    "TRANSIENT_KEYS",
    "Control",
    "ControlError",
    "FaultBook",
    "FaultRule",
    "add_extra_fields",
    "parse_control",
    "replace_enums",
    "retry_after_value",
]

CONTROL_HEADER = "X-Emulator-Control"
BODY_SHAPES = ("json", "html", "empty", "truncated")
UNKNOWN_ENUM_VALUE = "EmulatorUnknownValue"
EXTRA_FIELD = "x_emulator_unknown_field"


class ControlError(ValueError):
    """A control header or fault spec that does not parse (answered with a 400)."""


@dataclass(frozen=True)
class Control:
    """One parsed control: which faults to inject into a response."""

    status: int | None = None
    times: int | None = None
    retry_after: str | None = None
    body: str = "json"
    code: str | None = None
    message: str | None = None
    delay: float = 0.0
    fragment: int | None = None
    cut_after: int | None = None
    stall_after: int | None = None
    stall: float = 0.0
    drop_final: bool = False
    extra_chunk: str | None = None
    extra_fields: bool = False
    unknown_enum: bool = False
    stream_chunks: int | None = None
    fail_init: bool = False
    fail_processing: bool = False
    request_id: str | None = None

    @property
    def transient(self) -> bool:
        """Whether any transient (counted) key is set."""
        return any(getattr(self, name) != _DEFAULTS[name] for name in TRANSIENT_KEYS)

    def without_transient(self) -> Control:
        """This control with every transient key back to its default."""
        return replace(self, **{name: _DEFAULTS[name] for name in TRANSIENT_KEYS})

    def over(self, base: Control) -> Control:
        """`base` with every key this control sets taking precedence."""
        changes = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != _DEFAULTS[f.name]
        }
        return replace(base, **changes)

    def describe(self) -> str:
        """The control in the header language, listing only the keys that are set."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != _DEFAULTS[f.name]:
                parts.append(f"{f.name}={int(value) if isinstance(value, bool) else value}")
        return ";".join(parts)


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Control)}
TRANSIENT_KEYS = (
    "status", "retry_after", "body", "code", "message", "delay", "fragment", "cut_after",
    "stall_after", "stall", "drop_final", "extra_chunk", "extra_fields", "unknown_enum",
)  # fmt: skip
NO_CONTROL = Control()


def _int(key: str, text: str, *, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ControlError(f"{key} must be an integer, got {text!r}") from None
    if value < minimum:
        raise ControlError(f"{key} must be >= {minimum}, got {value}")
    return value


def _float(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ControlError(f"{key} must be a number of seconds, got {text!r}") from None
    if not value >= 0:
        raise ControlError(f"{key} must be >= 0, got {text!r}")
    return value


def _flag(key: str, text: str) -> bool:
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise ControlError(f"{key} must be 1 or 0, got {text!r}")


def _retry_after(text: str) -> str:
    if text.startswith("raw:"):
        return text
    seconds = text.removeprefix("date:")
    _float("retry_after", seconds)
    return text


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "status": lambda k, v: _int(k, v, minimum=100),
    "times": lambda k, v: _int(k, v, minimum=0),
    "retry_after": lambda k, v: _retry_after(v),
    "body": lambda k, v: v if v in BODY_SHAPES else _bad_choice(k, v, BODY_SHAPES),
    "code": lambda k, v: v,
    "message": lambda k, v: v,
    "delay": _float,
    "fragment": lambda k, v: _int(k, v, minimum=1),
    "cut_after": lambda k, v: _int(k, v, minimum=0),
    "stall_after": lambda k, v: _int(k, v, minimum=0),
    "stall": _float,
    "drop_final": _flag,
    "extra_chunk": lambda k, v: v,
    "extra_fields": _flag,
    "unknown_enum": _flag,
    "stream_chunks": lambda k, v: _int(k, v, minimum=1),
    "fail_init": _flag,
    "fail_processing": _flag,
    "request_id": lambda k, v: v,
}


def _bad_choice(key: str, value: str, choices: tuple[str, ...]) -> str:
    raise ControlError(f"{key} must be one of {', '.join(choices)}, got {value!r}")


def parse_control(text: str) -> Control:
    """Parse ``key=value;key=value``; raise ControlError naming the offending key."""
    values: dict[str, Any] = {}
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep:
            raise ControlError(f"expected key=value, got {item!r}")
        parser = _PARSERS.get(key)
        if parser is None:
            raise ControlError(f"unknown control key {key!r}; known: {', '.join(_PARSERS)}")
        values[key] = parser(key, raw.strip())
    return Control(**values)


def retry_after_value(spec: str, now: float | None = None) -> str:
    """The Retry-After header for a `retry_after=` value: seconds, `date:<s>` or `raw:<text>`."""
    if spec.startswith("raw:"):
        return spec[4:]
    if spec.startswith("date:"):
        moment = (time.time() if now is None else now) + float(spec[5:])
        return formatdate(moment, usegmt=True)
    return spec


@dataclass
class FaultRule:
    """An emulator-wide fault: applies `control` to requests matching `path`/`method`."""

    spec: str
    control: Control
    path: re.Pattern[str] | None = None
    method: str | None = None
    probability: float = 1.0
    rng: random.Random = field(default_factory=random.Random)
    remaining: int | None = None
    hits: int = 0

    def take(self, method: str, path: str) -> bool:
        """Whether this rule fires for the request (consumes one of its `times`)."""
        if self.method is not None and self.method != method:
            return False
        if self.path is not None and self.path.search(path) is None:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.probability < 1.0 and self.rng.random() >= self.probability:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.hits += 1
        return True


class FaultBook:
    """The emulator's fault rules and the per-header `times` counters (thread-safe)."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._seen: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return bool(self._rules)

    def add(
        self,
        spec: str,
        *,
        path: str | None = None,
        method: str | None = None,
        probability: float = 1.0,
        seed: int | None = None,
    ) -> FaultRule:
        control = parse_control(spec)
        if not 0.0 <= probability <= 1.0:
            raise ControlError(f"probability must be between 0 and 1, got {probability!r}")
        times = control.times if control.times else None
        rule = FaultRule(
            spec=spec,
            control=control,
            path=re.compile(path) if path is not None else None,
            method=method.upper() if method is not None else None,
            probability=probability,
            rng=random.Random(seed),
            remaining=times,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._seen.clear()

    def resolve(self, method: str, path: str, header: str | None) -> Control | None:
        """The control in force for one request (header keys win over rules), or None."""
        effective: Control | None = None
        with self._lock:
            for rule in self._rules:
                if rule.take(method, path):
                    effective = rule.control.over(effective or NO_CONTROL)
            if header:
                control = parse_control(header)
                if control.transient and control.times != 0:
                    key = (method, path, header)
                    seen = self._seen.get(key, 0) + 1
                    self._seen[key] = seen
                    if seen > (control.times or 1):
                        control = control.without_transient()
                effective = control.over(effective or NO_CONTROL)
        return effective


def add_extra_fields(value: Any) -> Any:
    """A copy of a JSON value with an unknown field added to every object in it."""
    if isinstance(value, dict):
        out = {k: add_extra_fields(v) for k, v in value.items()}
        out[EXTRA_FIELD] = {"note": "field unknown to the spec", "n": 1}
        return out
    if isinstance(value, list):
        return [add_extra_fields(v) for v in value]
    return value


_ENUM_KEYS = frozenset({"status", "finish_reason", "operation_type", "entailment", "region"})


def replace_enums(value: Any) -> Any:
    """A copy of a JSON value whose string enum fields hold a value the spec does not list."""
    if isinstance(value, dict):
        return {
            k: UNKNOWN_ENUM_VALUE if k in _ENUM_KEYS and isinstance(v, str) else replace_enums(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [replace_enums(v) for v in value]
    return value
