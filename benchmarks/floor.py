"""The plain pandas floor: the same CSV, the same arithmetic, nothing else.

Reads activity.csv, parses the dates, converts each (source, unit) with a fixed table of kWh and
t CO2 per unit, and groups by year and source. No validation, no provenance: the least any tool
must do, so ``carbon compute`` is measured as a multiple of it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

# kWh and t CO2e per unit as entered (the same factors carbon applies; fixed for the floor)
TABLE = pd.DataFrame([
    ("电力", "kWh", 1.0, 0.0005366), ("electricity", "度", 1.0, 0.0005366),
    ("電力", "MWh", 1000.0, 0.5366), ("热力", "GJ", 277.78, 0.11),
    ("天然气", "m3", 10.814, 0.002162), ("natural_gas", "万立方米", 108140.0, 21.62),
    ("柴油", "L", 9.95, 0.0026), ("diesel", "t", 11848.0, 3.096),
    ("汽油", "L", 8.73, 0.00214), ("gasoline", "t", 11964.0, 2.925),
], columns=["source", "unit", "kwh_per_unit", "tco2_per_unit"])


def run(folder: Path) -> dict:
    act = pd.read_csv(folder / "activity.csv")
    act["period_start"] = pd.to_datetime(act["period_start"], format="%Y-%m-%d")
    act["period_end"] = pd.to_datetime(act["period_end"], format="%Y-%m-%d")
    act = act.merge(TABLE, on=["source", "unit"], how="left")
    act["year"] = act["period_start"].dt.year
    act["energy_kwh"] = act["quantity"] * act["kwh_per_unit"]
    act["tco2e"] = act["quantity"] * act["tco2_per_unit"]
    totals = act.groupby(["year", "source"])[["energy_kwh", "tco2e"]].sum()
    return {f"{y}/{s}": list(v) for (y, s), v in totals.iterrows()}


if __name__ == "__main__":
    json.dump(run(Path(sys.argv[1])), sys.stdout, ensure_ascii=False)
