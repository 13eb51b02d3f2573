"""Test-only validation of emulator responses against the committed API contract.

The contract (`pinecone_assistant_async/testing/contract/*.json`) is derived from Pinecone's
OpenAPI specs by `python -m pinecone_assistant_async.testing.contract.derive`; nothing here
reads a file outside the repository.

`SpecChecker.problems(observed)` returns a list of human-readable mismatches (empty when the
response matches the spec of the API version it was requested with). OpenAPI 3.0 schemas are
translated to JSON Schema draft 7: `nullable` becomes `anyOf [..., null]`, a `discriminator`
with a mapping selects the mapped schema by the tag value (an unknown tag is a mismatch),
`x-enum` stays informative (only real `enum`s are enforced), and `date-time`/`uuid` formats
are checked.

Versions whose spec has no `text/event-stream` schema for a streaming endpoint (2025-10 and
2025-04 chat) are checked against the default version's stream schema for the same path.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from pinecone_assistant_async.testing import DEFAULT_VERSION, SUPPORTED_VERSIONS, contract
from pinecone_assistant_async.testing.records import ObservedResponse

__all__ = ["SpecChecker", "contract_breaking", "spec_checker"]

PLANES = contract.PLANES
PREFIX = "/assistant"

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    uuid.UUID(value)
    return True


def _convert(node: Any) -> Any:
    """An OpenAPI 3.0 schema node as JSON Schema draft 7."""
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items() if k not in ("nullable", "discriminator")}
    disc = node.get("discriminator")
    if isinstance(disc, dict) and disc.get("mapping"):
        prop = disc["propertyName"]
        mapping = disc["mapping"]
        out.pop("oneOf", None)
        out["required"] = sorted({*out.get("required", []), prop})
        out["properties"] = {**out.get("properties", {}), prop: {"enum": list(mapping)}}
        out["allOf"] = [
            {"if": {"properties": {prop: {"const": tag}}}, "then": {"$ref": ref}}
            for tag, ref in mapping.items()
        ]
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


class _Spec:
    def __init__(self, plane: str, version: str) -> None:
        raw = contract.load(plane, version)
        self.name = contract.file_name(plane, version)
        self.components = _convert(raw.get("components", {}))
        self.operations: list[tuple[str, re.Pattern[str], dict[str, Any]]] = []
        for template, item in raw["paths"].items():
            pattern = re.compile(re.sub(r"\{[^}]+\}", "[^/]+", template))
            for method, op in item.items():
                self.operations.append((method.upper(), pattern, op))

    def find(self, method: str, path: str) -> dict[str, Any] | bool | None:
        """The operation; False when the path exists with other methods; None when absent."""
        seen_path = False
        for op_method, pattern, op in self.operations:
            if pattern.fullmatch(path):
                seen_path = True
                if op_method == method:
                    return op
        return False if seen_path else None

    def validate(self, schema: dict[str, Any], value: Any) -> list[str]:
        root = {"components": self.components, **_convert(schema)}
        validator = Draft7Validator(root, format_checker=FORMATS)
        return [
            f"{'/'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message}"
            for err in validator.iter_errors(value)
        ]

    def error_schema(self) -> dict[str, Any]:
        schemas = self.components.get("schemas", {})
        name = "ErrorResponse" if "ErrorResponse" in schemas else "BasicErrorResponse"
        return {"$ref": f"#/components/schemas/{name}"}


class SpecChecker:
    """Validates observed responses against the spec of their API version."""

    def __init__(self) -> None:
        self.specs: dict[str, dict[str, _Spec]] = {}
        for version in SUPPORTED_VERSIONS:
            self.specs[version] = {plane: _Spec(plane, version) for plane in PLANES}

    def _locate(
        self, version: str, method: str, path: str
    ) -> tuple[_Spec, dict[str, Any] | None, bool]:
        """(spec, operation or None, whether the path is known at all)."""
        planes = self.specs[version]
        known = False
        for plane in PLANES:
            found = planes[plane].find(method, path)
            if isinstance(found, dict):
                return planes[plane], found, True
            known = known or found is False
        plane = "evaluation" if path.startswith("/evaluation") else "data"
        if path.startswith("/assistants"):
            plane = "control"
        return planes[plane], None, known

    def problems(self, observed: ObservedResponse) -> list[str]:
        where = f"{observed.method} {observed.path} -> {observed.status} ({observed.api_version})"
        out = [f"{where}: {p}" for p in self._problems(observed)]
        return out

    def _problems(self, obs: ObservedResponse) -> list[str]:
        problems: list[str] = []
        headers = {k.lower(): v for k, v in obs.headers.items()}
        if not headers.get("x-pinecone-request-id"):
            problems.append("missing x-pinecone-request-id header")
        if obs.path.startswith("/emulator/"):
            return problems
        version = obs.api_version if obs.api_version in self.specs else DEFAULT_VERSION
        path = obs.path[len(PREFIX) :] if obs.path.startswith(PREFIX + "/") else obs.path
        spec, op, _ = self._locate(version, obs.method, path)
        if op is None:
            if obs.status < 400:
                return [*problems, "success answer for an operation this version does not have"]
            return problems + self._check_json(spec, spec.error_schema(), obs.body)
        response = op.get("responses", {}).get(str(obs.status))
        if response is None:
            if obs.status < 400:
                return [*problems, f"status {obs.status} is not declared by the spec"]
            return problems + self._check_json(spec, spec.error_schema(), obs.body)
        content = response.get("content")
        if not content and obs.status >= 400 and obs.body:
            # Some errors are declared without a body (PATCH 400/404); the service still sends
            # its usual error object, so that is what is checked.
            return problems + self._check_json(spec, spec.error_schema(), obs.body)
        if not content:
            if obs.body:
                problems.append(f"spec declares no body for {obs.status}, got {obs.body[:80]!r}")
            return problems
        media = obs.content_type.split(";")[0].strip()
        if media == "text/event-stream":
            return problems + self._check_stream(version, obs, content)
        if media not in content:
            return [*problems, f"content type {media!r} not in {sorted(content)}"]
        return problems + self._check_json(spec, content[media]["schema"], obs.body)

    def _check_json(self, spec: _Spec, schema: dict[str, Any], body: bytes) -> list[str]:
        try:
            value = json.loads(body)
        except ValueError:
            return [f"body is not JSON: {body[:80]!r}"]
        return spec.validate(schema, value)

    def _check_stream(
        self, version: str, obs: ObservedResponse, content: Mapping[str, Any]
    ) -> list[str]:
        spec = None
        schema = content.get("text/event-stream", {}).get("schema")
        if schema is None:
            path = obs.path[len(PREFIX) :]
            spec, op, _ = self._locate(DEFAULT_VERSION, obs.method, path)
            if op is not None:
                stream = op["responses"]["200"]["content"].get("text/event-stream", {})
                schema = stream.get("schema")
        else:
            spec = self._locate(version, obs.method, obs.path[len(PREFIX) :])[0]
        if schema is None or spec is None:
            return ["streamed an endpoint with no text/event-stream schema in any version"]
        problems: list[str] = []
        text = obs.body.decode()
        if not text.endswith("\n\n"):
            problems.append("stream does not end with a blank line")
        for number, block in enumerate(b for b in text.split("\n\n") if b):
            if not block.startswith("data: "):
                problems.append(f"event {number} is not a data line: {block[:60]!r}")
                continue
            data = block[len("data: ") :]
            if data == "[DONE]":
                continue
            for problem in spec.validate(schema, json.loads(data)):
                problems.append(f"event {number}: {problem}")
        return problems


def contract_breaking(observed: ObservedResponse) -> bool:
    """Whether a fault made this response break the contract on purpose (not validated)."""
    control = observed.control
    if control is None:
        return False
    return bool(
        (control.status is not None and control.body != "json")
        or control.cut_after is not None
        or control.extra_chunk
        or control.extra_fields
        or control.unknown_enum
    )


@functools.lru_cache(maxsize=1)
def spec_checker() -> SpecChecker:
    """The checker (the contract is read once per test session)."""
    return SpecChecker()
