"""``client.assistant(name)`` offers every per-assistant call of the services, bound to it.

Adding an endpoint to ``FilesService`` or ``OperationsService`` without binding it on the
handle's views (``handle.py``) fails here.
"""

from __future__ import annotations

import functools
import inspect

import pytest

from pinecone_assistant_async import AssistantClient


def _assistant_first(service: object) -> set[str]:
    """The public callables of ``service`` whose first parameter is the assistant's name."""
    names = set()
    for name in dir(service):
        member = getattr(service, name)
        if name.startswith("_") or not callable(member):
            continue
        parameters = list(inspect.signature(member).parameters)
        if parameters[:1] == ["assistant"]:
            names.add(name)
    return names


@pytest.mark.parametrize("area", ["files", "operations"])
def test_every_assistant_first_method_is_on_the_handle_bound_to_the_assistant(area: str) -> None:
    client = AssistantClient(api_key="k", host="http://127.0.0.1:9")
    service = getattr(client, area)
    view = getattr(client.assistant("docs"), area)
    expected = _assistant_first(service)
    assert {"describe", "list", "list_page"} <= expected
    bound = {name: value for name, value in vars(view).items() if not name.startswith("_")}
    assert set(bound) == expected
    for name, value in bound.items():
        function, args = _unwrap(getattr(service, name))
        assert _unwrap(value) == (function, (*args, "docs"))


def _unwrap(call: object) -> tuple[object, tuple[object, ...]]:
    """(function, fixed arguments) of a callable (partials nest flat)."""
    if isinstance(call, functools.partial):
        return call.func, call.args
    return call, ()
