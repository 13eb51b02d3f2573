"""pytest plugin used by ``mutate.py``: which test executes which line of the mutated modules.

Loaded with ``-p trace_plugin`` (this directory on ``PYTHONPATH``) in an unmutated copy of the
repository. ``MUTATION_TRACE_TARGETS`` lists the absolute paths of the modules to watch
(``os.pathsep``-separated); at the end of the session ``MUTATION_TRACE_OUT`` receives JSON:
the tests in collection order with their outcome and duration, and for each watched file the
lines each test executed. A mutant is then run only against the tests that execute one of its
lines: a test that never runs the mutated line cannot tell the mutant from the original.

Threads started after the session begins (anyio's worker threads) are traced as well.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Generator
from types import FrameType
from typing import Any

import pytest

_TARGETS = frozenset(
    path for path in os.environ.get("MUTATION_TRACE_TARGETS", "").split(os.pathsep) if path
)
_current: list[int] = [-1]  # index of the running test; -1 outside any test
_order: list[str] = []
_index: dict[str, int] = {}
_hits: dict[str, set[tuple[int, int]]] = {path: set() for path in _TARGETS}
_durations: dict[str, float] = {}
_outcomes: dict[str, str] = {}


def _local(frame: FrameType, event: str, arg: Any) -> Any:
    if event == "line":
        _hits[frame.f_code.co_filename].add((_current[0], frame.f_lineno))
    return _local


def _global(frame: FrameType, event: str, arg: Any) -> Any:
    if frame.f_code.co_filename in _TARGETS:
        _hits[frame.f_code.co_filename].add((_current[0], frame.f_lineno))
        return _local
    return None


def pytest_configure(config: pytest.Config) -> None:
    if _TARGETS:
        threading.settrace(_global)
        sys.settrace(_global)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    index = _index.setdefault(item.nodeid, len(_order))
    if index == len(_order):
        _order.append(item.nodeid)
    _current[0] = index
    sys.settrace(_global)  # a test (or hypothesis) may have replaced it
    try:
        yield
    finally:
        _current[0] = -1


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration
    if report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.skipped:
        _outcomes.setdefault(report.nodeid, "skipped")
    elif report.when == "call":
        _outcomes.setdefault(report.nodeid, "passed")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]
    out = os.environ.get("MUTATION_TRACE_OUT")
    if not out:
        return
    lines: dict[str, dict[str, list[int]]] = {}
    for path, hits in _hits.items():
        by_line: dict[int, set[int]] = {}
        for test, line in hits:
            by_line.setdefault(line, set()).add(test)
        lines[path] = {str(line): sorted(tests) for line, tests in sorted(by_line.items())}
    tests = [
        {"id": node, "outcome": _outcomes.get(node, "unknown"), "duration": _durations.get(node)}
        for node in _order
    ]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"tests": tests, "lines": lines}, handle)
