"""The defaults README.md documents (its "Defaults" table) are the defaults the package has.

Each row is read from README.md and compared with the value a fresh ``RetryPolicy``,
``Timeouts``, ``ConnectionLimits`` or service method really uses, so neither can change
without the other."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from pinecone_assistant_async import AssistantClient, ConnectionLimits, RetryPolicy, Timeouts

README = Path(__file__).resolve().parents[1] / "README.md"


def _rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### Defaults", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and not set(cells[0]) <= {"-", " "} and cells[0] != "Setting":
            rows[cells[0].strip("`")] = cells[1]
    return rows


ROWS = _rows()


def _number(cell: str, name: str | None = None) -> float:
    pattern = rf"`?{name}=([\d.]+)" if name else r"([\d.]+)"
    found = re.search(pattern, cell)
    assert found, f"no {name or 'number'} in {cell!r}"
    return float(found.group(1))


def test_the_table_has_every_row_checked_here() -> None:
    assert {
        "RetryPolicy.max_retries",
        "RetryPolicy.retry_statuses",
        "RetryPolicy.retry_connection_errors",
        "backoff",
        "RetryPolicy.max_retry_after",
        "retry budget",
        "Timeouts.total",
        "Timeouts.connect",
        "Timeouts.stream_idle",
        "Timeouts.upload",
        "ConnectionLimits",
        "waiting (`wait=True`)",
    } <= set(ROWS)


def test_retry_policy_defaults_match_the_readme() -> None:
    policy = RetryPolicy()
    assert policy.max_retries == _number(ROWS["RetryPolicy.max_retries"])
    listed = ROWS["RetryPolicy.retry_statuses"].split("(")[0]
    assert policy.retry_statuses == {int(n) for n in re.findall(r"\d{3}", listed)}
    assert str(policy.retry_connection_errors) in ROWS["RetryPolicy.retry_connection_errors"]
    assert policy.initial_backoff == _number(ROWS["backoff"], "initial_backoff")
    assert policy.max_backoff == _number(ROWS["backoff"], "max_backoff")
    assert policy.max_retry_after == _number(ROWS["RetryPolicy.max_retry_after"])
    assert policy.budget_burst == _number(ROWS["retry budget"], "budget_burst")
    assert policy.budget_ratio == _number(ROWS["retry budget"], "budget_ratio")


@pytest.mark.parametrize("field", ["total", "connect", "stream_idle", "upload"])
def test_timeouts_defaults_match_the_readme(field: str) -> None:
    assert getattr(Timeouts(), field) == _number(ROWS[f"Timeouts.{field}"])


def test_connection_limits_defaults_match_the_readme() -> None:
    limits, cell = ConnectionLimits(), ROWS["ConnectionLimits"]
    assert limits.max_connections == _number(cell, "max_connections")
    assert limits.per_host == _number(cell, "per_host")
    assert limits.keepalive == _number(cell, "keepalive")


def test_a_client_without_options_uses_those_defaults() -> None:
    config = AssistantClient(api_key="defaults-key").config
    assert config.retry == RetryPolicy()
    assert config.timeouts == Timeouts()
    assert config.limits == ConnectionLimits()


def test_wait_timeouts_match_the_readme() -> None:
    cell = ROWS["waiting (`wait=True`)"]
    assistants = float(re.search(r"([\d.]+) s for assistants", cell).group(1))  # type: ignore[union-attr]
    files = float(re.search(r"([\d.]+) s for files and operations", cell).group(1))  # type: ignore[union-attr]
    client = AssistantClient(api_key="defaults-key")

    def default(method: object) -> object:
        return inspect.signature(method).parameters["timeout"].default  # type: ignore[arg-type]

    assert default(client.assistants.create) == default(client.assistants.wait_until_ready)
    assert default(client.assistants.wait_until_ready) == assistants
    assert default(client.assistants.delete) == assistants
    assert default(client.files.upload) == default(client.files.wait_until_available) == files
    assert default(client.operations.wait) == files
