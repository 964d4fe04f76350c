"""Start-up benchmark: the commands a user runs on every small inventory, against the imports
they cannot avoid, same run.

Each pair runs as separate processes, alternating, ``--repeat`` times; printed per pair: the
median wall time of each and the median of the per-pair ratios, against issue 16's targets.

- ``carbon --help``, ``carbon --version``, ``carbon factors list`` against
  ``python -c "import typer, rich"`` (target: at most 2x);
- ``carbon compute examples/jinshang-bank --format json`` and the table output against
  ``python -c "import pandas, pint, pydantic"`` (target: at most 1.25x);
- ``carbon restate`` of the multi-site example against two computes of its two inventories
  (target: at most 1.5x).

One more line, for information (no target): what a compute imports beyond that floor before
any of carbon's own code runs -- typer (not in the floor) and pydantic's models (the floor's
``import pydantic`` loads only its lazy front). Its ratio is the share of the 1.25x that the
libraries themselves take; the rest is carbon's.

    python benchmarks/bench_startup.py --repeat 15

carbon's modules are compiled to bytecode first, as an installed package's are (pip compiles a
wheel's modules when it installs them; an editable install's are written on the first run unless
``PYTHONDONTWRITEBYTECODE`` is set, when every run compiles them again: about 0.1 s).
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "jinshang-bank"
MULTISITE = EXAMPLE / "multisite"
PY = sys.executable


def wall(cmd: list[str]) -> float:
    """Wall seconds of one child process (its output discarded; a failure stops the run)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: compute's warnings-only exit is not used here
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()}")
    return took


def pair(cmd: list[list[str]], floor: list[list[str]], repeat: int) -> tuple[float, float, float]:
    """Median wall time of ``cmd`` and ``floor`` (each a list of commands run one after another)
    and the median of their per-round ratios."""
    a, b, r = [], [], []
    for _ in range(repeat):
        ta = sum(wall(c) for c in cmd)
        tb = sum(wall(c) for c in floor)
        a.append(ta)
        b.append(tb)
        r.append(ta / tb)
    return statistics.median(a), statistics.median(b), statistics.median(r)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=11)
    a = p.parse_args()
    compileall.compile_dir(ROOT / "src" / "carbon", quiet=1)
    carbon = [PY, "-m", "carbon"]
    cli_floor = [[PY, "-c", "import typer, rich"]]
    lib_floor = [[PY, "-c", "import pandas, pint, pydantic"]]
    libs_used = [[PY, "-c", "import pandas, pint, typer, typer.main, typer._coercion; "
                  "from pydantic import BaseModel"]]
    cases = [
        ("carbon --help", [[*carbon, "--help"]], cli_floor, 2.0),
        ("carbon --version", [[*carbon, "--version"]], cli_floor, 2.0),
        ("carbon factors list", [[*carbon, "factors", "list"]], cli_floor, 2.0),
        ("compute example --format json",
         [[*carbon, "compute", str(EXAMPLE), "--format", "json"]], lib_floor, 1.25),
        ("compute example (table)", [[*carbon, "compute", str(EXAMPLE)]], lib_floor, 1.25),
        ("(libraries a compute loads)", libs_used, lib_floor, None),
        ("restate multisite vs two computes",
         [[*carbon, "restate", "--before", str(MULTISITE / "before"), "--after",
           str(MULTISITE / "after"), "--format", "json"]],
         [[*carbon, "compute", str(MULTISITE / side), "--format", "json"]
          for side in ("before", "after")], 1.5),
    ]
    print(f"{'command':<36} {'s':>6} {'floor s':>8} {'ratio':>6} {'target':>7}")
    for name, cmd, floor, target in cases:
        t, f, ratio = pair(cmd, floor, a.repeat)
        goal = "" if target is None else f"{'<= ' + str(target):>7} " + (
            "ok" if ratio <= target else "over")
        print(f"{name:<36} {t:>6.3f} {f:>8.3f} {ratio:>6.2f} {goal}", flush=True)


if __name__ == "__main__":
    main()
