"""How a client's configuration is resolved and checked, read back through ``client.config``:
bad pool limits and blank hosts are typed errors at construction, the environment fills in
what was not passed, and a bare number of seconds is the total deadline."""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest

from pinecone_assistant_async import (
    AssistantClient,
    ConnectionLimits,
    InvalidInputError,
    RetryPolicy,
    Timeouts,
)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ConnectionLimits(per_host=-1), "per_host"),
        (lambda: ConnectionLimits(keepalive=0), "keepalive"),
        (lambda: ConnectionLimits(keepalive=-1.0), "keepalive"),
        (lambda: ConnectionLimits(max_connections=0), "max_connections"),
        (lambda: Timeouts(connect=0), "connect"),
        (lambda: Timeouts(stream_idle=-1), "stream_idle"),
        (lambda: Timeouts(upload=0), "upload"),
        (lambda: RetryPolicy(max_backoff=0), "max_backoff"),
        (lambda: RetryPolicy(max_retry_after=-1), "max_retry_after"),
        (lambda: RetryPolicy(budget_ratio=11), "budget_ratio"),
        (lambda: RetryPolicy(budget_ratio=-0.1), "budget_ratio"),
    ],
)
def test_out_of_range_settings_are_typed_errors(make: Any, field: str) -> None:
    with pytest.raises(InvalidInputError, match=field):
        make()


def test_settings_at_their_limits_are_accepted() -> None:
    assert ConnectionLimits(per_host=0, max_connections=1).per_host == 0
    assert Timeouts(upload=None).upload is None
    assert RetryPolicy(max_retries=0, budget_ratio=0, budget_burst=0).budget_ratio == 0
    assert RetryPolicy(budget_ratio=10).budget_ratio == 10


@pytest.mark.parametrize("host", ["", "   ", "/", " / "])
def test_a_blank_host_is_a_typed_error(host: str) -> None:
    with pytest.raises(InvalidInputError, match="host must not be empty"):
        AssistantClient(api_key="k", host=host or " ")


@pytest.mark.parametrize("name", ["Api-Key", "api-key", "X-Pinecone-Api-Version"])
def test_extra_headers_cannot_replace_the_key_or_the_version(name: str) -> None:
    with pytest.raises(InvalidInputError, match=name):
        AssistantClient(api_key="k", extra_headers={"X-Ok": "1", name: "other"})


def test_extra_headers_are_kept() -> None:
    config = AssistantClient(api_key="k", extra_headers={"X-Team": "docs"}).config
    assert dict(config.extra_headers) == {"X-Team": "docs"}
    assert dict(AssistantClient(api_key="k").config.extra_headers) == {}


def test_the_environment_fills_in_the_key_and_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINECONE_API_KEY", "  from-env  ")
    monkeypatch.setenv("PINECONE_HOST", "http://127.0.0.1:9/")
    client = AssistantClient()
    assert client.config.api_key == "from-env"
    assert client.config.control_base == "http://127.0.0.1:9"
    assert client.config.evaluation_base == "http://127.0.0.1:9"  # with a host, evaluation too
    passed = AssistantClient(api_key="given", host="http://127.0.0.1:10")
    assert passed.config.api_key == "given"
    assert passed.config.control_base == "http://127.0.0.1:10"


def test_without_a_host_the_region_picks_the_evaluation_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PINECONE_HOST", raising=False)
    us = AssistantClient(api_key="k").config
    eu = AssistantClient(api_key="k", region="eu").config
    assert us.control_base == eu.control_base == "https://api.pinecone.io"
    assert us.evaluation_base == "https://prod-1-data.ke.pinecone.io"
    assert eu.evaluation_base == "https://prod-eu-data.ke.pinecone.io"
    chosen = AssistantClient(api_key="k", host="ctl.local", evaluation_host="http://e.local/")
    assert chosen.config.control_base == "https://ctl.local"
    assert chosen.config.evaluation_base == "http://e.local"


@pytest.mark.parametrize("seconds", [5, 7.5])
def test_a_number_of_seconds_is_the_total_deadline(seconds: float) -> None:
    timeouts = AssistantClient(api_key="k", timeout=seconds).config.timeouts
    assert timeouts == Timeouts(total=float(seconds))
    assert isinstance(timeouts.total, float)


def test_a_timeouts_object_is_used_as_given() -> None:
    given = Timeouts(total=3, connect=1, stream_idle=2, upload=None)
    assert AssistantClient(api_key="k", timeout=given).config.timeouts is given


def test_given_retry_and_limits_are_used_as_given() -> None:
    retry, limits = RetryPolicy(max_retries=5), ConnectionLimits(max_connections=3)
    config = AssistantClient(api_key="k", retry=retry, limits=limits).config
    assert config.retry is retry and config.limits is limits


def test_a_wrong_keyword_is_a_type_error_and_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    # The half-made client is collected without a word ("Exception ignored in __del__" was
    # printed before, from an attribute that __init__ never got to set).
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(TypeError, match="timeouts"):
        AssistantClient(api_key="k", host="http://127.0.0.1:9", timeouts=1)  # type: ignore[call-arg]
    gc.collect()
    assert unraisable == []
