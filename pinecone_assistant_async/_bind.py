"""Typed partial application: a callable with its first argument fixed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

__all__ = ["bind"]

A = TypeVar("A")
P = ParamSpec("P")
R = TypeVar("R")


def bind(function: Callable[Concatenate[A, P], R], first: A) -> Callable[P, R]:
    """``function`` with its first argument fixed to ``first``, keeping the rest typed.

    >>> bind(divmod, 7)(2)
    (3, 1)
    """
    bound: Callable[P, R] = functools.partial(function, first)
    return bound
