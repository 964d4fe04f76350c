"""Totals over the ledger: by year, by source, by entity, and intensities.

Every figure is a sum over ledger rows; the JSON contract (DESIGN.md, contract 2) is built here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from carbon import __version__, vocab
from carbon.model import Inventory, Ledger, Notice

SUMS = ("energy_kwh", "energy_tce", "scope1_tco2e", "scope2_location_tco2e",
        "scope2_market_tco2e")


def _num(x: Any) -> float | None:
    """A JSON number, or None where there is none (no denominator)."""
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


def _ratio(a: float, b: float | None) -> float | None:
    return None if b is None or b == 0 else a / b


def _denominators(inv: Inventory, years: list[int], ledger: pd.DataFrame
                  ) -> tuple[dict[int, dict[str, float | None]], list[Notice]]:
    out: dict[int, dict[str, float | None]] = {y: {"floor_area_m2": None, "headcount": None}
                                               for y in years}
    notices: list[Notice] = []
    d = inv.denominators
    if d is None:
        return out, notices
    for y in years:
        rows = d[d["year"] == y]
        for key in ("floor_area_m2", "headcount"):
            if key in rows and rows[key].notna().any():
                out[y][key] = float(rows[key].sum())
        active = set(ledger.loc[ledger["year"] == y, "entity_id"].unique().tolist())
        lacking = sorted(active - set(rows.loc[rows["floor_area_m2"].notna(), "entity_id"]))
        if lacking and out[y]["floor_area_m2"] is not None:
            shown = ", ".join(lacking[:10]) + (" …" if len(lacking) > 10 else "")
            notices.append(Notice("denominator_gap", f"{y}: {len(lacking)} entities with activity "
                                  f"have no floor area ({shown}); per-m² figures leave them out "
                                  "of the area only"))
        if out[y]["floor_area_m2"] is None:
            notices.append(Notice("no_floor_area", f"{y}: no floor area; per-m² intensities "
                                  "are empty"))
    return out, notices


def year_figures(sums: dict[Any, Any], denom: dict[str, float | None]) -> dict[str, Any]:
    """The figures of one year (or one entity-year) from its sums and denominators."""
    total = sums["scope1_tco2e"] + sums["scope2_location_tco2e"]
    area, people = denom.get("floor_area_m2"), denom.get("headcount")
    return {
        "energy_kwh": sums["energy_kwh"],
        "energy_direct_kwh": sums["energy_direct_kwh"],
        "energy_indirect_kwh": sums["energy_indirect_kwh"],
        "energy_tce": sums["energy_tce"],
        "scope1_tco2e": sums["scope1_tco2e"],
        "scope2_location_tco2e": sums["scope2_location_tco2e"],
        "scope2_market_tco2e": sums["scope2_market_tco2e"],
        "total_location_tco2e": total,
        "total_market_tco2e": sums["scope1_tco2e"] + sums["scope2_market_tco2e"],
        "floor_area_m2": area,
        "headcount": people,
        "intensity": {
            "energy_kwh_per_m2": _ratio(sums["energy_kwh"], area),
            "scope1_tco2e_per_m2": _ratio(sums["scope1_tco2e"], area),
            "scope2_tco2e_per_m2": _ratio(sums["scope2_location_tco2e"], area),
            "total_tco2e_per_m2": _ratio(total, area),
            "total_tco2e_per_person": _ratio(total, people),
            "energy_kwh_per_person": _ratio(sums["energy_kwh"], people),
        },
    }


def _fine(rows: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    """Sums of ``cols`` per distinct combination of ``keys``, sorted by the keys.

    One integer key per row from the keys' codes, then one ``np.bincount`` per column: a pass
    over the rows per column, whatever the number of groups.
    """
    key = np.zeros(len(rows), dtype=np.int64)
    levels = []
    for k in keys:
        codes, uniques = pd.factorize(rows[k], sort=True)
        key = key * len(uniques) + codes
        levels.append((k, np.asarray(uniques)))
    group, distinct = pd.factorize(key, sort=True)
    out: dict[str, np.ndarray] = {}
    for k, uniques in reversed(levels):
        distinct, code = np.divmod(distinct, len(uniques))
        out[k] = uniques[code]
    frame = pd.DataFrame({k: out[k] for k in keys})
    for c in cols:
        frame[c] = np.bincount(group, weights=rows[c].to_numpy(dtype="float64"),
                               minlength=len(frame))
    return frame


def _with_split(frame: pd.DataFrame) -> pd.DataFrame:
    """Add direct (fuels) and indirect (purchased electricity and heat) energy columns."""
    is_direct = {key: s.direct for key, s in vocab.sources().items()}
    direct = frame["source"].map(is_direct).to_numpy(dtype=bool)
    return frame.assign(energy_direct_kwh=frame["energy_kwh"].where(direct, 0.0),
                        energy_indirect_kwh=frame["energy_kwh"].where(~direct, 0.0))


def summarize(inv: Inventory, ledger: Ledger, years: list[int] | None = None) -> dict[str, Any]:
    """The JSON contract of ``carbon compute``: full-precision figures for every year.

    The ledger is grouped once, by entity, year and source; every other total is a sum over that
    (small) table.
    """
    cols = [*SUMS, "quantity_report"]
    fine = _with_split(_fine(ledger.rows, ["entity_id", "year", "source"], cols))
    years = sorted(years if years is not None else {int(y) for y in fine["year"].unique()})
    denoms, notices = _denominators(inv, years, fine)
    split = ["energy_direct_kwh", "energy_indirect_kwh"]
    by_year = fine.groupby("year", sort=True)[[*SUMS, *split]].sum()
    zero = dict.fromkeys([*SUMS, *split], 0.0)
    src = fine.groupby(["year", "source"], sort=True)[cols].sum()
    out_years: dict[str, Any] = {}
    for y in years:
        sums = by_year.loc[y].to_dict() if y in by_year.index else dict(zero)
        fig = year_figures(sums, denoms[y])
        by_source = {}
        if y in src.index.get_level_values(0):
            for s, r in src.loc[y].iterrows():
                by_source[str(s)] = {
                    "quantity": float(r["quantity_report"]),
                    "unit": vocab.sources()[str(s)].report_unit,
                    "energy_kwh": float(r["energy_kwh"]),
                    "energy_tce": float(r["energy_tce"]),
                    "tco2e": float(r["scope1_tco2e"] + r["scope2_location_tco2e"]),
                    "tco2e_market": float(r["scope1_tco2e"] + r["scope2_market_tco2e"]),
                }
        fig["by_source"] = by_source
        out_years[str(y)] = fig
    by_entity = []
    ent = fine.groupby(["entity_id", "year"], sort=True)[[*SUMS, *split]].sum().reset_index()
    names = dict(zip(inv.entities["entity_id"], inv.entities["name"], strict=True))
    denom_cols = ["floor_area_m2", "headcount"]
    if inv.denominators is not None:
        d = inv.denominators.reindex(columns=["entity_id", "year", *denom_cols])
        ent = ent.merge(d.astype({"entity_id": str}), on=["entity_id", "year"], how="left")
    else:
        ent = ent.assign(floor_area_m2=np.nan, headcount=np.nan)
    for rec in ent.to_dict("records"):
        denom = {k: _num(rec.pop(k)) for k in denom_cols}
        fig = year_figures(rec, denom)
        eid = rec["entity_id"]
        by_entity.append({"entity_id": eid, "name": names.get(eid, ""), "year": int(rec["year"]),
                          **fig})
    warnings = [n.as_dict() for n in [*ledger.notices, *notices]]
    return {
        "carbon_version": __version__,
        "factor_sets": [{"id": i, "sha256": h} for i, h in ledger.factor_sets],
        "gwp": inv.settings.gwp,
        "years": out_years,
        "by_entity": by_entity,
        "warnings": warnings,
    }


def by_source_month(rows: pd.DataFrame) -> pd.DataFrame:
    """Ledger sums by year, source and month, for the workbook's breakdown.

    A record within one calendar month counts in that month; a record spanning several months
    (an annual invoice) keeps its own span, labelled ``2024-01 – 2024-12``: its quantity is never
    spread over months it was not measured in.

    Returns
    -------
    DataFrame
        year, source, period (label), quantity_report [the source's reporting unit], report_unit,
        energy_kwh [kWh], energy_tce [tce], scope1_tco2e, scope2_location_tco2e,
        scope2_market_tco2e [t CO2e]; sorted by year, source and period.
    """
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    keyed = rows.assign(m0=(start.dt.year * 12 + start.dt.month - 1).to_numpy(),
                        m1=(end.dt.year * 12 + end.dt.month - 1).to_numpy(),
                        source=rows["source"].astype(str),
                        report_unit=rows["report_unit"].astype(str))
    cols = ["quantity_report", "energy_kwh", "energy_tce", "scope1_tco2e",
            "scope2_location_tco2e", "scope2_market_tco2e"]
    out = keyed.groupby(["year", "source", "report_unit", "m0", "m1"], sort=True,
                        observed=True)[cols].sum().reset_index()

    def month(m: pd.Series) -> pd.Series:
        return (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)

    out["period"] = month(out["m0"]).where(out["m0"] == out["m1"],
                                           month(out["m0"]) + " – " + month(out["m1"]))
    return out[["year", "source", "period", "quantity_report", "report_unit", *cols[1:]]]
