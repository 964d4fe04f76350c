"""Draft disclosure text for a restatement, in zh-Hans, zh-Hant and en, with the numbers filled in.

A draft for the report's notes, built only from the restatement's own figures: which years were
restated and why (boundary, factors, activity data), each year's total before and after with its
three parts, and the base year's cumulative change against the significance threshold.
"""

from __future__ import annotations

import re
from typing import Any

from carbon.report.labels import LANGS

#: Labels of common entity kinds (plural in English); other kinds are shown as written.
KIND_LABELS = {
    "head_office": ("总行", "總行", "head office"),
    "head office": ("总行", "總行", "head office"),
    "branch": ("分行", "分行", "branches"),
    "branches": ("分行", "分行", "branches"),
    "outlet": ("网点", "網點", "outlets"),
    "outlets": ("网点", "網點", "outlets"),
    "sub_branch": ("支行", "支行", "sub-branches"),
    "village_bank": ("村镇银行", "村鎮銀行", "village bank"),
    "subsidiary": ("子公司", "子公司", "subsidiaries"),
    "": ("单位", "單位", "entities"),
}

SINGULAR = {"branches": "branch", "outlets": "outlet", "sub-branches": "sub-branch",
            "subsidiaries": "subsidiary", "entities": "entity"}

#: Grid levels as the disclosure names them (zh-Hans, zh-Hant).
_LEVELS = {"national": ("全国", "全國"), "regional": ("区域", "區域"), "provincial": ("省级", "省級")}

_JOIN = {"en": (", ", " and "), "zh-Hans": ("、", "及"), "zh-Hant": ("、", "及")}


def _join(items: list[str], lang: str) -> str:
    sep, last = _JOIN[lang]
    if len(items) <= 1:
        return "".join(items)
    return sep.join(items[:-1]) + last + items[-1]


def _kinds(kinds: dict[str, int], lang: str) -> str:
    i = LANGS.index(lang)
    parts = []
    for kind, n in kinds.items():
        label = KIND_LABELS.get(kind.strip().lower(), (kind, kind, kind))[i]
        if lang == "en" and n == 1:
            label = SINGULAR.get(label, label)
        parts.append(f"{n} {label}" if lang == "en" else f"{n}个{label}" if lang == "zh-Hans"
                     else f"{n}個{label}")
    return _join(parts, lang)


def _grid(set_id: str, lang: str) -> str:
    m = re.fullmatch(r"mee-grid-(\d{4})", set_id)
    if not m:
        return set_id
    y = m.group(1)
    return {"en": f"the MEE {y} grid emission factors ({set_id})",
            "zh-Hans": f"生态环境部{y}年电力二氧化碳排放因子",
            "zh-Hant": f"生態環境部{y}年電力二氧化碳排放因子"}[lang]


def _years(years: list[str], lang: str) -> str:
    if lang == "en":
        return _join(years, lang)
    return _join([f"{y}年" for y in years], lang)


def _t(x: float) -> str:
    return f"{x:+,.1f}"


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{p:+.2f}%"


