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

The standard's rules (GHG Protocol Corporate Standard, chapter 5), by the event each entity
states (``entities.entry`` / ``exit``, see :mod:`carbon.boundary`):

- structural changes transfer emissions between companies and are restated in every earlier
  year: an acquired unit's emissions are added to the years before it joined (from
  ``existed_from``: a unit that did not exist in the base year leaves the base year alone; its
  rows for those years are required), a divested unit's are removed; insourcing from and
  outsourcing to Scope 3 (which carbon does not report) count as an acquisition and a divestment
  of the activity;
- organic changes (openings, closures; insourcing from or outsourcing to Scope 2, which stays
  reported) change no earlier year and never count toward the threshold;
- an entity that enters or leaves with no event stated is counted by its dates as before (a
  dated entry as an opening, a dated exit as a closure, an entity only in B as inside from the
  start, an entity only in A as removed) and named in a warning with the rule assumed;
- each year is computed with that year's own factors under each side's settings (the vintage
  rule, or a pin): replacing a later grid vintage by the year's own vintage is a real change of
  that year's factor, while the step from one year's vintage to the next is a real change between
  years and never moves into an earlier year;
- a mid-year change counts the whole year (see :mod:`carbon.boundary`); the event's own year
  follows that rule, the years before it are restated whole.

The events of both inventories apply (each side's figures are on its own structure), so a
restatement of an inventory by itself is the identity.

``recalculation_required``: the base year's cumulative change, counted gross in both directions,
is at least the threshold: every entity's structural boundary part in absolute value (an
acquisition and a divestment add up, they do not cancel) plus the absolute activity part plus the
absolute factors part, over the base year's figure as originally reported. The figure is set by
``threshold_scope``: Scope 1 + 2 location-based (default), market-based, or each scope on its own
(Scope 1, Scope 2 location-based, Scope 2 market-based; any one reaching the threshold suffices).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbon import boundary, metrics
from carbon.calc import calendar_year, compute, grid_sets, split_years
from carbon.disclosure import disclosure
from carbon.errors import InputError, Problem, UsageError
from carbon.factors import FactorSet
from carbon.i18n import Joined, _, quoted
from carbon.model import Inventory, Ledger, Notice, Origin
from carbon.review import data_years, unstated_event_words
from carbon.schema import ENTRY_EVENTS, EXIT_EVENTS

#: The three causes of a change (the players of the Shapley game).
PARTS = ("boundary", "activity", "factors")
#: The figures the significance threshold applies to, by ``threshold_scope``.
THRESHOLD_SCOPES: dict[str, tuple[str, ...]] = {
    "location": ("total_location_tco2e",),
    "market": ("total_market_tco2e",),
    "each_scope": ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e"),
}
#: The figure the disclosure and the per-entity boundary parts speak of.
THRESHOLD_METRIC = "total_location_tco2e"
#: Percentage points below the threshold still counted as reaching it (float round-off only).
TOLERANCE_PCT = 1e-9

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


def restated_years(before: Inventory, after: Inventory, years: Iterable[int] | None = None
                   ) -> list[int]:
    """The years a restatement covers: ``years`` when given, else those both inventories report.

    Raises
    ------
    UsageError
        When they report no year in common.
    """
    if years:
        wanted = sorted(set(years))
        for side, inv in (("--before", before), ("--after", after)):
            have = data_years(inv)
            empty = [y for y in wanted if y not in have]
            if empty:  # its figures of that year would be zeros, restated as a change
                raise UsageError(_(
                    "--year {years}: the {side} inventory has no activity in {years} (its rows "
                    "cover {have}): its figures there would be zeros; restate a year both "
                    "inventories have", years=Joined(str(y) for y in empty), side=side,
                    have=Joined(str(y) for y in have) if have else _("none")))
        return wanted
    ours, theirs = reporting_years(before), reporting_years(after)
    wanted = sorted(set(ours) & set(theirs))
    if not wanted:
        raise UsageError(_("the two inventories report no year in common (--before {before}, "
                           "--after {after}): a restatement compares the years both report",
                           before=Joined(str(y) for y in ours) or _("none"),
                           after=Joined(str(y) for y in theirs) or _("none")))
    return wanted


