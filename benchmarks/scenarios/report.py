"""The results table: figures per client, ratios to raw aiohttp, targets with PASS/MISS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .spec import Sizes

__all__ = ["ROWS", "Row", "render", "typed_floor", "verdicts"]


@dataclass(frozen=True)
class Row:
    scenario: str
    metric: str
    unit: str
    higher_is_better: bool
    target: tuple[str, float] | None
    """("ratio_max", x): ours/raw <= x; ("ratio_min", x): >= x; ("delta_max", x): ours-raw <= x."""
    base_metric: str | None = None
    """Compare ours with this metric of raw aiohttp instead of the same one."""


# Targets of issue 16 (a and e from issue 7), ours against raw aiohttp with orjson, same run.
ROWS = (
    Row("a", "median_ms", "median ms", False, ("ratio_max", 1.3)),
    Row("a", "p99_ms", "p99 ms", False, None),
    Row("a", "cpu_us_per_op", "CPU us/call", False, None),
    Row("b", "calls_per_s", "calls/s", True, ("ratio_min", 0.9)),
    Row("b", "cpu_us_per_op", "CPU us/call", False, None),
    Row("c", "chunks_per_s", "chunks/s", True, ("ratio_min", 0.6)),
    Row("c", "ttfc_short_ms", "TTFC ms", False, ("ratio_max", 1.2)),
    Row("c", "ttfc_ms", "TTFC ms, 20k", False, None),
    Row("c", "cpu_us_per_op", "CPU us/chunk", False, None),
    Row("d", "files_per_s", "files/s", True, ("ratio_min", 0.9)),
    Row("d", "cpu_us_per_op", "CPU us/file", False, None),
    Row("e", "peak_rss_mb", "peak RSS +MB", False, ("delta_max", 20.0)),
    Row("f", "import_ms", "import ms", False, None),
    Row("f", "first_client_ms", "+1st client ms", False, ("ratio_max", 1.15), "import_ms"),
    Row("f", "first_call_ms", "+1st call ms", False, None),
)


def titles(sizes: Sizes) -> dict[str, str]:
    return {
        "a": f"a sequential chat x{sizes.seq_calls}",
        "b": f"b chat, {sizes.conc_tasks} concurrent, {sizes.conc_seconds:g}s",
        "c": f"c stream {sizes.stream_chunks:,} chunks x{sizes.stream_repeats}",
        "d": f"d {sizes.bulk_files} x {sizes.bulk_file_size // 1024} KiB files"
        f", c={sizes.bulk_concurrency}",
        "e": f"e upload one {sizes.big_file_mb} MiB file",
        "f": f"f cold start (median of {sizes.import_repeats})",
    }


def _value(
    results: dict[str, Any], row: Row, client: str, metric: str | None = None
) -> float | None:
    cell = results.get(row.scenario, {}).get(client)
    if not cell or "metrics" not in cell:
        return None
    value = cell["metrics"].get(metric or row.metric)
    return None if value is None else float(value)


def _base(results: dict[str, Any], row: Row) -> float | None:
    """The raw aiohttp figure ``row`` is compared with."""
    return _value(results, row, "raw", row.base_metric)


def _spread(results: dict[str, Any], row: Row, client: str) -> float | None:
    cell = results.get(row.scenario, {}).get(client) or {}
    value = cell.get("spread", {}).get(row.metric)
    return None if value is None else float(value)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _compare(row: Row, value: float | None, base: float | None) -> str:
    if value is None or base is None:
        return "-"
    if row.target is not None and row.target[0] == "delta_max":
        return f"{value - base:+.1f} MB"
    if base == 0:
        return "-"
    return f"{value / base:.2f}x"


def verdicts(results: dict[str, Any]) -> list[tuple[Row, str, str]]:
    """(row, "PASS"/"MISS"/"n/a", detail) for every row with a target."""
    out = []
    for row in ROWS:
        if row.target is None:
            continue
        kind, limit = row.target
        ours, raw = _value(results, row, "ours"), _base(results, row)
        if ours is None or raw is None or (kind != "delta_max" and raw == 0):
            out.append((row, "n/a", "not measured"))
            continue
        if kind == "delta_max":
            measured = ours - raw
            ok, text = measured <= limit, f"{measured:+.1f} MB <= {limit:g} MB"
        elif kind == "ratio_max":
            measured = ours / raw
            ok, text = measured <= limit, f"{measured:.2f}x <= {limit:g}x"
        else:
            measured = ours / raw
            ok, text = measured >= limit, f"{measured:.2f}x >= {limit:g}x"
        if row.scenario == "f":
            leaked = results.get("f", {}).get("ours", {}).get("leaked") or []
            if leaked:
                ok, text = False, text + f"; imported by default: {', '.join(leaked)}"
        out.append((row, "PASS" if ok else "MISS", text))
    return out


def typed_floor(results: dict[str, Any]) -> list[str]:
    """Scenario c against the second floor, raw aiohttp handing out this SDK's pydantic chunks:
    what building the models costs any client, and what ours costs beyond that."""
    cells = results.get("c", {})
    lines = []
    for metric, unit in (("chunks_per_s", "chunks/s"), ("cpu_us_per_op", "CPU us/chunk")):
        row = Row("c", metric, unit, metric == "chunks_per_s", None)
        raw, typed, ours = (_value(results, row, c) for c in ("raw", "typed", "ours"))
        if "typed" not in cells or raw is None or typed is None or ours is None or not typed:
            continue
        lines.append(
            f"  c {unit}, floor with models (raw + models): {typed / raw:.2f}x raw;"
            f" ours {ours / typed:.2f}x of it"
        )
    return lines


def _target_text(row: Row) -> str:
    if row.target is None:
        return ""
    kind, limit = row.target
    text = {"ratio_max": f"<= {limit:g}x", "ratio_min": f">= {limit:g}x"}.get(
        kind, f"<= +{limit:g} MB"
    )
    return text + (" of raw import" if row.base_metric == "import_ms" else "")


def _cpu_text(results: dict[str, Any], scenario: str, clients: list[str], key: str) -> str:
    parts = []
    for client in clients:
        share = results.get(scenario, {}).get(client, {}).get(key)
        parts.append("-" if share is None else f"{100 * share:.0f}")
    return "/".join(parts)


def _rounds(results: dict[str, Any], row: Row) -> int:
    if row.scenario == "f":
        return 2  # f's figures are medians over several interpreters: always a spread
    cells = results.get(row.scenario, {})
    return max((int(c.get("rounds", 1)) for c in cells.values() if isinstance(c, dict)), default=1)


def render(results: dict[str, Any], clients: list[str], sizes: Sizes, official_mode: str) -> str:
    """The table as fixed-width text (also pasted into benchmarks/README.md)."""
    names = {
        "raw": "raw aiohttp",
        "typed": "raw + models",
        "ours": "ours",
        "official": f"pinecone ({official_mode})",
    }
    verdict = {(r.scenario, r.metric): (v, d) for r, v, d in verdicts(results)}
    header = ["scenario", "metric"]
    for client in clients:
        header.append(names[client])
        if client != "raw":
            header.append("/raw")
    header += ["target", "ours", "server CPU%", "client CPU%"]
    lines: list[list[str]] = [header]
    seen: set[str] = set()
    title = titles(sizes)
    for row in ROWS:
        first = row.scenario not in seen
        seen.add(row.scenario)
        line = [title[row.scenario] if first else "", row.unit]
        base = _base(results, row)
        for client in clients:
            value = _value(results, row, client)
            cell = results.get(row.scenario, {}).get(client, {})
            text = "n/a" if cell.get("error") else _fmt(value)
            spread = _spread(results, row, client)
            if spread is not None and value is not None and _rounds(results, row) > 1:
                text += f" ±{100 * spread:.0f}%"
            line.append(text)
            if client != "raw":
                line.append(_compare(row, value, base))
        line.append(_target_text(row))
        line.append(verdict.get((row.scenario, row.metric), ("", ""))[0])
        srv = _cpu_text(results, row.scenario, clients, "server_cpu") if first else ""
        cli = _cpu_text(results, row.scenario, clients, "client_cpu") if first else ""
        line += [srv if row.scenario != "f" else "", cli if row.scenario != "f" else ""]
        lines.append(line)
    widths = [max(len(r[i]) for r in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        pairs = enumerate(zip(line, widths, strict=True))
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in pairs]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("-" * len(out[0]))
    notes = []
    for scenario, cells in results.items():
        for client, cell in cells.items():
            if isinstance(cell, dict) and cell.get("error"):
                notes.append(f"n/a {scenario}/{names[client]}: {cell['error']}")
    out.append(
        "±: half the range over the rounds (f: over the fresh interpreters), relative to the"
        " median; each figure is the best round (f: the median)."
    )
    order = "/".join(names[c].split(" (")[0] for c in clients)
    out.append(f"CPU% columns: share of one core during the measured window ({order}).")
    return "\n".join(out + notes)
