"""Scale benchmark: ``carbon compute --format json`` against a plain pandas floor, same run.

For each size an inventory is generated (2,000 sites, mixed sources and units; cached under
benchmarks/data/), then carbon and the floor (benchmarks/floor.py: read the same CSV, parse the
dates, convert with a fixed table, group by year and source) run as separate processes,
alternating, ``--repeat`` times each. Printed per size: median wall time of each, the median
ratio, peak memory (max RSS) of each and its ratio; and the growth of carbon's time between the
first two sizes (10x the rows should cost at most 11x the time). With ``--workbook``, also the
report workbook of the same inventory (``--out report.xlsx``) against the JSON run: its time and
peak memory (target: at most 3x the JSON run's time).

    python benchmarks/bench_scale.py --rows 100000 1000000 --repeat 3 --workbook
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def run_size(rows: int, repeat: int, workbook: bool = False) -> dict[str, float]:
    folder = HERE / "data" / f"rows-{rows}"
    if not (folder / "activity.csv").is_file():
        # in a child process: a parent grown by generating would inflate the children's peak
        # memory (Linux keeps the high-water mark across exec)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(rows), str(folder)],
                       check=True)
    carbon = [sys.executable, "-m", "carbon", "compute", str(folder), "--format", "json"]
    floor = [sys.executable, str(HERE / "floor.py"), str(folder)]
    c_t, f_t, c_m, f_m, ratios, w_t, w_m, w_r = [], [], [], [], [], [], [], []
    for _ in range(repeat):
        ct, cm = measure(carbon)
        ft, fm = measure(floor)
        c_t.append(ct)
        f_t.append(ft)
        c_m.append(cm)
        f_m.append(fm)
        ratios.append(ct / ft)
        if workbook:
            with tempfile.TemporaryDirectory() as tmp:
                wt, wm = measure([*carbon[:4], str(folder), "--out", str(Path(tmp) / "r.xlsx")])
            w_t.append(wt)
            w_m.append(wm)
            w_r.append(wt / ct)
    out = {"rows": rows, "carbon_s": statistics.median(c_t), "floor_s": statistics.median(f_t),
           "ratio": statistics.median(ratios), "carbon_mib": max(c_m), "floor_mib": max(f_m)}
    if workbook:
        out |= {"workbook_s": statistics.median(w_t), "workbook_mib": max(w_m),
                "workbook_ratio": statistics.median(w_r)}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--workbook", action="store_true",
                   help="also time the report workbook against the JSON run")
    a = p.parse_args()
    compileall.compile_dir(HERE.parent / "src" / "carbon", quiet=1)  # as an installed package is
    results = []
    print(f"{'rows':>10} {'carbon s':>9} {'floor s':>8} {'ratio':>6} {'carbon MiB':>11} "
          f"{'floor MiB':>10} {'mem ratio':>9}")
    for n in a.rows:
        r = run_size(n, a.repeat, a.workbook)
        results.append(r)
        print(f"{n:>10,} {r['carbon_s']:>9.2f} {r['floor_s']:>8.2f} {r['ratio']:>6.2f} "
              f"{r['carbon_mib']:>11.0f} {r['floor_mib']:>10.0f} "
              f"{r['carbon_mib'] / r['floor_mib']:>9.2f}", flush=True)
        if a.workbook:
            print(f"{'':>10} workbook {r['workbook_s']:.2f} s, {r['workbook_ratio']:.2f}x the JSON "
                  f"run (target <= 3), {r['workbook_mib']:.0f} MiB", flush=True)
    by_rows = {r["rows"]: r for r in results}
    if 1_000_000 in by_rows:
        r = by_rows[1_000_000]
        print(f"at 1M rows: time {r['ratio']:.2f}x the floor (target <= 1.5), "
              f"memory {r['carbon_mib'] / r['floor_mib']:.2f}x (target <= 2.0)")
    for small in results:
        big = by_rows.get(small["rows"] * 10)
        if big:
            growth = big["carbon_s"] / small["carbon_s"]
            print(f"growth {small['rows']:,} -> {big['rows']:,} rows: {growth:.2f}x the time "
                  "(target <= 11)")


if __name__ == "__main__":
    main()
