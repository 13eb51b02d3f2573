"""Benchmarks side by side: this package, raw aiohttp (the floor) and Pinecone's official SDK.

``python -m benchmarks [--quick] [--profile DIR] [--write-readme]`` (or
``python benchmarks/run.py ...``) starts the emulator in instant mode in its own process,
runs every scenario for every client in a fresh worker process, measures the server's CPU
during each measured window, and prints one table with ratios to raw aiohttp and PASS/MISS
against the targets of issue 7. The server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scenarios import imports, machine, report
from benchmarks.scenarios.server import (
    CpuSampler,
    free_port,
    fresh_assistant,
    make_files,
    prepare,
    start_server,
    stop_server,
)
from benchmarks.scenarios.spec import CLIENTS, SCENARIOS, Sizes, WorkerJob, runs_in

__all__ = ["main"]

REPO = Path(__file__).resolve().parent.parent
README = REPO / "benchmarks" / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
PROFILED = ("b", "c", "d")
OFFICIAL_MODE = "asyncio"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts (CI; < 1 minute)")
    parser.add_argument("--clients", default=",".join(CLIENTS), help="raw,typed,ours,official")
    parser.add_argument(
        "--scenarios",
        default="abcdef",
        help="a subset: letters (abcdef) or names, comma-separated; or limits (alone)",
    )
    parser.add_argument("--profile", metavar="DIR", help="also profile ours (b, c, d) into DIR")
    parser.add_argument("--json", metavar="PATH", help="write the raw results as JSON")
    parser.add_argument("--write-readme", action="store_true", help="put the table in README")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_worker(job: WorkerJob, timeout: float) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.scenarios.worker", json.dumps(job.to_json())]
    try:
        proc = subprocess.run(
            args, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"worker exceeded {timeout:.0f}s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[7:])
            if "error" in result:
                log(proc.stderr.strip()[-2000:])
            return result
    log(proc.stderr.strip()[-2000:])
    return {"error": f"worker exited {proc.returncode} without a result"}


class Runner:
    """Runs worker jobs against one server, giving d and e a fresh assistant each time."""

    def __init__(
        self, sizes: Sizes, url: str, sampler: CpuSampler, files: tuple[Path, Path], quick: bool
    ) -> None:
        self.sizes = sizes
        self.url = url
        self.sampler = sampler
        self.files = files
        self.timeout = 120.0 if quick else 400.0
        self._serial = 0
        self._last: str | None = None

    def run(self, scenario: str, client: str, profile: str | None = None) -> dict[str, Any]:
        assistant = ""
        if scenario in ("d", "e"):
            self._serial += 1
            assistant = f"bench-{scenario}-{client}-{self._serial}"
            fresh_assistant(self.url, assistant, self._last)
            self._last = assistant
        job = WorkerJob(
            client,
            scenario,
            self.url,
            self.sizes.to_json(),
            str(self.files[0]),
            str(self.files[1]),
            assistant,
            profile,
        )
        result = run_worker(job, self.timeout)
        if "window" in result:
            start, end = result["window"]
            result["server_cpu"] = self.sampler.share(start, end)
            result["client_cpu"] = result["client_cpu"] / max(end - start, 1e-9)
        return result


def _best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's best over the rounds (max of rates, min of times, memory and CPU cost):
    other processes on the machine can only slow a run down, never speed it up. ``spread``
    holds each figure's half range over the rounds, relative to its median."""
    good = [r for r in runs if "metrics" in r]
    if not good:
        return runs[-1]
    merged: dict[str, Any] = {"mode": good[0].get("mode"), "rounds": len(good)}
    metrics: dict[str, float] = {}
    spread: dict[str, float] = {}
    for key in good[0]["metrics"]:
        values = [r["metrics"][key] for r in good]
        metrics[key] = max(values) if key.endswith("_per_s") else min(values)
        median = statistics.median(values)
        spread[key] = (max(values) - min(values)) / 2 / median if median else 0.0
    merged["metrics"] = metrics
    merged["spread"] = spread
    for key in ("server_cpu", "client_cpu"):
        shares = [r[key] for r in good if r.get(key) is not None]
        merged[key] = statistics.median(shares) if shares else None
    return merged


