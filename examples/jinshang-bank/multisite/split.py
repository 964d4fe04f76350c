"""Build the multi-site example from the bank-wide example next door.

The bank publishes bank-wide totals only. This script spreads them over sites — the head office,
14 branches, the outlets under each branch (one entity per branch's outlets) and the Qingxu village
bank — in proportion to an illustrative headcount per site, derived from the 2024 employees by
region in the bank's ESG report. The split is illustrative; the totals are the bank's: each year's
sum over sites equals the published figure to the cent.

It writes two inventories:

- ``after/``: every site, 2022–2024, MEE 2022 grid factors for every year (as the bank's 2024
  report applies them);
- ``before/``: head office and branches only, 2022–2023, MEE 2021 grid factors, and the head
  office's 2023 heat as first reported (an estimate: the 2022 figure carried forward).

Run from anywhere: ``python examples/jinshang-bank/multisite/split.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import vocab

HERE = Path(__file__).resolve().parent
BANK = HERE.parent

#: 2024 employees by region (ESG report 2024); Taiyuan includes the head office.
REGIONS = [("taiyuan", "太原", 2619), ("lvliang", "吕梁", 175), ("yuncheng", "运城", 166),
           ("linfen", "临汾", 191), ("shuozhou", "朔州", 197), ("datong", "大同", 189),
           ("xinzhou", "忻州", 195), ("changzhi", "长治", 164), ("jinzhong", "晋中", 153),
           ("jincheng", "晋城", 176), ("yangquan", "阳泉", 107)]
VILLAGE_BANK = 41
#: Illustrative: head-office staff, Taiyuan's branches, and the branch office's share of a
#: branch's staff (the rest work in its outlets).
HEAD_OFFICE = 1000
TAIYUAN_BRANCHES = ["迎泽", "杏花岭", "小店", "万柏林"]
BRANCH_OFFICE_SHARE = 0.3


def _spread(total: float, weights: np.ndarray, decimals: int) -> np.ndarray:
    """Split ``total`` by ``weights`` into amounts rounded to ``decimals`` that sum to it exactly
    (largest remainder)."""
    unit = 10 ** decimals
    cents = round(total * unit)
    raw = cents * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    rest = cents - out.sum()
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out / unit


def sites() -> pd.DataFrame:
    """Entities with their illustrative headcount."""
    rows = [("HO", "晋商银行总行 Head office", "", "head_office", HEAD_OFFICE)]
    branches = [(f"太原{n}", (2619 - HEAD_OFFICE) / len(TAIYUAN_BRANCHES)) for n in TAIYUAN_BRANCHES]
    branches += [(zh, float(n)) for _, zh, n in REGIONS[1:]]
    for i, (city, staff) in enumerate(branches, start=1):
        office = round(staff * BRANCH_OFFICE_SHARE)
        rows.append((f"BR{i:02d}", f"{city}分行 branch", "HO", "branch", office))
        rows.append((f"OUT{i:02d}", f"{city}分行下辖网点 outlets", f"BR{i:02d}", "outlets",
                     round(staff) - office))
    rows.append(("VB", "清徐晋商村镇银行 village bank", "HO", "village_bank", VILLAGE_BANK))
    out = pd.DataFrame(rows, columns=["entity_id", "name", "parent_id", "kind", "staff"])
    out["staff"] = _spread(4373, out["staff"].to_numpy(dtype=float), 0)  # ties to 4,373
    return out


def _number(text: str) -> float:
    return float(str(text).replace(",", ""))


def build() -> None:
    ent = sites()
    w = ent["staff"].to_numpy(dtype=float)
    act = pd.read_csv(BANK / "activity.csv", dtype=str, keep_default_na=False)
    # energy only: the bank publishes its water, waste, paper and air figures bank-wide, and
    # this example re-enacts the restatement of energy and greenhouse gases
    act = act[[vocab.sources()[vocab.source_key(s) or ""].energy for s in act["source"]]]
    den = pd.read_csv(BANK / "denominators.csv")
    pieces = []
    for rec in act.to_dict("records"):
        q = _spread(_number(rec["quantity"]), w, 2)
        piece = pd.DataFrame({"entity_id": ent["entity_id"], "quantity": q})
        for key in ("period_start", "period_end", "source", "unit", "use", "instrument",
                    "data_quality", "document_ref"):
            piece[key] = rec[key]
        piece["note"] = (rec["note"] + "; " if rec["note"] else "") + "illustrative split by headcount"
        pieces.append(piece)
    activity = pd.concat(pieces, ignore_index=True)
    activity = activity[["entity_id", "period_start", "period_end", "source", "quantity", "unit",
                         "use", "instrument", "data_quality", "document_ref", "note"]]
    dens = []
    for rec in den.to_dict("records"):
        dens.append(pd.DataFrame({
            "entity_id": ent["entity_id"], "year": rec["year"],
            "floor_area_m2": _spread(rec["floor_area_m2"], w, 0).astype(int),
            "headcount": _spread(rec["headcount"], w, 0).astype(int)}))
    denominators = pd.concat(dens, ignore_index=True)
    entities = ent.drop(columns="staff").assign(province="山西", included_from="", included_to="")

    after = HERE / "after"
    _write(after, entities, activity, denominators, """\
# Illustrative multi-site split of Jinshang Bank's restated totals (see ../README.md).
organisation = "晋商银行 Jinshang Bank"
reporting_years = [2022, 2023, 2024]
base_year = 2022
grid_level = "national"

[factor_sets]
# As in the bank's 2024 report: MEE's 2022 electricity factors (公告2024年第33号) for every year.
grid = "mee-grid-2022"
""")

    old = entities["kind"].isin(["head_office", "branch"]).to_numpy()
    keep_ids = set(entities.loc[old, "entity_id"])
    b_act = activity[activity["entity_id"].isin(keep_ids)
                     & activity["period_start"].str[:4].isin(["2022", "2023"])].copy()
    # The head office's 2023 heat as first reported: the 2022 figure carried forward.
    heat22 = (b_act["entity_id"] == "HO") & (b_act["source"] == "热力") \
        & b_act["period_start"].str.startswith("2022")
    heat23 = (b_act["entity_id"] == "HO") & (b_act["source"] == "热力") \
        & b_act["period_start"].str.startswith("2023")
    b_act.loc[heat23, "quantity"] = b_act.loc[heat22, "quantity"].to_numpy()
    b_act.loc[heat23, "note"] = "estimate as first reported: the 2022 figure carried forward"
    b_den = denominators[denominators["entity_id"].isin(keep_ids)
                         & denominators["year"].isin([2022, 2023])]
    _write(HERE / "before", entities[old], b_act, b_den, """\
# The inventory as first reported (illustrative, see ../README.md): head office and branches,
# without the outlets under the branches or the village bank, and MEE's 2021 grid factors.
organisation = "晋商银行 Jinshang Bank"
reporting_years = [2022, 2023]
base_year = 2022
grid_level = "national"

[factor_sets]
grid = "mee-grid-2021"
""")


def _write(folder: Path, entities: pd.DataFrame, activity: pd.DataFrame,
           denominators: pd.DataFrame, settings: str) -> None:
    folder.mkdir(exist_ok=True)
    for name, frame in (("entities", entities), ("activity", activity),
                        ("denominators", denominators)):
        frame.to_csv(folder / f"{name}.csv", index=False, quoting=csv.QUOTE_MINIMAL,
                     lineterminator="\n", float_format="%.2f")
    (folder / "settings.toml").write_text(settings, encoding="utf-8")


if __name__ == "__main__":
    build()
