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


def _kind_label(kind: str, lang: str) -> str:
    """A kind as the disclosure names it: its label, else as written — but never a code in
    Latin letters inside Chinese text (a kind carbon has no label for is a "单位" there)."""
    known = KIND_LABELS.get(kind.strip().lower())
    if known:
        return known[LANGS.index(lang)]
    if lang != "en" and kind.isascii():
        return KIND_LABELS[""][LANGS.index(lang)]
    return kind


def _kinds(kinds: dict[str, int], lang: str) -> str:
    merged: dict[str, int] = {}
    for kind, n in kinds.items():  # two unlabelled kinds may share the generic label
        label = _kind_label(kind, lang)
        merged[label] = merged.get(label, 0) + n
    parts = []
    for label, n in merged.items():
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


def _date(iso: str, lang: str) -> str:
    """2024-01-01 as the language writes it (2024年1月1日 in Chinese)."""
    if lang == "en":
        return iso
    y, m, d = iso.split("-")
    return f"{y}年{int(m)}月{int(d)}日"


#: The order of the texts of the tables below.
_ORDER = ("en", "zh-Hans", "zh-Hant")

#: What an event sentence says, by event: (en, zh-Hans, zh-Hant). ``{name}``, ``{date}`` (the
#: entry day, or the last day inside for an exit), ``{years}`` (earlier years with the change).
_EVENT_TEXT: dict[str, tuple[str, str, str]] = {
    "acquisition": ("{name} was acquired on {date}: its emissions were added to {years}",
                    "{name}于{date}收购：其排放已补入{years}",
                    "{name}於{date}收購：其排放已補入{years}"),
    "insourcing": ("{name} was insourced on {date} (before, a service bought in: Scope 3, which "
                   "this report does not cover); as for an acquisition, its emissions were added "
                   "to {years}",
                   "{name}于{date}转为自营（此前为外购服务，属本报告未涵盖的范围三）：与收购同样处理，"
                   "其排放已补入{years}",
                   "{name}於{date}轉為自營（此前為外購服務，屬本報告未涵蓋的範圍三）：與收購同樣處理，"
                   "其排放已補入{years}"),
    "divestment": ("{name} was divested (inside the boundary until {date}): its emissions were "
                   "removed from {years}",
                   "{name}已出售（纳入边界至{date}）：其排放已从{years}剔除",
                   "{name}已出售（納入邊界至{date}）：其排放已從{years}剔除"),
    "outsourcing": ("{name} was outsourced (inside the boundary until {date}); its emissions "
                    "move to Scope 3, which this report does not cover, so as for a divestment "
                    "they were removed from {years}",
                    "{name}已外包（纳入边界至{date}），其排放转入本报告未涵盖的范围三：与出售同样处理，"
                    "已从{years}剔除",
                    "{name}已外包（納入邊界至{date}），其排放轉入本報告未涵蓋的範圍三：與出售同樣處理，"
                    "已從{years}剔除"),
    "opening": ("{name} opened on {date}: organic growth, earlier years unchanged",
                "{name}于{date}新设，属自然增长，以前年度不作调整",
                "{name}於{date}新設，屬自然增長，以前年度不作調整"),
    "closure": ("{name} closed (inside the boundary until {date}): organic decline, earlier "
                "years unchanged",
                "{name}已关闭（纳入边界至{date}），属自然减少，以前年度不作调整",
                "{name}已關閉（納入邊界至{date}），屬自然減少，以前年度不作調整"),
    "insourcing_scope2": ("{name} was insourced on {date} from purchased energy (Scope 2, "
                          "reported before and after): earlier years unchanged",
                          "{name}于{date}转为自营（此前外购能源，已计入范围二）：以前年度不作调整",
                          "{name}於{date}轉為自營（此前外購能源，已計入範圍二）：以前年度不作調整"),
    "outsourcing_scope2": ("{name} was outsourced (inside the boundary until {date}); its "
                           "emissions stay reported as purchased energy in Scope 2: earlier "
                           "years unchanged",
                           "{name}已外包（纳入边界至{date}），其排放仍作为外购能源计入范围二：以前年度不作调整",
                           "{name}已外包（納入邊界至{date}），其排放仍作為外購能源計入範圍二：以前年度不作調整"),
}

