"""``python -m benchmarks --quick`` runs end to end and prints the whole table.

It must run, not meet targets: figures are not asserted (speed belongs to the benchmarks).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.scenarios.report import ROWS, titles
from benchmarks.scenarios.spec import Sizes

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_quick_benchmarks_print_every_row() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    lines = out.splitlines()
    assert any(line.startswith("versions: python") for line in lines), out
    assert any(line.startswith("machine: ") for line in lines), out
    header = next(line for line in lines if line.startswith("scenario"))
    assert "raw aiohttp" in header and "raw + models" in header and "ours" in header
    # the second floor of c: raw aiohttp handing out this SDK's chunk models
    floor = [line for line in lines if "floor with models (raw + models)" in line]
    assert [line.split(",")[0].strip() for line in floor] == ["c chunks/s", "c CPU us/chunk"], out
    for title in titles(Sizes.quick()).values():
        row = next((line for line in lines if line.startswith(title)), None)
        assert row is not None, f"no row for {title!r} in:\n{out}"
    units = [line for line in lines if any(f"  {row.unit}  " in line for row in ROWS)]
    assert len(units) >= len(ROWS), out
    for row in ROWS:
        if row.target is not None:
            verdict = next(
                line
                for line in lines
                if line.strip().startswith(("PASS", "MISS", "n/a"))
                and f" {row.scenario} {row.unit}:" in line
            )
            assert verdict.split()[0] in ("PASS", "MISS"), verdict
