"""The engine: one vectorized pass from validated activity rows to the ledger.

Each distinct (source, unit, year, province, instrument) combination is resolved once — its unit
converted with pint, its factors looked up — and the results are mapped onto all rows by an
integer code. Nothing here loops over rows.

Energy follows GB/T 2589-2020 (quantity × average low heating value; standard coal by the
Appendix A coefficients). Scope 1 follows the NDRC accounting guides (fuel × low heating value ×
carbon content per unit heat × oxidation rate × 44/12) unless a direct per-unit factor is given.
Scope 2 is electricity × the MEE/NBS grid factor (location-based) or the contractual factor
(market-based, GHG Protocol Scope 2 Guidance), and heat × the heat factor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pint

from carbon import boundary, vocab
from carbon.errors import InputError, Problem
from carbon.factors import Factor, FactorSet, family, require
from carbon.model import GridLevel, Inventory, Ledger, Notice, Origin
from carbon.units import ENERGY, MASS, VOLUME, parse_unit, to_co2e

#: Numbers each combination resolves to, per unit of quantity as entered.
RATES = ("kwh", "tce", "scope1", "scope2_location", "scope2_market", "report")
#: The factor ids each combination records, one ledger column each.
REFS = ("f_energy", "f_tce", "f_scope1", "f_scope2_location", "f_scope2_market")


class _Missing(Exception):
    """A factor a combination needs is not available."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


@dataclass
class _Resolved:
    rates: dict[str, float] = field(default_factory=lambda: dict.fromkeys(RATES, 0.0))
    refs: dict[str, list[str]] = field(default_factory=lambda: {r: [] for r in REFS})
    market_fallback: bool = False
    market_residual: bool = False  # market-based at the grid's residual-mix factor


def grid_sets(years: Iterable[int], inv: Inventory, sets: dict[str, FactorSet]
              ) -> tuple[dict[int, FactorSet], list[Notice]]:
    """The electricity factor set for each year: a pin, else the vintage rule.

    Vintage rule: the set of that year if published, else the latest earlier one (with a notice
    naming both years).
    """
    pins = inv.settings.factor_sets
    out: dict[int, FactorSet] = {}
    notices: list[Notice] = []
    series = family(sets, pins.grid_family)
    for y in sorted(set(years)):
        if y in pins.grid_by_year:
            out[y] = require(sets, pins.grid_by_year[y])
        elif pins.grid:
            out[y] = require(sets, pins.grid)
        elif y in series:
            out[y] = series[y]
        else:
            earlier = [v for v in series if v < y]
            if not earlier:
                have = ", ".join(str(v) for v in sorted(series)) or "none"
                raise InputError([Problem(
                    inv.origins.get("settings", Origin("settings")).file, None, None,
                    "factor_sets", "no_grid_factor", str(y),
                    f"no {pins.grid_family} electricity factor for {y} or earlier (have {have})",
                    "pin a set in settings: factor_sets.grid or factor_sets.grid_by_year")])
            used = max(earlier)
            out[y] = series[used]
            notices.append(Notice("grid_vintage", f"{y}: no {pins.grid_family} factor published "
                                  f"for {y}; used the {used} factors ({series[used].id})"))
    return out, notices