#: A structural event that changes no restated year: how it starts, by event.
_EVENT_HEAD: dict[str, tuple[str, str, str]] = {
    "acquisition": ("{name} was acquired on {date}", "{name}于{date}收购", "{name}於{date}收購"),
    "insourcing": ("{name} was insourced on {date}", "{name}于{date}转为自营",
                   "{name}於{date}轉為自營"),
    "divestment": ("{name} was divested (inside the boundary until {date})",
                   "{name}已出售（纳入边界至{date}）", "{name}已出售（納入邊界至{date}）"),
    "outsourcing": ("{name} was outsourced (inside the boundary until {date})",
                    "{name}已外包（纳入边界至{date}）", "{name}已外包（納入邊界至{date}）"),
}
_UNCHANGED = (": no earlier restated year changes", "：所重述的以前年度不受影响",
              "：所重述的以前年度不受影響")
_EXISTED = (" (it came into existence on {existed})", "（该单位{existed}起存在）",
            "（該單位{existed}起存在）")

#: At most this many events are named one by one.
MAX_EVENTS = 10


def _name(e: dict[str, Any], lang: str) -> str:
    name, eid = e["name"].strip(), e["entity_id"]
    if not name or name == eid:
        return eid
    return f"{name} ({eid})" if lang == "en" else f"{name}（{eid}）"


def _event(e: dict[str, Any], lang: str) -> str:
    i = _ORDER.index(lang)
    effect = e["effect_tco2e"]
    unit = {"en": " tCO2e", "zh-Hans": "吨", "zh-Hant": "噸"}[lang]
    years = _join([(f"{y} ({_t(v)}{unit})" if lang == "en" else f"{y}年（{_t(v)}{unit}）")
                   for y, v in effect.items()], lang)
    if e["rule"] == "structural" and not effect:
        existed = e["existed_from"]
        text = _EVENT_HEAD[e["event"]][i] + (_EXISTED[i] if existed else "") + _UNCHANGED[i]
        return text.format(name=_name(e, lang), date=_date(e["date"], lang),
                           existed=_date(existed, lang) if existed else "")
    return _EVENT_TEXT[e["event"]][i].format(name=_name(e, lang), date=_date(e["date"], lang),
                                             years=years)


def _t(x: float) -> str:
    return f"{x:+,.1f}"


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{p:+.2f}%"


#: Structural events as the reasons of a restatement name them: (en singular, en plural,
#: zh-Hans, zh-Hant).
_EVENT_NOUNS = {"acquisition": ("acquisition", "acquisitions", "收购", "收購"),
                "insourcing": ("insourcing", "insourcings", "转为自营", "轉為自營"),
                "divestment": ("divestment", "divestments", "出售", "出售"),
                "outsourcing": ("outsourcing", "outsourcings", "外包", "外包")}

#: The figure the significance test looks at, by threshold scope and metric.
_BASIS = {"total_location_tco2e": ("Scope 1 and 2, location-based", "范围一及范围二，基于位置",
                                   "範圍一及範圍二，基於位置"),
          "total_market_tco2e": ("Scope 1 and 2, market-based", "范围一及范围二，基于市场",
                                 "範圍一及範圍二，基於市場"),
          "scope1_tco2e": ("Scope 1", "范围一", "範圍一"),
          "scope2_location_tco2e": ("Scope 2, location-based", "范围二（基于位置）",
                                    "範圍二（基於位置）"),
          "scope2_market_tco2e": ("Scope 2, market-based", "范围二（基于市场）",
                                  "範圍二（基於市場）")}


def _shown(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.2f}%"


