"""The package's public surface: __all__ is complete and importing stays lean."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest

import pinecone_assistant_async as package
from pinecone_assistant_async import models, services

# The packages whose public names are imported on first use (PEP 562).
LAZY_PACKAGES = [package, models, services]


def test_all_is_complete_and_importable() -> None:
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    ours = {
        name
        for name in dir(package)
        if not name.startswith("_")
        and not isinstance(getattr(package, name), types.ModuleType)
        and getattr(getattr(package, name), "__module__", "").startswith(package.__name__)
    }
    assert ours <= set(package.__all__)
    assert set(package._LAZY) <= set(package.__all__)
    assert len(package.__all__) == len(set(package.__all__))


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(package, "NoSuchThing")


def test_importing_the_package_leaves_the_emulator_cli_and_extras_out() -> None:
    code = (
        "import sys, pinecone_assistant_async\n"
        "heavy = ['pinecone_assistant_async.testing', 'pinecone_assistant_async.cli', "
        "'rich', 'langchain_core', 'aiohttp.web', 'pypdf', 'docx']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def _type_checking_imports(lazy: types.ModuleType) -> dict[str, tuple[str, str | None]]:
    """Name -> (module, alias) for each import in __init__.py's `if TYPE_CHECKING:` block."""
    tree = ast.parse(Path(lazy.__file__ or "").read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str | None]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom), ast.unparse(stmt)
                for alias in stmt.names:
                    found[alias.name] = ("." * stmt.level + (stmt.module or ""), alias.asname)
    return found


@pytest.mark.parametrize("lazy", LAZY_PACKAGES, ids=lambda m: m.__name__)
def test_type_checkers_see_exactly_the_lazy_names_as_explicit_reexports(
    lazy: types.ModuleType,
) -> None:
    # type checkers read the TYPE_CHECKING block, the runtime reads _LAZY (_LAZY_BY_MODULE):
    # one forgotten line in either would make a name invisible to mypy or missing at run time
    seen = _type_checking_imports(lazy)
    assert {name: module for name, (module, _) in seen.items()} == lazy._LAZY
    # `X as X` is what marks a re-export as public under mypy --strict and pyright
    assert [name for name, (_, alias) in seen.items() if alias != name] == []


@pytest.mark.parametrize("lazy", [models, services], ids=lambda m: m.__name__)
def test_each_lazy_name_comes_from_the_module_that_exports_it(lazy: types.ModuleType) -> None:
    assert set(lazy._LAZY) <= set(lazy.__all__)
    for name, module in lazy._LAZY.items():
        defining = importlib.import_module(module, lazy.__name__)
        assert name in defining.__all__, (name, module)
        assert getattr(lazy, name) is getattr(defining, name)
    assert not hasattr(lazy, "NoSuchThing")


def test_every_error_class_is_exported() -> None:
    errors = {
        name for name in package.errors.__all__ if isinstance(getattr(package.errors, name), type)
    }
    assert errors <= set(package.__all__)
