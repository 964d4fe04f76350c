"""Workbook reading benchmark: carbon's reader against a bare openpyxl read-only pass, same run.

A 100,000-row activity sheet (from benchmarks/generate.py's inventory, written once with openpyxl
and cached under benchmarks/data/) is read alternately by

- the floor: ``openpyxl.load_workbook(read_only=True, data_only=True)`` and one
  ``iter_rows(values_only=True)`` pass over the activity sheet, doing nothing with the values;
- carbon: :func:`carbon.io.xlsx.read_workbook` (file sniffing, limits, the XML scan for formulas,
  merges and hidden rows, every sheet read and turned into text tables),

``--repeat`` times each. Printed: the median of each and the median of the per-pair ratios, which
must be at most ``--limit`` (1.3); the exit code is 1 when it is not.

    python benchmarks/bench_xlsx_read.py --rows 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from carbon.io.xlsx import read_workbook  # noqa: E402


def workbook(rows: int) -> Path:
    """The cached benchmark workbook (numbers as numbers, dates as dates, text as text)."""
    path = HERE / "data" / f"xlsx-{rows}.xlsx"
    if path.is_file():
        return path
    folder = HERE / "data" / f"rows-{rows}"
    if not (folder / "activity.csv").is_file():
        generate(rows, folder)
    wb = openpyxl.Workbook(write_only=True)
    for name in ("entities", "denominators", "activity"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for col in ("period_start", "period_end"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col]).dt.to_pydatetime()
        for col in ("quantity", "floor_area_m2", "headcount", "year"):
            if col in frame:
                frame[col] = pd.to_numeric(frame[col].str.replace(",", ""))
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def floor(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for _ in wb["activity"].iter_rows(values_only=True):
        n += 1
    wb.close()
    return n


def carbon(path: Path) -> int:
    read = read_workbook(path)
    if read.problems:
        raise SystemExit(f"the benchmark workbook does not read: {read.problems[:3]}")
    return len(read.tables["activity"].frame)


def timed(fn, path: Path) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    start = time.perf_counter()
    fn(path)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--limit", type=float, default=1.3)
    args = p.parse_args()
    path = workbook(args.rows)
    assert carbon(path) == floor(path) - 1 == args.rows  # warm-up, and both read every row
    c_t, f_t, ratios = [], [], []
    for _ in range(args.repeat):
        f = timed(floor, path)
        c = timed(carbon, path)
        f_t.append(f)
        c_t.append(c)
        ratios.append(c / f)
    ratio = statistics.median(ratios)
    print(f"rows {args.rows:,}: openpyxl read-only pass {statistics.median(f_t):.2f} s, "
          f"carbon read {statistics.median(c_t):.2f} s, median ratio {ratio:.3f} "
          f"(limit {args.limit})")
    sys.exit(0 if ratio <= args.limit else 1)


if __name__ == "__main__":
    main()
