"""Collection benchmark: 30 branch workbooks of 1,000 rows each against one workbook of 30,000.

The generator's inventory (``benchmarks/generate.py``: 300 sites, one meter per site and source,
30,000 activity rows over 2021–2023, written once and cached under ``benchmarks/data/``) is laid
out two ways:

- **one workbook** ``one.xlsx``: entities, denominators and activity sheets, every row;
- **a collection**: ``hq.xlsx`` (the entity tree — a head office, 30 branches, 10 sites under
  each — and an activity sheet with its header only) and ``branches/B01.xlsx`` … ``B30.xlsx``,
  each with its branch and sites, their denominators and their 1,000 or so activity rows.

Both are read, alternately, ``--repeat`` times each, in this process, by
:func:`carbon.read_inventory` — every file sniffed and scanned, every cell read and validated,
and for the collection every branch checked against the head office's tree (entities,
subtrees, records in two files) and the rows merged. Printed, for CPU time (user + sys of the
process: what the reading costs, less disturbed by other jobs on a shared machine) and for wall
time: the median of each and the median of the per-pair ratios. The CPU ratio must be at most
``--limit`` (1.3): the exit code is 1 when it is not. Both readings give the same activity
rows.

    python benchmarks/bench_collect.py --repeat 5
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

import carbon  # noqa: E402

BRANCHES = 30
SITES = 300
ROWS = 30_000


def _sheet(wb: openpyxl.Workbook, name: str, frame: pd.DataFrame) -> None:
    """A sheet as a clerk's workbook holds it: dates as dates, numbers as numbers."""
    ws = wb.create_sheet(name)
    frame = frame.copy()
    for col in ("period_start", "period_end"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.to_pydatetime()
    for col in ("quantity", "floor_area_m2", "headcount", "year"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col].astype(str).str.replace(",", ""))
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if isinstance(v, str) and not v else v for v in row])


def _save(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    for name, frame in sheets.items():
        _sheet(wb, name, frame)
    wb.save(path)


def layout() -> tuple[Path, list[Path]]:
    """The cached one-workbook and collection layouts of the same inventory."""
    base = HERE / "data" / f"collect-{BRANCHES}x{ROWS // BRANCHES}"
    one, hq, branches = base / "one.xlsx", base / "hq.xlsx", base / "branches"
    if one.is_file() and hq.is_file() and branches.is_dir():
        return one, [hq, branches]
    folder = HERE / "data" / f"rows-{ROWS}-sites-{SITES}"
    if not (folder / "activity.csv").is_file():
        generate(ROWS, folder, sites=SITES)
    read = {n: pd.read_csv(folder / f"{n}.csv", dtype=str, keep_default_na=False)
            for n in ("entities", "denominators", "activity")}
    sites = read["entities"]
    branch_of = {e: f"B{i // (SITES // BRANCHES) + 1:02d}"
                 for i, e in enumerate(sites["entity_id"])}
    tree = pd.concat([
        pd.DataFrame({"entity_id": ["HQ"], "name": ["Head office"], "parent_id": [""],
                      "kind": ["head_office"], "province": ["山西"]}),
        pd.DataFrame({"entity_id": [f"B{b:02d}" for b in range(1, BRANCHES + 1)],
                      "name": [f"Branch {b}" for b in range(1, BRANCHES + 1)], "parent_id": "HQ",
                      "kind": "branch", "province": "山西"}),
        sites.assign(parent_id=sites["entity_id"].map(branch_of))[
            ["entity_id", "name", "parent_id", "kind", "province"]],
    ], ignore_index=True)
    base.mkdir(parents=True, exist_ok=True)
    _save(one, {"entities": tree, "denominators": read["denominators"],
                "activity": read["activity"]})
    _save(hq, {"entities": tree, "activity": read["activity"].iloc[:0]})
    branches.mkdir(exist_ok=True)
    for b in range(1, BRANCHES + 1):
        name = f"B{b:02d}"
        mine = tree[(tree["entity_id"] == name) | (tree["parent_id"] == name)]
        ids = set(mine["entity_id"])
        _save(branches / f"{name}.xlsx", {
            "entities": mine.assign(parent_id=mine["parent_id"].where(
                mine["entity_id"] != name, "")),
            "denominators": read["denominators"][read["denominators"]["entity_id"].isin(ids)],
            "activity": read["activity"][read["activity"]["entity_id"].isin(ids)]})
    return one, [hq, branches]


def timed(paths: list[Path]) -> tuple[float, float, int]:
    """CPU seconds (user + sys of this process), wall seconds and activity rows of a read."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    inv = carbon.read_inventory(*paths)
    return time.process_time() - cpu, time.perf_counter() - wall, len(inv.data.activity)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--limit", type=float, default=1.3)
    args = p.parse_args()
    one, collection = layout()
    *_, n_one = timed([one])  # warm-up, and both read every row
    *_, n_many = timed(collection)
    assert n_one == n_many == ROWS, (n_one, n_many)
    runs: dict[str, list[tuple[float, float]]] = {"one": [], "many": []}
    for _ in range(args.repeat):
        for key, paths in (("one", [one]), ("many", collection)):
            cpu, wall, _ = timed(paths)
            runs[key].append((cpu, wall))
    for i, what in enumerate(("CPU", "wall")):
        a = [r[i] for r in runs["one"]]
        b = [r[i] for r in runs["many"]]
        ratios = sorted(y / x for x, y in zip(a, b, strict=True))
        print(f"{what}: one workbook of {ROWS:,} rows {statistics.median(a):.2f} s, head office "
              f"+ {BRANCHES} branch workbooks {statistics.median(b):.2f} s, median ratio "
              f"{statistics.median(ratios):.3f} (each: {', '.join(f'{r:.2f}' for r in ratios)})")
    ratio = statistics.median(sorted(y[0] / x[0] for x, y in zip(runs["one"], runs["many"],
                                                                 strict=True)))
    print(f"limit {args.limit} on the CPU ratio: {'met' if ratio <= args.limit else 'exceeded'}")
    sys.exit(0 if ratio <= args.limit else 1)


if __name__ == "__main__":
    main()