class _Resolver:
    """Looks up and combines the factors of one combination."""

    def __init__(self, inv: Inventory, sets: dict[str, FactorSet], grids: dict[int, FactorSet],
                 level: GridLevel):
        pins = inv.settings.factor_sets
        self.energy = require(sets, pins.energy)
        self.fuel = require(sets, pins.fuel)
        self.density = require(sets, pins.density)
        self.market = require(sets, pins.market)
        self.grids = grids
        self.level = level
        self.gwp = inv.settings.gwp
        self.used: dict[str, Factor] = {}
        self.custom: dict[tuple[str, str, int | None], Factor] = {}
        origin = inv.origins.get("custom_factors")
        if inv.custom_factors is not None:
            for r in inv.custom_factors.to_dict("records"):
                year = None if pd.isna(r["year"]) else int(r["year"])
                where = f"{origin.file if origin else 'custom_factors'} row {r['row']}"
                kind, source = str(r["kind"]), str(r["source"])
                self.custom[(kind, source, year)] = Factor(
                    "custom", kind, source, "", float(r["value"]), str(r["unit"]),
                    f"{r['reference']} ({where})", True, "", year)

    # -- lookups ----------------------------------------------------------------------------
    def _use(self, f: Factor, refs: list[str]) -> pint.Quantity:
        self.used[f.id] = f
        if f.id not in refs:
            refs.append(f.id)
        return f.quantity

    def find(self, kind: str, source: str, year: int, *sets: FactorSet) -> Factor | None:
        """The inventory's own factor (that year, else every year), else the first set's row."""
        f = self.custom.get((kind, source, year)) or self.custom.get((kind, source, None))
        if f is not None:
            return f
        for fs in sets:
            got = fs.get(kind, source)
            if got is not None:
                return got
        return None

    def need(self, kind: str, source: str, year: int, *sets: FactorSet) -> Factor:
        f = self.find(kind, source, year, *sets)
        if f is None:
            names = ", ".join(fs.id for fs in sets)
            missing = [m for fs in sets for m in fs.meta.missing if source in m]
            why = f" ({missing[0]})" if missing else ""
            raise _Missing(f"no {kind} for {source} in {names}{why}",
                           f"add a custom_factors row: source {source}, kind {kind}"
                           + (", or kind emission" if kind in ("carbon_content", "ncv") else ""))
        return f

    def convert(self, amount: pint.Quantity, basis: object, source: str, year: int,
                refs: list[str], ncv_sets: tuple[FactorSet, ...]) -> pint.Quantity:
        """Express an amount (one unit as entered) in the dimension ``basis``: mass, volume or
        energy, bridging mass and volume by density and mass or volume and energy by the low
        heating value."""
        if amount.dimensionality == basis:
            return amount

        def density() -> pint.Quantity:
            return self._use(self.need("density", source, year, self.density), refs)

        def to_mass_or_volume(q: pint.Quantity, target: object) -> pint.Quantity:
            if q.dimensionality == target:
                return q
            if q.dimensionality == MASS and target == VOLUME:
                return (q / density()).to("m3")
            if q.dimensionality == VOLUME and target == MASS:
                return (q * density()).to("t")
            raise _Missing(f"cannot express {q.units:~} as {target}", "check the unit")

        if basis == ENERGY or amount.dimensionality == ENERGY:
            ncv = self._use(self.need("ncv", source, year, *ncv_sets), refs)
            ncv_basis = (parse_unit("kWh") / ncv).dimensionality
            if basis == ENERGY:
                return (to_mass_or_volume(amount, ncv_basis) * ncv).to("kWh")
            per_basis = (amount / ncv).to_reduced_units()
            return to_mass_or_volume(per_basis, basis)
        return to_mass_or_volume(amount, basis)

    # -- one combination --------------------------------------------------------------------
    def resolve(self, source: str, unit: str, year: int, province: str,
                instrument: str) -> _Resolved:
        out = _Resolved()
        src = vocab.sources()[source]
        amount = 1.0 * parse_unit(unit)
        ncv_energy = (self.energy,)
        custom_ncv = self.custom.get(("ncv", source, year)) or self.custom.get(("ncv", source, None))
        # energy, kWh
        energy = self.convert(amount, ENERGY, source, year, out.refs["f_energy"], ncv_energy)
        out.rates["kwh"] = float(energy.to("kWh").m)
        # standard coal, tce
        if custom_ncv is not None and src.category == "fuel":
            out.rates["tce"] = float(energy.to("tce").m)  # measured heating value / 29 307 kJ
            out.refs["f_tce"] = list(out.refs["f_energy"])
        else:
            coef_f = self.need("coal_coefficient", source, year, self.energy)
            coef = self._use(coef_f, out.refs["f_tce"])
            basis = (parse_unit("kgce") / coef).dimensionality
            q = self.convert(amount, basis, source, year, out.refs["f_tce"], ncv_energy)
            out.rates["tce"] = float((q * coef).to("tce").m)
        # report quantity, in the source's reporting unit
        report = parse_unit(src.report_unit)
        q = self.convert(amount, report.dimensionality, source, year, [], ncv_energy)
        out.rates["report"] = float((q / report).to("").m)
        # emissions
        if src.category == "fuel":
            out.rates["scope1"] = self._scope1(source, amount, year, out.refs["f_scope1"])
        elif src.category == "heat":
            t = self._per_unit_emission(source, amount, year, out.refs["f_scope2_location"],
                                        (self.fuel,), subjects=(source, "heat"))
            out.rates["scope2_location"] = out.rates["scope2_market"] = t
            out.refs["f_scope2_market"] = list(out.refs["f_scope2_location"])
        else:
            self._electricity(out, energy, year, province, instrument)
        return out

    def _per_unit_emission(self, source: str, amount: pint.Quantity, year: int, refs: list[str],
                           sets: tuple[FactorSet, ...], subjects: tuple[str, ...]) -> float:
        f = None
        for subject in subjects:
            f = self.find("emission", subject, year, *sets)
            if f is not None:
                break
        if f is None:
            raise _Missing(f"no emission factor for {source} in {', '.join(s.id for s in sets)}",
                           f"add a custom_factors row: source {source}, kind emission")
        ef = to_co2e(self._use(f, refs), self.gwp)
        basis = (parse_unit("tCO2e") / ef).dimensionality
        q = self.convert(amount, basis, source, year, refs, (self.energy,))
        return float((q * ef).to("tCO2e").m)

    def _scope1(self, source: str, amount: pint.Quantity, year: int, refs: list[str]) -> float:
        direct = self.custom.get(("emission", source, year)) or self.custom.get(
            ("emission", source, None))
        if direct is not None:
            return self._per_unit_emission(source, amount, year, refs, (), (source,))
        energy = self.convert(amount, ENERGY, source, year, refs, (self.fuel, self.energy))
        cc = self._use(self.need("carbon_content", source, year, self.fuel), refs)
        ox = self._use(self.need("oxidation_rate", source, year, self.fuel), refs)
        co2 = energy * cc * ox  # tC -> tCO2 carries the 44/12 (units.txt)
        return float(to_co2e(co2.to("tCO2"), self.gwp).to("tCO2e").m)

    def _grid_region(self, fs: FactorSet, province: str) -> str:
        if self.level == "national":
            return "national"
        if not province:
            raise _Missing(f"grid level {self.level} needs the entity's province",
                           "fill in province in the entities table")
        if self.level == "provincial":
            p = vocab.provinces()[province]
            key = province.rsplit("_", 1)[0] if not p.code and "_" in province else province
            return key
        grid = fs.grid_of(province)
        if grid is None:
            hint = (" (Inner Mongolia is split: write 蒙西 or 蒙东)"
                    if province == "inner_mongolia" else "")
            raise _Missing(f"{fs.id} maps no regional grid for province {province}{hint}",
                           "correct the province, use --grid-level national, or add a "
                           "custom_factors row for electricity")
        return grid

    def _electricity(self, out: _Resolved, energy: pint.Quantity, year: int, province: str,
                     instrument: str) -> None:
        fs = self.grids[year]
        custom = self.custom.get(("emission", "electricity", year)) or self.custom.get(
            ("emission", "electricity", None))
        if custom is not None:
            loc = custom
        else:
            region = self._grid_region(fs, province)
            got = fs.get("emission", "electricity", region)
            if got is None:
                raise _Missing(f"{fs.id} has no electricity factor for {region}",
                               "use another --grid-level, or add a custom_factors row for "
                               "electricity")
            loc = got
        loc_q = to_co2e(self._use(loc, out.refs["f_scope2_location"]), self.gwp)
        out.rates["scope2_location"] = float((energy * loc_q).to("tCO2e").m)
        if instrument:
            mkt: Factor | None = self.market.get("emission", "electricity", instrument)
        elif custom is not None:
            mkt = custom
        else:
            mkt = fs.get("emission", "electricity", "national_excl_market_nonfossil")
            out.market_residual = mkt is not None
        if mkt is None:
            out.market_fallback = True
            mkt = loc
        mkt_q = to_co2e(self._use(mkt, out.refs["f_scope2_market"]), self.gwp)
        out.rates["scope2_market"] = float((energy * mkt_q).to("tCO2e").m)