def disclosure(base: int, threshold: float, required: bool, change: dict[str, Any],
               years: dict[str, Any], boundary: dict[str, Any], factors: dict[str, Any]
               ) -> dict[str, str]:
    """Disclosure text by language (``en``, ``zh-Hans``, ``zh-Hant``)."""
    total = {y: f["total_location_tco2e"] for y, f in years.items()}

    def moved(x: float, scale: float) -> bool:  # beyond float round-off
        return abs(x) > 1e-9 * max(abs(scale), 1.0)

    restated = [y for y, f in years.items()
                if any(moved(f[m]["delta"], f[m]["before"]) for m in f)]
    def part(name: str) -> bool:
        return any(moved(total[y]["attribution"][name], total[y]["before"]) for y in restated)

    activity = part("activity")
    # a boundary change that adds or removes no entity: windows, equity shares, consolidation
    other_boundary = part("boundary") and not (boundary["added_kinds"]
                                                or boundary["removed_kinds"])
    level = (factors["grid_level_after"] if part("factors")
             and factors["grid_level_after"] != factors["grid_level_before"] else None)
    grid_after = sorted({factors["grid_after"][y] for y in restated
                         if factors["grid_after"][y] != factors["grid_before"][y]})
    out = {}
    for lang in LANGS:
        reasons = []
        if boundary["added_kinds"]:
            reasons.append({"en": "to include ", "zh-Hans": "纳入", "zh-Hant": "納入"}[lang]
                           + _kinds(boundary["added_kinds"], lang))
        if boundary["removed_kinds"]:
            reasons.append({"en": "to exclude ", "zh-Hans": "剔除", "zh-Hant": "剔除"}[lang]
                           + _kinds(boundary["removed_kinds"], lang))
        if other_boundary:
            reasons.append({"en": "to apply the changed reporting boundary",
                            "zh-Hans": "按调整后的报告边界计算",
                            "zh-Hant": "按調整後的報告邊界計算"}[lang])
        if level:
            reasons.append({"en": f"to apply {level} grid emission factors",
                            "zh-Hans": f"采用{_LEVELS[level][0]}电网排放因子",
                            "zh-Hant": f"採用{_LEVELS[level][1]}電網排放因子"}[lang])
        if grid_after:
            grids = _join([_grid(g, lang) for g in grid_after], lang)
            reasons.append({"en": f"to apply {grids}", "zh-Hans": f"采用{grids}",
                            "zh-Hant": f"採用{grids}"}[lang])
        if factors["custom_changed"]:
            src = ", ".join(factors["custom_changed"])
            reasons.append({"en": f"to correct the reporter's own emission factors ({src})",
                            "zh-Hans": f"更正自有排放因子（{src}）",
                            "zh-Hant": f"更正自有排放因子（{src}）"}[lang])
        if activity:
            reasons.append({"en": "to correct activity data", "zh-Hans": "更正活动数据",
                            "zh-Hant": "更正活動數據"}[lang])
        lines = []
        if restated:
            why = _join(reasons, lang)
            lines.append({
                "en": f"The {_years(restated, lang)} figures were restated"
                      + (f" {why}." if why else "."),
                "zh-Hans": f"{_years(restated, lang)}数据已重述" + (f"，{why}。" if why else "。"),
                "zh-Hant": f"{_years(restated, lang)}數據已重述" + (f"，{why}。" if why else "。"),
            }[lang])
        else:
            lines.append({"en": "No figure changed: nothing was restated.",
                          "zh-Hans": "各项数据均无变化，无需重述。",
                          "zh-Hant": "各項數據均無變化，無需重述。"}[lang])
        for y in restated:
            t = total[y]
            a = t["attribution"]
            lines.append({
                "en": f"{y}: total emissions (Scope 1 and 2, location-based) changed from "
                      f"{t['before']:,.1f} to {t['after']:,.1f} tCO2e ({_pct(t['delta_pct'])}): "
                      f"boundary {_t(a['boundary'])}, activity data {_t(a['activity'])}, "
                      f"emission factors {_t(a['factors'])} tCO2e.",
                "zh-Hans": f"{y}年温室气体排放总量（范围一及范围二，基于位置）由{t['before']:,.1f}"
                           f"吨二氧化碳当量调整为{t['after']:,.1f}吨（{_pct(t['delta_pct'])}），"
                           f"其中边界变化{_t(a['boundary'])}吨、活动数据{_t(a['activity'])}吨、"
                           f"排放因子{_t(a['factors'])}吨。",
                "zh-Hant": f"{y}年溫室氣體排放總量（範圍一及範圍二，基於位置）由{t['before']:,.1f}"
                           f"噸二氧化碳當量調整為{t['after']:,.1f}噸（{_pct(t['delta_pct'])}），"
                           f"其中邊界變化{_t(a['boundary'])}噸、活動數據{_t(a['activity'])}噸、"
                           f"排放因子{_t(a['factors'])}噸。",
            }[lang])
        g = change["gross_pct"]
        shown = "n/a" if g is None else f"{g:.2f}%"
        lines.append({
            "en": f"The cumulative change in the {base} base year is {shown} (gross, both "
                  f"directions), {'at or above' if required else 'below'} the {threshold:g}% "
                  "significance threshold: "
                  + ("base-year emissions are recalculated." if required
                     else "base-year emissions are not recalculated."),
            "zh-Hans": f"基准年（{base}年）的累计变动（按绝对值合计）为{shown}，"
                       f"{'达到' if required else '未达到'}{threshold:g}%的重大性阈值，"
                       + ("因此重新计算基准年排放。" if required else "无需重新计算基准年排放。"),
            "zh-Hant": f"基準年（{base}年）的累計變動（按絕對值合計）為{shown}，"
                       f"{'達到' if required else '未達到'}{threshold:g}%的重大性閾值，"
                       + ("因此重新計算基準年排放。" if required else "無需重新計算基準年排放。"),
        }[lang])
        out[lang] = " ".join(lines) if lang == "en" else "".join(lines)
    return out
