"""Mutation testing of carbon's modules with mutmut, in a scratch copy of the work tree.

    .venv/bin/python tools/mutation.py src/carbon/boundary.py
    .venv/bin/python tools/mutation.py src/carbon/io/parse.py --tests tests/test_periods.py
    .venv/bin/python tools/mutation.py src/carbon/manifest.py --workdir ../mut-manifest --keep
    .venv/bin/python tools/mutation.py src/carbon/calc.py --sample 200 --workdir ../mut-calc --keep
    .venv/bin/python tools/mutation.py src/carbon/calc.py --sample 200 --workdir ../mut-calc --again

For each module: copy the work tree (tracked and untracked files, not ignored ones) into a scratch
folder, write mutmut's settings there (setup.cfg: this module only, the given tests), run
``mutmut run``, and print the counts, the score and every surviving mutant as a diff. The score is
the mutants killed (or timed out: an endless loop is caught too) over those plus the survivors not
recorded as equivalent. Survivors the tests should kill get a test; the equivalent ones (no input
can tell them apart) are recorded with the reason in tools/mutation-equivalent.md, which this
script reads. A mutant no test reaches ("no tests") counts as a survivor: nothing would catch it.
The work tree itself is never changed.

mutmut runs each mutant only on the tests that reached the mutated function (it records which, in
one traced run of the given tests first), forked from a warm process: list every test file that
can catch a change in the module; the cost is the one traced run. Slow: minutes per module on two
cores. Not part of CI.
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tools" / "mutation-equivalent.md"

#: The tests that exercise each module (mutmut runs, per mutant, those of them that reach it):
#: the fast, targeted ones. Every compute reaches parse and boundary, so a list with the slow
#: end-to-end files costs each surviving mutant their whole run (an hour and more a module).
TESTS: dict[str, list[str]] = {
    "src/carbon/boundary.py": ["tests/test_boundary_functions.py", "tests/test_boundary.py",
                               "tests/test_hand_computed.py::test_equity_share_down_random_deep_trees",
                               "tests/test_hand_computed.py::test_equity_share_a_five_level_chain_by_hand"],
    "src/carbon/io/parse.py": ["tests/test_parse.py", "tests/test_periods.py"],
    "src/carbon/manifest.py": ["tests/test_manifest.py", "tests/test_hand_computed.py",
                               "tests/test_injection.py", "tests/test_adversarial.py",
                               "-k", "manifest or verify"],
    "src/carbon/units.py": ["tests/test_units.py", "tests/test_reference_gb3100_1993_units.py"],
    "src/carbon/aggregate.py": ["tests/test_hand_computed.py", "tests/test_intensity.py",
                                "tests/test_environment.py", "tests/test_gases.py",
                                "tests/test_workbook.py::test_month_breakdown_and_year_split"],
    "src/carbon/calc.py": ["tests/test_hand_computed.py", "tests/test_gases.py",
                           "tests/test_environment.py", "tests/test_bad_inputs.py",
                           "tests/test_intensity.py", "tests/test_validation.py",
                           "tests/test_factor_choice.py", "tests/test_reference_mee_grid.py",
                           "tests/test_reference_hk_utilities.py", "tests/test_metrics.py"],
    "src/carbon/restatement.py": [
        "tests/test_restate.py", "tests/test_reference_ghgp_chapter5.py",
        "tests/test_environment.py::test_restatement_splits_water_and_waste_changes_and_leaves_"
        "out_what_neither_has", "tests/test_hand_computed.py::test_published_rounding_edge"],
}
#: Modules whose functions run while they are imported (the unit registry is built, the metrics are
#: declared and checked): the fork server must not import them before it forks a mutant, or the
#: mutant's code never runs. Each mutant then imports the package itself (a second or so more); one
#: that breaks the import stops pytest before any test, which mutmut reports as timed out.
IMPORT_TIME = {"src/carbon/units.py", "src/carbon/metrics.py"}
#: Besides src/ and tests/, what the tests read.
ALSO_COPY = ["factors/", "examples/", "inputs/"]


def _copy_tree(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


_CACHES = ("lru_cache", "functools.lru_cache", "cache", "functools.cache")


def unwrap_caches(text: str) -> str:
    """``text`` with each top-level function's ``@lru_cache(...)`` (or ``@cache``) moved below it
    as an assignment (``f = lru_cache(maxsize=1)(f)``): the same function, cached the same way.

    mutmut leaves every decorated function unmutated (a decorator runs when the function is
    defined); this is how a cached function, such as ``units.parse_unit``, gets its mutants.
    """
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or len(node.decorator_list) != 1:
            continue
        deco = node.decorator_list[0]
        called = deco.func if isinstance(deco, ast.Call) else deco
        if ast.unparse(called) in _CACHES:
            edits.append((deco.lineno, node.end_lineno or node.lineno, node.name,
                          ast.unparse(deco)))
    for deco_line, end, name, deco in reversed(edits):
        lines.insert(end, f"{name} = {deco}({name})\n")
        del lines[deco_line - 1]
    return "".join(lines)


def _settings(module: str, tests: list[str]) -> str:
    def lines(items: list[str]) -> str:
        return "".join(f"\n    {i}" for i in items)

    # forkserver: the mutants fork from a process that has only collected the tests. With the
    # default (fork from the process that ran the traced run) every mutant whose tests included
    # the adversarial corpus counted as killed: the children inherit what that run left behind.
    warmup = "none" if module in IMPORT_TIME else "collect"
    return (f"[mutmut]\nsource_paths = src\nonly_mutate = {module}\n"
            f"process_isolation = forkserver\nforkserver_warmup = {warmup}\n"
            f"also_copy ={lines(ALSO_COPY)}\n"
            f"pytest_add_cli_args_test_selection ={lines(tests)}\n")


def equivalent_lines(module: str) -> set[str]:
    """The mutants recorded as equivalent for ``module`` (their mutmut names)."""
    if not EQUIVALENT.is_file():
        return set()
    out = set()
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] == module:
            out.add(cells[1])
    return out


def mutant_names(module: str, workdir: Path) -> list[str]:
    """Every mutant mutmut makes of ``module`` in ``workdir`` (the names ``mutmut run`` takes)."""
    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    code = (workdir / module).read_text(encoding="utf-8")
    rel = Path(module)
    return [get_mutant_name(rel, n) for n in mutate_file_contents(module, code).mutant_names]


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a proportion ``k`` of ``n``: the score of every mutant, from a
    random sample of them."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def run_module(module: str, tests: list[str], workdir: Path, children: int,
               sample: int = 0, seed: int = 0, again: bool = False) -> dict[str, object]:
    workdir.mkdir(parents=True, exist_ok=True)
    if not (workdir / "src").is_dir():
        _copy_tree(workdir)
        target = workdir / module
        target.write_text(unwrap_caches(target.read_text(encoding="utf-8")), encoding="utf-8")
    elif again:  # the survivors once more, against the tests as they are now
        mine = unwrap_caches((ROOT / module).read_text(encoding="utf-8"))
        if mine != (workdir / module).read_text(encoding="utf-8"):
            raise SystemExit(f"{module} changed since {workdir} was made: run it afresh")
        shutil.copytree(ROOT / "tests", workdir / "tests", dirs_exist_ok=True)
    (workdir / "setup.cfg").write_text(_settings(module, tests), encoding="utf-8")
    mutmut = Path(sys.executable).with_name("mutmut")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    everyone = mutant_names(module, workdir)
    # a seeded sample of the mutants when a whole module takes hours (every mutant of compute or
    # restate runs end-to-end tests): the score of the sample estimates the module's, within the
    # interval printed with it. The first ``sample`` of one seeded shuffle: a larger sample of the
    # same seed holds the smaller, and a run in the same workdir keeps the mutants it decided.
    order = sorted(everyone)
    random.Random(seed).shuffle(order)
    chosen = sorted(order[:sample]) if 0 < sample < len(everyone) else []

    def statuses() -> dict[str, str]:
        listing = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=workdir, env=env,
                                 capture_output=True, text=True).stdout
        return dict(re.findall(r"^\s*(\S+): (.+)$", listing, flags=re.M))

    picked = set(chosen)
    known = statuses() if (workdir / "mutants").is_dir() else {}  # what earlier runs decided
    todo = [n for n in chosen if known.get(n, "not checked") == "not checked"]
    if again:
        equivalent = equivalent_lines(module)
        todo = [n for n, st in known.items() if st in ("survived", "no tests")
                and n not in equivalent and (not chosen or n in picked)]
    if todo or not chosen:
        with (workdir / "mutmut-run.log").open("wb") as log:  # progress and errors, for a look
            subprocess.run([str(mutmut), "run", "--max-children", str(children), *todo],
                           cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    status = statuses()
    if chosen:
        status = {n: s for n, s in status.items() if n in picked}
    counts = Counter(status.values())
    # a mutant that makes the tests run past their time (an endless loop) is caught: it counts
    # with the killed ones
    # a mutant no test reaches is one no test would catch: a survivor
    survivors = sorted((n for n, s in status.items() if s in ("survived", "no tests")),
                       key=lambda n: (n.rsplit("_", 1)[0], int(n.rsplit("_", 1)[1])))
    equivalent = equivalent_lines(module) & set(survivors)
    alive = [n for n in survivors if n not in equivalent]
    diffs = {n: subprocess.run([str(mutmut), "show", n], cwd=workdir, env=env,
                               capture_output=True, text=True).stdout for n in alive}
    killed = counts["killed"] + counts["timeout"]
    judged = killed + len(alive)
    return {"module": module, "counts": dict(counts), "equivalent": len(equivalent),
            "killed": killed, "alive": alive, "diffs": diffs, "of": len(everyone),
            "sampled": len(chosen), "interval": wilson(killed, judged),
            "score": killed / judged if judged else 1.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="+", help="e.g. src/carbon/boundary.py")
    ap.add_argument("--tests", nargs="+", help="test files (default: the module's list in TESTS)")
    ap.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--max-children", type=int, default=2, help="parallel mutants (default 2)")
    ap.add_argument("--sample", type=int, default=0,
                    help="run a random sample of this many mutants (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    ap.add_argument("--again", action="store_true",
                    help="in --workdir: run the survivors again, against the current tests")
    ap.add_argument("--min-score", type=float, default=0.0,
                    help="exit 1 when a module scores below this (0 to 1)")
    args = ap.parse_args(argv)
    worst = 1.0
    for module in args.modules:
        tests = args.tests or TESTS.get(module)
        if not tests:
            ap.error(f"no default tests for {module}: give --tests")
        # test files that do not exist (yet) are left out; options such as -k pass through
        tests = [t for t in tests if not t.startswith("tests/")
                 or (ROOT / t.split("::")[0]).exists()]
        base = args.workdir or Path(tempfile.mkdtemp(prefix="carbon-mutation-"))
        workdir = base / Path(module).stem if len(args.modules) > 1 else base
        try:
            r = run_module(module, tests, workdir, args.max_children, args.sample, args.seed,
                           args.again)
        finally:
            if not args.keep and args.workdir is None:
                shutil.rmtree(base, ignore_errors=True)
        print(f"{module}: {r['counts']}; {r['equivalent']} recorded equivalent; "
              f"score {r['score']:.1%} ({r['killed']} killed or timed out of "
              f"{int(r['killed']) + len(r['alive'])} non-equivalent)")  # type: ignore[call-overload]
        if r["sampled"]:
            low, high = r["interval"]  # type: ignore[misc]
            print(f"  a sample of {r['sampled']} of {r['of']} mutants (seed {args.seed}): the "
                  f"module's score is between {low:.1%} and {high:.1%} (95 %)")
        for name in r["alive"]:  # type: ignore[attr-defined]
            print(r["diffs"][name])  # type: ignore[index]
        worst = min(worst, float(r["score"]))  # type: ignore[arg-type]
    return 1 if worst < args.min_score else 0


if __name__ == "__main__":
    sys.exit(main())
