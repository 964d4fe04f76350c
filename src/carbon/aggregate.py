"""Totals over the ledger: by year, by source, by entity, and intensities.

Every figure is a sum over ledger rows; the JSON contract (DESIGN.md, contract 2) is built here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from carbon import __version__, metrics, vocab
from carbon.i18n import Joined, Words, _
from carbon.model import Inventory, Ledger, Notice, Settings


def _num(x: Any) -> float | None:
    """A JSON number, or None where there is none (no denominator)."""
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


def _ratio(a: float, b: float | None) -> float | None:
    return None if b is None or b == 0 else a / b


def _listed(ids: list[str], limit: int = 10) -> Joined:
    more = _(" and {n} more", n=len(ids) - limit) if len(ids) > limit else ""
    return Joined([Joined(ids[:limit]), more], "", "")


#: Per denominator: the rated sums over the entities that have it, and their denominator total
#: (None, None where no entity with activity has it); per (denominator, optional metric): the
#: same over the entities that have both the denominator and the figure.
Covered = dict[Any, tuple[Mapping[Any, Any] | None, float | None]]


def _figures(sums: Mapping[Any, Any], weights: dict[str, float]) -> dict[str, float]:
    """Every metric of one frame of summed rated metrics (and the carriers of the optional ones,
    :func:`carbon.metrics.carrier`), derived ones recomputed from them. An optional metric no row
    of the frame carries is left out."""
    out = {m.key: float(sums[m.key]) for m in metrics.rated()
           if not m.optional or sums.get(metrics.carrier(m.key), 0.0) > 0}
    out |= {k: float(v) for k, v in metrics.derive(out, weights).items()}
    return out


def _summed(ledger: Ledger) -> list[str]:
    """The ledger columns every total sums: the rated metrics (an optional one only where the run
    has it: the others are absent everywhere), then the carriers of those optional metrics."""
    return [*(m.key for m in metrics.rated() if not m.optional or m.key in ledger.present),
            *(metrics.carrier(m.key) for m in metrics.optional() if m.key in ledger.present)]


def _layout(gases: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(key, JSON group, counted) of each metric, for the gases an inventory counts."""
    gas_of = metrics.memo("gas_of", lambda declared: [
        (m.key, m.group, m.gas if isinstance(m, metrics.Rated) else "") for m in declared])
    return [(key, group, not gas or gas in gases) for key, group, gas in gas_of]


def year_figures(fig: Mapping[Any, Any], denom: dict[str, float | None], settings: Settings,
                 weights: dict[str, float], covered: Covered | None = None) -> dict[str, Any]:
    """The JSON figures of one year (or one entity-year) from its metrics (:func:`_figures`).

    Parameters
    ----------
    fig : mapping
        Every metric key -> value, derived ones included; an optional metric without data is
        left out (and so are its intensities). [each metric's unit]
    denom : dict
        Denominator key -> total, or None. [m², persons]
    settings : Settings
        The inventory's settings (the gases it counts, its GWP set).
    weights : dict
        GWP per gas. [t CO2e / t gas]
    covered : dict, optional
        Denominator key -> (rated sums over the entities that have that denominator, their
        denominator total): intensities divide these, never the whole year's figure by a partial
        denominator. Default: ``fig`` over ``denom`` (one entity).
    """
    out: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for key, group, counted in _layout(settings.gases):
        if key not in fig:  # an optional figure without data: absent
            continue
        value = float(fig[key]) if counted else None  # None: a gas the inventory leaves out
        if group:
            groups.setdefault(group, {})[key] = value
        else:
            out[key] = value
    out |= {k: denom.get(k) for k in metrics.DENOMINATORS}
    intensity = {}
    for r in metrics.RATIOS:
        if r.num not in fig:
            continue
        if covered is None:
            intensity[r.key] = _ratio(float(fig[r.num]), denom.get(r.den))
        else:
            part, total = covered.get((r.den, r.num)) or covered[r.den]
            intensity[r.key] = (None if part is None else
                                _ratio(_figures(part, weights)[r.num], total))
    out["intensity"] = intensity
    out |= groups
    return out