def _threshold_line(base: int, threshold: float, scope: str, required: bool,
                    changes: dict[str, Any], lang: str) -> str:
    i = _ORDER.index(lang)
    items = list(changes.values())
    if scope == "each_scope":
        each = [(f"{_shown(c['gross_pct'])} for {_BASIS[c['metric']][0]}" if lang == "en"
                 else f"{_BASIS[c['metric']][i]}{_shown(c['gross_pct'])}") for c in items]
        what = {"en": f"The cumulative change in the {base} base year, each scope on its own, is "
                      f"{_join(each, lang)} (gross, both directions), ",
                "zh-Hans": f"基准年（{base}年）各范围分别计算的累计变动（按绝对值合计）为"
                           f"{_join(each, lang)}，",
                "zh-Hant": f"基準年（{base}年）各範圍分別計算的累計變動（按絕對值合計）為"
                           f"{_join(each, lang)}，"}[lang]
        verdict = {"en": f"{'one at or above' if required else 'each below'} the {threshold:g}% "
                         "significance threshold",
                   "zh-Hans": f"{'其中有范围达到' if required else '均未达到'}{threshold:g}%的重大性阈值",
                   "zh-Hant": f"{'其中有範圍達到' if required else '均未達到'}{threshold:g}%的重大性閾值"
                   }[lang]
    else:
        c = items[0]
        basis = _BASIS[c["metric"]][i]
        what = {"en": f"The cumulative change in the {base} base year ({basis}) is "
                      f"{_shown(c['gross_pct'])} (gross, both directions), ",
                "zh-Hans": f"基准年（{base}年）的累计变动（{basis}，按绝对值合计）为"
                           f"{_shown(c['gross_pct'])}，",
                "zh-Hant": f"基準年（{base}年）的累計變動（{basis}，按絕對值合計）為"
                           f"{_shown(c['gross_pct'])}，"}[lang]
        verdict = {"en": f"{'at or above' if required else 'below'} the {threshold:g}% "
                         "significance threshold",
                   "zh-Hans": f"{'达到' if required else '未达到'}{threshold:g}%的重大性阈值",
                   "zh-Hant": f"{'達到' if required else '未達到'}{threshold:g}%的重大性閾值"}[lang]
    organic = max(c["organic_tco2e"] for c in items)
    aside = ""
    if organic > 0:
        aside = {"en": f" (openings and closures, {organic:,.1f} tCO2e, are organic changes and "
                       "do not count)",
                 "zh-Hans": f"（新设及关闭单位{organic:,.1f}吨属自然增减，不计入）",
                 "zh-Hant": f"（新設及關閉單位{organic:,.1f}噸屬自然增減，不計入）"}[lang]
    end = {"en": (": base-year emissions are recalculated." if required
                  else ": base-year emissions are not recalculated."),
           "zh-Hans": "，因此重新计算基准年排放。" if required else "，无需重新计算基准年排放。",
           "zh-Hant": "，因此重新計算基準年排放。" if required else "，無需重新計算基準年排放。"}[lang]
    return what + verdict + aside + end


#: IPCC assessment reports by their short name: the number written in Chinese.
_ASSESSMENT = {"AR4": ("四",), "AR5": ("五",), "AR6": ("六",)}


