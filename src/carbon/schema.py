"""The input tables of an inventory (DESIGN.md, contract 1): their columns, types and labels.

One place for the column list: the CSV reader, the workbook reader and the template all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from carbon.units import normalize_text
from carbon.vocab import fold

ColumnType = Literal["text", "number", "date", "year"]


@dataclass(frozen=True)
class Column:
    key: str
    type: ColumnType
    required: bool
    en: str
    zh_hans: str
    zh_hant: str
    help_en: str = ""

    @property
    def free_text(self) -> bool:
        """Words as people write them (a name, a note, a document reference): any text goes,
        line breaks and commas included."""
        return self.key in ("document_ref", "note", "name")

    @property
    def repetitive(self) -> bool:
        """Few distinct values per column (ids, codes, dates): worth dictionary-encoding."""
        return self.type != "number" and not self.free_text

    def label(self, lang: str) -> str:
        return {"zh-Hans": self.zh_hans, "zh-Hant": self.zh_hant}.get(lang, self.en)


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: bool
    columns: tuple[Column, ...]
    extra_columns: bool = False  # denominators may carry more (numeric) columns

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec("entities", True, (
            Column("entity_id", "text", True, "Entity ID", "单位编号", "單位編號",
                   "a short code, unique"),
            Column("name", "text", False, "Name", "名称", "名稱"),
            Column("parent_id", "text", False, "Parent ID", "上级单位编号", "上級單位編號",
                   "entity_id of the unit this one belongs to"),
            Column("kind", "text", False, "Kind", "类型", "類型", "head office, branch, outlet …"),
            Column("province", "text", False, "Province", "省份", "省份",
                   "山西 / 山西省 / Shanxi / 晋 / 14"),
            Column("utility", "text", False, "Electricity utility", "供电公司", "供電公司",
                   "Hong Kong sites: clp (CLP Power) or hk_electric (HK Electric); blank elsewhere"),
            Column("included_from", "date", False, "Included from", "纳入起始日", "納入起始日",
                   "first day inside the reporting boundary; blank = always. Acquired? Keep the "
                   "acquisition date here and write entry = acquisition"),
            Column("included_to", "date", False, "Included to", "纳入截止日", "納入截止日",
                   "last day inside the reporting boundary; blank = still inside"),
            Column("entry", "text", False, "Entry", "纳入方式", "納入方式",
                   "why it entered on included_from: acquisition (its earlier years are added: "
                   "give their rows), opening (earlier years unchanged), insourcing; blank = "
                   "inside from the start"),
            Column("exit", "text", False, "Exit", "退出方式", "退出方式",
                   "why it left after included_to: divestment (removed from every earlier "
                   "year), closure (earlier years unchanged), outsourcing; blank = still inside"),
            Column("existed_from", "date", False, "Existed from", "成立或投运日", "成立或投運日",
                   "acquired units only: the day it came into existence, if after the base year "
                   "(years before are not restated); blank = existed throughout"),
            Column("ownership_share", "number", False, "Ownership share", "持股比例", "持股比例",
                   "the parent's equity share: 60, 60% or 0.6; blank = wholly owned (equity-share "
                   "consolidation only)"),
        )),
        TableSpec("denominators", False, (
            Column("entity_id", "text", True, "Entity ID", "单位编号", "單位編號"),
            Column("year", "year", True, "Year", "年份", "年份"),
            Column("floor_area_m2", "number", False, "Floor area (m²)", "建筑面积（平方米）",
                   "建築面積（平方米）"),
            Column("headcount", "number", False, "Headcount", "员工人数", "員工人數"),
        ), extra_columns=True),
        TableSpec("activity", True, (
            Column("entity_id", "text", True, "Entity ID", "单位编号", "單位編號"),
            Column("period_start", "date", True, "Period start", "开始日期", "開始日期",
                   "2024-03-01 (a whole month: start 2024-03-01, end 2024-03-31)"),
            Column("period_end", "date", True, "Period end", "结束日期", "結束日期",
                   "inclusive: 2024-01-31"),
            Column("source", "text", True, "Energy source", "能源品种", "能源品種",
                   "电力, 热力, 天然气, 柴油, 汽油 …; also 水 (water), 有害废弃物, 无害废弃物, "
                   "纸张, 氮氧化物 …"),
            Column("quantity", "number", True, "Quantity", "数量", "數量"),
            Column("unit", "text", True, "Unit", "单位", "單位", "kWh, 度, GJ, m³, L, t …"),
            Column("meter", "text", False, "Meter", "表号", "錶號",
                   "meter or account id; blank = one meter per entity and source"),
            Column("use", "text", False, "Use", "用途", "用途", "stationary or mobile"),
            Column("technology", "text", False, "Vehicle technology", "车辆排放控制技术",
                   "車輛排放控制技術",
                   "vehicles only: uncontrolled, oxidation_catalyst or low_mileage_ldv; blank = "
                   "the setting vehicle_technology"),
            Column("instrument", "text", False, "Instrument", "绿电凭证", "綠電憑證",
                   "green_power or gec for certificate-backed electricity"),
            Column("data_quality", "text", False, "Data quality", "数据质量", "數據質量",
                   "measured, invoice or estimated"),
            Column("document_ref", "text", False, "Document", "凭证编号", "憑證編號",
                   "invoice or meter reading reference"),
            Column("note", "text", False, "Note", "备注", "備註"),
            Column("stream", "text", False, "Stream", "细分类别", "細分類別",
                   "a part of a source kept apart in the breakdown (kitchen waste, office "
                   "refuse, e-waste, a vehicle class); blank = none"),
        )),
        TableSpec("meters", False, (
            Column("entity_id", "text", True, "Entity ID", "单位编号", "單位編號",
                   "the entity the meter belongs to"),
            Column("source", "text", True, "Energy source", "能源品种", "能源品種",
                   "电力, 热力, 天然气 …"),
            Column("meter", "text", False, "Meter", "表号", "錶號",
                   "as in activity.meter; blank = the entity's one meter of that source"),
            Column("months", "text", False, "Months in use", "使用月份", "使用月份",
                   "the months it runs: 11-3 = November to March (a heating season); 1-12 or "
                   "blank = all year; its other months are not gaps"),
            Column("note", "text", False, "Note", "备注", "備註"),
        )),
        TableSpec("custom_factors", False, (
            Column("source", "text", True, "Energy source", "能源品种", "能源品種"),
            Column("year", "year", False, "Year", "年份", "年份", "blank = every year"),
            Column("kind", "text", True, "Kind", "因子类型", "因子類型",
                   "emission, ncv, density, carbon_content, oxidation_rate, coal_coefficient; "
                   "unit_mass (kg/个, kg/包); nox, sox, pm, co (kg/L, g/km)"),
            Column("value", "number", True, "Value", "数值", "數值"),
            Column("unit", "text", True, "Unit", "单位", "單位", "kgCO2/L, tCO2/MWh, GJ/t …"),
            Column("reference", "text", True, "Reference", "出处", "出處",
                   "document, table, page"),
            Column("region", "text", False, "Region", "适用地区", "適用地區",
                   "blank = every entity; a province (澳门, 西藏 …) or a Hong Kong utility (clp, "
                   "hk_electric): the factor applies to the entities there only"),
            Column("stream", "text", False, "Stream", "细分类别", "細分類別",
                   "blank = every stream of the source; else the factor applies to the activity "
                   "rows of that stream only (a mass per piece of batteries, not of lamp tubes)"),
        )),
    )
}

#: Values the optional text columns accept (folded spellings -> canonical value).
USES = {"stationary": "stationary", "固定": "stationary", "固定源": "stationary",
        "固定燃烧": "stationary", "固定燃燒": "stationary", "mobile": "mobile", "移动": "mobile",
        "移動": "mobile", "移动源": "mobile", "移動源": "mobile", "移动燃烧": "mobile",
        "移動燃燒": "mobile"}
#: Hong Kong electricity utilities (``entities.utility``): folded spellings -> canonical key.
UTILITIES = {"clp": "clp", "clppower": "clp", "clppowerhongkong": "clp", "中电": "clp",
             "中電": "clp", "中华电力": "clp", "中華電力": "clp", "hkelectric": "hk_electric",
             "hongkongelectric": "hk_electric", "港灯": "hk_electric", "港燈": "hk_electric",
             "香港电灯": "hk_electric", "香港電燈": "hk_electric"}
#: Road-vehicle emission-control technology (``activity.technology``; IPCC 2006 Vol. 2 Table
#: 3.2.2): folded spellings -> canonical key.
TECHNOLOGIES = {"uncontrolled": "uncontrolled", "无控制": "uncontrolled", "無控制": "uncontrolled",
                "oxidationcatalyst": "oxidation_catalyst", "catalyst": "oxidation_catalyst",
                "三元催化": "oxidation_catalyst", "催化转化": "oxidation_catalyst",
                "催化轉化": "oxidation_catalyst", "氧化催化": "oxidation_catalyst",
                "lowmileageldv": "low_mileage_ldv", "低里程轻型车": "low_mileage_ldv",
                "低里程輕型車": "low_mileage_ldv"}
#: Contractual instruments as a Chinese template writes them (``activity.instrument``): folded
#: spellings -> the market set's instrument key.
INSTRUMENTS = {"绿电": "green_power", "綠電": "green_power", "绿色电力": "green_power",
               "綠色電力": "green_power", "绿证": "gec", "綠證": "gec", "绿色电力证书": "gec",
               "綠色電力證書": "gec"}
DATA_QUALITY = {"measured": "measured", "实测": "measured", "實測": "measured",
                "抄表": "measured", "meter": "measured", "invoice": "invoice",
                "发票": "invoice", "發票": "invoice", "账单": "invoice", "賬單": "invoice",
                "estimated": "estimated", "估算": "estimated", "估计": "estimated",
                "估計": "estimated"}

#: Why an entity enters or leaves the boundary (``entities.entry`` / ``entities.exit``) and what
#: that means for earlier years (GHG Protocol Corporate Standard, chapter 5): ``structural`` —
#: a transfer of emissions between companies, restated in every earlier year (acquisition,
#: divestment; insourcing from or outsourcing to Scope 3, which carbon does not report);
#: ``organic`` — a real change of emissions, earlier years unchanged (opening, closure; insourcing
#: from or outsourcing to Scope 2, which stays reported). Labels: zh-Hans, zh-Hant, en.
ENTRY_EVENTS: dict[str, tuple[str, str, str, str]] = {
    "acquisition": ("structural", "收购", "收購", "acquisition"),
    "opening": ("organic", "新设", "新設", "opening"),
    "insourcing": ("structural", "内包", "內包", "insourcing"),
    "insourcing_scope2": ("organic", "内包（范围二）", "內包（範圍二）", "insourcing from Scope 2"),
}
EXIT_EVENTS: dict[str, tuple[str, str, str, str]] = {
    "divestment": ("structural", "出售", "出售", "divestment"),
    "closure": ("organic", "关闭", "關閉", "closure"),
    "outsourcing": ("structural", "外包", "外包", "outsourcing"),
    "outsourcing_scope2": ("organic", "外包（范围二）", "外包（範圍二）", "outsourcing to Scope 2"),
}
_EVENT_ALIASES = {
    "acquisition": ("acquired", "merger", "并购", "併購", "兼并", "兼併"),
    "opening": ("opened", "开业", "開業", "新建", "新开", "新開"),
    "insourcing": ("insourced", "內包"),
    "insourcing_scope2": ("內包（范围二）",),
    "divestment": ("divested", "divestiture", "sold", "sale", "剥离", "剝離", "转让", "轉讓"),
    "closure": ("closed", "關閉", "关停", "關停", "停业", "停業", "撤销", "撤銷"),
    "outsourcing": ("outsourced",),
    "outsourcing_scope2": ("外包（範圍二）",),
}


def _spellings(events: dict[str, tuple[str, str, str, str]]) -> dict[str, str]:
    out = {}
    for key, (_, hans, hant, en) in events.items():
        for name in (key, hans, hant, en, *_EVENT_ALIASES[key]):
            out[fold(name)] = key
    return out


#: Folded spellings -> canonical ``entry`` / ``exit`` value.
ENTRIES = _spellings(ENTRY_EVENTS)
EXITS = _spellings(EXIT_EVENTS)

_PAREN = re.compile(r"[（(]\s*([A-Za-z0-9_.]+)\s*[)）]\s*$")


def bracketed_key(text: str) -> str | None:
    """The key a label ends with in parentheses, ``数量 Quantity (quantity)`` -> ``quantity``
    (half- or full-width brackets), lower-cased; None when there is none."""
    m = _PAREN.search(text)
    return m.group(1).lower() if m else None


def header_key(text: str, spec: TableSpec) -> str | None:
    """The canonical key of a header cell: ``quantity``, ``数量 Quantity (quantity)``, ``数量``."""
    cleaned = normalize_text(text)
    low = cleaned.lower()
    for c in spec.columns:
        if low in (c.key, normalize_text(c.en).lower(), c.zh_hans, c.zh_hant):
            return c.key
    return bracketed_key(cleaned) or low or None
