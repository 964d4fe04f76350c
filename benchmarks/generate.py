"""Write a synthetic inventory of N activity rows over many sites (a provincial group's scale).

Sources and units are mixed the way real meter and invoice data are: electricity in kWh, 度 and
MWh, heat in GJ, gas in m³ and 万立方米, diesel and gasoline in L and t. Deterministic per seed.

    python benchmarks/generate.py 1000000 benchmarks/data/1m
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

PROVINCES = ["山西", "北京", "广东", "四川", "江苏", "上海", "河南", "湖北", "陕西", "辽宁"]
#: (source as written, unit as written, typical monthly quantity)
KINDS = [("电力", "kWh", 40_000.0), ("electricity", "度", 40_000.0), ("電力", "MWh", 40.0),
         ("热力", "GJ", 300.0), ("天然气", "m3", 4_000.0), ("natural_gas", "万立方米", 0.4),
         ("柴油", "L", 200.0), ("diesel", "t", 0.2), ("汽油", "L", 2_000.0), ("gasoline", "t", 1.5)]

#: The energy source each written name stands for (a meter is one site and one source).
CANONICAL = {"电力": "electricity", "electricity": "electricity", "電力": "electricity",
             "热力": "heat", "天然气": "natural_gas", "natural_gas": "natural_gas",
             "柴油": "diesel", "diesel": "diesel", "汽油": "gasoline", "gasoline": "gasoline"}


def generate(rows: int, out: Path, sites: int = 2000, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    ids = np.array([f"S{i:05d}" for i in range(sites)])
    pd.DataFrame({
        "entity_id": ids, "name": [f"Site {i}" for i in range(sites)], "parent_id": "",
        "kind": "outlet", "province": np.array(PROVINCES)[np.arange(sites) % len(PROVINCES)],
        "included_from": "", "included_to": "",
    }).to_csv(out / "entities.csv", index=False)
    years = np.array([2021, 2022, 2023])
    pd.DataFrame({
        "entity_id": np.repeat(ids, len(years)), "year": np.tile(years, sites),
        "floor_area_m2": rng.integers(200, 20_000, sites * len(years)),
        "headcount": rng.integers(5, 500, sites * len(years)),
    }).to_csv(out / "denominators.csv", index=False)
    # meters: each site has one meter per energy source, each written its own way (a source name
    # and unit from KINDS); every meter reads contiguous periods over 2021-2023, as many as it
    # takes to reach N rows (monthly at about 1M rows, every few days at 5M)
    canonical = np.array([CANONICAL[k[0]] for k in KINDS])
    names = np.unique(canonical)
    meter_site = np.repeat(np.arange(sites), len(names))
    meter_kind = np.array([rng.choice(np.flatnonzero(canonical == names[i % len(names)]))
                           for i in range(len(meter_site))])
    per_meter = -(-rows // len(meter_site))
    days = (np.datetime64("2024-01-01") - np.datetime64("2021-01-01")).astype(int)
    edges = np.linspace(0, days, per_meter + 1).round().astype(int)
    first = np.datetime64("2021-01-01") + edges[:-1]
    last = np.datetime64("2021-01-01") + edges[1:] - 1
    meter = np.repeat(np.arange(len(meter_site)), per_meter)[:rows]
    period = np.tile(np.arange(per_meter), len(meter_site))[:rows]
    shuffle = rng.permutation(rows)
    meter, period = meter[shuffle], period[shuffle]
    kind = meter_kind[meter]
    typical = np.array([k[2] for k in KINDS])[kind] * (edges[period + 1] - edges[period]) / 30.4
    pd.DataFrame({
        "entity_id": ids[meter_site[meter]],
        "period_start": pd.Series(first[period]).dt.strftime("%Y-%m-%d"),
        "period_end": pd.Series(last[period]).dt.strftime("%Y-%m-%d"),
        "source": np.array([k[0] for k in KINDS])[kind],
        "quantity": np.round(typical * rng.uniform(0.5, 1.5, rows), 2),
        "unit": np.array([k[1] for k in KINDS])[kind],
    }).to_csv(out / "activity.csv", index=False)
    (out / "settings.toml").write_text('[factor_sets]\ngrid_family = "mee-grid"\n',
                                       encoding="utf-8")
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--sites", type=int, default=2000)
    a = p.parse_args()
    generate(a.rows, a.out, a.sites)
