"""Restating earlier years: two inventories, the change of every figure, and why it changed.

``before`` (A) is an inventory as originally reported — its boundary, its activity data, its
factors (pinned sets, its own ``custom_factors``); ``after`` (B) is the same years as they are
reported now. For every year and metric the change ``after - before`` is split into three parts,
the Shapley values of a three-player game (GHG Protocol Corporate Standard, chapter 5; ISO 14064-1,
6.4):

- ``boundary``: which entities count, in which years, by which share (entities in one inventory
  and not the other, changed ``included_from`` / ``included_to``, changed equity shares);
- ``activity``: changed activity data of the entity-years inside both boundaries;
- ``factors``: the factor choice — pinned factor sets, grid level, GWP, ``custom_factors``.

The value of a coalition is the figure computed with the coalition's members taken from B and the
rest from A; all 2³ combinations are computed, so the three parts do not depend on an order and
sum to the delta. The game is additive over entity-years, so the same split is also available per
entity and year (used for the gross change of the base year).

How an entity-year's data is chosen when boundary and activity come from different inventories:
inside both boundaries, the activity side's rows (none if it has none); inside only the boundary
side's boundary, the activity side's rows if it has any for that entity-year, else the boundary
side's own (data nobody changed: the change is all boundary).

The standard's rules, as they fall out of the inputs:

- an entity opened after the base year (organic growth) has no base-year rows inside its window
  (``included_from`` = opening date), so it never changes the base year;
- an acquired unit that existed in the base year is in B's boundary for the base year (blank or
  earlier ``included_from``) with its base-year data: its base-year emissions are added;
  a divested unit is not in B (or leaves before the first year): its base-year share is removed;
- each year is computed with that year's own factors under each side's settings (the vintage
  rule, or a pin): replacing a later grid vintage by the year's own vintage is a real change of
  that year's factor, while the step from one year's vintage to the next is a real change between
  years and never moves into an earlier year;
- a mid-year change counts the whole year (see :mod:`carbon.boundary`).

``recalculation_required``: the base year's cumulative change, counted gross in both directions,
is at least the threshold: every entity's boundary part in absolute value (an acquisition and a
divestment add up, they do not cancel) plus the absolute activity part plus the absolute factors
part, over the base year's Scope 1 + 2 (location-based) total as originally reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbon import boundary
from carbon.calc import calendar_year, compute, grid_sets, split_years
from carbon.disclosure import disclosure
from carbon.errors import InputError, UsageError
from carbon.factors import FactorSet
from carbon.model import Inventory, Ledger

#: The restated figures, in the order of the table.
METRICS = ("energy_kwh", "energy_tce", "scope1_tco2e", "scope2_location_tco2e",
           "scope2_market_tco2e", "total_location_tco2e")
#: The three causes of a change (the players of the Shapley game).
PARTS = ("boundary", "activity", "factors")
#: The figure the significance threshold applies to.
THRESHOLD_METRIC = "total_location_tco2e"
#: Percentage points below the threshold still counted as reaching it (float round-off only).
TOLERANCE_PCT = 1e-9

_LEDGER_SUMS = METRICS[:-1]
_COALITIONS = [(x, y, f) for x in (0, 1) for y in (0, 1) for f in (0, 1)]


@dataclass
class _Side:
    """One inventory: its rows (one per activity row and year, as the ledger splits them)."""

    keys: pd.DataFrame  # entity_id, year, period_start, period_end
    metrics: dict[int, np.ndarray]  # factor side -> (rows x metrics), boundary not applied


def reporting_years(inv: Inventory) -> list[int]:
    """An inventory's years: its settings' reporting years, else the years its data touch."""
    if inv.settings.reporting_years:
        return sorted(set(inv.settings.reporting_years))
    return sorted(int(y) for y in split_years(inv.activity)["year"].unique())


def _own_factors(factors: Inventory, fallback: Inventory | None) -> pd.DataFrame | None:
    """``factors``' own factors, plus ``fallback``'s for the (source, kind) pairs it never
    states."""
    own, extra = factors.custom_factors, None if fallback is None else fallback.custom_factors
    if extra is None or own is None:
        return own if extra is None else extra
    stated = pd.MultiIndex.from_frame(own[["source", "kind"]].astype(str))
    missing = ~pd.MultiIndex.from_frame(extra[["source", "kind"]].astype(str)).isin(stated)
    return pd.concat([own, extra[missing]], ignore_index=True)


def _unbounded(inv: Inventory, factors: Inventory, years: list[int], keep: np.ndarray,
               fallback: Inventory | None = None) -> Inventory:
    """``inv``'s entities and activity rows ``keep`` with ``factors``' factor choice, no
    boundary applied.

    The factor choice is the settings (pins, grid level) and the own factors of ``factors``
    (with ``fallback``'s for a source and kind it never states), and the province of each entity
    as ``factors`` records it (else as ``inv`` does).
    """
    never = np.full(len(inv.entities), np.datetime64("NaT"), dtype="datetime64[s]")
    province = inv.entities["entity_id"].astype(str).map(
        dict(zip(factors.entities["entity_id"].astype(str),
                 factors.entities["province"].astype(str), strict=True)))
    province = province.where(province.fillna("") != "", inv.entities["province"].astype(str))
    ent = inv.entities.assign(included_from=never, included_to=never.copy(),
                              ownership_share=np.nan, province=province.to_numpy())
    settings = factors.settings.model_copy(update={
        "consolidation": "operational_control", "reporting_years": years})
    origins = dict(inv.origins)
    for key in ("custom_factors", "settings"):
        if key in factors.origins:
            origins[key] = factors.origins[key]
        else:
            origins.pop(key, None)
    activity = inv.activity if keep.all() else inv.activity[keep].reset_index(drop=True)
    return Inventory(inv.path, ent, activity, None, _own_factors(factors, fallback), settings,
                     origins, list(inv.files), [])


def _counted(inv: Inventory, invs: tuple[Inventory, Inventory]) -> np.ndarray:
    """Mask of ``inv``'s activity rows that touch a year in which their entity is inside either
    boundary (the rest count in no mixture, so they need no factor)."""
    act = inv.activity
    first = calendar_year(act["period_start"].to_numpy())
    last = calendar_year(act["period_end"].to_numpy())
    keep = np.zeros(len(act), dtype=bool)
    for year in range(int(first.min()), int(last.max()) + 1) if len(act) else []:
        touches = (first <= year) & (last >= year)
        for side in invs:
            keep |= touches & boundary.in_boundary(act["entity_id"].astype(str),
                                                   np.full(len(act), year), side.entities,
                                                   side.settings.consolidation)
    return keep


def _rows(ledger: Ledger) -> np.ndarray:
    r = ledger.rows
    cols = [r[c].to_numpy(dtype="float64") for c in _LEDGER_SUMS]
    cols.append(cols[2] + cols[3])  # total, location-based = Scope 1 + Scope 2 location
    return np.column_stack(cols)


def _side(inv: Inventory, both: tuple[Inventory, Inventory], sets: dict[str, FactorSet],
          years: list[int]) -> _Side:
    metrics: dict[int, np.ndarray] = {}
    keys = None
    keep = _counted(inv, both)
    for f, fac in enumerate(both):
        try:
            ledger = compute(_unbounded(inv, fac, years, keep), sets, years=years)
        except InputError:
            if fac is inv:
                raise
            # a factor this side's data needs that the other side never states (it has no such
            # data): this side's own factor stands in, so that factor counts as unchanged
            ledger = compute(_unbounded(inv, fac, years, keep, inv), sets, years=years)
        r = ledger.rows
        k = pd.DataFrame({"entity_id": r["entity_id"].astype(str).to_numpy(),
                          "year": r["year"].to_numpy(dtype=np.int64),
                          "period_start": r["period_start"].to_numpy(),
                          "period_end": r["period_end"].to_numpy(),
                          "row": r["row"].to_numpy()})
        if keys is None:
            keys = k
        elif not (keys["row"].to_numpy() == k["row"].to_numpy()).all():  # pragma: no cover
            raise AssertionError("ledger rows differ between factor choices")
        metrics[f] = _rows(ledger)
    assert keys is not None
    return _Side(keys, metrics)


def _shapley(v: dict[tuple[int, int, int], np.ndarray]) -> dict[str, np.ndarray]:
    """Exact Shapley values of a three-player game given its eight coalition values."""
    out = {}
    for i, part in enumerate(PARTS):
        acc = np.zeros_like(v[(0, 0, 0)])
        for c in _COALITIONS:
            if c[i]:
                continue
            with_i = (c[0] | (i == 0), c[1] | (i == 1), c[2] | (i == 2))
            weight = (1 / 3, 1 / 6, 1 / 3)[sum(c)]  # |S|! (3 - |S| - 1)! / 3!
            acc = acc + weight * (v[with_i] - v[c])
        out[part] = acc
    return out


def _pct(delta: float, base: float) -> float | None:
    return None if base == 0 else delta / base * 100


def attribution(before: Inventory, after: Inventory, sets: dict[str, FactorSet],
                years: list[int]) -> tuple[pd.DataFrame, dict[tuple[int, int, int], np.ndarray],
                                           dict[str, np.ndarray]]:
    """The eight coalition values and the Shapley parts per entity-year.

    Returns
    -------
    cells : DataFrame
        ``entity_id``, ``year`` of each entity-year either inventory has rows for. [-]
    values : dict
        (boundary, activity, factors) with 0 = before, 1 = after -> (cells x METRICS). [kWh, tce,
        tCO2e]
    parts : dict
        ``boundary`` / ``activity`` / ``factors`` -> (cells x METRICS). [kWh, tce, tCO2e]
    """
    invs = (before, after)
    sides = [_side(inv, invs, sets, years) for inv in invs]
    both = pd.concat([s.keys[["entity_id", "year"]] for s in sides], ignore_index=True)
    cell_of, cell_keys = pd.factorize(pd.MultiIndex.from_frame(both), sort=True)
    cells = pd.DataFrame(list(cell_keys), columns=["entity_id", "year"])
    n, m = len(cells), len(METRICS)
    at = np.cumsum([0] + [len(s.keys) for s in sides])
    has = []
    for z in range(len(sides)):
        mask = np.zeros(n, dtype=bool)
        mask[cell_of[at[z]:at[z + 1]]] = True
        has.append(mask)
    inside = [boundary.in_boundary(cells["entity_id"], cells["year"].to_numpy(),
                                   inv.entities, inv.settings.consolidation) for inv in invs]
    # sums[z][f][x]: side z's rows, factors f, weighted by boundary x; summed per cell
    sums: dict[tuple[int, int, int], np.ndarray] = {}
    for z, s in enumerate(sides):
        codes = cell_of[at[z]:at[z + 1]]
        for x, inv in enumerate(invs):
            w = boundary.row_weights(s.keys, inv.entities, inv.settings.consolidation,
                                     inv.settings.boundary_mid_year)
            for f in (0, 1):
                per = np.zeros((n, m))
                weighted = s.metrics[f] * w[:, None]
                for j in range(m):
                    per[:, j] = np.bincount(codes, weights=weighted[:, j], minlength=n)
                sums[(z, f, x)] = per
    values: dict[tuple[int, int, int], np.ndarray] = {}
    for x, y, f in _COALITIONS:
        if x == y:
            values[(x, y, f)] = sums[(x, f, x)]
        else:
            from_y = inside[y] | has[y]
            values[(x, y, f)] = np.where(from_y[:, None], sums[(y, f, x)], sums[(x, f, x)])
    return cells, values, _shapley(values)


def restate(before: Inventory, after: Inventory, sets: dict[str, FactorSet], *,
            years: Iterable[int] | None = None, base_year: int | None = None,
            threshold_pct: float | None = None,
            published: pd.DataFrame | None = None) -> dict[str, Any]:
    """The restatement of ``before`` as ``after``: DESIGN.md, contract 3.

    Parameters
    ----------
    before, after : Inventory
        As originally reported (A) and as now (B).
    sets : dict
        Factor sets by id.
    years : iterable of int, optional
        Years to restate (default: the years both inventories report).
    base_year : int, optional
        Default: B's settings, else A's, else the first year.
    threshold_pct : float, optional
        Significance threshold. [%] Default: B's settings (5).
    published : DataFrame, optional
        ``year``, ``metric``, ``value``, ``decimals``, ``row`` as printed in the original report,
        compared with A's recomputation.

    Raises
    ------
    UsageError
        No common year, or a base year outside the years.
    InputError
        A factor missing for a combination of one side's data and the other side's factors.
    """
    if years:
        wanted = sorted(set(years))
    else:
        wanted = sorted(set(reporting_years(before)) & set(reporting_years(after)))
        if not wanted:
            raise UsageError("the two inventories report no year in common; pass --years")
    base = base_year or after.settings.base_year or before.settings.base_year or wanted[0]
    if base not in wanted:
        raise UsageError(f"base year {base} is not among the restated years "
                         f"({', '.join(map(str, wanted))}); pass --base-year or --years")
    threshold = after.settings.threshold_pct if threshold_pct is None else threshold_pct
    ledgers = [compute(inv, sets, years=wanted) for inv in (before, after)]
    cells, values, parts = attribution(before, after, sets, wanted)
    cell_year = cells["year"].to_numpy()
    out_years: dict[str, Any] = {}
    sums: dict[int, dict[str, Any]] = {}
    for y in wanted:
        sel = cell_year == y
        v = {c: values[c][sel].sum(axis=0) for c in _COALITIONS}
        phi = _shapley(v)
        fig: dict[str, Any] = {}
        for j, metric in enumerate(METRICS):
            b, a = float(v[(0, 0, 0)][j]), float(v[(1, 1, 1)][j])
            fig[metric] = {"before": b, "after": a, "delta": a - b, "delta_pct": _pct(a - b, b),
                           "attribution": {p: float(phi[p][j]) for p in PARTS}}
        out_years[str(y)] = fig
        sums[y] = fig
    k = METRICS.index(THRESHOLD_METRIC)
    in_base = cell_year == base
    fb = sums[base][THRESHOLD_METRIC]
    gross = {"boundary": float(np.abs(parts["boundary"][in_base, k]).sum()),
             "activity": abs(fb["attribution"]["activity"]),
             "factors": abs(fb["attribution"]["factors"])}
    gross_total = sum(gross.values())
    gross_pct = _pct(gross_total, fb["before"])
    required = gross_total > 0 and (gross_pct is None
                                    or gross_pct >= threshold - TOLERANCE_PCT)
    change = {"metric": THRESHOLD_METRIC, "before": fb["before"], "gross": gross,
              "gross_tco2e": gross_total, "gross_pct": gross_pct, "net_pct": fb["delta_pct"]}
    notes = _notes(before, after, sets, wanted, base, threshold, required, change, out_years,
                   ledgers, cells, parts, published)
    return {"base_year": base, "threshold_pct": threshold, "recalculation_required": required,
            "years": out_years, "notes": notes}


def _grid_ids(inv: Inventory, sets: dict[str, FactorSet], years: list[int]) -> dict[str, str]:
    grids, _ = grid_sets(years, inv, sets)
    return {str(y): grids[y].id for y in years}


def _custom(inv: Inventory) -> set[tuple[str, str, str, float, str]]:
    cf = inv.custom_factors
    if cf is None:
        return set()
    return {(str(r["source"]), "" if pd.isna(r["year"]) else str(int(r["year"])), str(r["kind"]),
             float(r["value"]), str(r["unit"])) for r in cf.to_dict("records")}


def _notes(before: Inventory, after: Inventory, sets: dict[str, FactorSet], years: list[int],
           base: int, threshold: float, required: bool, change: dict[str, Any],
           out_years: dict[str, Any], ledgers: list[Ledger], cells: pd.DataFrame,
           parts: dict[str, np.ndarray], published: pd.DataFrame | None) -> dict[str, Any]:
    changed = boundary.changed_entities(before.entities, after.entities)
    k = METRICS.index(THRESHOLD_METRIC)
    by_entity = pd.DataFrame({"entity_id": cells["entity_id"], "year": cells["year"],
                              "boundary": parts["boundary"][:, k]})
    moved = by_entity[by_entity["boundary"] != 0].sort_values(["year", "entity_id"])
    # the kinds the disclosure names: entities added or removed that change a restated figure
    counted = set(moved["entity_id"].astype(str))
    boundary_notes = {
        "added": changed["added"],
        "added_kinds": boundary.kinds(after.entities, [e for e in changed["added"] if e in counted]),
        "removed": changed["removed"],
        "removed_kinds": boundary.kinds(before.entities,
                                        [e for e in changed["removed"] if e in counted]),
        "by_entity_year_tco2e": [{"entity_id": str(r["entity_id"]), "year": int(r["year"]),
                                  "boundary": float(r["boundary"])}
                                 for r in moved.to_dict("records")],
    }
    grid_a, grid_b = _grid_ids(before, sets, years), _grid_ids(after, sets, years)
    ca, cb = _custom(before), _custom(after)
    factor_notes = {
        "grid_before": grid_a, "grid_after": grid_b,
        "sets_before": sorted(i for i, _ in ledgers[0].factor_sets),
        "sets_after": sorted(i for i, _ in ledgers[1].factor_sets),
        "custom_changed": sorted({s for s, *_ in ca ^ cb}),
        "grid_level_before": before.settings.grid_level,
        "grid_level_after": after.settings.grid_level,
    }
    notes: dict[str, Any] = {
        "base_year_change": change,
        "boundary": boundary_notes,
        "factors": factor_notes,
    }
    if published is not None:
        notes["published"] = _published(published, out_years)
    notes["disclosure"] = disclosure(base, threshold, required, change, out_years,
                                     boundary_notes, factor_notes)
    notes["rules"] = [
        "A mid-year boundary change counts the whole year (setting boundary_mid_year).",
        "An entity opened after the base year (organic growth) never changes the base year.",
        "Each year uses its own factors under each inventory's settings; the step from one "
        "year's grid vintage to the next is a real change, not a restatement.",
        "Cumulative change: entity-by-entity boundary changes, activity and factor changes in "
        f"absolute value, over the base year's {THRESHOLD_METRIC} as originally reported.",
    ]
    notes["warnings"] = {"before": [n.as_dict() for n in ledgers[0].notices],
                         "after": [n.as_dict() for n in ledgers[1].notices]}
    return notes


def _published(published: pd.DataFrame, out_years: dict[str, Any]) -> list[dict[str, Any]]:
    """Each published figure against A's recomputation: residual and whether the published
    rounding explains it (|residual| ≤ half a unit of the last printed digit)."""
    out = []
    for r in published.to_dict("records"):
        y, metric = str(int(r["year"])), str(r["metric"])
        got = out_years[y][metric]["before"]
        value = float(r["value"])
        residual = value - got
        tol = 0.5 * 10.0 ** (-int(r["decimals"]))
        out.append({"year": int(y), "metric": metric, "published": value, "recomputed": got,
                    "residual": residual, "residual_pct": _pct(residual, got),
                    "within_rounding": bool(abs(residual) <= tol * (1 + 1e-12))})
    return out
