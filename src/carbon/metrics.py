"""The one declared list of figures carbon computes: every layer reads it.

Three kinds, as in dbt MetricFlow:

- :class:`Rated` — a ledger column: each row's quantity × a rate resolved once per combination of
  source, unit, year, region … (:mod:`carbon.calc` names the resolver by ``how``);
- :class:`Derived` — a weighted sum of other metrics (numbers, or a gas's global warming
  potential), recomputed from its parts on every frame (ledger rows, an entity-year, a year), so
  printed totals add up exactly and a derived figure is never summed;
- :class:`Ratio` — an intensity, divided after summing, ``None`` without a denominator, never
  summed and never restated.

Adding a figure is one declaration here plus its factors; aggregate, restate, manifest, verify,
the console, the JSON, the CSV and the workbook iterate over :data:`METRICS` and :data:`RATIOS`
as they are when called (a test may extend them with ``monkeypatch``).
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class L:
    """One text in the three languages carbon writes (a missing one is a TypeError at import)."""

    zh_hans: str
    zh_hant: str
    en: str

    def __call__(self, lang: str) -> str:
        return {"zh-Hans": self.zh_hans, "zh-Hant": self.zh_hant}.get(lang, self.en)


#: HKEX ESG Reporting Guide KPI sections, in the order the report shows them (a section without a
#: figure in the run is not shown).
SECTIONS: dict[str, L] = {
    "A1.1": L("废气排放（A1.1）", "廢氣排放（A1.1）", "Air emissions (A1.1)"),
    "A1.2": L("温室气体排放（A1.2）", "溫室氣體排放（A1.2）", "Greenhouse-gas emissions (A1.2)"),
    "A1.3": L("有害废弃物（A1.3）", "有害廢棄物（A1.3）", "Hazardous waste (A1.3)"),
    "A1.4": L("无害废弃物（A1.4）", "無害廢棄物（A1.4）", "Non-hazardous waste (A1.4)"),
    "A2.1": L("能源消耗（A2.1）", "能源消耗（A2.1）", "Energy consumption (A2.1)"),
    "A2.2": L("耗水（A2.2）", "耗水（A2.2）", "Water consumption (A2.2)"),
    "A2.5": L("纸张使用（资源使用，参照 A2.5）", "紙張使用（資源使用，參照 A2.5）",
              "Paper used (use of resources, cf. A2.5)"),
}


@dataclass(frozen=True)
class Metric:
    """A figure of the ledger and of every output.

    ``key`` is the JSON key and the ledger column (never renamed); ``unit`` the unit it is
    summed in (parsable by :mod:`carbon.units`); ``group`` the object of a year's figures that
    holds it in the JSON ("" = the year itself, ``"gases"`` …); ``detail`` figures are shown on
    the console only with ``--detail`` and in the workbook as sub-rows; a ``twin`` figure is shown
    only where it differs from its twin in some year (market-based beside location-based).

    An ``optional`` figure exists only where a ledger row carries it (water where the inventory
    has water rows, a waste count where pieces could not be weighed): elsewhere — a year, an
    entity-year, a source — its key is absent from the JSON (not 0, not null), and so are its
    intensities; a restatement shows it when either inventory has it.
    """

    key: str
    unit: str
    label: L
    section: str
    decimals: int = 2
    group: str = ""
    restate: bool = True
    detail: bool = False
    twin: str = ""
    short: L | None = None  # the label of compact tables (the restatement's)
    optional: bool = False

    def short_label(self, lang: str) -> str:
        return (self.short or self.label)(lang).strip()


@dataclass(frozen=True)
class Rated(Metric):
    """A ledger column: quantity × the rate :mod:`carbon.calc` resolves with ``how``.

    ``applies`` are the source categories that carry it (other rows get 0); ``param`` the factor
    kind a generic ``how = "factor"`` resolver looks up (the inventory's own ``custom_factors``);
    ``gas`` the greenhouse gas it counts (0 and ``None`` in the JSON when the inventory's
    ``gases`` leave it out); ``stage`` the ledger column of factor ids it records into;
    ``entered`` the category whose rows hold the figure itself (water's m³, waste's tonnes, a
    measured mass of NOx) — rows of the other categories in ``applies`` get it from a factor
    (NOx of a fuel), and a source of that category reports its quantity in this figure when the
    units agree.
    """

    how: str = "factor"
    applies: tuple[str, ...] = ("fuel",)
    param: str = ""
    gas: str = ""
    stage: str = ""
    entered: str = ""


@dataclass(frozen=True)
class Derived(Metric):
    """Σ metric × weight; a weight is a number or ``"gwp:<gas>"`` (the run's GWP of that gas)."""

    terms: tuple[tuple[str, float | str], ...] = ()


@dataclass(frozen=True)
class Denominator:
    """A denominators-table column intensities divide by."""

    key: str
    unit: str
    label: L
    per: L  # the row label of an intensity under its figure
    per_unit: L  # "/m²", "/person"
    decimals: int = 0


@dataclass(frozen=True)
class Ratio:
    """An intensity: ``num`` (a metric) over ``den`` (a denominator), after summing."""

    key: str
    num: str
    den: str
    decimals: int = 4


ENERGY = ("electricity", "heat", "fuel")
PURCHASED = ("electricity", "heat")
#: The JSON object of a year's HKEX environmental figures other than energy and greenhouse gases.
ENV = "environment"
#: Air pollutants: a measured mass as entered (rows of ``air_*``), or a fuel's or a distance's
#: amount × a factor (the inventory's own, or a set named in ``factor_sets.air``).
AIR = ("fuel", "distance")


def _air(key: str, param: str, label: L) -> Rated:
    return Rated(key, "t", label, "A1.1", 4, group=ENV, optional=True, how="air",
                 applies=(*AIR, key.removesuffix("_t")), entered=key.removesuffix("_t"),
                 param=param, stage=f"f_{param}")


def _waste(kind: str, section: str, name: L) -> tuple[Rated, ...]:
    """A waste stream's figures: tonnes (a mass as entered, or pieces or a volume weighed with
    a mass per piece or a density), else the pieces or the volume as entered."""
    cat = f"waste_{kind}"
    return (
        Rated(f"{cat}_t", "t", name, section, 2, group=ENV, optional=True, how="mass",
              applies=(cat,), entered=cat, stage="f_mass"),
        Rated(f"{cat}_count", "piece",
              L(f"{name.zh_hans}（件数，无单件质量）", f"{name.zh_hant}（件數，無單件質量）",
                f"{name.en} (pieces, no mass per piece)"), section, 0, group=ENV, optional=True,
              how="unweighed", applies=(cat,), entered=cat),
        Rated(f"{cat}_m3", "m3",
              L(f"{name.zh_hans}（体积，无密度）", f"{name.zh_hant}（體積，無密度）",
                f"{name.en} (volume, no density)"), section, 2, group=ENV, optional=True,
              how="unweighed", applies=(cat,), entered=cat),
    )

#: Every figure, in the order of the JSON and, within a section, of the report.
METRICS: tuple[Metric, ...] = (
    Rated("energy_kwh", "kWh", L("综合能源消耗总量", "綜合能源消耗總量", "Total energy consumption"),
          "A2.1", 0, how="energy", applies=ENERGY, stage="f_energy",
          short=L("综合能耗", "綜合能耗", "Energy")),
    Rated("energy_direct_kwh", "kWh", L("直接能源消耗", "直接能源消耗", "Direct energy consumption"),
          "A2.1", 0, how="energy", applies=("fuel",),
          short=L("直接能耗", "直接能耗", "Energy, direct")),
    Rated("energy_indirect_kwh", "kWh", L("间接能源消耗", "間接能源消耗",
                                          "Indirect energy consumption"),
          "A2.1", 0, how="energy", applies=PURCHASED,
          short=L("间接能耗", "間接能耗", "Energy, indirect")),
    Rated("energy_tce", "tce", L("综合能源消耗量（标准煤）", "綜合能源消耗量（標準煤）",
                                 "Total energy consumption (standard coal)"),
          "A2.1", 2, how="tce", applies=ENERGY, stage="f_tce",
          short=L("综合能耗（标准煤）", "綜合能耗（標準煤）", "Energy, standard coal")),
    Derived("scope1_tco2e", "tCO2e", L("范围一（直接排放）", "範圍一（直接排放）",
                                       "Scope 1 (direct emissions)"), "A1.2", 2,
            terms=(("co2_t", "gwp:CO2"), ("ch4_t", "gwp:CH4"), ("n2o_t", "gwp:N2O"),
                   ("co2e_other_t", 1.0)),
            short=L("范围一排放", "範圍一排放", "Scope 1")),
    Rated("co2_t", "tCO2", L("　其中：二氧化碳", "　其中：二氧化碳", "  of which CO2"), "A1.2", 2,
          group="gases", detail=True, how="co2", gas="CO2", stage="f_scope1"),
    Rated("ch4_t", "tCH4", L("　其中：甲烷", "　其中：甲烷", "  of which CH4"), "A1.2", 4,
          group="gases", detail=True, how="gas", param="ch4", gas="CH4", stage="f_ch4"),
    Rated("n2o_t", "tN2O", L("　其中：氧化亚氮", "　其中：氧化亞氮", "  of which N2O"), "A1.2", 4,
          group="gases", detail=True, how="gas", param="n2o", gas="N2O", stage="f_n2o"),
    Rated("co2e_other_t", "tCO2e", L("　其中：未分气体的二氧化碳当量", "　其中：未分氣體的二氧化碳當量",
                                     "  of which CO2e not split by gas"), "A1.2", 2,
          group="gases", detail=True, how="co2e", stage="f_scope1"),
    Rated("scope2_location_tco2e", "tCO2e", L("范围二（间接排放，基于位置）", "範圍二（間接排放，基於位置）",
                                              "Scope 2 (indirect emissions, location-based)"),
          "A1.2", 2, how="grid", applies=PURCHASED, stage="f_scope2_location",
          short=L("范围二排放（基于位置）", "範圍二排放（基於位置）", "Scope 2, location-based")),
    Rated("scope2_market_tco2e", "tCO2e", L("范围二（间接排放，基于市场）", "範圍二（間接排放，基於市場）",
                                            "Scope 2 (indirect emissions, market-based)"),
          "A1.2", 2, how="market", applies=PURCHASED, stage="f_scope2_market",
          twin="scope2_location_tco2e",
          short=L("范围二排放（基于市场）", "範圍二排放（基於市場）", "Scope 2, market-based")),
    Derived("total_location_tco2e", "tCO2e", L("温室气体排放总量（范围一 + 范围二）",
                                               "溫室氣體排放總量（範圍一 + 範圍二）",
                                               "Total GHG emissions (Scope 1 + Scope 2)"), "A1.2", 2,
            terms=(("scope1_tco2e", 1.0), ("scope2_location_tco2e", 1.0)),
            short=L("排放总量（范围一＋二，基于位置）", "排放總量（範圍一＋二，基於位置）",
                    "Total (Scope 1 + 2, location)")),
    Derived("total_market_tco2e", "tCO2e", L("温室气体排放总量（范围一 + 范围二，基于市场）",
                                             "溫室氣體排放總量（範圍一 + 範圍二，基於市場）",
                                             "Total GHG emissions (Scope 1 + Scope 2, market-based)"),
            "A1.2", 2, terms=(("scope1_tco2e", 1.0), ("scope2_market_tco2e", 1.0)),
            twin="total_location_tco2e",
            short=L("排放总量（范围一＋二，基于市场）", "排放總量（範圍一＋二，基於市場）",
                    "Total (Scope 1 + 2, market)")),
    _air("air_nox_t", "nox", L("氮氧化物（NOx）", "氮氧化物（NOx）", "Nitrogen oxides (NOx)")),
    _air("air_sox_t", "sox", L("硫氧化物（SOx）", "硫氧化物（SOx）", "Sulphur oxides (SOx)")),
    _air("air_pm_t", "pm", L("颗粒物（PM）", "顆粒物（PM）", "Particulate matter (PM)")),
    _air("air_co_t", "co", L("一氧化碳（CO）", "一氧化碳（CO）", "Carbon monoxide (CO)")),
    *_waste("hazardous", "A1.3", L("有害废弃物", "有害廢棄物", "Hazardous waste")),
    *_waste("non_hazardous", "A1.4", L("无害废弃物", "無害廢棄物", "Non-hazardous waste")),
    Rated("water_m3", "m3", L("耗水量", "耗水量", "Water consumption"), "A2.2", 2, group=ENV,
          optional=True, how="amount", applies=("water",), entered="water"),
    Rated("paper_t", "t", L("纸张用量", "紙張用量", "Paper used"), "A2.5", 2, group=ENV,
          optional=True, how="mass", applies=("paper",), entered="paper", stage="f_mass"),
    Rated("paper_count", "pack", L("纸张用量（包数，无每包质量）", "紙張用量（包數，無每包質量）",
                                   "Paper used (packs, no mass per pack)"), "A2.5", 0,
          group=ENV, optional=True, how="unweighed", applies=("paper",), entered="paper"),
)

DENOMINATORS: dict[str, Denominator] = {d.key: d for d in (
    Denominator("floor_area_m2", "m2", L("楼面面积", "樓面面積", "Floor area"),
                L("　每平方米楼面面积", "　每平方米樓面面積", "  per m² of floor area"),
                L("/平方米", "/平方米", "/m²")),
    Denominator("headcount", "persons", L("员工人数", "員工人數", "Headcount"),
                L("　每名员工", "　每名員工", "  per employee"), L("/人", "/人", "/person")),
)}

#: Intensities; keys as the JSON contract names them (``scope2_tco2e_per_m2`` is location-based).
RATIOS: tuple[Ratio, ...] = (
    Ratio("energy_kwh_per_m2", "energy_kwh", "floor_area_m2", 2),
    Ratio("scope1_tco2e_per_m2", "scope1_tco2e", "floor_area_m2", 4),
    Ratio("scope2_tco2e_per_m2", "scope2_location_tco2e", "floor_area_m2", 4),
    Ratio("total_tco2e_per_m2", "total_location_tco2e", "floor_area_m2", 4),
    Ratio("total_tco2e_per_person", "total_location_tco2e", "headcount", 2),
    Ratio("energy_kwh_per_person", "energy_kwh", "headcount", 0),
    Ratio("water_m3_per_person", "water_m3", "headcount", 2),
    Ratio("water_m3_per_m2", "water_m3", "floor_area_m2", 4),
    Ratio("waste_hazardous_t_per_person", "waste_hazardous_t", "headcount", 4),
    Ratio("waste_hazardous_count_per_person", "waste_hazardous_count", "headcount", 4),
    Ratio("waste_non_hazardous_t_per_person", "waste_non_hazardous_t", "headcount", 4),
    Ratio("waste_non_hazardous_count_per_person", "waste_non_hazardous_count", "headcount", 4),
    Ratio("paper_t_per_person", "paper_t", "headcount", 4),
    Ratio("paper_count_per_person", "paper_count", "headcount", 2),
)

#: Greenhouse gases an inventory may count in Scope 1 (setting ``gases``).
GASES = ("CO2", "CH4", "N2O")


# -- views of the declarations -------------------------------------------------------------------
_MEMO: dict[tuple[str, int], tuple[tuple[Any, ...], Any]] = {}


def _following(name: str, declared: tuple[Any, ...], build: Callable[[Any], Any]) -> Any:
    """``build(declared)``, computed once per declared list (a test may swap the list: the cache
    follows it by identity, never by hashing every declaration on each call)."""
    hit = _MEMO.get((name, id(declared)))
    if hit is None or hit[0] is not declared:
        hit = (declared, build(declared))
        _MEMO[(name, id(declared))] = hit
    return hit[1]


def memo(name: str, build: Callable[[tuple[Metric, ...]], Any]) -> Any:
    """``build(METRICS)``, once per declared list of metrics."""
    return _following(name, METRICS, build)


def by_key() -> Mapping[str, Metric]:
    return memo("by_key", lambda declared: MappingProxyType({m.key: m for m in declared}))


def rated() -> tuple[Rated, ...]:
    """The ledger's metric columns, in declaration order."""
    return memo("rated", lambda declared: tuple(m for m in declared
                                                if isinstance(m, Rated)))


def derived() -> tuple[Derived, ...]:
    """Derived metrics in an order where each comes after the metrics it is made of."""
    return memo("derived", _evaluation_order)


def _evaluation_order(declared: tuple[Metric, ...]) -> tuple[Derived, ...]:
    known = {m.key: m for m in declared}
    order = graphlib.TopologicalSorter(
        {m.key: [k for k, _ in m.terms] for m in declared if isinstance(m, Derived)})
    return tuple(m for k in order.static_order() if isinstance(m := known.get(k), Derived))


def optional() -> tuple[Rated, ...]:
    """The ledger's optional metrics (present only where a row carries them)."""
    return memo("optional", lambda declared: tuple(m for m in declared
                                                   if isinstance(m, Rated) and m.optional))


def carrier(key: str) -> str:
    """The ledger column that says which rows carry an optional metric (1.0) and which not."""
    return f"rows:{key}"


def of_entered(category: str) -> tuple[Rated, ...]:
    """The figures whose rows of ``category`` hold them (water's ``water_m3`` …)."""
    return memo("of_entered", lambda declared: {
        c: tuple(m for m in declared if isinstance(m, Rated) and m.entered == c)
        for c in {m.entered for m in declared if isinstance(m, Rated)}}).get(category, ())


def quantity_figure(category: str, unit: str) -> str | None:
    """The figure that holds a source's quantity in its reporting ``unit`` — a waste source's
    tonnes, ``waste_hazardous_t``, which its rows in pieces may lack; None for a category without
    one (energy, distance)."""
    return next((m.key for m in of_entered(category) if m.unit == unit), None)


def restated() -> list[str]:
    """The figures a restatement splits into boundary, activity and factors."""
    return [m.key for m in METRICS if m.restate]


def stages() -> list[str]:
    """The ledger's factor-id columns, in declaration order."""
    return list(dict.fromkeys(m.stage for m in rated() if m.stage))


def ratios_of(key: str) -> list[Ratio]:
    return [r for r in RATIOS if r.num == key]


def unit_of(key: str) -> str:
    """Unit of a metric, denominator or ratio key (``tCO2e/m2``)."""
    if key in DENOMINATORS:
        return DENOMINATORS[key].unit
    for r in RATIOS:
        if r.key == key:
            return f"{by_key()[r.num].unit}/{DENOMINATORS[r.den].unit.removesuffix('s')}"
    return by_key()[key].unit


#: Counted units as a report prints them.
UNIT_WORDS: dict[str, L] = {"piece": L("个", "個", "pieces"), "pack": L("包", "包", "packs")}


def display_unit(unit: str, lang: str = "en") -> str:
    """A unit as a report prints it: ``m²``, ``m³``, ``pieces`` (``个``)."""
    word = UNIT_WORDS.get(unit)
    return word(lang) if word else unit.replace("m2", "m²").replace("m3", "m³")


def ratio_label(r: Ratio, lang: str) -> str:
    """An intensity's row label under its figure (``  per m² of floor area``)."""
    return DENOMINATORS[r.den].per(lang)


def value(figures: Mapping[str, Any], key: str) -> Any:
    """A metric's value in a year's (or an entity-year's) JSON figures, wherever its group puts
    it; an intensity from ``intensity``; None where the figures do not hold it."""
    return reader(key)(figures)


def reader(key: str) -> Callable[[Mapping[str, Any]], Any]:
    """What :func:`value` does for ``key``, as a function of the figures: where the key is looked
    up in them settled once (for a table of many entity-years)."""
    if key in _following("ratio_keys", RATIOS,
                         lambda ratios: frozenset(r.key for r in ratios)):
        return lambda figures: figures.get("intensity", {}).get(key)
    m = by_key().get(key)
    if m is not None and m.group:
        group = m.group
        return lambda figures: figures.get(group, {}).get(key)
    return lambda figures: figures.get(key)


def has(figures: Mapping[str, Any], key: str) -> bool:
    """Whether the JSON figures of a year (or an entity-year) hold ``key`` at all (an optional
    figure without data is absent; a figure without a denominator is there, as null)."""
    if any(r.key == key for r in RATIOS):
        return key in figures.get("intensity", {})
    m = by_key().get(key)
    return key in (figures.get(m.group, {}) if m is not None and m.group else figures)


def weight(w: float | str, weights: Mapping[str, float]) -> float:
    """A term's weight: a number, or the GWP of the gas it names (``"gwp:CH4"``)."""
    if isinstance(w, str):
        return float(weights[w.removeprefix("gwp:")])
    return float(w)


def derive(frame: pd.DataFrame | Mapping[str, Any], weights: Mapping[str, float]
           ) -> dict[str, np.ndarray]:
    """Every derived metric of ``frame`` (ledger rows, or any sums of them) from its parts.

    Parameters
    ----------
    frame : DataFrame or mapping
        The rated metrics' columns (or scalars).
    weights : mapping
        The run's global warming potential per gas. [t CO2e / t gas]
    """
    cols: dict[str, np.ndarray] = {}
    for m in derived():
        total: np.ndarray | float = 0.0
        for key, w in m.terms:
            part = cols[key] if key in cols else np.asarray(frame[key], dtype="float64")
            total = total + part * weight(w, weights)
        cols[m.key] = np.asarray(total, dtype="float64")
    return cols


def _check() -> None:
    """Import-time checks: unique keys, every term and ratio declared, sections known."""
    keys = [m.key for m in METRICS]
    if len(set(keys)) != len(keys):
        raise ValueError("metrics: a key is declared twice")
    known = set(keys)
    for m in METRICS:
        if m.section not in SECTIONS:
            raise ValueError(f"metrics: {m.key} has an unknown section {m.section!r}")
        if isinstance(m, Derived) and any(k not in known for k, _ in m.terms):
            raise ValueError(f"metrics: {m.key} is made of an undeclared metric")
        if m.twin and m.twin not in known:
            raise ValueError(f"metrics: {m.key}'s twin {m.twin!r} is not declared")
        if m.optional and not isinstance(m, Rated):
            raise ValueError(f"metrics: {m.key}: only a ledger column (Rated) is optional")
        if isinstance(m, Rated) and m.entered and m.entered not in m.applies:
            raise ValueError(f"metrics: {m.key} is entered on {m.entered} rows it does not apply to")
    for r in RATIOS:
        if r.num not in known or r.den not in DENOMINATORS:
            raise ValueError(f"metrics: ratio {r.key} divides undeclared figures")
    derived()  # no cycle


_check()
