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

from carbon import boundary, metrics, vocab
from carbon.errors import FactorSetError, InputError, Problem
from carbon.factors import Factor, FactorSet, family, require
from carbon.i18n import Joined, Msg, Words, _
from carbon.model import GridLevel, Inventory, Ledger, Notice, Origin, Settings
from carbon.units import (
    CH4,
    CO2,
    CO2E,
    COUNTS,
    ENERGY,
    LENGTH,
    MASS,
    N2O,
    VOLUME,
    Quantity,
    parse_unit,
)

#: Where no MEE/NBS factor applies: an entity there never gets a mainland grid value.
OUTSIDE_MAINLAND_GRID = ("hong_kong", "macao", "taiwan", "tibet")


class _Missing(Exception):
    """A factor a combination needs is not available.

    ``column``, when given, is the entities-table column whose value is the cause (a Hong Kong
    site's ``utility``, a ``province`` without a factor): the problem is then located at each
    entity concerned rather than at the first activity row.
    """

    def __init__(self, message: Msg, fix: Msg, column: str | None = None):
        super().__init__(message)
        self.message, self.fix, self.column = message, fix, column


@dataclass(frozen=True)
class _Combo:
    """One distinct combination of the columns a rate depends on."""

    source: str
    unit: str
    year: int
    province: str = ""
    instrument: str = ""
    utility: str = ""
    use: str = ""
    technology: str = ""
    stream: str = ""


@dataclass
class _Resolved:
    rates: dict[str, float] = field(default_factory=dict)  # metric key -> per unit as entered
    refs: dict[str, list[str]] = field(default_factory=dict)  # stage -> factor ids
    co2e: set[str] = field(default_factory=set)  # rated metrics computed from a CO2e factor
    cache: dict[str, object] = field(default_factory=dict)
    market_fallback: bool = False
    market_residual: bool = False  # market-based at the grid's residual-mix factor

    def stage(self, name: str) -> list[str]:
        return self.refs.setdefault(name, [])


def _could_pin(sets: dict[str, FactorSet], year: int) -> list[str]:
    """Sets with an electricity factor that say they cover ``year``'s data, for the grid: not a
    Hong Kong utility's (its factor is a utility's site's only, never the grid's)."""
    return sorted(fs.id for fs in sets.values() if year in fs.meta.covers_years
                  and not fs.meta.utility
                  and any(p == "emission" and s == "electricity" for p, s, _ in fs.factors))


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
                have = Joined(str(v) for v in sorted(series)) if series else _("none")
                could = _could_pin(sets, y)
                hint = ((_(" ({sets} covers {year})", sets=could[0], year=y) if len(could) == 1
                         else _(" ({sets} cover {year})", sets=Joined(could), year=y))
                        if could else "")
                example = could[0] if could else "<set id>"
                origin = inv.origins.get("settings", Origin("settings"))
                raise InputError([Problem(
                    origin.file, origin.sheet, None,
                    "factor_sets", "no_grid_factor", str(y),
                    _("no {family} electricity factor for {year} or earlier (have {have})",
                      family=pins.grid_family, year=y, have=have),
                    _('pin a set for that year in settings: factor_sets.grid_by_year = '
                      '{{{year} = "{example}"}}{hint}, or factor_sets.grid for every year',
                      year=y, example=example, hint=hint))])
            used = max(earlier)
            out[y] = series[used]
            notices.append(Notice("grid_vintage", _("{year}: no {family} factor published for "
                                                    "{year}; used the {used} factors ({set})",
                                                    year=y, family=pins.grid_family, used=used,
                                                    set=series[used].id)))
    return out, notices


def gwp_weights(settings: Settings, sets: dict[str, FactorSet]) -> tuple[dict[str, float],
                                                                          list[Factor]]:
    """The GWP of each gas the settings count, from the named GWP set (AR6: CH4 of fossil
    origin), and the factor rows used. Gases the settings leave out weigh 0."""
    fs = require(sets, settings.gwp_set)
    weights: dict[str, float] = dict.fromkeys(metrics.GASES, 0.0)
    used = []
    for gas in settings.gases:
        f = fs.get("gwp", gas, "fossil") or fs.get("gwp", gas)
        if f is None:
            raise FactorSetError(fs.id, [_("no gwp row for {gas}, which the setting gases counts",
                                           gas=gas)])
        weights[gas] = float(f.quantity.to(f"tCO2e/t{gas}").m)
        used.append(f)
    return weights, used


