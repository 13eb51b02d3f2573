"""A small mutation-testing driver for this repository (run on demand, never by CI or pytest).

For each module given, it lists every mutant of a few kinds (a flipped comparison, ``and``
swapped with ``or``, a changed number or boolean, a negated condition, a removed ``not``, a
swapped arithmetic operator, a statement replaced by ``pass``, a return value replaced by
``None``), takes a deterministic seeded sample of them, and for each one writes the mutated
module into a *copy* of the repository in a temporary directory (the worktree is never
touched) and runs the tests that execute the mutated lines with ``-x -q`` under a time limit.
A mutant is *killed* when a test fails (or the run times out, or a test module or conftest
cannot even be imported with it), *survived* otherwise.

Which tests execute which lines comes from one traced run of the test pool on the unmutated
copy (``trace_plugin.py``); mutants of code that runs at import time (module and class
bodies, default values) get every test that touched the module.

Mutant ids are hashes of what the mutant does and where (function, line text, operator, ...),
not of line numbers, so they survive unrelated edits; the sample is the ``--per-module``
mutants whose ids rank lowest under the seed, so an edit elsewhere in a module leaves the
rest of its sample unchanged. Survivors judged equivalent (no observable behaviour changes)
are listed with the reason in ``equivalents.txt`` and left out of the score.

Usage (from the repository root)::

    python tests/mutation/mutate.py --seed 11 --per-module 25 --workers 2 \\
        pinecone_assistant_async/_sse.py pinecone_assistant_async/_polling.py
    python tests/mutation/mutate.py --core --list          # the sampled mutants, not run
    python tests/mutation/mutate.py --core --only 1a2b3c4d  # one mutant, with its diff
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGE = "pinecone_assistant_async"
CORE = (
    "_sse.py",
    "streaming.py",
    "_event_stream.py",
    "_polling.py",
    "_retries.py",
    "_retry.py",
    "_retrying.py",
    "_errors_map.py",
    "_uploads.py",
    "_hosts.py",
    "_validation.py",
    "_pagination.py",
    "config.py",
)
# Test modules left out of the pool: they drive subprocesses or a browser (nothing traced
# there) and take most of the suite's time.
SLOW = (
    "tests/test_benchmarks_quick.py",
    "tests/test_cli.py",
    "tests/test_examples.py",
    "tests/test_web_chat.py",
)
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache", ".pytest_cache"
)

_FLIP = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
    ast.In: (r"\bin\b", "not in"),
    ast.NotIn: (r"\bnot\s+in\b", "in"),
    ast.Is: (r"\bis\b", "is not"),
    ast.IsNot: (r"\bis\s+not\b", "is"),
}
_ARITH = {
    ast.Add: (r"\+", "-"),
    ast.Sub: (r"-", "+"),
    ast.Mult: (r"(?<!\*)\*(?!\*)", "/"),
    ast.Div: (r"(?<!/)/(?!/)", "*"),
    ast.FloorDiv: (r"//", "/"),
}
_DELETABLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Delete,
    ast.Break,
    ast.Continue,
)


@dataclass
class Mutant:
    module: str  # path relative to the repository
    kind: str
    start: tuple[int, int]  # (line, column in characters), 1-based line
    end: tuple[int, int]
    replacement: str
    lines: tuple[int, int]  # the source lines whose execution can reveal the mutant
    import_time: bool  # runs at import: every test that touched the module may see it
    names: tuple[str, ...] = ()  # the names a module-level assignment binds
    spans: list[tuple[int, int]] = field(default_factory=list)  # lines read by other code
    ident: str = ""
    source: str = ""  # the mutated module
    diff: str = ""
    tests: list[str] = field(default_factory=list)
    status: str = ""  # killed / survived / timeout / uncovered
    detail: str = ""
    seconds: float = 0.0


def _char_col(lines: list[str], lineno: int, col: int) -> int:
    """ast columns count UTF-8 bytes; text columns count characters."""
    return len(lines[lineno - 1].encode()[:col].decode(errors="replace"))


class _Collector:
    """Walks one module's AST and lists its mutants (without ids or sources yet)."""

    def __init__(self, module: str, text: str) -> None:
        self.module = module
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.mutants: list[tuple[Mutant, str]] = []  # with the enclosing qualname

    # -- positions -------------------------------------------------------------------------

    def _start(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, _char_col(self.lines, node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def _end(self, node: ast.AST) -> tuple[int, int]:
        line = node.end_lineno  # type: ignore[attr-defined]
        return line, _char_col(self.lines, line, node.end_col_offset)  # type: ignore[attr-defined]

    def _segment(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        if start[0] == end[0]:
            return self.lines[start[0] - 1][start[1] : end[1]]
        parts = [self.lines[start[0] - 1][start[1] :]]
        parts += self.lines[start[0] : end[0] - 1]
        parts.append(self.lines[end[0] - 1][: end[1]])
        return "".join(parts)

    def _no_cover(self, node: ast.AST) -> bool:
        """A ``pragma: no cover`` on the statement (on the header of a compound one)."""
        first, last = node.lineno, node.end_lineno  # type: ignore[attr-defined]
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            last = max(first, body[0].lineno - 1)
        return any("pragma: no cover" in self.lines[n - 1] for n in range(first, last + 1))

    def _add(
        self,
        kind: str,
        start: tuple[int, int],
        end: tuple[int, int],
        replacement: str,
        stmt: ast.AST,
        node: ast.AST,
        ctx: _Ctx,
    ) -> None:
        first = min(stmt.lineno, node.lineno)  # type: ignore[attr-defined]
        last = max(node.end_lineno, stmt.lineno)  # type: ignore[attr-defined]
        if ctx.runs is not None:
            first, last = ctx.runs
        mutant = Mutant(self.module, kind, start, end, replacement, (first, last), ctx.import_time)
        if ctx.qualname == "" and isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            mutant.names = tuple(t.id for t in targets if isinstance(t, ast.Name))
        self.mutants.append((mutant, ctx.qualname))

    def _gap_op(
        self,
        kind: str,
        left: ast.AST,
        right: ast.AST,
        pattern: str,
        new: str,
        stmt: ast.AST,
        node: ast.AST,
        ctx: _Ctx,
    ) -> None:
        """Replace the operator written between ``left`` and ``right``."""
        start, end = self._end(left), self._start(right)
        gap = self._segment(start, end)
        match = re.search(pattern, gap)
        if match is None:
            return
        replaced = gap[: match.start()] + new + gap[match.end() :]
        self._add(kind, start, end, replaced, stmt, node, ctx)

    # -- the walk ----------------------------------------------------------------------------

    def run(self) -> None:
        tree = ast.parse(self.text)
        self._body(tree.body, _Ctx("", import_time=True, in_function=False))

    def _body(self, body: list[ast.stmt], ctx: _Ctx) -> None:
        for index, stmt in enumerate(body):
            is_doc = (
                index == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            )
            if not is_doc:
                self._stmt(stmt, ctx)

    def _stmt(self, stmt: ast.stmt, ctx: _Ctx) -> None:
        if self._no_cover(stmt):
            return
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass, ast.Global, ast.Nonlocal)):
            return
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test):
            return
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if names & {"__all__", "__slots__"}:
                return
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for expr in stmt.decorator_list:
                self._expr(expr, stmt, ctx)
            # A default value is computed at import but seen only by calls that use it: the
            # tests that run the function's body.
            body = (stmt.body[0].lineno, stmt.end_lineno or stmt.lineno)
            at_call = _Ctx(ctx.qualname, False, ctx.in_function, runs=body)
            for default in [*stmt.args.defaults, *stmt.args.kw_defaults]:
                if default is not None:
                    self._expr(default, stmt, at_call)
            inner = _Ctx(f"{ctx.qualname}.{stmt.name}".lstrip("."), False, True)
            self._body(stmt.body, inner)
            return
        if isinstance(stmt, ast.ClassDef):
            for expr in [*stmt.decorator_list, *stmt.bases]:
                self._expr(expr, stmt, ctx)
            inner = _Ctx(f"{ctx.qualname}.{stmt.name}".lstrip("."), ctx.import_time, False)
            self._body(stmt.body, inner)
            return
        if (
            isinstance(stmt, _DELETABLE)
            and ctx.qualname
            and not (isinstance(stmt, ast.AnnAssign) and stmt.value is None)
        ):
            # Module-level deletions only break the import; class-level ones change fields.
            self._add("delete", self._start(stmt), self._end(stmt), "pass", stmt, stmt, ctx)
        if isinstance(stmt, ast.Return) and stmt.value is not None and ctx.in_function:
            value = stmt.value
            if not (isinstance(value, ast.Constant) and value.value in (None, True, False)):
                start, end = self._start(value), self._end(value)
                self._add("return-none", start, end, "None", stmt, value, ctx)
        if isinstance(stmt, (ast.If, ast.While)):
            self._negate(stmt.test, stmt, ctx)
        for name, value in ast.iter_fields(stmt):
            if name in ("annotation", "returns", "type_comment"):
                continue
            if isinstance(value, list):
                if value and isinstance(value[0], ast.stmt):
                    self._body(value, ctx)
                else:
                    for item in value:
                        self._visit_field(item, stmt, ctx)
            else:
                self._visit_field(value, stmt, ctx)
        if isinstance(stmt, ast.AugAssign) and type(stmt.op) in _ARITH:
            pattern, new = _ARITH[type(stmt.op)]
            self._gap_op(
                "arith", stmt.target, stmt.value, pattern + "=", new + "=", stmt, stmt, ctx
            )

    def _visit_field(self, value: object, stmt: ast.stmt, ctx: _Ctx) -> None:
        if isinstance(value, ast.expr):
            self._expr(value, stmt, ctx)
        elif isinstance(value, ast.excepthandler):
            if value.type is not None:
                self._expr(value.type, stmt, ctx)
            self._body(value.body, ctx)
        elif isinstance(value, (ast.withitem, ast.comprehension, ast.keyword, ast.match_case)):
            for child in ast.iter_child_nodes(value):
                self._visit_field(child, stmt, ctx)
            if isinstance(value, ast.match_case):
                self._body(value.body, ctx)

    def _negate(self, test: ast.expr, stmt: ast.stmt, ctx: _Ctx) -> None:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return  # removing the ``not`` is the same mutant
        start, end = self._start(test), self._end(test)
        text = f"not ({self._segment(start, end)})"
        self._add("negate", start, end, text, stmt, test, ctx)

    def _expr(self, node: ast.expr, stmt: ast.stmt, ctx: _Ctx) -> None:
        if isinstance(node, ast.JoinedStr):
            return  # f-string parts: messages, and unreliable positions before 3.12
        if isinstance(node, ast.Lambda):
            inner = _Ctx(ctx.qualname + ".<lambda>", False, True, ctx.runs)
            self._expr(node.body, stmt, inner)
            return
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                pattern, new = _FLIP[type(op)]
                left = node.left if index == 0 else node.comparators[index - 1]
                self._gap_op(
                    "compare", left, node.comparators[index], pattern, new, stmt, node, ctx
                )
        elif isinstance(node, ast.BoolOp):
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            start, end = self._start(node), self._end(node)
            whole = self._segment(start, end)
            pieces = []
            cursor = start
            for left, right in zip(node.values, node.values[1:], strict=False):
                gap_start, gap_end = self._end(left), self._start(right)
                pieces.append(self._segment(cursor, gap_start))
                pieces.append(
                    re.sub(rf"\b{old}\b", new, self._segment(gap_start, gap_end), count=1)
                )
                cursor = gap_end
            pieces.append(self._segment(cursor, end))
            if "".join(pieces) != whole:
                self._add("boolop", start, end, "".join(pieces), stmt, node, ctx)
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            pattern, new = _ARITH[type(node.op)]
            self._gap_op("arith", node.left, node.right, pattern, new, stmt, node, ctx)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            start, end = self._start(node), self._end(node)
            operand = self._segment(self._start(node.operand), self._end(node.operand))
            simple = (ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.Constant)
            text = operand if isinstance(node.operand, simple) else f"({operand})"
            self._add("not-removed", start, end, text, stmt, node, ctx)
        elif isinstance(node, ast.IfExp):
            self._negate(node.test, stmt, ctx)
        elif isinstance(node, ast.Constant):
            for new_value in _constant_variants(node.value):
                start, end = self._start(node), self._end(node)
                self._add("constant", start, end, repr(new_value), stmt, node, ctx)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._expr(child, stmt, ctx)
            elif isinstance(child, (ast.comprehension, ast.keyword)):
                self._visit_field(child, stmt, ctx)