def _own_factors(factors: Inventory, fallback: Inventory | None) -> pd.DataFrame | None:
    """``factors``' own factors, plus ``fallback``'s for the (source, kind, region) it never
    states."""
    own, extra = factors.custom_factors, None if fallback is None else fallback.custom_factors
    if extra is None or own is None:
        return own if extra is None else extra
    stated = pd.MultiIndex.from_frame(own[["source", "kind", "region"]].astype(str))
    missing = ~pd.MultiIndex.from_frame(extra[["source", "kind", "region"]].astype(str)
                                        ).isin(stated)
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
                     origins, list(inv.files), [], parts=inv.parts)


def _counted(inv: Inventory, invs: tuple[Inventory, Inventory]) -> np.ndarray:
    """Mask of ``inv``'s activity rows that touch a year in which their entity is inside either
    restated boundary (the rest count in no mixture, so they need no factor)."""
    act = inv.activity
    first = calendar_year(act["period_start"].to_numpy())
    last = calendar_year(act["period_end"].to_numpy())
    keep = np.zeros(len(act), dtype=bool)
    for year in range(int(first.min()), int(last.max()) + 1) if len(act) else []:
        touches = (first <= year) & (last >= year)
        for side in invs:
            keep |= touches & boundary.restated_in_boundary(
                act["entity_id"].astype(str), np.full(len(act), year), side.entities,
                side.settings.consolidation)
    return keep