def calendar_year(d: np.ndarray) -> np.ndarray:
    """Calendar year of each date, computed once per distinct date."""
    codes, distinct = pd.factorize(d)
    return (np.asarray(distinct, dtype="datetime64[Y]").astype(np.int64) + 1970)[codes]


def split_years(act: pd.DataFrame) -> pd.DataFrame:
    """One piece per calendar year a row's period touches, its quantity shared by days."""
    y0 = calendar_year(act["period_start"].to_numpy())
    y1 = calendar_year(act["period_end"].to_numpy())
    n = y1 - y0 + 1
    if (n == 1).all():
        out = act.copy(deep=False)
        out["year"] = y0
        out["share"] = 1.0
        return out
    idx = np.repeat(np.arange(len(act)), n)
    out = act.iloc[idx].reset_index(drop=True)
    year = y0[idx] + np.arange(len(idx)) - np.repeat(np.cumsum(n) - n, n)
    # only the pieces of rows that cross a year end change their period and share
    pieces = np.flatnonzero(n[idx] > 1)
    src = idx[pieces]
    start = act["period_start"].to_numpy()[src].astype("datetime64[D]")
    end = act["period_end"].to_numpy()[src].astype("datetime64[D]")
    jan1, dec31 = boundary.year_bounds(year[pieces])
    p0, p1 = np.maximum(start, jan1), np.minimum(end, dec31)
    share = np.ones(len(idx))
    share[pieces] = ((p1 - p0).astype(int) + 1) / ((end - start).astype(int) + 1)
    for col, value in (("period_start", p0), ("period_end", p1)):
        dates = out[col].to_numpy(copy=True)
        dates[pieces] = value.astype("datetime64[s]")
        out[col] = dates
    out["year"] = year
    out["share"] = share
    return out


