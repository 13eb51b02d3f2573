"""The package's layout rules that a change can break without any other test noticing."""

from __future__ import annotations

from pathlib import Path

import pinecone_assistant_async

PACKAGE = Path(pinecone_assistant_async.__file__).parent
MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50, "the package's modules were found"
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules (a module per layer and per API area): {long}"


def test_the_package_ships_its_type_information() -> None:
    assert (PACKAGE / "py.typed").is_file()
