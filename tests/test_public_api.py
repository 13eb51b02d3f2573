"""The package's public surface: __all__ is complete and importing stays lean."""

from __future__ import annotations

import subprocess
import sys
import types

import pinecone_assistant_async as package


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