def _rows(ledger: Ledger) -> np.ndarray:
    """Each ledger row's restated figures (:func:`carbon.metrics.restated`), derived ones with
    the ledger's own GWP (a GWP or gases change is a factor choice)."""
    r = ledger.rows
    derived = metrics.derive(r, ledger.weights)
    return np.column_stack([derived[k] if k in derived else r[k].to_numpy(dtype="float64")
                            for k in metrics.restated()])


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
        (boundary, activity, factors) with 0 = before, 1 = after -> (cells x restated metrics).
        [each metric's unit]
    parts : dict
        ``boundary`` / ``activity`` / ``factors`` -> (cells x restated metrics).
    """
    invs = (before, after)
    sides = [_side(inv, invs, sets, years) for inv in invs]
    both = pd.concat([s.keys[["entity_id", "year"]] for s in sides], ignore_index=True)
    cell_of, cell_keys = pd.factorize(pd.MultiIndex.from_frame(both), sort=True)
    cells = pd.DataFrame(list(cell_keys), columns=["entity_id", "year"])
    n, m = len(cells), len(metrics.restated())
    at = np.cumsum([0] + [len(s.keys) for s in sides])
    has = []
    for z in range(len(sides)):
        mask = np.zeros(n, dtype=bool)
        mask[cell_of[at[z]:at[z + 1]]] = True
        has.append(mask)
    inside = [boundary.restated_in_boundary(cells["entity_id"], cells["year"].to_numpy(),
                                            inv.entities, inv.settings.consolidation)
              for inv in invs]
    # sums[z][f][x]: side z's rows, factors f, weighted by boundary x; summed per cell
    sums: dict[tuple[int, int, int], np.ndarray] = {}
    for z, s in enumerate(sides):
        codes = cell_of[at[z]:at[z + 1]]
        for x, inv in enumerate(invs):
            w = boundary.restated_weights(s.keys, inv.entities, inv.settings.consolidation,
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
            threshold_pct: float | None = None, threshold_scope: str | None = None,
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
    threshold_scope : {"location", "market", "each_scope"}, optional
        The figure(s) the threshold applies to (:data:`THRESHOLD_SCOPES`). Default: B's settings.
    published : DataFrame, optional
        ``year``, ``metric``, ``value``, ``decimals``, ``row`` as printed in the original report,
        compared with A's recomputation.

    Raises
    ------
    UsageError
        No common year, a base year outside the years, an unknown threshold scope.
    InputError
        A factor missing for a combination of one side's data and the other side's factors; an
        acquired unit without rows for a year its acquisition restates.
    """
    wanted = restated_years(before, after, years)
    base = base_year or after.settings.base_year or before.settings.base_year or wanted[0]
    if base not in wanted:
        raise UsageError(_("base year {base} is not among the restated years ({years}); pass "
                           "--base-year or --year", base=base, years=Joined(map(str, wanted))))
    threshold = after.settings.threshold_pct if threshold_pct is None else threshold_pct
    if not math.isfinite(threshold):  # the settings' is checked on reading; an argument here
        raise UsageError(_("--threshold {value}: the threshold is a number of percent, such "
                           "as 5", value=threshold))
    scope = threshold_scope or after.settings.threshold_scope
    if scope not in THRESHOLD_SCOPES:
        raise UsageError(_("threshold scope {scope}: use one of {choices}", scope=quoted(scope),
                           choices=", ".join(THRESHOLD_SCOPES)))
    problems = [p for inv in (before, after) for p in _missing_history(inv, wanted)]
    if problems:
        raise InputError(problems)
    ledgers = [compute(inv, sets, years=wanted) for inv in (before, after)]
    # an optional figure (water, waste …) neither inventory has is left out, not shown as 0 → 0
    absent = {m.key for m in metrics.optional()} - ledgers[0].present - ledgers[1].present
    cells, values, parts = attribution(before, after, sets, wanted)
    cell_year = cells["year"].to_numpy()
    organic = cells["entity_id"].isin(_organic_entities(before, after)).to_numpy()
    out_years: dict[str, Any] = {}
    for y in wanted:
        sel = cell_year == y
        v = {c: values[c][sel].sum(axis=0) for c in _COALITIONS}
        phi = _shapley(v)
        fig: dict[str, Any] = {}
        for j, metric in enumerate(metrics.restated()):
            if metric in absent:
                continue
            b, a = float(v[(0, 0, 0)][j]), float(v[(1, 1, 1)][j])
            part = {p: float(phi[p][j]) for p in PARTS}
            grown = float(parts["boundary"][sel & organic, j].sum())
            fig[metric] = {"before": b, "after": a, "delta": a - b, "delta_pct": _pct(a - b, b),
                           "attribution": part,
                           "boundary_split": {"structural": part["boundary"] - grown,
                                              "organic": grown}}
        out_years[str(y)] = fig
    in_base = cell_year == base
    changes = {m: _base_change(m, out_years[str(base)][m], parts, in_base & ~organic,
                               in_base & organic, threshold) for m in THRESHOLD_SCOPES[scope]}
    required = any(c["required"] for c in changes.values())
    deciding = max(changes.values(), key=lambda c: (c["required"], c["gross_pct"] is None,
                                                   c["gross_pct"] or 0.0))
    notes = _notes(before, after, sets, wanted, base, threshold, scope, required, deciding,
                   changes, out_years, ledgers, cells, parts, published)
    return {"base_year": base, "threshold_pct": threshold, "threshold_scope": scope,
            "threshold_metrics": list(THRESHOLD_SCOPES[scope]),
            "recalculation_required": required, "years": out_years, "notes": notes}


def _base_change(metric: str, fig: dict[str, Any], parts: dict[str, np.ndarray],
                 structural: np.ndarray, organic: np.ndarray, threshold: float
                 ) -> dict[str, Any]:
    """The base year's cumulative change of one figure against the threshold: the structural
    boundary parts of every entity in absolute value, plus the absolute activity and factors
    parts; organic boundary changes are shown apart and never count."""
    k = metrics.restated().index(metric)
    gross = {"boundary": float(np.abs(parts["boundary"][structural, k]).sum()),
             "activity": abs(fig["attribution"]["activity"]),
             "factors": abs(fig["attribution"]["factors"])}
    total = sum(gross.values())
    pct = _pct(total, fig["before"])
    return {"metric": metric, "before": fig["before"], "gross": gross, "gross_tco2e": total,
            "gross_pct": pct, "net_pct": fig["delta_pct"],
            "organic_tco2e": float(np.abs(parts["boundary"][organic, k]).sum()),
            "required": bool(total > 0 and (pct is None or pct >= threshold - TOLERANCE_PCT))}


def _organic_entities(before: Inventory, after: Inventory) -> list[str]:
    """Entities whose boundary change is organic: an opening or closure is stated (in B, or in A
    for an entity B no longer has) and no structural event. The rest count as today: toward the
    threshold."""
    def classed(entities: pd.DataFrame) -> pd.DataFrame:
        rules = np.maximum(boundary.event_rules(entities, "entry"),
                           boundary.event_rules(entities, "exit"))
        return pd.DataFrame({"entity_id": entities["entity_id"].astype(str), "rule": rules})

    b, a = classed(after.entities), classed(before.entities)
    rules = pd.concat([b, a[~a["entity_id"].isin(b["entity_id"])]], ignore_index=True)
    return sorted(rules.loc[rules["rule"] == boundary.ORGANIC, "entity_id"])


def _missing_history(inv: Inventory, years: list[int]) -> list[Problem]:
    """An acquired unit without rows for a year its acquisition restates: one problem each."""
    origin = inv.origins.get("entities", Origin("entities"))
    out = []
    for i, lacking in boundary.missing_history(inv.entities, inv.activity, years):
        e = inv.entities.iloc[i]
        shown = Joined(map(str, lacking))
        out.append(Problem(
            origin.file, origin.sheet, int(e["row"]), "entry", "acquisition_without_data",
            str(e["entry"]),
            _("{entity} entered the boundary on {date} by {event}: restating adds its emissions "
              "to the years before, but the activity table has no rows for it in {years}",
              entity=e["entity_id"], date=str(e["included_from"])[:10], event=e["entry"],
              years=shown),
            _("add its rows for {years} (the seller's figures, or estimates marked "
              "data_quality = estimated); if it did not exist yet, write the day it came into "
              "existence in existed_from", years=shown)))
    return out


def _grid_ids(inv: Inventory, sets: dict[str, FactorSet], years: list[int]) -> dict[str, str]:
    grids, _notices = grid_sets(years, inv, sets)
    return {str(y): grids[y].id for y in years}


def _custom(inv: Inventory) -> set[tuple[str, str, str, float, str, str]]:
    cf = inv.custom_factors
    if cf is None:
        return set()
    return {(str(r["source"]), "" if pd.isna(r["year"]) else str(int(r["year"])), str(r["kind"]),
             float(r["value"]), str(r["unit"]), str(r["region"])) for r in cf.to_dict("records")}


def _events(after: Inventory, years: list[int], cells: pd.DataFrame, effect: np.ndarray
            ) -> list[dict[str, Any]]:
    """Each event B states, with the change it makes to the years before it (``effect_tco2e``,
    the boundary part of :data:`THRESHOLD_METRIC`, summed over the entity and those below it)."""
    ent = after.entities
    if not len(ent):
        return []
    _entry_year, _exit_year, by_start, by_stop = boundary.event_years(ent)
    ids = ent["entity_id"].astype(str).to_numpy()
    cell_of = pd.Index(ids).get_indexer(pd.Index(cells["entity_id"].astype(str)))
    cell_year = cells["year"].to_numpy()
    out = []
    for change, col, events, bound, date_col in (
            ("entry", "entry", ENTRY_EVENTS, by_start, "included_from"),
            ("exit", "exit", EXIT_EVENTS, by_stop, "included_to")):
        for i in np.flatnonzero(ent[col].astype(str).to_numpy() != ""):
            e = ent.iloc[i]
            event = str(e[col])
            date = e[date_col]
            first_after = (np.datetime64(date, "D") + (np.timedelta64(1, "D") if change == "exit"
                                                       else np.timedelta64(0, "D")))
            event_year = int(str(first_after)[:4])
            mine = (cell_of >= 0) & (bound[np.where(cell_of >= 0, cell_of, 0)] == i)
            earlier = mine & (cell_year < event_year) & (effect != 0)
            per_year = {str(y): float(effect[earlier & (cell_year == y)].sum())
                        for y in years if (earlier & (cell_year == y)).any()}
            if not per_year and int(str(date)[:4]) < min(years):
                continue  # long before the restated years: nothing to disclose
            existed = e.get("existed_from")
            out.append({"entity_id": ids[i], "name": str(e["name"]), "kind": str(e["kind"]),
                        "change": change, "event": event, "rule": events[event][0],
                        "date": str(date)[:10],
                        "existed_from": None if pd.isna(existed) else str(existed)[:10],
                        "effect_tco2e": per_year})
    return sorted(out, key=lambda r: (r["date"], r["entity_id"], r["change"]))


def _assumed(before: Inventory, after: Inventory, years: list[int], counted: set[str],
             changed: dict[str, list[str]]) -> list[Notice]:
    """Warnings for entities that enter or leave with no event stated: the rule restate assumed
    and how to state the event."""
    out: list[Notice] = []
    span = sorted(set(years) | set(reporting_years(after)))  # an event after them still counts
    unstated = boundary.unstated_events(after.entities, span, after.activity)
    for u in unstated:
        words = unstated_event_words(u)
        if words is not None:
            code, _column, _value, message, fix = words
            out.append(Notice(code, _("{message}; {fix}", message=message, fix=fix)))
    named = _stated(after, "entry") | {str(u["entity_id"]) for u in unstated}
    added = [e for e in changed["added"] if e in counted and e not in named]
    if added:
        out.append(Notice("boundary_event_assumed", _(
            "{n} entities are in the after inventory and not in the before one, with no entry "
            "stated: counted in every year they have rows, as if inside the boundary from the "
            "start (right for a unit acquired with its history: write entry = acquisition and "
            "its acquisition date in included_from to say so; a unit opened later needs entry "
            "= opening and its opening date): {entities}", n=len(added),
            entities=_names(added))))
    removed = [e for e in changed["removed"] if e in counted]
    if removed:
        out.append(Notice("boundary_event_assumed", _(
            "{n} entities are in the before inventory and not in the after one: removed from "
            "every restated year, as a divestment is; a unit that closed stays in the after "
            "inventory with included_to = its last day and exit = closure (the years before are "
            "then unchanged): {entities}", n=len(removed), entities=_names(removed))))
    return out


def _stated(inv: Inventory, col: str) -> set[str]:
    ent = inv.entities
    return set(ent.loc[ent[col].astype(str) != "", "entity_id"].astype(str))


def _names(ids: list[str], limit: int = 10) -> Joined:
    more = _(" and {n} more", n=len(ids) - limit) if len(ids) > limit else ""
    return Joined([Joined(ids[:limit]), more], "", "")


def _notes(before: Inventory, after: Inventory, sets: dict[str, FactorSet], years: list[int],
           base: int, threshold: float, scope: str, required: bool, change: dict[str, Any],
           changes: dict[str, dict[str, Any]], out_years: dict[str, Any], ledgers: list[Ledger],
           cells: pd.DataFrame, parts: dict[str, np.ndarray], published: pd.DataFrame | None
           ) -> dict[str, Any]:
    changed = boundary.changed_entities(before.entities, after.entities)
    k = metrics.restated().index(THRESHOLD_METRIC)
    effect = parts["boundary"][:, k]
    by_entity = pd.DataFrame({"entity_id": cells["entity_id"], "year": cells["year"],
                              "boundary": effect})
    moved = by_entity[by_entity["boundary"] != 0].sort_values(["year", "entity_id"])
    counted = set(moved["entity_id"].astype(str))
    events = _events(after, years, cells, effect)
    evented = {e["entity_id"] for e in events}
    # the kinds the disclosure sums up: entities added or removed, with no event stated, that
    # change a restated figure (an entity with an event is named on its own)
    boundary_notes = {
        "added": changed["added"],
        "added_kinds": boundary.kinds(after.entities, [e for e in changed["added"]
                                                       if e in counted and e not in evented]),
        "removed": changed["removed"],
        "removed_kinds": boundary.kinds(before.entities,
                                        [e for e in changed["removed"] if e in counted]),
        "events": events,
        "window_changed": sorted(counted - set(changed["added"]) - set(changed["removed"])
                                 - evented),
        "by_entity_year_tco2e": [{"entity_id": str(r["entity_id"]), "year": int(r["year"]),
                                  "boundary": float(r["boundary"])}
                                 for r in moved.to_dict("records")],
        "names": {e: n for inv in (before, after) for e, n in zip(
            inv.entities["entity_id"].astype(str), inv.entities["name"].astype(str), strict=True)
            if e in counted},
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
        "gwp_before": before.settings.gwp_context, "gwp_after": after.settings.gwp_context,
        "gases_before": list(before.settings.gases), "gases_after": list(after.settings.gases),
    }
    notes: dict[str, Any] = {
        "base_year_change": change,
        "base_year_changes": changes,
        "boundary": boundary_notes,
        "factors": factor_notes,
    }
    if published is not None:
        notes["published"] = _published(published, out_years)
    notes["disclosure"] = disclosure(base, threshold, scope, required, changes, out_years,
                                     boundary_notes, factor_notes)
    notes["rules"] = [
        _("Structural changes are restated in every earlier year: an acquired (or insourced) "
          "unit's emissions are added from the year it existed, a divested (or outsourced) "
          "unit's are removed; Scope 3 is not reported, so insourcing from and outsourcing to it "
          "count as an acquisition and a divestment of the activity."),
        _("Organic changes (openings, closures; insourcing from or outsourcing to Scope 2, which "
          "stays reported) change no earlier year and do not count toward the threshold."),
        _("An entity that enters or leaves with no entry or exit stated is counted by its dates "
          "(an opening, a closure; only in the after inventory: inside from the start; only in "
          "the before inventory: removed) and named in the warnings."),
        _("The year of an event follows the mid-year rule (setting boundary_mid_year: the whole "
          "year, or pro rata by days)."),
        _("Each year uses its own factors under each inventory's settings; the step from one "
          "year's grid vintage to the next is a real change, not a restatement."),
        _("Cumulative change: entity-by-entity structural boundary changes, activity and factor "
          "changes in absolute value, over the base year's {metrics} as originally reported "
          "(threshold_scope = {scope}).", metrics=" / ".join(THRESHOLD_SCOPES[scope]),
          scope=scope),
    ]
    notes["warnings"] = {"before": [n.as_dict() for n in ledgers[0].notices],
                         "after": [n.as_dict() for n in ledgers[1].notices],
                         "restate": [n.as_dict() for n in _assumed(before, after, years, counted,
                                                                   changed)]}
    return notes


def _published(published: pd.DataFrame, out_years: dict[str, Any]) -> list[dict[str, Any]]:
    """Each published figure against A's recomputation: residual and whether the published
    rounding explains it (|residual| ≤ half a unit of the last printed digit)."""
    out = []
    for r in published.to_dict("records"):
        y, metric = str(int(r["year"])), str(r["metric"])
        value = float(r["value"])
        if metric not in out_years[y]:  # an optional figure neither inventory has (no water rows)
            out.append({"year": int(y), "metric": metric, "published": value, "recomputed": None,
                        "residual": None, "residual_pct": None, "within_rounding": False})
            continue
        got = out_years[y][metric]["before"]
        residual = value - got
        tol = 0.5 * 10.0 ** (-int(r["decimals"]))
        # exactly half a unit is within: allow the float error of the two figures (a few units
        # in their last place), which a slack relative to the tolerance alone does not cover
        slack = tol * 1e-12 + 8 * float(np.spacing(max(abs(value), abs(got))))
        out.append({"year": int(y), "metric": metric, "published": value, "recomputed": got,
                    "residual": residual, "residual_pct": _pct(residual, got),
                    "within_rounding": bool(abs(residual) <= tol + slack)})
    return out