def _combos(columns: dict[str, tuple[pd.Series, np.ndarray | None]]
            ) -> tuple[np.ndarray, pd.DataFrame]:
    """An integer code per row for its combination of the given columns, and the distinct
    combinations. A column's mask, when given, blanks it ("") where the mask is false."""
    key = np.zeros(0, dtype=np.int64)
    parts = []
    for name, (col, mask) in columns.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes, uniques = col.cat.codes.to_numpy(), col.cat.categories
        else:
            codes, uniques = pd.factorize(col)
        values = np.append(np.asarray(uniques, dtype=object), "")
        codes = np.where(codes < 0, len(values) - 1, codes)
        if mask is not None:
            codes = np.where(mask, codes, len(values) - 1)
        key = codes.astype(np.int64) if not len(key) else key * len(values) + codes
        parts.append((name, values))
    inverse, distinct = pd.factorize(key)
    combos = {}
    for name, values in reversed(parts):
        distinct, code = np.divmod(distinct, len(values))
        combos[name] = values[code]
    return inverse, pd.DataFrame({name: combos[name] for name, _ in parts})


def compute(inv: Inventory, sets: dict[str, FactorSet], *, grid_level: GridLevel | None = None,
            years: Iterable[int] | None = None) -> Ledger:
    """Build the ledger of an inventory.

    Parameters
    ----------
    inv : Inventory
        A validated inventory.
    sets : dict
        Factor sets by id (bundled, plus the user's).
    grid_level : {"national", "regional", "provincial"}, optional
        Overrides the inventory's setting.
    years : iterable of int, optional
        Report only these years (default: the settings' reporting years, else every year present).

    Raises
    ------
    InputError
        Listing every combination of the inventory that lacks a factor.
    """
    level: GridLevel = grid_level or inv.settings.grid_level
    notices = list(inv.notices)
    act = split_years(inv.activity)
    if (act["share"] < 1).any():
        rows = act.loc[act["share"] < 1, "row"].nunique()
        notices.append(Notice("split_across_years", f"{rows} activity rows span a year end; each "
                              "was shared between the years by days"))
    wanted = sorted(set(years or inv.settings.reporting_years or act["year"].unique().tolist()))
    outside = ~act["year"].isin(wanted)
    if outside.any():
        shown = ", ".join(str(y) for y in sorted(act.loc[outside, "year"].unique()))
        notices.append(Notice("outside_years", f"{int(outside.sum())} activity rows (or parts) "
                              f"fall in years not reported ({shown}) and are not counted"))
        act = act[~outside].reset_index(drop=True)
    act, found = boundary.apply(act, inv)  # windows, mid-year rule, equity share
    notices += found
    grids, found = grid_sets(wanted, inv, sets)
    notices += found
    elec = (act["source"] == "electricity").to_numpy()
    if level != "national":
        prov_of = dict(zip(inv.entities["entity_id"], inv.entities["province"].astype(str),
                           strict=True))
        province = act["entity_id"].map(prov_of)
    else:
        province = pd.Series("", index=act.index)
    codes, combos = _combos({
        "source": (act["source"], None), "unit": (act["unit"], None),
        "year": (act["year"], None), "province": (province, elec),
        "instrument": (act["instrument"], elec)})
    resolver = _Resolver(inv, sets, grids, level)
    rates = np.zeros((len(combos), len(RATES)))
    refs: list[list[str]] = [[] for _ in REFS]
    fallback = np.zeros(len(combos), dtype=bool)
    residual = np.zeros(len(combos), dtype=bool)
    problems: list[Problem] = []
    origin = inv.origins["activity"]
    for i, c in enumerate(combos.to_dict("records")):
        try:
            r = resolver.resolve(str(c["source"]), str(c["unit"]), int(c["year"]),
                                 str(c["province"]), str(c["instrument"]))
        except _Missing as exc:
            hit_rows = np.unique(act["row"].to_numpy()[codes == i])
            more = f" (and {len(hit_rows) - 1} more rows)" if len(hit_rows) > 1 else ""
            problems.append(Problem(origin.file, origin.sheet, int(hit_rows[0]), "source",
                                    "missing_factor", f"{c['source']} in {c['unit']}, {c['year']}",
                                    exc.message + more, exc.fix))
            for lst in refs:
                lst.append("")
            continue
        rates[i] = [r.rates[k] for k in RATES]
        for lst, k in zip(refs, REFS, strict=True):
            lst.append(";".join(r.refs[k]))
        fallback[i] = r.market_fallback
        residual[i] = r.market_residual
    if problems:
        raise InputError(problems)
    q = act["quantity"].to_numpy() * act["share"].to_numpy()

    def per(rate: str) -> np.ndarray:
        return rates[:, RATES.index(rate)][codes]

    known = vocab.sources()
    cols: dict[str, object] = {c: act[c] for c in ("row", "entity_id", "year", "period_start",
                                                    "period_end", "share", "source")}
    source = act["source"].astype("category")
    by_source = [known.get(str(c)) for c in source.cat.categories]
    src_codes = source.cat.codes.to_numpy()

    def of_source(attr: str, missing: object) -> pd.Categorical | np.ndarray:
        values = np.array([getattr(k, attr) if k else missing for k in by_source] or [missing])
        if values.dtype == bool:
            return values[src_codes]
        codes, distinct = pd.factorize(values)
        return pd.Categorical.from_codes(codes[src_codes], categories=pd.Index(distinct))

    cols["category"] = of_source("category", "")
    cols |= {c: act[c] for c in ("use", "instrument", "data_quality")}
    cols["quantity"] = q
    cols["unit"] = act["unit"]
    cols["quantity_report"] = q * per("report")
    cols["report_unit"] = of_source("report_unit", "")
    cols["energy_kwh"] = q * per("kwh")
    cols["energy_tce"] = q * per("tce")
    cols["direct"] = of_source("direct", False)
    for name in ("scope1", "scope2_location", "scope2_market"):
        cols[f"{name}_tco2e"] = q * per(name)
    cols["market_fallback"] = fallback[codes]
    for name, lst in zip(REFS, refs, strict=True):
        distinct, which = np.unique(np.asarray(lst, dtype=str), return_inverse=True)
        cols[name] = pd.Categorical.from_codes(which.reshape(-1)[codes],
                                               categories=pd.Index(distinct))
    ledger = pd.DataFrame(cols, copy=False)
    at_residual = residual[codes]  # not rows at the reporter's own electricity factor
    if at_residual.any():
        kwh = ledger.loc[at_residual, "energy_kwh"].sum()
        notices.append(Notice("market_residual", f"market-based: {kwh:,.0f} kWh without a "
                              "contractual instrument use the grid factor excluding market-traded "
                              "non-fossil power"))
    if fallback.any():
        kwh = ledger.loc[ledger["market_fallback"], "energy_kwh"].sum()
        notices.append(Notice("market_fallback", f"market-based: {kwh:,.0f} kWh fell back to the "
                              "location-based factor (the set has no residual factor)"))
    used_sets = sorted({f.set_id for f in resolver.used.values() if f.set_id != "custom"})
    return Ledger(ledger, dict(sorted(resolver.used.items())),
                  [(s, sets[s].sha256) for s in used_sets], notices)