@dataclass(frozen=True)
class _Ctx:
    qualname: str
    import_time: bool
    in_function: bool
    runs: tuple[int, int] | None = None  # the lines whose execution reveals the mutant


def _name_reads(tree: ast.Module) -> dict[str, list[tuple[int, int] | None]]:
    """Where each name is read: the lines that read it at run time, None for an import-time
    read (a module-level expression, a class body, a decorator)."""
    reads: dict[str, list[tuple[int, int] | None]] = {}

    def visit(node: ast.AST, runs: tuple[int, int] | None, in_function: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = (node.body[0].lineno, node.end_lineno or node.lineno)
            for expr in node.decorator_list:
                visit(expr, runs, in_function)
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    visit(default, body, True)
            for child in node.body:
                visit(child, None, True)
            return
        if isinstance(node, (ast.arg, ast.AnnAssign)) and not in_function:
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                visit(node.value, runs, in_function)
            return  # annotations are not evaluated (from __future__ import annotations)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if in_function:
                line = node.lineno
                reads.setdefault(node.id, []).append(runs or (line, node.end_lineno or line))
            else:
                reads.setdefault(node.id, []).append(None)
        for child in ast.iter_child_nodes(node):
            visit(child, runs, in_function)

    visit(tree, None, False)
    return reads


_ELSEWHERE: dict[str, str] = {}


def _used_elsewhere(module: str, name: str) -> bool:
    """Whether ``name`` appears in any other Python file of the repository (an import)."""
    if not _ELSEWHERE:
        for path in sorted(REPO.rglob("*.py")):
            if ".venv" not in path.parts and "mutation" not in path.parts:
                _ELSEWHERE[str(path.relative_to(REPO))] = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    return any(pattern.search(text) for path, text in _ELSEWHERE.items() if path != module)


def _narrow(mutant: Mutant, reads: dict[str, list[tuple[int, int] | None]]) -> None:
    """A module-level constant read only inside this module's functions is seen only by the
    tests that run those reads: give the mutant those lines instead of the whole module."""
    if not mutant.import_time or not mutant.names:
        return
    spans: list[tuple[int, int]] = []
    for name in mutant.names:
        where = reads.get(name, [])
        if not where or None in where or _used_elsewhere(mutant.module, name):
            return
        spans += [span for span in where if span is not None]
    mutant.spans = spans
    mutant.import_time = False


def _constant_variants(value: object) -> list[object]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [1] if value == 0 else [0, value + 1]
    if isinstance(value, float):
        return [1.0] if value == 0 else [0.0, value * 2]
    return []


def _apply(text: str, mutant: Mutant) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    begin = offsets[mutant.start[0] - 1] + mutant.start[1]
    finish = offsets[mutant.end[0] - 1] + mutant.end[1]
    return text[:begin] + mutant.replacement + text[finish:]


def mutants_of(module: str) -> list[Mutant]:
    """Every valid mutant of ``module`` (a path relative to the repository), with its id."""
    text = (REPO / module).read_text(encoding="utf-8")
    collector = _Collector(module, text)
    collector.run()
    reads = _name_reads(ast.parse(text))
    seen: dict[str, int] = {}
    result = []
    for mutant, qualname in collector.mutants:
        mutated = _apply(text, mutant)
        if mutated == text:
            continue
        try:
            compile(mutated, module, "exec")
        except SyntaxError:
            continue
        original_line = collector.lines[mutant.start[0] - 1].strip()
        key = f"{qualname}|{original_line}|{mutant.kind}|{mutant.start[1]}|{mutant.replacement}"
        seen[key] = seen.get(key, 0) + 1
        mutant.ident = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:8]
        mutant.source = mutated
        _narrow(mutant, reads)
        mutant.diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                mutated.splitlines(keepends=True),
                f"a/{module}",
                f"b/{module}",
                n=1,
            )
        )
        result.append(mutant)
    return result