def disclosure(base: int, threshold: float, scope: str, required: bool,
               changes: dict[str, Any], years: dict[str, Any], boundary: dict[str, Any],
               factors: dict[str, Any]) -> dict[str, str]:
    """Disclosure text by language (``en``, ``zh-Hans``, ``zh-Hant``).

    Parameters
    ----------
    base, threshold, scope, required
        The base year, the threshold [%], its scope and the verdict.
    changes : dict
        The base year's cumulative change per threshold metric (``restate``'s
        ``notes.base_year_changes``).
    years, boundary, factors
        ``restate``'s ``years``, ``notes.boundary`` and ``notes.factors``.
    """
    total = {y: f["total_location_tco2e"] for y, f in years.items()}

    def moved(x: float, scale: float) -> bool:  # beyond float round-off
        return abs(x) > 1e-9 * max(abs(scale), 1.0)

    restated = [y for y, f in years.items()
                if any(moved(f[m]["delta"], f[m]["before"]) for m in f)]

    def part(name: str) -> bool:
        return any(moved(total[y]["attribution"][name], total[y]["before"]) for y in restated)

    activity = part("activity")
    # a boundary change of an entity neither added, removed nor named by an event: windows,
    # equity shares, consolidation
    other_boundary = part("boundary") and bool(boundary["window_changed"])
    level = (factors["grid_level_after"] if part("factors")
             and factors["grid_level_after"] != factors["grid_level_before"] else None)
    grid_after = sorted({factors["grid_after"][y] for y in restated
                         if factors["grid_after"][y] != factors["grid_before"][y]})
    structural: dict[str, int] = {}
    for e in boundary["events"]:
        if e["rule"] == "structural" and e["effect_tco2e"]:
            structural[e["event"]] = structural.get(e["event"], 0) + 1
    out = {}
    for lang in LANGS:
        i = _ORDER.index(lang)
        reasons = []
        if structural:
            nouns = [(f"{n} {_EVENT_NOUNS[k][0 if n == 1 else 1]}" if lang == "en"
                      else f"{n}项{_EVENT_NOUNS[k][i + 1]}" if lang == "zh-Hans"
                      else f"{n}項{_EVENT_NOUNS[k][i + 1]}") for k, n in structural.items()]
            reasons.append({"en": "to reflect ", "zh-Hans": "以反映", "zh-Hant": "以反映"}[lang]
                           + _join(nouns, lang))
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
        if part("factors") and factors.get("gwp_after") != factors.get("gwp_before"):
            gwp = factors["gwp_after"].removesuffix("GWP100")
            reasons.append({"en": f"to apply the IPCC {gwp} global warming potentials",
                            "zh-Hans": f"采用IPCC第{_ASSESSMENT[gwp][0]}次评估报告的全球变暖潜势",
                            "zh-Hant": f"採用IPCC第{_ASSESSMENT[gwp][0]}次評估報告的全球暖化潛勢"}[
                lang])
        added = [g for g in factors.get("gases_after", []) if g not in
                 factors.get("gases_before", factors.get("gases_after", []))]
        if part("factors") and added:
            gases = _join(added, lang)
            reasons.append({"en": f"to include {gases} from fuel combustion",
                            "zh-Hans": f"纳入燃料燃烧产生的{gases}",
                            "zh-Hant": f"納入燃料燃燒產生的{gases}"}[lang])
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
        stop = "." if lang == "en" else "。"
        events = boundary["events"]
        lines += [_event(e, lang) + stop for e in events[:MAX_EVENTS]]
        if len(events) > MAX_EVENTS:
            rest = len(events) - MAX_EVENTS
            lines.append({"en": f"{rest} more boundary events are listed in the notes.",
                          "zh-Hans": f"另有{rest}项边界事件见附注。",
                          "zh-Hant": f"另有{rest}項邊界事件見附註。"}[lang])
        for y in restated:
            t = total[y]
            a = t["attribution"]
            grown = t["boundary_split"]["organic"]
            split = "" if not moved(grown, t["before"]) else {
                "en": f" (of which openings and closures {_t(grown)})",
                "zh-Hans": f"（其中新设及关闭单位{_t(grown)}吨）",
                "zh-Hant": f"（其中新設及關閉單位{_t(grown)}噸）"}[lang]
            lines.append({
                "en": f"{y}: total emissions (Scope 1 and 2, location-based) changed from "
                      f"{t['before']:,.1f} to {t['after']:,.1f} tCO2e ({_pct(t['delta_pct'])}): "
                      f"boundary {_t(a['boundary'])}{split}, activity data {_t(a['activity'])}, "
                      f"emission factors {_t(a['factors'])} tCO2e.",
                "zh-Hans": f"{y}年温室气体排放总量（范围一及范围二，基于位置）由{t['before']:,.1f}"
                           f"吨二氧化碳当量调整为{t['after']:,.1f}吨（{_pct(t['delta_pct'])}），"
                           f"其中边界变化{_t(a['boundary'])}吨{split}、活动数据{_t(a['activity'])}吨、"
                           f"排放因子{_t(a['factors'])}吨。",
                "zh-Hant": f"{y}年溫室氣體排放總量（範圍一及範圍二，基於位置）由{t['before']:,.1f}"
                           f"噸二氧化碳當量調整為{t['after']:,.1f}噸（{_pct(t['delta_pct'])}），"
                           f"其中邊界變化{_t(a['boundary'])}噸{split}、活動數據{_t(a['activity'])}噸、"
                           f"排放因子{_t(a['factors'])}噸。",
            }[lang])
        lines.append(_threshold_line(base, threshold, scope, required, changes, lang))
        out[lang] = " ".join(lines) if lang == "en" else "".join(lines)
    return out
