"""Argument types and the options every command accepts (before or after the command name)."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..client import AssistantClient
from ..config import DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS
from ._output import Output

__all__ = [
    "ENVIRONMENT",
    "Command",
    "common_options",
    "count",
    "json_object",
    "number",
    "seconds",
    "value_options",
]

Handler = Callable[[AssistantClient, argparse.Namespace, Output], Awaitable[int]]


@dataclass(frozen=True)
class Command:
    """A command's coroutine; it gets an open client, the parsed arguments and the output."""

    run: Handler


def json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('expected a JSON object, like \'{"team": "docs"}\'')
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def number(low: float, high: float) -> Callable[[str], float]:
    """An argument type: a number from ``low`` to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}")
        return value

    return parse


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


ENVIRONMENT = {
    "api_key": "PINECONE_API_KEY",
    "host": "PINECONE_HOST",
    "data_host": "PINECONE_DATA_HOST",
    "api_version": "PINECONE_API_VERSION",
    "plan": "PINECONE_PLAN",
}
"""Each connection option's environment variable, read when the option is not given."""


def common_options() -> argparse.ArgumentParser:
    """Options shared by every command; defaults are SUPPRESSed so a later level never resets
    what an earlier one set (``main`` fills the real defaults in, from ``ENVIRONMENT``)."""
    common = argparse.ArgumentParser(add_help=False)
    s = argparse.SUPPRESS
    env = ENVIRONMENT
    common.add_argument(
        "--api-key", default=s, metavar="KEY", help=f"API key (default: ${env['api_key']})"
    )
    common.add_argument(
        "--host",
        default=s,
        metavar="URL",
        help=f"control-plane base URL, e.g. an emulator's (default: ${env['host']}, else "
        "Pinecone's)",
    )
    common.add_argument(
        "--data-host",
        default=s,
        metavar="URL",
        help=f"data-plane URL for chat, context and files (default: ${env['data_host']}, else "
        "the one the assistant reports)",
    )
    common.add_argument(
        "--api-version",
        default=s,
        metavar="VERSION",
        help=f"API version: {', '.join(SUPPORTED_API_VERSIONS)} (default: ${env['api_version']}, "
        f"else {DEFAULT_API_VERSION})",
    )
    common.add_argument(
        "--plan",
        default=s,
        metavar="PLAN",
        help="pace requests to a plan's rate and object limits: starter, standard, enterprise, "
        f"or adaptive (learned from the 429s) (default: ${env['plan']}, else no pacing)",
    )
    common.add_argument("--json", action="store_true", default=s, help="print JSON results")
    common.add_argument("--debug", action="store_true", default=s, help="show tracebacks")
    return common


def value_options(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings of ``parser`` that take a value (``--host URL``)."""
    return {
        flag
        for action in parser._actions
        if action.nargs != 0 and action.option_strings
        for flag in action.option_strings
    }
