"""The notes under a KPI table, written from what the run used: the standards, the factors (set,
value, level), the gases and GWP, the boundary and the intensities' basis — numbered like a
published table's notes, in the report's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from carbon import metrics
from carbon.factors import Factor, FactorSet
from carbon.model import Inventory, Ledger
from carbon.report.rows import method_notes

_LEVEL = {"national": ("全国", "全國", "national"), "regional": ("区域电网", "區域電網", "regional grid"),
          "provincial": ("省级", "省級", "provincial")}
_CONSOLIDATION = {"operational_control": ("运营控制权法", "營運控制權法", "operational control"),
                  "equity_share": ("股权比例法", "股權比例法", "equity share")}
_MID_YEAR = {"whole_year": ("年中纳入或退出的单位按全年计", "年中納入或退出的單位按全年計",
                            "an entity inside the boundary for part of a year counts for the "
                            "whole year"),
             "pro_rata": ("年中纳入或退出的单位按天数比例计", "年中納入或退出的單位按天數比例計",
                          "an entity inside the boundary for part of a year counts pro rata by "
                          "days")}


def _i(lang: str) -> int:
    return {"zh-Hans": 0, "zh-Hant": 1}.get(lang, 2)


def _doc(fs: FactorSet | None, lang: str) -> str:
    """A document as a report cites it: 《title》 (number), or its English title."""
    if fs is None:
        return ""
    m = fs.meta
    number = f"（{m.document_number}）" if m.document_number and lang != "en" else (
        f" ({m.document_number})" if m.document_number else "")
    if lang == "en" and m.title_en:
        return f"{m.title_en}{number}"
    return f"《{m.title}》{number}"


def _years(years: list[int]) -> str:
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def _grid_by_year(ledger: Ledger) -> dict[str, list[int]]:
    """The location-based electricity factor ids and the years that used each."""
    rows = ledger.rows
    elec = rows[(rows["category"] == "electricity").to_numpy()]  # the categories compared once
    out: dict[str, list[int]] = {}
    if elec.empty:
        return out
    pairs = pd.DataFrame({"year": elec["year"].to_numpy(), "ids": elec["f_scope2_location"]}
                         ).drop_duplicates()  # then the few distinct pairs into words
    pairs["ids"] = pairs["ids"].astype(str).to_numpy()
    for rec in pairs.sort_values(["ids", "year"]).to_dict("records"):
        for fid in str(rec["ids"]).split(";"):
            if fid:
                out.setdefault(fid, []).append(int(rec["year"]))
    return out


def notes(inv: Inventory, ledger: Ledger, result: dict[str, Any], sets: dict[str, FactorSet],
          lang: str) -> list[str]:
    """The numbered methodology notes of a run's KPI table, in ``lang``."""
    i = _i(lang)
    used = {fid: f for fid, f in ledger.factors.items() if isinstance(f, Factor)}
    in_use = {f.set_id for f in used.values()}
    settings = inv.settings
    pins = settings.factor_sets
    out: list[str] = []
    energy = sets.get(pins.energy)
    if energy is not None and energy.id in in_use:
        out.append([
            f"能源按{_doc(energy, lang)}附录A的平均低位发热量和折标准煤系数折算；电力、热力按当量值"
            "（0.1229千克标准煤/千瓦时、0.03412千克标准煤/兆焦）计；1千瓦时＝3.6兆焦。",
            f"能源按{_doc(energy, lang)}附錄A的平均低位發熱量和折標準煤係數折算；電力、熱力按當量值"
            "（0.1229千克標準煤/千瓦時、0.03412千克標準煤/兆焦）計；1千瓦時＝3.6兆焦。",
            f"Energy converted with the average low heating values and standard-coal coefficients "
            f"of {_doc(energy, lang)}, Appendix A; electricity and heat at their equivalent value "
            "(0.1229 kgce/kWh, 0.03412 kgce/MJ); 1 kWh = 3.6 MJ."][i])
    fuel = sets.get(pins.fuel)
    if fuel is not None and fuel.id in in_use:
        counted = [g for g in settings.gases if g != "CO2"]
        combustion = sets.get(pins.combustion)
        gwp = sets.get(settings.gwp_set)
        weights = ledger.weights
        if counted and combustion is not None:
            gases = "、".join(counted) if lang != "en" else " and ".join(counted)
            w = ", ".join(f"{g} {weights[g]:g}" for g in counted)
            out.append([
                f"范围一：燃料燃烧的二氧化碳按{_doc(fuel, lang)}计算；{gases}按{_doc(combustion, lang)}"
                f"的缺省排放因子计算，并以{_doc(gwp, lang)}的100年全球变暖潜势（{w}）折算为二氧化碳当量。",
                f"範圍一：燃料燃燒的二氧化碳按{_doc(fuel, lang)}計算；{gases}按{_doc(combustion, lang)}"
                f"的缺省排放因子計算，並以{_doc(gwp, lang)}的100年全球暖化潛勢（{w}）折算為二氧化碳當量。",
                f"Scope 1: CO2 of fuel combustion per {_doc(fuel, lang)}; {gases} with the default "
                f"factors of {_doc(combustion, lang)}, in CO2e at the 100-year global warming "
                f"potentials of {_doc(gwp, lang)} ({w})."][i])
        else:
            out.append([f"范围一：仅计燃料燃烧的二氧化碳，按{_doc(fuel, lang)}计算。",
                        f"範圍一：僅計燃料燃燒的二氧化碳，按{_doc(fuel, lang)}計算。",
                        f"Scope 1: CO2 of fuel combustion only, per {_doc(fuel, lang)}."][i])
    grids = _grid_by_year(ledger)
    if grids:
        level = _LEVEL[ledger.grid_level or settings.grid_level][i]
        parts = []
        for fid, years in grids.items():
            f = used[fid]
            doc = _doc(sets.get(f.set_id), lang) if f.set_id in sets else f.reference
            parts.append(f"{_years(years)}{'：' if lang != 'en' else ': '}{doc} "
                         f"{f.region or ''} {f.value:g} {f.unit}".replace("  ", " "))
        sep = "；" if lang != "en" else "; "
        out.append([
            f"范围二（基于位置）：外购电力按电网排放因子计算（{level}），{sep.join(parts)}。",
            f"範圍二（基於位置）：外購電力按電網排放因子計算（{level}），{sep.join(parts)}。",
            f"Scope 2 (location-based): purchased electricity at the grid emission factor "
            f"({level} level): {sep.join(parts)}."][i])
    heat = used.get(f"{pins.fuel}:emission:heat")
    if heat is not None:
        out.append([f"外购热力按{heat.value:g} {heat.unit}计（{_doc(fuel, lang)}，{heat.reference}）。",
                    f"外購熱力按{heat.value:g} {heat.unit}計（{_doc(fuel, lang)}，{heat.reference}）。",
                    f"Purchased heat at {heat.value:g} {heat.unit} ({_doc(fuel, lang)}, "
                    f"{heat.reference})."][i])
    if any(metrics.value(f, "scope2_market_tco2e") != metrics.value(f, "scope2_location_tco2e")
           for f in result["years"].values()):
        out.append(["范围二（基于市场）按《温室气体核算体系范围二指南》：有绿电或绿证的电量按其合约因子，"
                    "其余按剔除市场化交易非化石能源电量的全国电网排放因子计。",
                    "範圍二（基於市場）按《溫室氣體核算體系範圍二指南》：有綠電或綠證的電量按其合約因子，"
                    "其餘按剔除市場化交易非化石能源電量的全國電網排放因子計。",
                    "Scope 2 (market-based) per the GHG Protocol Scope 2 Guidance: electricity "
                    "backed by green power or certificates at its contractual factor, the rest at "
                    "the national grid factor excluding market-traded non-fossil power."][i])
    consolidation = _CONSOLIDATION[settings.consolidation][i]
    entities = len(inv.entities)
    out.append([f"报告边界：{entities}个单位，按{consolidation}合并；{_MID_YEAR[settings.boundary_mid_year][i]}。",
                f"報告邊界：{entities}個單位，按{consolidation}合併；{_MID_YEAR[settings.boundary_mid_year][i]}。",
                f"Boundary: {entities} entities, consolidated by {consolidation}; "
                f"{_MID_YEAR[settings.boundary_mid_year][i]}."][i])
    partial = []
    for y, fig in result["years"].items():
        basis = fig.get("intensity_basis") or {}
        for den in metrics.DENOMINATORS:
            have, of = basis.get(f"{den}_entities"), basis.get("entities")
            if have is not None and of and have < of:
                partial.append((y, den, have, of))
    text = ["强度按楼面面积（平方米）及员工人数（各单位各年度填报数）计算；分子与分母取同一组单位。",
            "強度按樓面面積（平方米）及員工人數（各單位各年度填報數）計算；分子與分母取同一組單位。",
            "Intensities per m² of floor area and per employee (headcount as given per entity and "
            "year); numerator and denominator over the same entities."][i]
    for y, den, have, of in partial:
        what = metrics.DENOMINATORS[den].label(lang)
        text += [f"{y}年{what}覆盖{have}/{of}个单位。", f"{y}年{what}覆蓋{have}/{of}個單位。",
                 f" {y}: {what.lower()} covers {have} of {of} entities."][i]
    out.append(text)
    out += method_notes(result, lang)  # how an environmental figure was made (counts, masses …)
    return [f"{n}. {t}" if lang == "en" else f"{n}．{t}" for n, t in enumerate(out, start=1)]