def _fine(rows: pd.DataFrame, keys: list[str], cols: list[str],
          zeros: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Sums of ``cols`` per distinct combination of ``keys``, sorted by the keys.

    One integer key per row from the keys' codes, then one ``np.bincount`` per column: a pass
    over the rows per column, whatever the number of groups; none over a column of ``zeros``
    (known to be all 0: a figure no combination of the ledger has).
    """
    key = np.zeros(len(rows), dtype=np.int64)
    levels = []
    for k in keys:
        codes, uniques = pd.factorize(rows[k], sort=True)
        key = key * len(uniques) + codes
        levels.append((k, np.asarray(uniques)))
    group, distinct = pd.factorize(key, sort=True)
    groups = len(distinct)
    out: dict[str, np.ndarray] = {}
    for k, uniques in reversed(levels):
        distinct, code = np.divmod(distinct, len(uniques))
        out[k] = uniques[code]
    # the sums in one block (column by column, each contiguous), which the frame takes as it is
    # and later selections take in one piece
    sums = np.zeros((groups, len(cols)), order="F")
    for j, c in enumerate(cols):
        values = None if c in zeros else rows[c].to_numpy(dtype="float64")
        if values is not None and values.any():  # else 0: a figure no row has (CO2e not split)
            sums[:, j] = np.bincount(group, weights=values, minlength=groups)
    frame = pd.DataFrame(sums, columns=list(cols), copy=False)
    for i, k in enumerate(keys):
        frame.insert(i, k, out[k])
    return frame


def _denominators(inv: Inventory, years: list[int]) -> pd.DataFrame:
    """entity_id, year and each denominator (NaN where blank); zero counts as blank."""
    keys = list(metrics.DENOMINATORS)
    d = inv.denominators
    if d is None:
        return pd.DataFrame(columns=["entity_id", "year", *keys])
    d = d.reindex(columns=["entity_id", "year", *keys])
    d = d[d["year"].isin(years)].astype({"entity_id": str})
    return d.assign(**{k: d[k].where(d[k] > 0) for k in keys})


def _intensity_basis(inv: Inventory, years: list[int], ent: pd.DataFrame, denoms: pd.DataFrame,
                     by_year: pd.DataFrame) -> tuple[dict[int, dict[str, Any]], list[Notice]]:
    """Per year and denominator: the rated sums and denominator total over the entities with
    activity that have that denominator (the year's own sums when every entity has it), and how
    many those are; warnings for the rest. An optional figure's intensities divide over the
    entities that have both the figure and the denominator (an entity without water rows has
    no water, not 0 m³)."""
    rated = list(by_year.columns)
    carriers = [(m.key, metrics.carrier(m.key)) for m in metrics.optional()
                if metrics.carrier(m.key) in ent.columns]
    out: dict[int, dict[str, Any]] = {}
    notices: list[Notice] = []
    have = set(inv.denominators["entity_id"].astype(str)) if inv.denominators is not None else set()
    # the columns once, as arrays (a row per figure): the per-year sums below are plain numpy
    ent_year, ent_ids = ent["year"].to_numpy(), ent["entity_id"].astype(str).to_numpy()
    figures = np.ascontiguousarray(ent[rated].to_numpy(dtype="float64").T)
    carried = {c: ent[c].to_numpy(dtype="float64") > 0 for _, c in carriers}
    d_year, d_ids = denoms["year"].to_numpy(), denoms["entity_id"].astype(str).to_numpy()
    d_values = {k: denoms[k].to_numpy(dtype="float64") for k in metrics.DENOMINATORS}

    def summed(rows: np.ndarray) -> dict[str, float]:
        """The rated figures summed over these rows of ``ent`` (blanks as 0, as pandas sums)."""
        part = figures[:, rows]
        return dict(zip(rated, np.where(np.isnan(part), 0.0, part).sum(axis=1).tolist(),
                        strict=True))

    for y in years:
        sel = np.flatnonzero(ent_year == y)
        in_year = np.flatnonzero(d_year == y)
        where = dict(zip(d_ids[in_year].tolist(), in_year.tolist(), strict=True))
        at = np.array([where.get(e, -1) for e in ent_ids[sel].tolist()], dtype=np.int64)
        info: dict[str, Any] = {"entities": len(sel), "covered": {}}
        for key, den in metrics.DENOMINATORS.items():
            value = np.where(at >= 0, d_values[key][np.maximum(at, 0)], np.nan) if len(
                in_year) else np.full(len(sel), np.nan)
            ok = ~np.isnan(value)
            info[f"{key}_entities"] = int(ok.sum())
            sums = (None if not ok.any() else by_year.loc[y].to_dict() if ok.all()
                    else summed(sel[ok]))
            info["covered"][key] = (sums, float(value[ok].sum()) if ok.any() else None)
            for metric, carrier in carriers:
                has = carried[carrier][sel]
                if has.any():
                    both = ok & has
                    info["covered"][(key, metric)] = (
                        (summed(sel[both]), float(value[both].sum()))
                        if both.any() else (None, None))
            lacking = sorted(ent_ids[sel][~ok].tolist())
            what = Words(den.label("en").lower(), den.label("zh-Hans"), den.label("zh-Hant"))
            per = Words(*(den.per_unit(lang).lstrip("/") for lang in ("en", "zh-Hans", "zh-Hant")))
            if not ok.any() and len(sel):
                notices.append(Notice(f"no_{key.removesuffix('_m2')}", _(
                    "{year}: no entity with activity has a {what} (blank or 0); its intensities "
                    "are left empty: add {key} per entity and year in the denominators table",
                    year=y, what=what, key=key)))
            elif lacking:
                notices.append(Notice("denominator_partial", _(
                    "{year}: {n} of {active} entities with activity have no {what} (blank or "
                    "0): {listed}; the intensities per {per} cover the other {others} entities "
                    "only (their figures over their {what}); add {key} for these entities",
                    year=y, n=len(lacking), active=len(sel), what=what,
                    listed=_listed(lacking), per=per, others=int(ok.sum()), key=key)
                    if set(lacking) & have else _(
                    "{year}: {n} of {active} entities with activity have no {what} (blank or "
                    "0): {listed}; the intensities per {per} cover the other {others} entities "
                    "only (their figures over their {what}); add {key} for these entities in "
                    "the denominators table", year=y, n=len(lacking), active=len(sel),
                    what=what, listed=_listed(lacking), per=per, others=int(ok.sum()),
                    key=key)))
        given = np.zeros(len(in_year), dtype=bool)
        for values in d_values.values():
            given |= ~np.isnan(values[in_year])
        idle = sorted(set(d_ids[in_year][given].tolist()) - set(ent_ids[sel].tolist()))
        if idle and len(sel):
            notices.append(Notice("denominator_without_activity", _(
                "{year}: {n} entities have a floor area or headcount but no activity in the "
                "year: {listed}; they are left out of the intensities (record their energy, or "
                "if it is billed to another entity, their area and staff there)", year=y,
                n=len(idle), listed=_listed(idle))))
        out[y] = info
    return out, notices


def _by_entity(inv: Inventory, ent: pd.DataFrame, settings: Settings,
               weights: dict[str, float]) -> list[dict[str, Any]]:
    """The figures of every entity-year, each intensity over the entity's own denominators;
    every column computed for all entity-years at once, then laid out as the JSON has it."""
    ent = ent.assign(**metrics.derive(ent, weights))
    ratios = {}
    held = [r for r in metrics.RATIOS if r.num in ent]  # not those of an optional figure it lacks
    for r in held:
        den = ent[r.den].to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[r.key] = np.where(den > 0, ent[r.num].to_numpy(dtype="float64") / den, np.nan)
    names = dict(zip(inv.entities["entity_id"].astype(str), inv.entities["name"], strict=True))
    layout = [item for item in _layout(settings.gases) if item[0] in ent]
    keys = [k for k, _, _ in layout]
    cols = {k: ent[k].to_numpy(dtype="float64").tolist() for k in keys}
    # where an optional figure the run has is absent (no row of the entity-year carries it)
    absent = {m.key: (ent[metrics.carrier(m.key)].to_numpy() <= 0).tolist()
              for m in metrics.optional() if m.key in ent}
    dens = {k: ent[k].to_numpy(dtype="float64").tolist() for k in metrics.DENOMINATORS}
    rats = {k: v.tolist() for k, v in ratios.items()}
    out = []
    for i, (eid, year) in enumerate(zip(ent["entity_id"].tolist(), ent["year"].tolist(),
                                        strict=True)):
        rec: dict[str, Any] = {"entity_id": eid, "name": names.get(eid, ""), "year": int(year)}
        groups: dict[str, dict[str, Any]] = {}
        for key, group, counted in layout:
            if key in absent and absent[key][i]:
                continue
            value = cols[key][i] if counted else None
            (groups.setdefault(group, {}) if group else rec)[key] = value
        rec |= {k: _num(v[i]) for k, v in dens.items()}
        rec["intensity"] = {r.key: _num(rats[r.key][i]) for r in held
                            if not (r.num in absent and absent[r.num][i])}
        rec |= groups
        out.append(rec)
    return out


def summarize(inv: Inventory, ledger: Ledger, years: list[int] | None = None) -> dict[str, Any]:
    """The JSON contract of ``carbon compute``: full-precision figures for every year.

    The ledger is grouped once, by entity, year and source; every other total is a sum over that
    (small) table, and every derived figure is recomputed from summed parts at each level.
    """
    rated = _summed(ledger)
    fine = _fine(ledger.rows, ["entity_id", "year", "source"], [*rated, "quantity_report"],
                 ledger.zeros)
    years = sorted(years if years is not None else {int(y) for y in fine["year"].unique()})
    settings, weights = inv.settings, ledger.weights
    ent = fine.groupby(["entity_id", "year"], sort=True)[rated].sum().reset_index()
    ent["entity_id"] = ent["entity_id"].astype(str)
    denoms = _denominators(inv, years)
    by_year = fine.groupby("year", sort=True)[rated].sum()
    basis, notices = _intensity_basis(inv, years, ent, denoms, by_year)
    src = fine.groupby(["year", "source"], sort=True)[[*rated, "quantity_report"]].sum()
    streams = _streams(ledger.rows, [*rated, "quantity_report"], ledger.zeros)
    out_years: dict[str, Any] = {}
    for y in years:
        sums = by_year.loc[y].to_dict() if y in by_year.index else dict.fromkeys(rated, 0.0)
        d = denoms[denoms["year"] == y]
        denom = {k: float(d[k].sum()) if d[k].notna().any() else None
                 for k in metrics.DENOMINATORS}
        fig = year_figures(_figures(sums, weights), denom, settings, weights,
                           basis[y]["covered"])
        fig["gwp"] = settings.gwp_context
        fig["intensity_basis"] = {f"{k}_entities": basis[y][f"{k}_entities"]
                                  for k in metrics.DENOMINATORS} | {
                                      "entities": basis[y]["entities"]}
        by_source = {}
        if y in src.index.get_level_values(0):
            for s, r in src.loc[y].iterrows():
                by_source[str(s)] = _source_figures(str(s), r.to_dict(), weights)
        for (s, stream), r in streams.get(y, {}).items():
            by_source[s].setdefault("streams", {})[stream] = _source_figures(s, r, weights)
        fig["by_source"] = by_source
        out_years[str(y)] = fig
    by_entity = _by_entity(inv, ent.merge(denoms, on=["entity_id", "year"], how="left"),
                           settings, weights)
    warnings = [n.as_dict() for n in [*ledger.notices, *notices]]
    absent = {m.key for m in metrics.optional()} - ledger.present
    units = {k: u for k, u in ledger.units.items() if k not in absent}
    units |= {k: d.unit for k, d in metrics.DENOMINATORS.items()}
    units |= {r.key: f"{units[r.num]}/{metrics.DENOMINATORS[r.den].unit.removesuffix('s')}"
              for r in metrics.RATIOS if r.num not in absent}
    return {
        "carbon_version": __version__,
        "factor_sets": [{"id": i, "sha256": h} for i, h in ledger.factor_sets],
        "gwp": settings.gwp_context,
        "gases": list(settings.gases),
        "units": units,
        "years": out_years,
        "by_entity": by_entity,
        "warnings": warnings,
    }


def _source_figures(source: str, sums: Mapping[Any, Any], weights: dict[str, float]
                    ) -> dict[str, Any]:
    """One source's (or one stream's) figures of a year: its quantity in the source's reporting
    unit; an energy source's kWh, tce and CO2e; every optional figure its rows have (water's m³,
    waste's tonnes or pieces, NOx of a fuel …). The quantity of waste or paper none of whose rows
    could be weighed is null (its pieces or volume are beside it)."""
    src = vocab.sources()[source]
    f = _figures(sums, weights)
    held = metrics.quantity_figure(src.category, src.report_unit)
    weighed = held is None or held in f
    out: dict[str, Any] = {"quantity": float(sums["quantity_report"]) if weighed else None,
                           "unit": src.report_unit}
    if src.energy:
        out |= {"energy_kwh": f["energy_kwh"], "energy_tce": f["energy_tce"],
                "tco2e": f["total_location_tco2e"], "tco2e_market": f["total_market_tco2e"]}
    out |= {m.key: f[m.key] for m in metrics.optional() if m.key in f}
    return out


def named_streams(rows: pd.DataFrame) -> np.ndarray | None:
    """Mask of the ledger rows that name a stream; None when none does (the usual case: then
    nothing is done row by row)."""
    stream = rows["stream"]
    if isinstance(stream.dtype, pd.CategoricalDtype):  # compared by code, not row by row as text
        named = np.flatnonzero(stream.cat.categories.astype(str) != "")
        keep = np.isin(stream.cat.codes.to_numpy(), named) if len(named) else None
    else:
        keep = (stream.astype(str) != "").to_numpy()
    return keep if keep is not None and keep.any() else None


def _streams(rows: pd.DataFrame, cols: list[str], zeros: frozenset[str]
             ) -> dict[int, dict[tuple[str, str], Any]]:
    """Sums by year, source and stream of the rows that name a stream (none: nothing to do)."""
    keep = named_streams(rows)
    if keep is None:
        return {}
    fine = _fine(rows[keep], ["year", "source", "stream"], cols, zeros)
    out: dict[int, dict[tuple[str, str], Any]] = {}
    for r in fine.to_dict("records"):
        out.setdefault(int(r["year"]), {})[(str(r["source"]), str(r["stream"]))] = r
    return out


def _lexical(col: pd.Series) -> pd.Series:
    """A text column that groups in the order of its texts: a coded one with its categories put
    in that order (the rows' codes renumbered, no text made per row)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.reorder_categories(sorted(col.cat.categories, key=str))
    return col.astype(str)


def by_source_month(rows: pd.DataFrame, weights: dict[str, float],
                    present: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Ledger sums by year, source (and stream, where rows name one) and month, for the
    workbook's breakdown.

    A record within one calendar month counts in that month; a record spanning several months
    (an annual invoice) keeps its own span, labelled ``2024-01 – 2024-12``: its quantity is never
    spread over months it was not measured in.

    Returns
    -------
    DataFrame
        year, source, (stream,) period (label), quantity_report [the source's reporting unit;
        NaN for waste or paper none of whose rows were weighed], report_unit, then every metric
        (rated ones summed, derived ones recomputed with ``weights``; an optional one NaN where
        no row carries it) [each metric's unit]; sorted by year, source and period.
    """
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    keyed = rows.assign(m0=(start.dt.year * 12 + start.dt.month - 1).to_numpy(),
                        m1=(end.dt.year * 12 + end.dt.month - 1).to_numpy(),
                        source=_lexical(rows["source"]),
                        report_unit=_lexical(rows["report_unit"]))
    carriers = [metrics.carrier(k) for k in sorted(present)]
    cols = ["quantity_report", *(m.key for m in metrics.rated()), *carriers]
    streams = ["stream"] if named_streams(rows) is not None else []
    out = _fine(keyed, ["year", "source", *streams, "report_unit", "m0", "m1"], cols)
    out = out.assign(source=out["source"].astype(str), report_unit=out["report_unit"].astype(str),
                     **{s: out[s].astype(rows[s].dtype) for s in streams})
    out = out.assign(**metrics.derive(out, weights))
    for m in metrics.optional():
        if m.key in present:
            out[m.key] = out[m.key].where(out[metrics.carrier(m.key)] > 0)
    for s, src in vocab.sources().items():
        held = metrics.quantity_figure(src.category, src.report_unit)
        if held in present:  # waste or paper in pieces only: no quantity in tonnes
            out.loc[(out["source"] == s) & out[held].isna(), "quantity_report"] = np.nan

    def month(m: pd.Series) -> pd.Series:
        return (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)

    out["period"] = month(out["m0"]).where(out["m0"] == out["m1"],
                                           month(out["m0"]) + " – " + month(out["m1"]))
    return out[["year", "source", *streams, "period", "quantity_report", "report_unit",
                *(m.key for m in metrics.METRICS)]]
