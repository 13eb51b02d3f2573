"""Derive the committed API contract from Pinecone's OpenAPI specs (run on demand).

    python -m pinecone_assistant_async.testing.contract.derive PATH/TO/shared/api
    python -m pinecone_assistant_async.testing.contract.derive PATH/TO/shared/api --check

Each `assistant_{plane}_{version}.oas.yaml` becomes `assistant_{plane}_{version}.json` beside
this module: the same OpenAPI 3.0 document (paths, methods, parameters, request bodies,
schemas, status codes, security) without its prose (descriptions, summaries, titles, examples,
tags, contact and licence, `x-` documentation hints). `x-enum` is kept: it lists the values of
an extensible enum (the chat models, for one), which the emulator and the tests use. Response
objects keep an empty `description` because OpenAPI requires one. The output is still a valid
OpenAPI document, so openapi-core, jsonschema and schemathesis read it as they read the spec.

`--check` derives in memory and exits 1 when a committed file is missing, stale or extra.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["derive_document", "expected_files", "main", "render"]

HERE = Path(__file__).resolve().parent
PLANES = ("control", "data", "evaluation")

# Keys whose value is a map from names (property names, paths, status codes, media types...)
# to objects: the names are data, never stripped, even a property called "description".
_NAME_MAPS = frozenset(
    {
        "properties",
        "paths",
        "schemas",
        "responses",
        "content",
        "headers",
        "encoding",
        "variables",
        "securitySchemes",
        "parameters",
        "requestBodies",
        "patternProperties",
    }
)
# Keys whose value is data, copied as is (an enum's values, a default object).
_LITERALS = frozenset({"default", "enum", "x-enum", "const", "required", "mapping", "security"})
# Prose and documentation-only keys.
_PROSE = frozenset(
    {
        "description",
        "summary",
        "title",
        "example",
        "examples",
        "externalDocs",
        "tags",
        "contact",
        "license",
        "termsOfService",
    }
)
_KEPT_EXTENSIONS = frozenset({"x-enum"})


def _strip(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _PROSE or (key.startswith("x-") and key not in _KEPT_EXTENSIONS):
            continue
        if key in _LITERALS:
            out[key] = value
        elif key in _NAME_MAPS and isinstance(value, dict):
            out[key] = {name: _strip(item) for name, item in value.items()}
            if key == "responses":
                for item in out[key].values():
                    if isinstance(item, dict) and "$ref" not in item:
                        item["description"] = ""  # required by OpenAPI 3.0
        else:
            out[key] = _strip(value)
    return out


def derive_document(spec: dict[str, Any]) -> dict[str, Any]:
    """The contract of one OpenAPI document: the spec without its prose."""
    doc: dict[str, Any] = _strip(spec)
    info = spec.get("info", {})
    doc["info"] = {"title": info.get("title", ""), "version": str(info.get("version", ""))}
    return doc


def render(doc: dict[str, Any]) -> str:
    """The committed text of a contract (stable, one key per line, ASCII)."""
    return json.dumps(doc, indent=1, ensure_ascii=True) + "\n"


def expected_files(spec_dir: Path) -> dict[str, str]:
    """File name -> committed text, for every spec in `spec_dir`."""
    import yaml  # a test/dev dependency; the derived JSON needs no YAML at run time

    out: dict[str, str] = {}
    for path in sorted(spec_dir.glob("assistant_*_*.oas.yaml")):
        plane = path.name.split("_")[1]
        if plane not in PLANES:
            continue
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[path.name.replace(".oas.yaml", ".json")] = render(derive_document(spec))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pinecone_assistant_async.testing.contract.derive",
        description="Derive the committed API contract from the OpenAPI specs.",
    )
    parser.add_argument("spec_dir", type=Path, help="the folder of *.oas.yaml specs")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed contract is stale"
    )
    parser.add_argument("--out", type=Path, default=HERE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.spec_dir.is_dir():
        parser.error(f"{args.spec_dir} is not a folder")
    wanted = expected_files(args.spec_dir)
    if not wanted:
        parser.error(f"no assistant_*_*.oas.yaml specs in {args.spec_dir}")
    out_dir: Path = args.out
    present = {p.name for p in out_dir.glob("assistant_*_*.json")}
    if args.check:
        stale = [
            name
            for name, text in wanted.items()
            if not (out_dir / name).is_file()
            or (out_dir / name).read_text(encoding="utf-8") != text
        ]
        extra = sorted(present - set(wanted))
        for name in stale:
            print(f"stale or missing: {name}", file=sys.stderr)
        for name in extra:
            print(f"not derived from any spec: {name}", file=sys.stderr)
        if stale or extra:
            print(
                f"re-run: python -m {__spec__.name if __spec__ else 'derive'} {args.spec_dir}",
                file=sys.stderr,
            )
            return 1
        print(f"contract up to date ({len(wanted)} files)")
        return 0
    for name in sorted(present - set(wanted)):
        (out_dir / name).unlink()
    for name, text in wanted.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} files to {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
