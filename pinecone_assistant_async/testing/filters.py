"""Pinecone's metadata filter language: validation with clear messages, and matching.

Grammar::

    filter     := {clause, ...}                  several clauses are an implicit $and
    clause     := "$and": [filter, ...] | "$or": [filter, ...] | field: condition
    condition  := scalar                         shorthand for {"$eq": scalar}
                | {operator: operand, ...}       several operators must all hold
    operator   := $eq $ne (scalar) | $gt $gte $lt $lte (number) | $in $nin (list of scalars)
                | $exists (bool)

A scalar is a string, a number or a boolean. Metadata values may be scalars or lists of
scalars; a list matches ``$eq``/``$in``/range operators when any element does, and
``$ne``/``$nin`` when no element does. A field that is missing (or null) satisfies only
``$ne``, ``$nin`` and ``$exists: false``. Booleans never compare equal to numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FIELD_OPERATORS", "LOGICAL_OPERATORS", "FilterError", "matches", "validate_filter"]

LOGICAL_OPERATORS = frozenset({"$and", "$or"})
_SCALAR_OPERATORS = frozenset({"$eq", "$ne"})
_RANGE_OPERATORS = frozenset({"$gt", "$gte", "$lt", "$lte"})
_LIST_OPERATORS = frozenset({"$in", "$nin"})
FIELD_OPERATORS = _SCALAR_OPERATORS | _RANGE_OPERATORS | _LIST_OPERATORS | {"$exists"}
_MISSING = object()


class FilterError(ValueError):
    """The filter is not valid; the message says what is wrong."""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, bool)) or _is_number(value)


def validate_filter(filter: object) -> dict[str, Any]:
    """Check ``filter`` against the grammar and return it as a dict; raise :class:`FilterError`."""
    if not isinstance(filter, Mapping):
        raise FilterError(f"Filter must be a JSON object, got {type(filter).__name__}")
    _validate_object(filter, "filter")
    return dict(filter)


def _validate_object(node: Mapping[Any, Any], where: str) -> None:
    for key, value in node.items():
        if not isinstance(key, str) or not key:
            raise FilterError(f"Filter keys must be non-empty strings (in {where})")
        if key.startswith("$"):
            if key not in LOGICAL_OPERATORS:
                if key in FIELD_OPERATORS:
                    raise FilterError(f"Operator {key} must be applied to a field (in {where})")
                raise FilterError(f"Unsupported filter operator: {key}")
            if not isinstance(value, list) or not value:
                raise FilterError(f"{key} expects a non-empty list of filter objects")
            for index, item in enumerate(value):
                if not isinstance(item, Mapping):
                    raise FilterError(f"{key} expects a list of filter objects (item {index})")
                _validate_object(item, f"{key}[{index}]")
        else:
            _validate_condition(key, value)


def _validate_condition(field: str, condition: object) -> None:
    if _is_scalar(condition):
        return
    if condition is None:
        raise FilterError(f"Filter value for field '{field}' must not be null")
    if isinstance(condition, list):
        raise FilterError(f"Filter value for field '{field}' is a list; use $in to match a list")
    if not isinstance(condition, Mapping):
        raise FilterError(f"Unsupported filter value for field '{field}'")
    if not condition:
        raise FilterError(f"Filter condition for field '{field}' must not be empty")
    for operator, operand in condition.items():
        if operator not in FIELD_OPERATORS:
            if isinstance(operator, str) and operator in LOGICAL_OPERATORS:
                raise FilterError(f"{operator} cannot be used inside field '{field}'")
            raise FilterError(f"Unsupported filter operator: {operator}")
        _validate_operand(field, operator, operand)


def _validate_operand(field: str, operator: str, operand: object) -> None:
    if operator in _LIST_OPERATORS:
        if not isinstance(operand, list):
            raise FilterError(f"{operator} expects a list (field '{field}')")
        if not all(_is_scalar(item) for item in operand):
            raise FilterError(
                f"{operator} expects a list of strings, numbers or booleans (field '{field}')"
            )
    elif operator in _RANGE_OPERATORS:
        if not _is_number(operand):
            raise FilterError(f"{operator} expects a number (field '{field}')")
    elif operator == "$exists":
        if not isinstance(operand, bool):
            raise FilterError(f"$exists expects a boolean (field '{field}')")
    elif not _is_scalar(operand):
        raise FilterError(f"{operator} expects a string, number or boolean (field '{field}')")


def matches(filter: Mapping[str, Any] | None, metadata: Mapping[str, Any] | None) -> bool:
    """True when ``metadata`` satisfies ``filter`` (a validated filter; None/{} match all)."""
    if not filter:
        return True
    return _match_object(filter, metadata or {})


def _match_object(node: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    for key, value in node.items():
        if key == "$and":
            if not all(_match_object(item, metadata) for item in value):
                return False
        elif key == "$or":
            if not any(_match_object(item, metadata) for item in value):
                return False
        else:
            actual = metadata.get(key, _MISSING)
            if actual is None:
                actual = _MISSING
            if isinstance(value, Mapping):
                if not all(_match_operator(op, arg, actual) for op, arg in value.items()):
                    return False
            elif not _match_operator("$eq", value, actual):
                return False
    return True


def _equal(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    return left == right


def _compare(operator: str, actual: object, operand: object) -> bool:
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    if isinstance(operand, bool) or not isinstance(operand, (int, float)):
        return False
    if operator == "$gt":
        return actual > operand
    if operator == "$gte":
        return actual >= operand
    if operator == "$lt":
        return actual < operand
    return actual <= operand


def _values(actual: object) -> list[object]:
    return list(actual) if isinstance(actual, (list, tuple)) else [actual]


def _match_operator(operator: str, operand: Any, actual: object) -> bool:
    if operator == "$exists":
        return (actual is not _MISSING) is operand
    if actual is _MISSING:
        return operator in ("$ne", "$nin")
    values = _values(actual)
    if operator == "$eq":
        return any(_equal(v, operand) for v in values)
    if operator == "$ne":
        return not any(_equal(v, operand) for v in values)
    if operator == "$in":
        return any(_equal(v, item) for v in values for item in operand)
    if operator == "$nin":
        return not any(_equal(v, item) for v in values for item in operand)
    if operator in _RANGE_OPERATORS:
        return any(_compare(operator, v, operand) for v in values)
    raise FilterError(f"Unsupported filter operator: {operator}")