def selected(option: str) -> list[str]:
    """Scenario names from ``--scenarios``: ``abc`` (one letter each) or ``a,c,limits``."""
    known = (*SCENARIOS, "f")
    names = option.split(",") if "," in option else None
    if names is None:
        names = list(option) if all(c in known for c in option) else [option]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def run_scenarios(opts: argparse.Namespace, runner: Runner, clients: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for scenario in (s for s in SCENARIOS if s in selected(opts.scenarios)):
        taking_part = [c for c in clients if runs_in(c, scenario)]
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in taking_part}
        for round_ in range(runner.sizes.rounds):
            for client in taking_part:
                started = time.perf_counter()
                result = runner.run(scenario, client)
                runs[client].append(result)
                shown = result.get("metrics", result.get("error"))
                elapsed = time.perf_counter() - started
                log(f"  {scenario}/{client} #{round_ + 1}: {shown} ({elapsed:.1f}s)")
        results[scenario] = {c: _best_of(r) for c, r in runs.items()}
    return results


def run_profiles(opts: argparse.Namespace, runner: Runner) -> list[str]:
    written: list[str] = []
    for scenario in (s for s in PROFILED if s in selected(opts.scenarios)):
        result = runner.run(scenario, "ours", opts.profile)
        written += result.get("profile_files", [])
        log(f"  profiled {scenario}/ours: {result.get('metrics', result.get('error'))}")
    return written


def heading(versions: dict[str, str], box: dict[str, str], how: str, quick: bool) -> str:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = "--quick" if quick else "full"
    return "\n".join(
        [
            f"Benchmarks ({mode}) {stamp}",
            "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
            f"machine: {box['nproc']} CPUs ({box['cpu']}), {box['ram']} RAM, {box['os']}",
            f"server: {how}, its own process on loopback",
            f"official SDK: pinecone.AsyncPinecone ({OFFICIAL_MODE}, its own assistant API;"
            " pool 128; d: a semaphore over upload_file, it has no bulk upload)",
        ]
    )


def summary(results: dict[str, Any]) -> str:
    lines = ["Targets (ours vs raw aiohttp, same run):"]
    for row, verdict, detail in report.verdicts(results):
        lines.append(f"  {verdict:4}  {row.scenario} {row.unit}: {detail}")
    lines += report.typed_floor(results)
    return "\n".join(lines)


def write_readme(text: str) -> None:
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    block = f"{START}\n```text\n{text}\n```\n{END}"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head + block + rest.split(END, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    README.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if opts.scenarios == "limits":  # the rate-limits scenario (benchmarks/limits_bench.py)
        from benchmarks import limits_bench

        return limits_bench.main(opts.quick)
    sizes = Sizes.quick() if opts.quick else Sizes.full()
    clients = [c for c in opts.clients.split(",") if c in CLIENTS]
    if "official" in clients and not machine.official_available():
        log("the official SDK (pip install pinecone) is not installed: its column is skipped")
        clients.remove("official")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as tmp:
        workdir = Path(tmp)
        count = sizes.bulk_files + 1  # one spare to warm up with
        files = make_files(workdir, count, sizes.bulk_file_size, sizes.big_file_mb)
        port = free_port()
        proc, how = start_server(REPO, port, workdir / "server.log")
        sampler = CpuSampler(proc.pid)
        sampler.start()
        url = f"http://127.0.0.1:{port}"
        try:
            log(f"server pid {proc.pid} on {url}; preparing assistants")
            prepare(url, workdir)
            runner = Runner(sizes, url, sampler, files, opts.quick)
            results = run_scenarios(opts, runner, clients)
            if "f" in selected(opts.scenarios):
                repeats = sizes.import_repeats
                cold = [c for c in clients if runs_in(c, "f")]
                results["f"] = imports.measure_imports(cold, url, repeats, str(REPO))
                log(f"  f: {results['f']}")
            profiles = run_profiles(opts, runner) if opts.profile else []
        finally:
            sampler.stop()
            stop_server(proc)
    head = heading(machine.versions(REPO), machine.describe_machine(), how, opts.quick)
    table = report.render(results, clients, sizes, OFFICIAL_MODE)
    text = f"{head}\n\n{table}\n\n{summary(results)}"
    print(text)
    for path in profiles:
        print(f"profile: {path}")
    print(f"(total {time.perf_counter() - started:.1f}s)")
    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    if opts.write_readme:
        write_readme(text)
    failed = [
        f"{s}/{c}"
        for s, cells in results.items()
        for c, cell in cells.items()
        if isinstance(cell, dict) and cell.get("error") and c != "official"
    ]
    if failed:
        log(f"errors in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
