"""The base class shared by every wire model, and the one way a union is dispatched on ``type``.

Responses from Pinecone grow new fields over time. ``APIModel`` keeps whatever it does not know
(reachable through ``model_extra``) instead of rejecting or dropping it, and accepts field names as
well as aliases. It deliberately carries no presentation code: rendering belongs to the callers.

Responses also grow new kinds of things (chunk types, snippet types, reference formats). A union
of models written as ``Annotated[A | B | Unknown, ByType()]`` is dispatched on its ``type``
field: each member whose ``type`` is a ``Literal`` default owns that value, and the one member
whose ``type`` is a plain ``str`` takes every other string, all its fields kept. The union as
written is the only list of its members: adding a kind is adding a class to it.

``ResponseModel`` is the base of the models a call returns whole (an assistant, a file, a chat
answer, a page of a listing): it also carries the ``request_id`` of the response it came from.
The id is private state, not a field: it is not part of ``model_dump()`` nor of equality
(copies and pickles keep it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

if TYPE_CHECKING:  # Self is typing 3.11+; annotations are not evaluated at run time
    from typing_extensions import Self

__all__ = [
    "APIModel",
    "ByType",
    "ResponseModel",
    "parse_response",
    "type_tag",
    "union_members",
]

UNKNOWN = "unknown"
M = TypeVar("M", bound=BaseModel)


class APIModel(BaseModel):
    """Base of all request and response models: unknown fields are kept, never fatal."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ResponseModel(APIModel):
    """A model returned by a call: also carries the response's ``x-pinecone-request-id``."""

    # A slot, not a pydantic private attribute: those cost a Python post-init call for every
    # instance parsed, nested ones included (the files of a chat answer's citations).
    __slots__ = ("_request_id",)

    @property
    def request_id(self) -> str | None:
        """The ``x-pinecone-request-id`` of the response this came from (None when the service
        sent none, or for a model you built yourself)."""
        request_id: str | None = getattr(self, "_request_id", None)  # unset: None
        return request_id

    def _stamp(self, request_id: str | None) -> None:
        object.__setattr__(self, "_request_id", request_id)

    def __copy__(self) -> Self:
        copied = super().__copy__()
        copied._stamp(self.request_id)
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        copied = super().__deepcopy__(memo)
        copied._stamp(self.request_id)
        return copied

    def __getstate__(self) -> dict[Any, Any]:
        return {**super().__getstate__(), "request_id": self.request_id}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._stamp(state.get("request_id"))

    def __eq__(self, other: Any) -> bool:
        # Two equal answers are equal whatever request carried them.
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]


def parse_response(model: type[M], body: bytes, request_id: str | None) -> M:
    """``body`` parsed as ``model`` (one pydantic-core pass; raises ``ValidationError``),
    carrying ``request_id`` when it is a response model."""
    result: M = model.__pydantic_validator__.validate_json(body)
    if request_id is not None and isinstance(result, ResponseModel):
        result._stamp(request_id)
    return result


def type_tag(model: type[BaseModel]) -> str | None:
    """The ``type`` value ``model`` stands for (its ``Literal`` default), or None for the
    member that takes unknown values."""
    field = model.model_fields.get("type")
    if field is None or not isinstance(field.default, str) or not get_args(field.annotation):
        return None
    return field.default


def union_members(union: Any) -> tuple[type[BaseModel], ...]:
    """The models of a union written as ``Annotated[A | B | ..., ByType()]``."""
    inner = get_args(union)[0] if hasattr(union, "__metadata__") else union
    return tuple(get_args(inner))


def _tagger(known: frozenset[str], missing: str | None) -> Callable[[Any], str | None]:
    """A discriminator: a known ``type`` -> itself, any other string -> ``unknown``, no
    ``type`` -> ``missing`` (None: invalid)."""

    def tag(value: Any) -> str | None:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        if kind is None:
            return missing
        if kind in known:
            return str(kind)
        return UNKNOWN if isinstance(kind, str) else None

    tag.__name__ = "type"  # pydantic names it in its error: "using discriminator type()"
    return tag


@dataclass(frozen=True)
class ByType:
    """Marks a union of models as dispatched on ``type`` (see the module docstring).

    ``missing`` names the ``type`` assumed when a value has none (None: such a value is
    invalid).
    """

    missing: str | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        choices: dict[str, CoreSchema] = {}
        for model in get_args(source):
            tag = type_tag(model) or UNKNOWN
            if tag in choices:
                raise TypeError(f"two members of {source} stand for type {tag!r}")
            choices[tag] = handler.generate_schema(model)
        known = frozenset(choices) - {UNKNOWN}
        return core_schema.tagged_union_schema(choices, discriminator=_tagger(known, self.missing))
