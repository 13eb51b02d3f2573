"""The committed API contract: complete, valid OpenAPI, free of prose, and re-derivable.

The contract files are derived from Pinecone's OpenAPI specs by `contract/derive.py`; these
tests read only what the repository holds (the derive script is exercised on a small spec
written here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from pinecone_assistant_async import config
from pinecone_assistant_async.testing import DEFAULT_VERSION, SUPPORTED_VERSIONS, contract, versions
from pinecone_assistant_async.testing.contract import derive

PROSE = {"description", "summary", "example", "examples", "title", "tags", "externalDocs"}


def _keys(node: Any, path: str = "") -> list[tuple[str, str]]:
    """(path, key) of every key used as an OpenAPI keyword (not as a name) in `node`."""
    out: list[tuple[str, str]] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            out += _keys(item, f"{path}/{i}")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in derive._LITERALS:
                out.append((path, key))
            elif key in derive._NAME_MAPS and isinstance(value, dict):
                out.append((path, key))
                for name, item in value.items():
                    out += _keys(item, f"{path}/{key}/{name}")
            else:
                out.append((path, key))
                out += _keys(value, f"{path}/{key}")
    return out


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("plane", contract.PLANES)
def test_every_plane_of_every_version_is_committed_valid_and_without_prose(
    plane: str, version: str
) -> None:
    doc = contract.load(plane, version)
    assert doc["openapi"].startswith("3.0")
    assert doc["info"]["version"] == version
    assert doc["paths"], "a contract without operations"
    if (plane, version) == ("data", "2025-04"):
        # Faithful to its source: the 2025-04 data spec itself gives booleans a string default
        # (`default: 'false'`), which OpenAPI validators reject. Nothing reads those defaults.
        with pytest.raises(OpenAPIValidationError, match="'false' is not of type 'boolean'"):
            validate(doc)
    else:
        validate(doc)
    prose = [
        f"{where}: {key}"
        for where, key in _keys(doc)
        if key in PROSE
        and not (key == "description" and "/responses/" in where)
        and not (key == "title" and where == "/info")
    ]
    assert prose == []
    assert all(
        response.get("description", "") == ""
        for item in doc["paths"].values()
        for op in item.values()
        for response in op.get("responses", {}).values()
    )


def test_the_loader_returns_a_copy_the_caller_may_change() -> None:
    doc = contract.load("control", "2026-07")
    doc["paths"].clear()
    assert contract.load("control", "2026-07")["paths"]


def test_a_version_the_contract_does_not_hold_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError):
        contract.load("data", "2024-01")
    with pytest.raises(ValueError, match="unknown plane"):
        contract.load("billing", "2026-07")


SMALL_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "T", "description": "prose", "version": "2099-01", "contact": {}},
    "tags": [{"name": "x", "description": "prose"}],
    "paths": {
        "/things/{name}": {
            "get": {
                "summary": "prose",
                "description": "prose",
                "tags": ["x"],
                "operationId": "get_thing",
                "parameters": [
                    {
                        "in": "path",
                        "name": "name",
                        "required": True,
                        "description": "prose",
                        "example": "e",
                        "schema": {"type": "string", "x-component-name": "N"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "prose",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"},
                                "examples": {"one": {"value": {"description": "d"}}},
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "title": "Thing",
                "description": "prose",
                "type": "object",
                "required": ["description"],
                "properties": {
                    # A property *named* like a prose keyword is data and must survive.
                    "description": {"type": "string", "description": "prose"},
                    "kind": {"type": "string", "x-enum": ["a", "b"], "default": "a"},
                },
                "example": {"description": "d"},
            }
        }
    },
}

EXPECTED = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "2099-01"},
    "paths": {
        "/things/{name}": {
            "get": {
                "operationId": "get_thing",
                "parameters": [
                    {"in": "path", "name": "name", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["description"],
                "properties": {
                    "description": {"type": "string"},
                    "kind": {"type": "string", "x-enum": ["a", "b"], "default": "a"},
                },
            }
        }
    },
}


def test_derive_keeps_the_structure_and_drops_only_the_prose() -> None:
    derived = derive.derive_document(SMALL_SPEC)
    assert derived == EXPECTED
    validate(derived)


def test_derive_writes_then_check_passes_and_notices_staleness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs, out = tmp_path / "api", tmp_path / "out"
    specs.mkdir()
    out.mkdir()
    (specs / "assistant_data_2099-01.oas.yaml").write_text(yaml.safe_dump(SMALL_SPEC))
    assert derive.main([str(specs), "--out", str(out), "--check"]) == 1  # nothing written yet
    assert derive.main([str(specs), "--out", str(out)]) == 0
    written = out / "assistant_data_2099-01.json"
    assert json.loads(written.read_text()) == EXPECTED
    assert derive.main([str(specs), "--out", str(out), "--check"]) == 0
    written.write_text(written.read_text().replace('"a"', '"z"'))
    assert derive.main([str(specs), "--out", str(out), "--check"]) == 1
    assert "stale or missing: assistant_data_2099-01.json" in capsys.readouterr().err
    derive.main([str(specs), "--out", str(out)])
    (out / "assistant_data_2098-01.json").write_text("{}")
    assert derive.main([str(specs), "--out", str(out), "--check"]) == 1
    assert "not derived from any spec: assistant_data_2098-01.json" in capsys.readouterr().err


def test_the_chat_model_lists_come_from_the_contract() -> None:
    assert contract.chat_models("2026-07")[0] == "gpt-4o"
    assert "gpt-5" in contract.chat_models("2026-07")
    # The 2026-07 spec does not offer gpt-5 on the OpenAI-compatible endpoint.
    assert "gpt-5" not in contract.chat_models("2026-07", completions=True)
    assert "claude-3-7-sonnet" in contract.chat_models("2025-04")


def test_the_sdk_the_emulator_and_the_contract_agree_on_the_api_versions() -> None:
    assert set(config.SUPPORTED_API_VERSIONS) == set(versions.SUPPORTED_VERSIONS)
    assert config.DEFAULT_API_VERSION == versions.DEFAULT_VERSION == DEFAULT_VERSION
    assert all(versions.features(v) is not None for v in config.SUPPORTED_API_VERSIONS)
    for version, sdk in config.API_FEATURES.items():  # where the two tables overlap
        assert sdk.metadata_in_form is not versions.features(version).metadata_in_query  # type: ignore[union-attr]
    for version in config.SUPPORTED_API_VERSIONS:  # the contract holds every one of them
        for plane in contract.PLANES:
            assert contract.load(plane, version)["info"]["version"] == version
