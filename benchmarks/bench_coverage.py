"""Coverage benchmark: :func:`carbon.coverage.coverage` against the plain pandas floor, same run.

The scale benchmark's inventory (benchmarks/generate.py; cached under benchmarks/data/) is read
once; then, alternating, ``--repeat`` times each: the floor (benchmarks/floor.py, a separate
process: read the CSV, parse the dates, convert, group by year and source) and, in this process,
the coverage of every meter over the reporting years (the meters numbered, sorted, merged into
spans, the days counted, the gaps listed). Printed: the median wall time of each and their
ratio (target: coverage at most 0.15 of the floor), and for reference the whole review
(coverage, plausibility, the findings in words) and the coverage table of the JSON output.

    python benchmarks/bench_coverage.py --rows 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import measure  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    folder = HERE / "data" / f"rows-{a.rows}"
    if not (folder / "activity.csv").is_file():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(a.rows), str(folder)],
                       check=True)
    from carbon import coverage, review
    from carbon.factors import bundled
    from carbon.io import read_inventory

    inv = read_inventory(folder, bundled())
    years = review.reporting_years(inv, None)
    floor = [sys.executable, str(HERE / "floor.py"), str(folder)]
    f_t, c_t, r_t, j_t = [], [], [], []
    for _ in range(a.repeat):
        f_t.append(measure(floor)[0])
        start = time.perf_counter()
        cov = coverage.coverage(inv.activity, inv.entities, years, inv.meters)
        c_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = review.review(inv, years)
        r_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        found.coverage_json()
        j_t.append(time.perf_counter() - start)
    fl, c, r, j = (statistics.median(x) for x in (f_t, c_t, r_t, j_t))
    print(f"{len(inv.activity):,} rows, {len(cov.meters):,} meters, {len(cov.table):,} "
          f"meter-years ({', '.join(map(str, years))}), {len(found.findings)} findings")
    print(f"floor {fl:.3f} s | coverage {c:.3f} s = {c / fl:.3f} of the floor (target <= 0.15)")
    print(f"whole review {r:.3f} s = {r / fl:.3f} of the floor; coverage table for JSON "
          f"{j:.3f} s = {j / fl:.3f}")


if __name__ == "__main__":
    main()