def sample(mutants: list[Mutant], seed: int, count: int) -> list[Mutant]:
    def rank(mutant: Mutant) -> str:
        return hashlib.sha256(f"{seed}:{mutant.ident}".encode()).hexdigest()

    chosen = sorted(mutants, key=rank)[:count] if count > 0 else list(mutants)
    return sorted(chosen, key=lambda m: (m.start, m.kind, m.replacement))


# -- running ---------------------------------------------------------------------------------


def _copy_repo(source: Path, root: Path, beside: list[Path]) -> Path:
    repo = root / "repo"
    ignore = COPY_IGNORE if source == REPO else None
    shutil.copytree(source, repo, ignore=ignore, symlinks=True)
    for extra in beside:
        (root / extra.name).symlink_to(extra.resolve())
    return repo


# langsmith's pytest plugin (installed with langchain) is never used by the suite and costs
# a second of start-up in every run.
SKIPPED_PLUGINS = ("langsmith_plugin",)


def _env(repo: Path, extra_path: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(repo), extra_path) if p)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _pytest(*args: str) -> list[str]:
    plugins = [arg for name in SKIPPED_PLUGINS for arg in ("-p", f"no:{name}")]
    return [sys.executable, "-m", "pytest", *plugins, *args]


def trace(repo: Path, modules: list[str], pool: list[str]) -> dict[str, Any]:
    """Run the pool once, traced, on the unmutated copy; the map of tests to lines."""
    out = repo.parent / "trace.json"
    env = _env(repo, str(repo / "tests" / "mutation"))
    env["MUTATION_TRACE_TARGETS"] = os.pathsep.join(str(repo / m) for m in modules)
    env["MUTATION_TRACE_OUT"] = str(out)
    command = _pytest("-q", "-p", "trace_plugin", *pool)
    print(f"tracing the pool ({len(pool)} test modules) on an unmutated copy ...", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    print(f"  traced in {time.monotonic() - started:.0f}s", flush=True)
    if done.returncode not in (0, 1) or not out.exists():
        sys.exit(f"the traced run failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    # The traced run compiled everything; a mutated module must never be read from a stale
    # cache, so its bytecode goes and the mutant runs write none.
    for module in modules:
        target = repo / module
        for cached in (target.parent / "__pycache__").glob(f"{target.stem}.*.pyc"):
            cached.unlink()
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    failed = [t["id"] for t in data["tests"] if t["outcome"] == "failed"]
    if failed:
        print(f"  {len(failed)} tests fail unmutated and are left out: {failed[:5]}")
    return data


def load_hints(path: Path | None) -> dict[str, str]:
    """The test that killed each mutant in an earlier ``--report`` (tried first this time)."""
    if path is None or not path.exists():
        return {}
    hints = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        if entry.get("status") == "killed" and entry.get("detail"):
            hints[entry["ident"]] = entry["detail"]
    return hints


def select_tests(
    mutants: list[Mutant], data: dict[str, Any], repo: Path, hints: dict[str, str]
) -> dict[str, float]:
    """Fill each mutant's ``tests``; returns the traced duration of every usable test.

    With ``-x`` a killed mutant costs only the tests run before the first failure: the test
    that killed it last time goes first, then the rest, quickest first."""
    tests = data["tests"]
    usable = {i for i, t in enumerate(tests) if t["outcome"] == "passed"}
    durations = {t["id"]: float(t["duration"] or 0.0) for t in tests}
    for mutant in mutants:
        by_line = data["lines"].get(str(repo / mutant.module), {})
        chosen: set[int] = set()
        if mutant.import_time:
            for line_tests in by_line.values():
                chosen.update(line_tests)
        else:
            for first, last in mutant.spans or [mutant.lines]:
                for line in range(first, last + 1):
                    chosen.update(by_line.get(str(line), ()))
        ids = [tests[i]["id"] for i in sorted(chosen & usable)]
        killer = hints.get(mutant.ident)
        mutant.tests = sorted(ids, key=lambda t: (t != killer, durations[t]))
    return durations


_BROKEN = re.compile(r"^ERROR (\S+\.py) - .*$", re.M)
"""A test module that could not be collected (pytest's short summary line)."""
_FAILED = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.MULTILINE)


def run_mutant(mutant: Mutant, repo: Path, durations: dict[str, float], limit: float) -> None:
    if not mutant.tests:
        mutant.status, mutant.detail = "uncovered", "no test executes these lines"
        return
    target = repo / mutant.module
    original = target.read_text(encoding="utf-8")
    budget = min(limit, 30.0 + 3.0 * sum(durations.get(t, 1.0) for t in mutant.tests))
    command = _pytest("-x", "-q", *mutant.tests)
    started = time.monotonic()
    try:
        target.write_text(mutant.source, encoding="utf-8")
        env = _env(repo)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        done = subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, timeout=budget
        )
    except subprocess.TimeoutExpired:
        mutant.status, mutant.detail = "timeout", f"over {budget:.0f}s"
        return
    finally:
        target.write_text(original, encoding="utf-8")
        mutant.seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    if done.returncode == 0:
        mutant.status = "survived"
    elif done.returncode in (1, 2, 3):
        failed = _FAILED.search(done.stdout)
        mutant.status = "killed"
        mutant.detail = failed.group(1) if failed else f"pytest exit {done.returncode}"
    elif done.returncode == 4 and "ImportError while loading conftest" in output:
        # The mutant breaks a module-level statement of a conftest (e.g. RetryPolicy(...)).
        mutant.status, mutant.detail = "killed", "conftest import fails"
    elif done.returncode == 4 and "found no collectors" in output and _BROKEN.search(output):
        # The mutant breaks importing a test module (building the models raises, say): the
        # traced test ids exist on the unmutated copy, so only the mutant makes them vanish.
        broken = _BROKEN.search(output)
        mutant.status = "killed"
        mutant.detail = f"test module import fails: {broken.group(0) if broken else ''}"[:200]
    else:
        mutant.status = "error"
        mutant.detail = f"pytest exit {done.returncode}: {output.strip()[-300:]}"