class _Resolver:
    """Looks up and combines the factors of one combination, one rated metric at a time."""

    def __init__(self, inv: Inventory, sets: dict[str, FactorSet], grids: dict[int, FactorSet],
                 level: GridLevel, weights: dict[str, float]):
        pins = inv.settings.factor_sets
        self.sets = sets
        self.energy = require(sets, pins.energy)
        self.fuel = require(sets, pins.fuel)
        self.density = require(sets, pins.density)
        self.market = require(sets, pins.market)
        self.gases = set(inv.settings.gases)
        self.combustion = require(sets, pins.combustion) if self.gases - {"CO2"} else None
        self.vehicle = inv.settings.vehicle_technology
        self.grids = grids
        self.level = level
        self.weights = weights
        self.utilities: dict[str, dict[int, FactorSet]] = {}
        for fs in sets.values():
            if fs.meta.utility and fs.meta.data_year is not None:
                self.utilities.setdefault(fs.meta.utility, {})[fs.meta.data_year] = fs
        self.unit_masses = require(sets, pins.unit_mass) if pins.unit_mass else None
        self.air = [require(sets, a) for a in pins.air]
        self.used: dict[str, Factor] = {}
        self.notices: dict[str, Notice] = {}
        # air pollutants of fuels: by metric, the sources with a factor and those without one
        self.air_from: dict[str, set[str]] = {}
        self.air_without: dict[str, set[str]] = {}
        self.sulphur_limits: dict[str, Factor] = {}  # source -> a fuel standard's sulphur limit
        self.custom: dict[tuple[str, str, int | None, str, str], Factor] = {}
        origin = inv.origins.get("custom_factors")
        if inv.custom_factors is not None:
            for r in inv.custom_factors.to_dict("records"):
                year = None if pd.isna(r["year"]) else int(r["year"])
                where = f"{origin.file if origin else 'custom_factors'} row {r['row']}"  # a ref
                kind, source, region = str(r["kind"]), str(r["source"]), str(r.get("region", ""))
                stream = str(r.get("stream", "") or "")
                self.custom[(kind, source, year, region, stream)] = Factor(
                    "custom", kind, source, region, float(r["value"]), str(r["unit"]),
                    f"{r['reference']} ({where})", True, f"stream: {stream}" if stream else "",
                    year)

    @property
    def regional_custom(self) -> bool:
        """Whether any own factor is for one region only (then every row's province counts)."""
        return any(region for *_, region, _ in self.custom)

    @property
    def streamed_custom(self) -> bool:
        """Whether any own factor is for one stream only (then every row's stream counts)."""
        return any(stream for *_, stream in self.custom)

    # -- lookups ----------------------------------------------------------------------------
    def _use(self, f: Factor, refs: list[str]) -> pint.Quantity:
        self.used[f.id] = f
        if f.id not in refs:
            refs.append(f.id)
        return f.quantity

    def own(self, kind: str, source: str, c: _Combo) -> Factor | None:
        """The inventory's own factor for the combination: its stream's, else every stream's;
        its region's (the entity's utility, then its province), else everywhere's; that year's,
        else every year's."""
        for stream in ((c.stream, "") if c.stream else ("",)):
            for region in (*(r for r in (c.utility, c.province) if r), ""):
                for year in (c.year, None):
                    f = self.custom.get((kind, source, year, region, stream))
                    if f is not None:
                        return f
        return None

    def find(self, kind: str, source: str, c: _Combo, *sets: FactorSet,
             region: str = "") -> Factor | None:
        """The inventory's own factor, else the first set's row."""
        f = self.own(kind, source, c)
        if f is not None:
            return f
        for fs in sets:
            got = fs.get(kind, source, region)
            if got is not None:
                return got
        return None

    def need(self, kind: str, source: str, c: _Combo, *sets: FactorSet) -> Factor:
        f = self.find(kind, source, c, *sets)
        if f is None:
            names = Joined(fs.id for fs in sets) if sets else _("the inventory's own factors")
            missing = [m for fs in sets for m in fs.meta.missing if source in m]
            why = f" ({missing[0]})" if missing else ""
            name = vocab.source_name(source)
            raise _Missing(_("no {kind} for {source} in {sets}{why}", kind=kind, source=name,
                             sets=names, why=why),
                           _("add a custom_factors row: source {source}, kind {kind}, or kind "
                             "emission", source=name, kind=kind)
                           if kind in ("carbon_content", "ncv") else
                           _("add a custom_factors row: source {source}, kind {kind}",
                             source=name, kind=kind))
        return f

    def convert(self, amount: pint.Quantity, basis: object, c: _Combo,
                refs: list[str], ncv_sets: tuple[FactorSet, ...]) -> pint.Quantity:
        """Express an amount (one unit as entered) in the dimension ``basis``: mass, volume or
        energy, bridging mass and volume by density and mass or volume and energy by the low
        heating value."""
        if amount.dimensionality == basis:
            return amount

        def density() -> pint.Quantity:
            return self._use(self.need("density", c.source, c, self.density), refs)

        def to_mass_or_volume(q: pint.Quantity, target: object) -> pint.Quantity:
            if q.dimensionality == target:
                return q
            if q.dimensionality == MASS and target == VOLUME:
                return (q / density()).to("m3")
            if q.dimensionality == VOLUME and target == MASS:
                return (q * density()).to("t")
            raise _Missing(_("cannot express {unit} as {target}", unit=f"{q.units:~}",
                             target=target), _("check the unit"))

        if basis == ENERGY or amount.dimensionality == ENERGY:
            ncv = self._use(self.need("ncv", c.source, c, *ncv_sets), refs)
            ncv_basis = (parse_unit("kWh") / ncv).dimensionality
            if basis == ENERGY:
                return (to_mass_or_volume(amount, ncv_basis) * ncv).to("kWh")
            per_basis = (amount / ncv).to_reduced_units()
            return to_mass_or_volume(per_basis, basis)
        return to_mass_or_volume(amount, basis)

    # -- one combination --------------------------------------------------------------------
    def resolve(self, c: _Combo) -> _Resolved:
        """Every rated metric of the combination (an optional one only where it carries it),
        and its quantity in the source's reporting unit."""
        out = _Resolved()
        source = vocab.sources()[c.source]
        for m in metrics.rated():
            if source.category not in m.applies:
                continue
            value = getattr(self, f"_rate_{m.how}")(m, c, out)
            if value is None:  # an optional figure this combination does not carry
                continue
            out.rates[m.key] = self._in(m, value, out)
        report = parse_unit(source.report_unit)
        amount = 1.0 * parse_unit(c.unit)
        if source.energy or amount.dimensionality == report.dimensionality:
            q = self.convert(amount, report.dimensionality, c, [], (self.energy,))
            out.rates["quantity_report"] = float((q / report).to("").m)
        else:  # pieces, sheets or a volume of waste or paper: its tonnes where it was weighed
            held = metrics.quantity_figure(source.category, source.report_unit)
            out.rates["quantity_report"] = out.rates.get(held, 0.0) if held else 0.0
        if not source.energy and not any(m.key in out.rates for m in metrics.rated()):
            raise _Missing(*_NOTHING.get(source.category, (
                _("{source} in {unit} gives no figure", source=vocab.source_name(c.source),
                  unit=c.unit),
                _("check the unit"))))
        return out

    def _in(self, m: metrics.Rated, value: pint.Quantity | float, out: _Resolved) -> float:
        """A rate in the metric's unit; CO2 counts as CO2e at the GWP of CO2 (recorded: the
        figure's unit then says CO2 where nothing else was counted)."""
        if not isinstance(value, pint.Quantity):
            return float(value)
        q: pint.Quantity = value
        target = parse_unit(m.unit)
        if q.dimensionality == CO2E and target.dimensionality == CO2E:
            out.co2e.add(m.key)  # also when already in the metric's unit (a factor in tCO2e/t)
        if q.units == target.units:
            return float(q.m)
        if q.dimensionality == CO2 and target.dimensionality == CO2E:
            q = q * Quantity(self.weights["CO2"], "tCO2e/tCO2")
        return float(q.to(m.unit).m)

    def _energy(self, c: _Combo, out: _Resolved) -> pint.Quantity:
        if "energy" not in out.cache:
            out.cache["energy"] = self.convert(1.0 * parse_unit(c.unit), ENERGY, c,
                                               out.stage("f_energy"), (self.energy,))
        return out.cache["energy"]  # type: ignore[return-value]

    def _rate_energy(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity:
        if "kwh" not in out.cache:
            out.cache["kwh"] = self._energy(c, out).to("kWh")
        return out.cache["kwh"]  # type: ignore[return-value]

    def _rate_tce(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity:
        energy = self._energy(c, out)
        fuel = vocab.sources()[c.source].category == "fuel"
        if fuel and self.own("ncv", c.source, c) is not None:
            out.refs[m.stage] = list(out.stage("f_energy"))
            return energy.to("tce")  # a measured heating value / 29 307 kJ per kgce
        coef = self._use(self.need("coal_coefficient", c.source, c, self.energy), out.stage(m.stage))
        basis = (parse_unit("kgce") / coef).dimensionality
        q = self.convert(1.0 * parse_unit(c.unit), basis, c, out.stage(m.stage), (self.energy,))
        return (q * coef).to("tce")

    def _direct(self, c: _Combo) -> Factor | None:
        """A fuel's own per-unit emission factor (``custom_factors`` kind ``emission``)."""
        return self.own("emission", c.source, c)

    def _rate_co2(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity | float:
        direct = self._direct(c)
        if direct is not None:
            if not _is_gas(direct.quantity, CO2):
                return 0.0  # CO2e not split by gas: co2e_other_t
            return self._apply(direct, c, out.stage(m.stage))
        energy = self.convert(1.0 * parse_unit(c.unit), ENERGY, c, out.stage(m.stage),
                              (self.fuel, self.energy))
        cc = self._use(self.need("carbon_content", c.source, c, self.fuel), out.stage(m.stage))
        ox = self._use(self.need("oxidation_rate", c.source, c, self.fuel), out.stage(m.stage))
        return (energy * cc * ox).to("tCO2")  # tC -> tCO2 carries the 44/12 (units.txt)

    def _rate_co2e(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity | float:
        direct = self._direct(c)
        if direct is None or _is_gas(direct.quantity, CO2):
            return 0.0
        return self._apply(direct, c, out.stage(m.stage))

    def _application(self, c: _Combo) -> tuple[str, ...]:
        """The IPCC table rows that fit a fuel's use: stationary (Table 2.4), or a road vehicle's
        technology, then any road vehicle (Table 3.2.2)."""
        use = c.use or vocab.sources()[c.source].use
        if use != "mobile":
            return ("stationary",)
        return (c.technology or self.vehicle, "mobile")

    def _rate_gas(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity | float:
        if m.gas not in self.gases:
            return 0.0
        direct = self._direct(c)
        if direct is not None and not _is_gas(direct.quantity, CO2):
            return 0.0  # a per-unit CO2e factor already holds every gas
        own = self.own(m.param, c.source, c)
        f = own
        if f is None and self.combustion is not None:
            for region in self._application(c):
                f = self.combustion.get(m.param, c.source, region)
                if f is not None:
                    break
        if f is None:
            where = self.combustion.id if self.combustion else _("the inventory's own factors")
            raise _Missing(
                _("no {gas} factor for {source} ({application}) in {where}", gas=m.gas,
                  source=vocab.source_name(c.source),
                  application=" / ".join(self._application(c)), where=where),
                _('add a custom_factors row: source {source}, kind {kind} (e.g. kg{gas}/TJ), or '
                  'count CO2 only with the setting gases = ["CO2"]',
                  source=vocab.source_name(c.source), kind=m.param, gas=m.gas))
        return self._apply(f, c, out.stage(m.stage))

    def _apply(self, f: Factor, c: _Combo, refs: list[str],
               amounts: tuple[object, ...] = (CO2, CO2E, CH4, N2O)) -> pint.Quantity:
        """One unit as entered × a per-activity factor (an amount of one of ``amounts`` per unit
        of mass, volume, energy or distance), the unit first expressed in the factor's basis by
        density or heating value."""
        q = self._use(f, refs)
        basis = _basis(q, amounts)
        if basis is None:
            raise _Missing(_("{factor}: {unit} is not an amount per unit of mass, volume, "
                             "energy or distance", factor=f.id, unit=f.unit),
                           _("check the factor's unit"))
        amount = 1.0 * parse_unit(c.unit)
        if (basis == LENGTH) != (amount.dimensionality == LENGTH):
            raise _Missing(
                _("{factor} is per {per}, and {source} is entered in {unit}", factor=f.id,
                  per="km" if basis == LENGTH else f.unit.split("/")[-1],
                  source=vocab.source_name(c.source), unit=c.unit),
                _("a factor per km applies to vehicle_distance rows (km driven): enter the "
                  "distance as its own rows, or give the factor per litre of fuel"))
        amount = self.convert(amount, basis, c, refs, (self.energy,))
        return amount * q

    # -- water, waste, paper, air pollutants -------------------------------------------------
    def _rate_amount(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity:
        """The quantity as entered (water's m³; the unit's dimension is checked on input)."""
        return 1.0 * parse_unit(c.unit)

    def _weighed(self, c: _Combo, out: _Resolved) -> pint.Quantity | None:
        """One unit as entered as a mass: a mass itself; pieces, sheets or packs × the mass per
        counted unit (the inventory's own ``unit_mass``, else the bundled one of that counted
        unit); a volume × the inventory's own ``density``. None where there is none."""
        if "mass" not in out.cache:
            amount = 1.0 * parse_unit(c.unit)
            got: pint.Quantity | None = None
            if amount.dimensionality == MASS:
                got = amount
            else:
                kind = "density" if amount.dimensionality == VOLUME else "unit_mass"
                per = MASS / amount.dimensionality
                f = self.own(kind, c.source, c)
                if (f is None or f.quantity.dimensionality != per) and kind == "unit_mass" \
                        and self.unit_masses is not None:
                    f = self.unit_masses.get(kind, c.source)
                if f is not None and f.quantity.dimensionality == per:
                    got = amount * self._use(f, out.stage("f_mass"))
            out.cache["mass"] = got
        return out.cache["mass"]  # type: ignore[return-value]

    def _rate_mass(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity | None:
        return self._weighed(c, out)

    def _rate_unweighed(self, m: metrics.Rated, c: _Combo, out: _Resolved
                        ) -> pint.Quantity | None:
        """Pieces, packs or a volume that could not be weighed, as entered (in ``m.unit``)."""
        amount = 1.0 * parse_unit(c.unit)
        if self._weighed(c, out) is not None or \
                amount.dimensionality != parse_unit(m.unit).dimensionality:
            return None
        return amount

    def _rate_air(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity | None:
        """A measured mass as entered (rows of the pollutant's own source); else the fuel or the
        distance × a factor: the inventory's own (for SOx also a sulphur content, by mass
        balance), then the sets of ``factor_sets.air`` in order. None where there is none."""
        category = vocab.sources()[c.source].category
        if category == m.entered:
            return 1.0 * parse_unit(c.unit)
        refs = out.stage(m.stage)
        kinds = (m.param, "sulphur_content") if m.param == "sox" else (m.param,)
        found = next(((f, None) for f in (self.own(k, c.source, c) for k in kinds)
                      if f is not None), None) or next(
            ((f, fs) for fs in self.air for f in (fs.get(k, c.source) for k in kinds)
             if f is not None), None)
        if found is None:
            if category == "fuel":
                self.air_without.setdefault(m.key, set()).add(c.source)
            return None
        f, from_set = found
        self.air_from.setdefault(m.key, set()).add(c.source)
        if f.parameter != "sulphur_content":
            return self._apply(f, c, refs, (MASS,))
        if from_set is not None:
            self.sulphur_limits[c.source] = f
        mass = self.convert(1.0 * parse_unit(c.unit), MASS, c, refs, (self.energy,))
        return mass * self._use(f, refs) * Quantity(1.0, "sulphur_to_SO2")

    def _rate_factor(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity:
        """A generic rated metric: the inventory's own factor of kind ``m.param``."""
        return self._apply(self.need(m.param, c.source, c), c, out.stage(m.stage or m.key),
                           (parse_unit(m.unit).dimensionality,))

    def _rate_grid(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity:
        if vocab.sources()[c.source].category == "heat":
            f = self.own("emission", c.source, c) or self.find("emission", "heat", c, self.fuel)
            if f is None:
                raise _Missing(_("no emission factor for {source} in {set}",
                                 source=vocab.source_name(c.source), set=self.fuel.id),
                               _("add a custom_factors row: source {source}, kind emission",
                                 source=vocab.source_name(c.source)))
            return self._apply(f, c, out.stage(m.stage))
        f = self._location(c, out)
        return self._energy(c, out) * self._use(f, out.stage(m.stage))

    def _rate_market(self, m: metrics.Rated, c: _Combo, out: _Resolved) -> pint.Quantity:
        if vocab.sources()[c.source].category == "heat":
            out.refs[m.stage] = list(out.stage("f_scope2_location"))
            return self._rate_grid(m, c, _Resolved(refs={m.stage: out.refs[m.stage]},
                                                   cache=out.cache))
        loc = self._location(c, out)
        mkt: Factor | None
        if c.instrument:
            mkt = self.market.get("emission", "electricity", c.instrument)
        elif loc.set_id == "custom" or loc.parameter != "emission" or c.utility:
            mkt = loc  # the reporter's own or the utility's factor is supplier-specific
        else:
            mkt = self.grids[c.year].get("emission", "electricity", "national_excl_market_nonfossil")
            out.market_residual = mkt is not None
        if mkt is None:
            out.market_fallback = True
            mkt = loc
        return self._energy(c, out) * self._use(mkt, out.stage(m.stage))

    def _location(self, c: _Combo, out: _Resolved) -> Factor:
        """The location-based electricity factor: the inventory's own, a Hong Kong utility's,
        else the MEE/NBS grid factor at the run's level."""
        if "location" in out.cache:
            return out.cache["location"]  # type: ignore[return-value]
        f = self.own("emission", "electricity", c)
        if f is None and c.province in OUTSIDE_MAINLAND_GRID:
            f = self._outside_mainland(c)
        if f is None:
            fs = self.grids[c.year]
            region = self._grid_region(fs, c.province)
            f = fs.get("emission", "electricity", region)
            if f is None:
                raise _Missing(_("{set} has no electricity factor for {region}", set=fs.id,
                                 region=region),
                               _("use another --grid-level, or add a custom_factors row for "
                                 "electricity"))
        out.cache["location"] = f
        return f

    def _outside_mainland(self, c: _Combo) -> Factor:
        p = vocab.provinces()[c.province]
        name = Words(p.en, p.zh_hans, p.zh_hant)
        if c.province == "hong_kong":
            if not c.utility:
                raise _Missing(
                    _("a Hong Kong site takes its utility's electricity factor, never a mainland "
                      "grid factor, and no utility is named"),
                    _("write its utility in entities.utility: clp (CLP Power, 中電) or "
                      "hk_electric (HK Electric, 港燈)"), "utility")
            series = self.utilities.get(c.utility, {})
            if c.year in series:
                fs = series[c.year]
            else:
                earlier = [y for y in series if y < c.year]
                if not earlier:
                    have = Joined(str(y) for y in sorted(series)) if series else _("none")
                    raise _Missing(
                        _("no {utility} electricity factor for {year} or earlier (have {have})",
                          utility=c.utility, year=c.year, have=have),
                        _("add a custom_factors row: source electricity, kind emission, region "
                          "{utility}, year {year}, with the factor of {utility}'s report",
                          utility=c.utility, year=c.year),
                        "utility")
                fs = series[max(earlier)]
                self.notices.setdefault(f"{c.utility}{c.year}", Notice(
                    "grid_vintage", _("{year}: no {utility} electricity factor published for "
                                      "{year}; used the {used} factor ({set})", year=c.year,
                                      utility=c.utility, used=max(earlier), set=fs.id)))
            got = fs.get("emission", "electricity")
            if got is None:  # pragma: no cover - a utility set always has its row
                raise _Missing(_("{set} has no electricity factor", set=fs.id),
                               _("check the factor set"))
            return got
        raise _Missing(
            _("no MEE/NBS electricity factor covers {place}, and carbon never applies a mainland "
              "grid factor there", place=name),
            _("add a custom_factors row: source electricity, kind emission, region {region}, "
              "with the published factor of the site's electricity supplier",
              region=c.province), "province")

    def _grid_region(self, fs: FactorSet, province: str) -> str:
        if self.level == "national":
            return "national"
        if not province:
            raise _Missing(_("grid level {level} needs the entity's province", level=self.level),
                           _("fill in province in the entities table"), "province")
        if self.level == "provincial":
            p = vocab.provinces()[province]
            key = province.rsplit("_", 1)[0] if not p.code and "_" in province else province
            return key
        grid = fs.grid_of(province)
        if grid is None:
            hint = (_(" (Inner Mongolia is split: write 蒙西 or 蒙东)")
                    if province == "inner_mongolia" else "")
            raise _Missing(_("{set} maps no regional grid for province {province}{hint}",
                             set=fs.id, province=province, hint=hint),
                           _("correct the province, use --grid-level national, or add a "
                             "custom_factors row for electricity"), "province")
        return grid


#: What a row of a category that is not energy gives nothing for, and how to fix it.
_NOTHING = {
    "paper": (_("paper in sheets or reams needs a mass per sheet or ream"),
              _("add a custom_factors row: source paper, kind unit_mass, unit kg/令 (a ream of A4 "
                "at 80 g/m² weighs 2.4948 kg), or keep the setting factor_sets.unit_mass")),
    "distance": (_("a vehicle distance gives air pollutants only through a factor per km, and "
                   "none is given"),
                 _("add a custom_factors row: source vehicle_distance, kind nox (or sox, pm, "
                   "co), unit g/km — one per vehicle class with the stream column")),
}


def _basis(q: pint.Quantity, amounts: tuple[object, ...]) -> object | None:
    """What a per-activity factor is per: mass, volume, energy or distance (None: none)."""
    return next((d for d in (MASS, VOLUME, ENERGY, LENGTH, *COUNTS)
                 if any(q.dimensionality == a / d for a in amounts)), None)


def _is_gas(q: pint.Quantity, gas: object) -> bool:
    """Whether a per-activity factor counts ``gas`` (CO2, not CO2e …)."""
    return any(q.dimensionality == gas / d for d in (MASS, VOLUME, ENERGY))


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
    blank: list[str] = []  # columns that are "" on every row take no part in the key
    for name, (col, mask) in columns.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes, uniques = col.cat.codes.to_numpy(), col.cat.categories
        else:
            codes, uniques = pd.factorize(col)
        if len(uniques) == 0 or (len(uniques) == 1 and str(uniques[0]) == ""
                                 and not (codes < 0).any()):
            blank.append(name)
            continue
        values = np.append(np.asarray(uniques, dtype=object), "")
        codes = np.where(codes < 0, len(values) - 1, codes)
        if mask is not None:
            codes = np.where(mask, codes, len(values) - 1)
        key = codes.astype(np.int64) if not len(key) else key * len(values) + codes
        parts.append((name, values))
    inverse, distinct = pd.factorize(key)
    combos = {name: np.full(len(distinct), "", dtype=object) for name in blank}
    for name, values in reversed(parts):
        distinct, code = np.divmod(distinct, len(values))
        combos[name] = values[code]
    return inverse, pd.DataFrame({name: combos[name] for name in columns})


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
        rows = len(act.loc[act["share"] < 1, ["part", "row"]].drop_duplicates())
        notices.append(Notice("split_across_years", _(
            "1 activity row spans a year end; it was shared between the years by days")
            if rows == 1 else _("{n} activity rows span a year end; each was shared between the "
                                "years by days", n=rows)))
    wanted = sorted(set(years or inv.settings.reporting_years or act["year"].unique().tolist()))
    outside = ~act["year"].isin(wanted)
    if outside.any():
        shown = Joined(str(y) for y in sorted(act.loc[outside, "year"].unique()))
        n = int(outside.sum())
        notices.append(Notice("outside_years", _(
            "1 activity row (or part) falls in a year not reported ({years}) and is not counted",
            years=shown) if n == 1 else _("{n} activity rows (or parts) fall in years not "
                                          "reported ({years}) and are not counted", n=n,
                                          years=shown)))
        act = act[~outside].reset_index(drop=True)
    act, found = boundary.apply(act, inv)  # windows, mid-year rule, equity share
    notices += found
    grids, found = grid_sets(wanted, inv, sets)
    notices += found
    weights, gwp_rows = gwp_weights(inv.settings, sets)
    resolver = _Resolver(inv, sets, grids, level, weights)
    known = vocab.sources()
    source = act["source"].astype("category")
    src_codes = source.cat.codes.to_numpy()
    by_source = [known.get(str(c)) for c in source.cat.categories]

    def is_category(name: str) -> np.ndarray:
        return np.array([s is not None and s.category == name for s in by_source] or [False],
                        dtype=bool)[src_codes]

    elec, fuel = is_category("electricity"), is_category("fuel")
    # an entity's province and utility, where they can change a rate (its grid region at the
    # regional or provincial level; a site outside the mainland grid; an own regional factor)
    ent = inv.entities.set_index(inv.entities["entity_id"].astype(str))
    prov = ent["province"].astype(str)
    counts = (prov.isin(OUTSIDE_MAINLAND_GRID) | (level != "national")
              | resolver.regional_custom)
    province = act["entity_id"].map(prov.where(counts, ""))
    utility = act["entity_id"].map(ent["utility"].astype(str).where(counts, ""))
    keyed = {
        "source": (act["source"], None), "unit": (act["unit"], None),
        "year": (act["year"], None),
        "province": (province, None if resolver.regional_custom else elec),
        "instrument": (act["instrument"], elec), "utility": (utility, elec),
        "use": (act["use"], fuel if resolver.combustion else np.zeros(len(act), dtype=bool)),
        "technology": (act["technology"], fuel if resolver.combustion
                       else np.zeros(len(act), dtype=bool))}
    if resolver.streamed_custom:  # a stream changes a rate only through an own factor
        keyed["stream"] = (act["stream"], None)
    codes, combos = _combos(keyed)
    rated = [m.key for m in metrics.rated()]
    stages = metrics.stages()
    rates = np.zeros((len(combos), len(rated) + 1))  # the last column: quantity_report
    carried = np.zeros((len(combos), len(rated)), dtype=bool)
    refs: dict[str, list[str]] = {st: [] for st in stages}
    co2e: set[str] = set()
    fallback = np.zeros(len(combos), dtype=bool)
    residual = np.zeros(len(combos), dtype=bool)
    problems: list[Problem] = []
    for i, c in enumerate(combos.to_dict("records")):
        combo = _Combo(str(c["source"]), str(c["unit"]), int(c["year"]), str(c["province"]),
                       str(c["instrument"]), str(c["utility"]), str(c["use"]),
                       str(c["technology"]), str(c.get("stream", "")))
        try:
            r = resolver.resolve(combo)
        except _Missing as exc:
            problems += _missing(inv, act, codes == i, combo, exc)
            for lst in refs.values():
                lst.append("")
            continue
        rates[i, :-1] = [r.rates.get(k, 0.0) for k in rated]
        carried[i] = [k in r.rates for k in rated]
        rates[i, -1] = r.rates["quantity_report"]
        for st in stages:
            refs[st].append(";".join(r.refs.get(st, [])))
        co2e |= r.co2e
        fallback[i] = r.market_fallback
        residual[i] = r.market_residual
    if problems:
        raise InputError(problems)
    q = act["quantity"].to_numpy() * act["share"].to_numpy()
    cols: dict[str, object] = {c: act[c] for c in ("part", "row", "entity_id", "year",
                                                    "period_start", "period_end", "share",
                                                    "source")}

    def of_source(attr: str, missing: object) -> pd.Categorical | np.ndarray:
        values = np.array([getattr(k, attr) if k else missing for k in by_source] or [missing])
        if values.dtype == bool:
            return values[src_codes]
        codes_, distinct = pd.factorize(values)
        return pd.Categorical.from_codes(codes_[src_codes], categories=pd.Index(distinct))

    cols["category"] = of_source("category", "")
    cols |= {c: act[c] for c in ("stream", "meter", "use", "technology", "instrument",
                                 "data_quality")}
    cols["quantity"] = q
    cols["unit"] = act["unit"]
    cols["quantity_report"] = rates[:, -1].take(codes) * q
    cols["report_unit"] = of_source("report_unit", "")
    cols["direct"] = of_source("direct", False)
    # a figure no combination has is one shared read-only column of zeros, never written or
    # scanned: declaring figures (water, waste …) costs an inventory without them no work per row
    zero = np.zeros(len(q))
    zero.flags.writeable = False
    zeros = set()
    for j, key in enumerate(rated):
        if rates[:, j].any():
            col = rates[:, j].take(codes)
            col *= q
            cols[key] = col
        else:
            cols[key] = zero
            zeros.add(key)
    present = set()
    for m in metrics.optional():  # where an optional figure exists: only those some row has
        j = rated.index(m.key)
        if carried[:, j].any():
            present.add(m.key)
            cols[metrics.carrier(m.key)] = carried[:, j].astype("float64").take(codes)
    cols["market_fallback"] = fallback[codes]
    for st, lst in refs.items():
        distinct, which = np.unique(np.asarray(lst, dtype=str), return_inverse=True)
        cols[st] = pd.Categorical.from_codes(which.reshape(-1)[codes],
                                             categories=pd.Index(distinct))
    ledger = pd.DataFrame(cols, copy=False)
    at_residual = residual[codes]  # not rows at the reporter's own electricity factor
    if at_residual.any():
        kwh = ledger.loc[at_residual, "energy_kwh"].sum()
        notices.append(Notice("market_residual", _(
            "market-based: {kwh} kWh without a contractual instrument use the grid factor "
            "excluding market-traded non-fossil power", kwh=f"{kwh:,.0f}")))
    if fallback.any():
        kwh = ledger.loc[ledger["market_fallback"], "energy_kwh"].sum()
        notices.append(Notice("market_fallback", _(
            "market-based: {kwh} kWh fell back to the location-based factor (the set has no "
            "residual factor)", kwh=f"{kwh:,.0f}")))
    notices += list(resolver.notices.values())
    notices += _assumed_use(act, fuel, inv.settings, resolver.combustion is not None)
    notices += _environment_notices(ledger, present, resolver)
    for f in gwp_rows:
        resolver.used[f.id] = f
    notices += _unused_own(resolver)
    used_sets = sorted({f.set_id for f in resolver.used.values() if f.set_id != "custom"})
    return Ledger(ledger, dict(sorted(resolver.used.items())),
                  [(s, sets[s].sha256) for s in used_sets], notices, weights,
                  _units(ledger, co2e, weights, zeros), frozenset(present), frozenset(zeros),
                  level)


def _unused_own(resolver: _Resolver) -> list[Notice]:
    """A warning naming the own factors no figure of the run uses: no row of their source, year,
    region or stream, or a kind carbon does not count for their source (an emission factor for
    water): every row of custom_factors is used or said to be unused, never dropped unseen."""
    unused = [f for f in resolver.custom.values() if f.id not in resolver.used]
    if not unused:
        return []
    shown = Joined([f"{vocab.source_name(f.subject)} {f.parameter} "
                    f"({f.reference.rsplit('(', 1)[-1].rstrip(')')})" for f in unused[:10]])
    more = _(" and {n} more", n=len(unused) - 10) if len(unused) > 10 else ""
    return [Notice("own_factor_unused", _(
        "own factors that no figure uses: {factors}{more} (no row of that source, year, region "
        "or stream, or a kind carbon does not count for that source); correct or delete them",
        factors=shown, more=more))]


def _units(rows: pd.DataFrame, co2e: set[str], weights: dict[str, float],
           zeros: set[str]) -> dict[str, str]:
    """Each metric's unit as computed: a CO2e figure counts only CO2 where no CO2e factor was
    used and no other gas weighs in, and is then labelled tCO2. (``zeros``: the figures no
    combination has, known to be 0 without a look at the rows.)"""
    unit: dict[str, str] = {}
    counted: dict[str, bool] = {}  # whether a figure holds anything in this run
    for m in metrics.rated():
        counted[m.key] = m.key not in zeros and bool(rows[m.key].to_numpy().any())
        co2_only = counted[m.key] and m.key not in co2e
        unit[m.key] = m.unit.replace("CO2e", "CO2") if co2_only else m.unit
    for d in metrics.derived():
        parts = [(k, w) for k, w in d.terms if counted[k] and metrics.weight(w, weights) != 0]
        counted[d.key] = bool(parts)
        co2_only = all(unit[k].endswith("CO2") and (w == 1.0 or w == "gwp:CO2")
                       for k, w in parts)
        unit[d.key] = d.unit.replace("CO2e", "CO2") if co2_only else d.unit
    return {m.key: unit[m.key] for m in metrics.METRICS}


def _environment_notices(ledger: pd.DataFrame, present: set[str], resolver: _Resolver
                         ) -> list[Notice]:
    """What the water, waste, paper and air figures of a run rest on: counts and volumes that
    stay unweighed (HKEX asks for tonnes), a bundled mass per counted unit that was assumed, an
    air pollutant counted for some fuels only or by two methods at once, SO2 from a fuel
    standard's sulphur limit (an upper bound)."""
    out = []
    by_key = metrics.by_key()
    names = {"nox": "NOx", "sox": "SOx", "pm": "PM", "co": "CO"}
    for key in sorted(present, key=list(by_key).index):
        m = by_key[key]
        if not isinstance(m, metrics.Rated) or m.how != "unweighed":
            continue
        carried = ledger[metrics.carrier(key)].to_numpy() > 0
        by_year = ledger.loc[carried].groupby("year")[key].sum()
        src = vocab.source_name(m.entered)
        hkex = (_("; HKEX asks for tonnes ({section})", section=m.section)
                if m.section in ("A1.3", "A1.4") else "")
        if m.unit == "m3":
            amounts = Joined(_("{amount} m³ ({year})", amount=f"{v:,.2f}", year=y)
                             for y, v in by_year.items())
            out.append(Notice("no_density", _(
                "{source}: {amounts} have no density and are reported as {key}, not in "
                "tonnes{hkex}: add a custom_factors row: source {source}, kind density, the "
                "density in kg/L (per stream with the stream column)", source=src,
                amounts=amounts, key=key, hkex=hkex)))
        else:
            amounts = Joined(_("{amount} ({year})", amount=f"{v:,.0f}", year=y)
                             for y, v in by_year.items())
            out.append(Notice("no_unit_mass", _(
                "{source}: {amounts} packs have no mass per pack and are reported as {key}, not "
                "in tonnes{hkex}: add a custom_factors row: source {source}, kind unit_mass, "
                "unit kg/包 (a pack that is a ream of 500 A4 sheets at 80 g/m² weighs 2.4948 kg) "
                "(per stream with the stream column)", source=src, amounts=amounts, key=key,
                hkex=hkex) if m.unit == "pack" else _(
                "{source}: {amounts} pieces have no mass per piece and are reported as {key}, "
                "not in tonnes{hkex}: add a custom_factors row: source {source}, kind "
                "unit_mass, unit kg/个, the mass of one piece as weighed or as the contractor's "
                "receipt gives it (per stream with the stream column)", source=src,
                amounts=amounts, key=key, hkex=hkex)))
    assumed = sorted({f.id for f in resolver.used.values() if resolver.unit_masses is not None
                      and f.set_id == resolver.unit_masses.id})
    for fid in assumed:
        f = resolver.used[fid]
        out.append(Notice("unit_mass_assumed", _(
            "{subject}: weighed at {value} {unit}, set {set}: {note}; add a custom_factors row "
            "of kind unit_mass for {subject} if yours differs", subject=f.subject,
            value=f"{f.value:g}", unit=f.unit, set=f.set_id, note=f.note)))
    for m in metrics.rated():
        if m.how != "air" or m.key not in present:
            continue
        have, lack = resolver.air_from.get(m.key, set()), resolver.air_without.get(m.key, set())
        measured = bool(ledger.loc[ledger["category"] == m.entered, metrics.carrier(m.key)].any())
        name = names.get(m.param, m.param)
        if have and lack:
            out.append(Notice("air_partial", _(
                "{key} counts {name} of {have} from factors, not of {lack} (no factor): add "
                "custom_factors rows of kind {kind} for them (per litre, per m³, or per km with "
                "vehicle_distance rows), or enter measured masses as {entered} rows", key=m.key,
                name=name, have=Joined(vocab.source_name(s) for s in sorted(have)),
                lack=Joined(vocab.source_name(s) for s in sorted(lack)), kind=m.param,
                entered=m.entered)))
        if have and measured:
            out.append(Notice("air_two_methods", _(
                "{key} adds measured masses ({entered} rows) and {name} computed from factors "
                "for {have}: check that the measured masses do not already cover that fuel or "
                "distance", key=m.key, entered=m.entered, name=name,
                have=Joined(vocab.source_name(s) for s in sorted(have)))))
    if resolver.sulphur_limits:
        limits = Joined((f"{s} {f.value:g} {f.unit} ({f.set_id})"
                         for s, f in sorted(resolver.sulphur_limits.items())), "; ")
        out.append(Notice("sulphur_limit", _(
            "air_sox_t: SO2 by sulphur mass balance at the fuel standards' sulphur limits "
            "({limits}): an upper bound, the fuel's sulphur is at most the limit; a supplier's "
            "certificate gives the actual content (custom_factors kind sulphur_content)",
            limits=limits)))
    return out


def _assumed_use(act: pd.DataFrame, fuel: np.ndarray, settings: Settings,
                 counted: bool) -> list[Notice]:
    """What was assumed for fuel rows without ``use`` or a vehicle's ``technology`` (their CH4
    and N2O factors depend on it). Worked out per distinct (source, use, technology)."""
    if not counted or not fuel.any():
        return []
    codes, combos = _combos({"source": (act["source"], fuel), "use": (act["use"], fuel),
                             "technology": (act["technology"], fuel)})
    count = np.bincount(codes, minlength=len(combos))
    known = vocab.sources()
    mobile: dict[str, int] = {}
    fixed: dict[str, int] = {}
    untold = 0
    for i, c in enumerate(combos.to_dict("records")):
        source = str(c["source"])
        if source not in known or known[source].category != "fuel":
            continue
        use = str(c["use"]) or known[source].use
        if not c["use"]:
            target = mobile if use == "mobile" else fixed
            target[source] = target.get(source, 0) + int(count[i])
        if use == "mobile" and not c["technology"] and source == "gasoline":
            untold += int(count[i])
    out = []
    if mobile:
        n, sources = sum(mobile.values()), Joined(vocab.source_name(s) for s in sorted(mobile))
        out.append(Notice("use_assumed", _(
            "1 activity row of {sources} without use is counted as a road vehicle's (mobile) "
            "for CH4 and N2O; write use = stationary where the fuel is burnt on site",
            sources=sources) if n == 1 else _(
            "{n} activity rows of {sources} without use are counted as road vehicles (mobile) "
            "for CH4 and N2O; write use = stationary where the fuel is burnt on site",
            n=n, sources=sources)))
    if fixed:
        n, sources = sum(fixed.values()), Joined(vocab.source_name(s) for s in sorted(fixed))
        out.append(Notice("use_assumed", _(
            "1 activity row of {sources} without use is counted as stationary combustion "
            "for CH4 and N2O; write use = mobile for vehicles", sources=sources) if n == 1 else _(
            "{n} activity rows of {sources} without use are counted as stationary combustion "
            "for CH4 and N2O; write use = mobile for vehicles", n=n, sources=sources)))
    if untold:
        technology = _TECHNOLOGY_WORDS[settings.vehicle_technology]
        out.append(Notice("vehicle_technology", _(
            "1 gasoline vehicle row without technology uses the IPCC 2006 Table 3.2.2 factors "
            "for {technology} (setting vehicle_technology)", technology=technology)
            if untold == 1 else _(
            "{n} gasoline vehicle rows without technology use the IPCC 2006 Table 3.2.2 factors "
            "for {technology} (setting vehicle_technology)", n=untold, technology=technology)))
    return out


#: The vehicle technologies (setting ``vehicle_technology``) in words.
_TECHNOLOGY_WORDS = {"oxidation_catalyst": _("oxidation catalyst"),
                     "uncontrolled": _("uncontrolled"),
                     "low_mileage_ldv": _("low mileage ldv")}


def _missing(inv: Inventory, act: pd.DataFrame, hit: np.ndarray, c: _Combo,
             exc: _Missing) -> list[Problem]:
    """The problems of a combination without a factor: at the entities it concerns when the
    cause is an entity's column, else at its first activity row."""
    if exc.column is not None:
        origin = inv.origins.get("entities", Origin("entities"))
        ids = set(act.loc[hit, "entity_id"].astype(str))
        ent = inv.entities[inv.entities["entity_id"].astype(str).isin(ids)]
        return [Problem(origin.file, origin.sheet, int(e["row"]), exc.column, "missing_factor",
                        str(e["entity_id"]), _("{message} ({source}, {year})",
                                               message=exc.message,
                                               source=vocab.source_name(c.source),
                                               year=c.year), exc.fix)
                for e in ent.to_dict("records")]
    out = []
    part = act["part"].to_numpy()
    for p in np.unique(part[hit]).tolist():  # at its first row in each input that has one
        origin = inv.origin_of("activity", int(p))
        hit_rows = np.unique(act["row"].to_numpy()[hit & (part == p)])
        message = (_("{message} (and {n} more rows)", message=exc.message,
                     n=len(hit_rows) - 1) if len(hit_rows) > 1 else exc.message)
        out.append(Problem(origin.file, origin.sheet, int(hit_rows[0]), "source",
                           "missing_factor", _("{source} in {unit}, {year}",
                                               source=vocab.source_name(c.source), unit=c.unit,
                                               year=c.year),
                           message, exc.fix))
    return out
