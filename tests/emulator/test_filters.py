"""The metadata filter language: every operator, missing fields, nesting and bad filters."""

from __future__ import annotations

from typing import Any

import pytest

from pinecone_assistant_async.testing.filters import FilterError, matches, validate_filter

DOC = {
    "genre": "drama",
    "year": 2020,
    "rating": 4.5,
    "draft": False,
    "tags": ["report", "q4"],
    "nothing": None,
}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"genre": "drama"}, True),
        ({"genre": "comedy"}, False),
        ({"genre": {"$eq": "drama"}}, True),
        ({"genre": {"$ne": "drama"}}, False),
        ({"genre": {"$ne": "comedy"}}, True),
        ({"year": {"$gt": 2019}}, True),
        ({"year": {"$gt": 2020}}, False),
        ({"year": {"$gte": 2020}}, True),
        ({"year": {"$lt": 2020}}, False),
        ({"year": {"$lte": 2020}}, True),
        ({"rating": {"$gt": 4, "$lt": 5}}, True),
        ({"rating": {"$gt": 4, "$lt": 4.5}}, False),
        ({"genre": {"$in": ["drama", "comedy"]}}, True),
        ({"genre": {"$in": ["comedy"]}}, False),
        ({"genre": {"$nin": ["comedy"]}}, True),
        ({"genre": {"$nin": ["drama"]}}, False),
        ({"genre": {"$exists": True}}, True),
        ({"genre": {"$exists": False}}, False),
        ({"draft": False}, True),
        ({"draft": {"$eq": 0}}, False),  # booleans never equal numbers
        ({"year": {"$eq": 2020.0}}, True),
        ({"genre": {"$gt": 1}}, False),  # ranges on a string never match
        # list-valued metadata: any element for $eq/$in, none for $ne/$nin
        ({"tags": "q4"}, True),
        ({"tags": {"$in": ["q1", "report"]}}, True),
        ({"tags": {"$ne": "q4"}}, False),
        ({"tags": {"$nin": ["q1", "q2"]}}, True),
        ({"tags": {"$nin": ["q4"]}}, False),
    ],
)
def test_each_operator(flt: dict[str, Any], expected: bool) -> None:
    assert matches(validate_filter(flt), DOC) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"$eq": "x"}, False),
        ({"$ne": "x"}, True),
        ({"$in": ["x"]}, False),
        ({"$nin": ["x"]}, True),
        ({"$gt": 0}, False),
        ({"$gte": 0}, False),
        ({"$lt": 0}, False),
        ({"$lte": 0}, False),
        ({"$exists": True}, False),
        ({"$exists": False}, True),
        ("x", False),
    ],
)
@pytest.mark.parametrize("field", ["absent", "nothing"])
def test_missing_or_null_fields(field: str, condition: object, expected: bool) -> None:
    assert matches(validate_filter({field: condition}), DOC) is expected


def test_missing_metadata_behaves_like_empty() -> None:
    assert matches({"genre": {"$ne": "drama"}}, None) is True
    assert matches({"genre": "drama"}, None) is False


def test_empty_or_absent_filter_matches_everything() -> None:
    assert matches(None, DOC)
    assert matches({}, DOC)
    assert matches({}, None)


def test_top_level_keys_are_an_implicit_and() -> None:
    assert matches({"genre": "drama", "year": 2020}, DOC)
    assert not matches({"genre": "drama", "year": 2021}, DOC)


def test_nested_and_or() -> None:
    flt = {
        "$or": [
            {"$and": [{"genre": "comedy"}, {"year": {"$gte": 2000}}]},
            {"$and": [{"genre": "drama"}, {"$or": [{"rating": {"$gte": 4}}, {"draft": True}]}]},
        ]
    }
    assert matches(validate_filter(flt), DOC)
    assert not matches(flt, {**DOC, "rating": 3.0})
    assert matches(flt, {**DOC, "rating": 3.0, "draft": True})
    assert matches(flt, {"genre": "comedy", "year": 2001})
    assert not matches(flt, {"genre": "comedy"})
    assert not matches({"$and": [{"genre": "drama"}, {"year": 1999}]}, DOC)
    assert not matches({"$or": [{"genre": "x"}, {"year": 1999}]}, DOC)


def test_validate_returns_a_dict_copy() -> None:
    flt = {"genre": "drama"}
    validated = validate_filter(flt)
    assert validated == flt
    assert validated is not flt


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        ({"genre": {"$foo": 1}}, "Unsupported filter operator: $foo"),
        ({"$foo": [{"a": 1}]}, "Unsupported filter operator: $foo"),
        ({"genre": {"$in": "drama"}}, "$in expects a list"),
        ({"genre": {"$nin": 3}}, "$nin expects a list"),
        ({"genre": {"$in": [["nested"]]}}, "$in expects a list of strings"),
        ({"year": {"$gt": "2020"}}, "$gt expects a number"),
        ({"year": {"$lte": True}}, "$lte expects a number"),
        ({"genre": {"$exists": 1}}, "$exists expects a boolean"),
        ({"genre": {"$eq": {"a": 1}}}, "$eq expects a string, number or boolean"),
        ({"$and": {"genre": "drama"}}, "$and expects a non-empty list"),
        ({"$or": []}, "$or expects a non-empty list"),
        ({"$or": ["genre"]}, "$or expects a list of filter objects"),
        ({"$and": [{"year": {"$bad": 1}}]}, "Unsupported filter operator: $bad"),
        ({"$eq": "drama"}, "must be applied to a field"),
        ({"genre": {"$and": [{"a": 1}]}}, "cannot be used inside field"),
        ({"genre": None}, "must not be null"),
        ({"genre": ["a", "b"]}, "use $in"),
        ({"genre": {}}, "must not be empty"),
        ({"": 1}, "non-empty strings"),
        (["genre"], "must be a JSON object"),
        ("genre", "must be a JSON object"),
    ],
)
def test_bad_filters_are_rejected_with_a_clear_message(flt: object, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        validate_filter(flt)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)