def load_equivalents(path: Path) -> dict[tuple[str, str], str]:
    """``id  module[,module]  reason`` lines (``#`` starts a comment), keyed by (id, module
    file name): an id says what a mutant does, the module where the judgement holds."""
    result: dict[tuple[str, str], str] = {}
    if not path.exists():
        return result
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            ident, modules, reason = [*line.split(None, 2), "", ""][:3]
            for module in modules.split(","):
                result[(ident, Path(module).name)] = reason
    return result


def _equivalent(mutant: Mutant, equivalents: dict[tuple[str, str], str]) -> str | None:
    return equivalents.get((mutant.ident, Path(mutant.module).name))


def _iter_modules(args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    """(path relative to the repository, sample size); ``path=N`` overrides the size."""
    names = list(args.modules)
    if args.core:
        names += [f"{PACKAGE}/{name}" for name in CORE if (REPO / PACKAGE / name).exists()]
    seen = set()
    for name in names:
        path_text, _, count = name.partition("=")
        path = Path(path_text)
        path = path.resolve() if path.is_absolute() else (REPO / path).resolve()
        relative = str(path.relative_to(REPO))
        if relative not in seen:
            seen.add(relative)
            yield relative, int(count) if count else args.per_module


def _pool(args: argparse.Namespace) -> list[str]:
    if args.tests:
        return list(args.tests)
    files = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").rglob("test_*.py"))
    return [f for f in files if f not in SLOW and not f.startswith("tests/mutation/")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules", nargs="*", help="module paths relative to the repository (path=N: sample N)"
    )
    parser.add_argument("--core", action="store_true", help="add the core modules that exist")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-module", type=int, default=25, help="0: every mutant")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=float, default=300.0, help="max seconds per mutant")
    parser.add_argument("--tests", nargs="*", help="the test pool (default: tests/ minus slow)")
    parser.add_argument(
        "--beside",
        type=Path,
        action="append",
        default=[],
        help="a directory to link beside the copies (e.g. ../shared)",
    )
    parser.add_argument("--equivalents", type=Path, default=HERE / "equivalents.txt")
    parser.add_argument("--only", nargs="*", help="run only these mutant ids")
    parser.add_argument("--list", action="store_true", help="list the sample, run nothing")
    parser.add_argument("--report", type=Path, help="write every result as JSON here")
    parser.add_argument(
        "--hints", type=Path, help="an earlier --report: run each mutant's last killer first"
    )
    parser.add_argument(
        "--summarize",
        type=Path,
        help="print the table of an earlier --report with today's equivalents.txt; run nothing",
    )
    args = parser.parse_args(argv)
    if args.summarize:
        return _summarize(args.summarize, load_equivalents(args.equivalents), args)

    sizes = dict(_iter_modules(args))
    modules = list(sizes)
    if not modules:
        parser.error("name modules, or pass --core")
    chosen: list[Mutant] = []
    totals: dict[str, int] = {}
    for module in modules:
        every = mutants_of(module)
        totals[module] = len(every)
        picked = sample(every, args.seed, sizes[module])
        if args.only:
            picked = [m for m in every if m.ident in args.only]
        chosen += picked
    if args.list:
        for mutant in chosen:
            print(f"{mutant.ident} {mutant.module}:{mutant.start[0]} {mutant.kind}")
            print(mutant.diff)
        return 0

    equivalents = load_equivalents(args.equivalents)
    workdirs = [Path(tempfile.mkdtemp(prefix="mutation-")) for _ in range(max(1, args.workers))]
    try:
        first = _copy_repo(REPO, workdirs[0], args.beside)
        data = trace(first, modules, _pool(args))
        # The other copies are taken from the traced one, compiled bytecode included.
        repos = [first] + [_copy_repo(first, root, args.beside) for root in workdirs[1:]]
        durations = select_tests(chosen, data, repos[0], load_hints(args.hints))
        free = list(repos)
        started = time.monotonic()

        def work(mutant: Mutant) -> Mutant:
            repo = free.pop()
            try:
                run_mutant(mutant, repo, durations, args.limit)
            finally:
                free.append(repo)
            return mutant

        with concurrent.futures.ThreadPoolExecutor(len(repos)) as pool:
            for count, mutant in enumerate(pool.map(work, chosen), 1):
                if args.report:  # kept up to date: an interrupted run keeps what it measured
                    _write_report(args.report, chosen[:count], equivalents)
                print(
                    f"[{count}/{len(chosen)}] {mutant.ident} {mutant.module}:{mutant.start[0]} "
                    f"{mutant.kind}: {mutant.status} ({mutant.seconds:.1f}s, "
                    f"{len(mutant.tests)} tests) {mutant.detail}",
                    flush=True,
                )
        elapsed = time.monotonic() - started
    finally:
        for root in workdirs:
            shutil.rmtree(root, ignore_errors=True)

    _print_report(chosen, modules, totals, equivalents, elapsed, args)
    if args.report:
        _write_report(args.report, chosen, equivalents)
    return 0


def _write_report(
    path: Path, mutants: list[Mutant], equivalents: dict[tuple[str, str], str]
) -> None:
    entries = [
        {k: v for k, v in vars(m).items() if k != "source"}
        | {"equivalent": _equivalent(m, equivalents)}
        for m in mutants
    ]
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")


def _print_report(
    chosen: list[Mutant],
    modules: list[str],
    totals: dict[str, int],
    equivalents: dict[tuple[str, str], str],
    elapsed: float,
    args: argparse.Namespace,
) -> None:
    print()
    print("survivors:")
    for mutant in chosen:
        if mutant.status in ("survived", "uncovered", "error"):
            reason = _equivalent(mutant, equivalents)
            label = f"EQUIVALENT: {reason}" if reason else "BEHAVIOUR-CHANGING"
            print(f"--- {mutant.ident} {mutant.kind} ({mutant.status}) {label}")
            print(mutant.diff)
    sizes = " ".join(sys.argv[1:])
    print(f"seed {args.seed}, {elapsed:.0f}s: mutate.py {sizes}")
    header = f"{'module':40} {'all':>5} {'run':>4} {'killed':>6} {'surv':>5} {'equiv':>5} score"
    print(header)
    grand = [0, 0, 0, 0]
    for module in modules:
        mine = [m for m in chosen if m.module == module]
        killed = sum(m.status in ("killed", "timeout") for m in mine)
        equivalent = sum(
            m.status in ("survived", "uncovered") and bool(_equivalent(m, equivalents))
            for m in mine
        )
        survived = len(mine) - killed
        behaviour = len(mine) - equivalent
        score = f"{100 * killed / behaviour:.0f}%" if behaviour else "-"
        print(
            f"{module:40} {totals[module]:5} {len(mine):4} {killed:6} {survived:5} "
            f"{equivalent:5} {score}"
        )
        grand = [
            grand[0] + len(mine),
            grand[1] + killed,
            grand[2] + survived,
            grand[3] + equivalent,
        ]
    behaviour = grand[0] - grand[3]
    score = f"{100 * grand[1] / behaviour:.1f}%" if behaviour else "-"
    print(f"{'total':40} {'':5} {grand[0]:4} {grand[1]:6} {grand[2]:5} {grand[3]:5} {score}")


def _summarize(
    path: Path, equivalents: dict[tuple[str, str], str], args: argparse.Namespace
) -> int:
    fields = {f.name for f in Mutant.__dataclass_fields__.values()}
    chosen = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        known = {k: v for k, v in entry.items() if k in fields}
        for name in ("start", "end", "lines"):
            if name in known:
                known[name] = tuple(known[name])
        known.setdefault("start", (entry.get("line", 0), 0))
        for name, default in (("kind", ""), ("end", (0, 0)), ("replacement", "")):
            known.setdefault(name, default)
        known.setdefault("lines", (0, 0))
        known.setdefault("import_time", False)
        chosen.append(Mutant(**known))
    modules = list(dict.fromkeys(m.module for m in chosen))
    totals = {module: sum(m.module == module for m in chosen) for module in modules}
    _print_report(chosen, modules, totals, equivalents, 0.0, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
