"""The Excel template a facilities team fills in (``carbon template``).

One sheet per input table (DESIGN.md, contract 1) whose header cells show the label in the chosen
language and the canonical key in parentheses (``数量 Quantity (quantity)``); a cover sheet that
says what to fill, in which units, where to find the numbers and how to run carbon; drop-downs
whose lists are derived from the vocabulary, the schema, the settings model and the factor sets
(kept on a hidden ``lists`` sheet); date and number formats per column; a frozen header; and a
separate sheet of worked examples that carbon never reads. The bytes are deterministic (fixed
document properties and zip timestamps), so the generated templates can be committed.
"""

from __future__ import annotations

import io
import math
import re
import tomllib
import types
import typing
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbon import vocab
from carbon.factors import PARAMETERS, FactorSet
from carbon.i18n import text_width
from carbon.model import FactorPins, Settings
from carbon.report.labels import LANGS
from carbon.report.layout import print_setup, shown, tall_enough
from carbon.schema import (
    DATA_QUALITY,
    ENTRY_EVENTS,
    EXIT_EVENTS,
    TABLES,
    TECHNOLOGIES,
    USES,
    UTILITIES,
    Column,
)
from carbon.units import COUNTS, ENERGY, LENGTH, MASS, VOLUME, parse_unit

#: Document properties and zip entry times of every generated template (deterministic bytes).
FIXED_TIME = datetime(2024, 1, 1)
#: Rows of each input sheet that carry drop-downs and input messages.
INPUT_ROWS = 5000
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_HEADER_REQUIRED = PatternFill("solid", fgColor="C6E0B4")
_HEADER_OPTIONAL = PatternFill("solid", fgColor="E7E6E6")
_TITLE = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

_FORMATS = {"date": "yyyy-mm-dd", "year": "0", "text": "@"}
_NUMBER_FORMATS = {"quantity": "#,##0.00", "floor_area_m2": "#,##0", "headcount": "#,##0",
                   "value": "0.######", "ownership_share": "0.00"}

# --- words of the template in each language ------------------------------------------------------

_T: dict[str, dict[str, str]] = {
    "cover": {"zh-Hans": "填写说明", "zh-Hant": "填寫說明", "en": "Read me"},
    "examples": {"zh-Hans": "示例（不读取）", "zh-Hant": "示例（不讀取）", "en": "Examples (not read)"},
    "title": {"zh-Hans": "能源、温室气体及环境数据盘查模板（carbon）",
              "zh-Hant": "能源、溫室氣體及環境數據盤查範本（carbon）",
              "en": "Energy, greenhouse-gas and environmental inventory template (carbon)"},
    "required": {"zh-Hans": "必填", "zh-Hant": "必填", "en": "required"},
    "optional": {"zh-Hans": "选填", "zh-Hant": "選填", "en": "optional"},
    "col_heads": {"zh-Hans": "表头|键|必填|说明", "zh-Hant": "表頭|鍵|必填|說明",
                  "en": "Header|Key|Required|What to write"},
    "settings_heads": {"zh-Hans": "设置项 Setting (key)|值 Value (value)|说明 Help (help)",
                       "zh-Hant": "設定項 Setting (key)|值 Value (value)|說明 Help (help)",
                       "en": "Setting (key)|Value (value)|Help (help)"},
    "default": {"zh-Hans": "默认", "zh-Hant": "預設", "en": "default"},
    "choices": {"zh-Hans": "可选", "zh-Hant": "可選", "en": "choices"},
    "not_read": {"zh-Hans": "本页仅为示例，carbon 不读取；请在各数据表中填写。",
                 "zh-Hant": "本頁僅為示例，carbon 不讀取；請在各資料表中填寫。",
                 "en": "Examples only: carbon never reads this sheet. Fill in the data sheets."},
    "pick": {"zh-Hans": "请从下拉列表中选择", "zh-Hant": "請從下拉清單中選擇",
             "en": "Pick from the list"},
    "legend_required": {"zh-Hans": "绿色表头 = 必填列", "zh-Hant": "綠色表頭 = 必填欄",
                        "en": "Green header = a column you must fill"},
    "legend_optional": {"zh-Hans": "灰色表头 = 选填列（可留空）", "zh-Hant": "灰色表頭 = 選填欄（可留空）",
                        "en": "Grey header = an optional column (may stay blank)"},
    "not_in_list": {"zh-Hans": "不在列表中，carbon 可能不认识这个写法。仍要保留吗？",
                    "zh-Hant": "不在清單中，carbon 可能不認識這個寫法。仍要保留嗎？",
                    "en": "Not in the list: carbon may not know this spelling. Keep it?"},
}

def _cover_text() -> dict[str, list[str]]:
    """The cover sheet's lines per language (``data/template_cover.toml``)."""
    text = resources.files("carbon").joinpath("data", "template_cover.toml").read_text(
        encoding="utf-8")
    return {k: list(v) for k, v in tomllib.loads(text).items()}


#: Column help in Chinese (the English help is the schema's), by ``table.key`` where a column of
#: that name means something else in another table, else by key.
_HELP_ZH: dict[str, tuple[str, str]] = {
    "entities.entity_id": ("简短代码，不可重复", "簡短代碼，不可重複"),
    "entity_id": ("单位表（entities）中的单位编号；可重复", "單位表（entities）中的單位編號；可重複"),
    "custom_factors.kind": ("因子类型：emission（每单位排放量）、ncv（低位发热量）、density（密度）、"
                            "carbon_content、oxidation_rate、coal_coefficient、ch4、n2o、unit_mass …",
                            "因子類型：emission（每單位排放量）、ncv（低位發熱量）、density（密度）、"
                            "carbon_content、oxidation_rate、coal_coefficient、ch4、n2o、unit_mass …"),
    "custom_factors.unit": ("因子的单位：kgCO2/L、tCO2/MWh、GJ/t、kg/L、kg/个 …",
                            "因子的單位：kgCO2/L、tCO2/MWh、GJ/t、kg/L、kg/個 …"),
    "custom_factors.year": ("四位年份；空白 = 每年", "四位年份；空白 = 每年"),
    "custom_factors.region": ("空白 = 所有单位；填省份（澳门、西藏 …）或香港供电公司（clp、hk_electric）"
                              "则只适用于该地区的单位",
                              "空白 = 所有單位；填省份（澳門、西藏 …）或香港供電公司（clp、hk_electric）"
                              "則只適用於該地區的單位"),
    "denominators.year": ("四位年份：2024", "四位年份：2024"),
    "parent_id": ("所属上级单位的编号", "所屬上級單位的編號"),
    "kind": ("总部、分行、网点 …", "總部、分行、網點 …"),
    "province": ("山西 / 山西省 / Shanxi / 晋 / 14", "山西 / 山西省 / Shanxi / 晉 / 14"),
    "utility": ("香港站点：clp（中电）或 hk_electric（港灯）；其他地区留空",
                "香港站點：clp（中電）或 hk_electric（港燈）；其他地區留空"),
    "meter": ("电表、气表或户号；空白 = 每个单位每种能源一个表",
              "電錶、氣錶或戶號；空白 = 每個單位每種能源一個錶"),
    "months": ("运行月份：11-3 或 11月-3月 = 11月至次年3月（供暖季）；1-12 或空白 = 全年；"
               "其余月份不算缺失",
               "運行月份：11-3 或 11月-3月 = 11月至翌年3月（供暖季）；1-12 或空白 = 全年；"
               "其餘月份不算缺失"),
    "technology": ("仅限车辆：uncontrolled（无控制）、oxidation_catalyst（催化转化）或 "
                   "low_mileage_ldv；空白 = 设置 vehicle_technology",
                   "僅限車輛：uncontrolled（無控制）、oxidation_catalyst（催化轉化）或 "
                   "low_mileage_ldv；空白 = 設定 vehicle_technology"),
    "included_from": ("纳入盘查边界的第一天；空白 = 一直在内。收购的单位：此处填收购日，"
                      "并在纳入方式填“收购”",
                      "納入盤查邊界的第一天；空白 = 一直在內。收購的單位：此處填收購日，"
                      "並在納入方式填「收購」"),
    "included_to": ("在盘查边界内的最后一天；空白 = 仍在内", "在盤查邊界內的最後一天；空白 = 仍在內"),
    "entry": ("纳入原因：收购（以前年度补入其排放，须填以前年度数据）、新设（以前年度不变）、"
              "内包；空白 = 一直在内",
              "納入原因：收購（以前年度補入其排放，須填以前年度數據）、新設（以前年度不變）、"
              "內包；空白 = 一直在內"),
    "exit": ("退出原因：出售（从以前各年度剔除）、关闭（以前年度不变）、外包；空白 = 仍在内",
             "退出原因：出售（從以前各年度剔除）、關閉（以前年度不變）、外包；空白 = 仍在內"),
    "existed_from": ("仅限收购的单位：成立或投运日（晚于基准年时，此前年度不重述）；空白 = 一直存在",
                     "僅限收購的單位：成立或投運日（晚於基準年時，此前年度不重述）；空白 = 一直存在"),
    "ownership_share": ("持股比例（百分比，仅股权比例法）", "持股比例（百分比，僅股權比例法）"),
    "period_start": ("2024-03-01（整月：开始 2024-03-01，结束 2024-03-31）",
                     "2024-03-01（整月：開始 2024-03-01，結束 2024-03-31）"),
    "period_end": ("含当天：2024-01-31", "含當天：2024-01-31"),
    "source": ("电力、热力、天然气、柴油、汽油 …；也可填水、有害废弃物、无害废弃物、纸张、氮氧化物 …",
               "電力、熱力、天然氣、柴油、汽油 …；也可填水、有害廢棄物、無害廢棄物、紙張、氮氧化物 …"),
    "unit": ("度、千瓦时、吉焦、立方米、升、吨；件数用个、件、只、支、块、台；纸张用包、令（500张）、张 …",
             "度、千瓦時、吉焦、立方米、升、噸；件數用個、件、只、支、塊、台；紙張用包、令（500張）、張 …"),
    "stream": ("选填：同一品种下分开列示的细分类别（餐厨垃圾、办公垃圾、电子废弃物、车型）；"
               "自定义因子中填写则只适用于该类别",
               "選填：同一品種下分開列示的細分類別（廚餘、辦公垃圾、電子廢棄物、車型）；"
               "自訂因子中填寫則只適用於該類別"),
    "use": ("stationary（固定源）或 mobile（移动源）", "stationary（固定源）或 mobile（移動源）"),
    "instrument": ("绿电 green_power 或绿证 gec", "綠電 green_power 或綠證 gec"),
    "data_quality": ("measured（实测）、invoice（发票）或 estimated（估算）",
                     "measured（實測）、invoice（發票）或 estimated（估算）"),
    "document_ref": ("发票号或抄表记录编号", "發票號或抄錶記錄編號"),
    "value": ("因子数值", "因子數值"),
    "reference": ("文件、表号、页码", "文件、表號、頁碼"),
}

_SETTING_LABELS: dict[str, tuple[str, str, str]] = {
    "organisation": ("组织名称", "組織名稱", "Organisation"),
    "language": ("语言", "語言", "Language"),
    "reporting_years": ("报告年份", "報告年份", "Reporting years"),
    "base_year": ("基准年", "基準年", "Base year"),
    "grid_level": ("电网因子层级", "電網因子層級", "Grid factor level"),
    "threshold_pct": ("重算阈值（%）", "重算閾值（%）", "Recalculation threshold (%)"),
    "consolidation": ("合并方法", "合併方法", "Consolidation"),
    "gwp": ("全球变暖潜势", "全球暖化潛勢", "Global warming potentials"),
    "boundary_mid_year": ("年中边界变动", "年中邊界變動", "Mid-year boundary change"),
    "gases": ("计入的温室气体", "計入的溫室氣體", "Greenhouse gases counted"),
    "vehicle_technology": ("车辆排放控制技术（默认）", "車輛排放控制技術（預設）",
                           "Vehicle emission control (default)"),
    "threshold_scope": ("重算阈值检验口径", "重算閾值檢驗口徑", "Threshold tested on"),
    "outlier_factor": ("异常值倍数（与同一表其他期间比）", "異常值倍數（與同一錶其他期間比）",
                       "Outlier factor (against the meter's other periods)"),
    "outlier_factor_years": ("异常值倍数（与其他年度比）", "異常值倍數（與其他年度比）",
                             "Outlier factor (against the other years)"),
}


#: Input sheets' names in the Chinese templates: the word, then the key in brackets (the reader
#: finds a sheet by its key, ``活动数据 (activity)``); the English template uses the keys.
_SHEET_WORDS: dict[str, tuple[str, str]] = {
    "entities": ("单位", "單位"), "denominators": ("强度分母", "強度分母"),
    "activity": ("活动数据", "活動數據"), "custom_factors": ("自有因子", "自有因子"),
    "meters": ("计量表", "計量錶"), "settings": ("设置", "設定"),
}


def sheet_title(name: str, lang: str) -> str:
    """The tab of a table's sheet in a template of ``lang``: ``活动数据 (activity)``."""
    if lang == "en" or name not in _SHEET_WORDS:
        return name
    return f"{_SHEET_WORDS[name][_lang_index(lang)]} ({name})"


def _lang_index(lang: str) -> int:
    return LANGS.index(lang)


def column_help(table: str, col: Column, lang: str) -> str:
    """The hint of one column of one table, in the template's language."""
    if lang == "en":
        return col.help_en
    zh = _HELP_ZH.get(f"{table}.{col.key}") or _HELP_ZH.get(col.key)
    return zh[_lang_index(lang)] if zh else col.help_en


def header_text(col: Column, lang: str) -> str:
    """``数量 Quantity (quantity)``: the localised label, the English one, the key."""
    if lang == "en":
        return f"{col.en} ({col.key})"
    return f"{col.label(lang)} {col.en} ({col.key})"


# --- the drop-down lists, derived from the data --------------------------------------------------

def activity_units() -> list[str]:
    """Spellings of units an activity quantity may be entered in.

    Every source's report unit (sources.csv) and every spelling ``units.txt`` defines whose
    dimension is energy, mass, volume, distance or a count (pieces, sheets, packs); case variants
    of an earlier spelling are left out.
    """
    text = resources.files("carbon").joinpath("units.txt").read_text(encoding="utf-8")
    names = [s.report_unit for s in vocab.sources().values()]
    reports = set(names)
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "=" not in line:
            continue
        parts = [p.strip() for p in line.split("=")]
        names += parts[1:] if line.startswith("@alias") else parts[2:]
    out: list[str] = []
    seen: set[str] = set()
    dims = (ENERGY, MASS, VOLUME, LENGTH, *COUNTS)
    for name in names:
        if not name or "_" in name or " " in name or name.casefold() in seen:
            continue
        if name not in reports and name.isascii() and name.islower() and len(name) > 1:
            continue  # kwh, mwh: case variants of a spelling listed in its own case
        try:
            unit = parse_unit(name)
        except ValueError:
            continue
        if any(unit.dimensionality == d for d in dims):
            seen.add(name.casefold())
            out.append(name)
    return out


def source_units() -> dict[str, list[str]]:
    """Each source's unit spellings (those of :func:`activity_units` of a dimension the source
    may be entered in): the unit drop-down of a row follows its source."""
    from carbon.io.inventory import ALLOWED_DIMENSIONS

    units = [(u, parse_unit(u).dimensionality) for u in activity_units()]
    return {key: [u for u, dim in units if any(dim == d for d in ALLOWED_DIMENSIONS[s.category])]
            for key, s in vocab.sources().items()}


def _choice(annotation: Any) -> Any:
    """The Literal of a setting's type, also of an optional one (``Literal[…] | None``)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next((a for a in typing.get_args(annotation)
                     if typing.get_origin(a) is typing.Literal), None)
    return annotation if typing.get_origin(annotation) is typing.Literal else None


def _literal(model: type, key: str) -> list[str]:
    return [str(x) for x in typing.get_args(_choice(model.model_fields[key].annotation))]  # type: ignore[attr-defined]


#: The settings whose value is one of a few choices (a Literal in the Settings model).
_CHOICE_SETTINGS = [k for k, f in Settings.model_fields.items()
                    if _choice(f.annotation) is not None]


#: The choices of the coded columns as a Chinese template shows them (zh-Hans, zh-Hant), by
#: canonical value; the reader takes each (``schema``'s spelling tables): a test checks it.
_CHOICE_WORDS: dict[str, tuple[str, str]] = {
    "stationary": ("固定", "固定"), "mobile": ("移动", "移動"),
    "uncontrolled": ("无控制", "無控制"), "oxidation_catalyst": ("氧化催化", "氧化催化"),
    "low_mileage_ldv": ("低里程轻型车", "低里程輕型車"),
    "clp": ("中电", "中電"), "hk_electric": ("港灯", "港燈"),
    "green_power": ("绿电", "綠電"), "gec": ("绿证", "綠證"),
    "measured": ("实测", "實測"), "invoice": ("发票", "發票"), "estimated": ("估算", "估算"),
}


def choice_word(value: str, lang: str) -> str:
    """A coded column's value as the template's language writes it (``固定`` for stationary)."""
    words = _CHOICE_WORDS.get(value)
    return words[_lang_index(lang)] if words and lang != "en" else value


def drop_downs(lang: str, sets: dict[str, FactorSet]) -> dict[str, list[str]]:
    """Every drop-down list by name, in the template's language where the reader accepts it."""
    from carbon.io import instruments

    def words(values: Sequence[str]) -> list[str]:
        return [choice_word(v, lang) for v in values]

    return {
        "source": [s.label(lang) for s in vocab.sources().values()],
        "source_key": list(vocab.sources()),
        "unit": activity_units(),
        **{f"units:{key}": units for key, units in source_units().items()},
        "province": [{"zh-Hans": p.zh_hans, "zh-Hant": p.zh_hant}.get(lang, p.en)
                     for p in vocab.provinces().values()],
        "use": words(sorted(set(USES.values()), reverse=True)),
        "technology": words(list(dict.fromkeys(TECHNOLOGIES.values()))),
        "utility": words(list(dict.fromkeys(UTILITIES.values()))),
        "instrument": words(instruments(sets, FactorPins().market) or []),
        "data_quality": words(list(dict.fromkeys(DATA_QUALITY.values()))),
        "entry": _event_labels(ENTRY_EVENTS, lang),
        "exit": _event_labels(EXIT_EVENTS, lang),
        "factor_kind": list(PARAMETERS),
        **{key: _literal(Settings, key) for key in _CHOICE_SETTINGS},
    }


def _event_labels(events: dict[str, tuple[str, str, str, str]], lang: str) -> list[str]:
    """The boundary events as the template's language writes them (the reader takes each)."""
    return [{"zh-Hans": e[1], "zh-Hant": e[2]}.get(lang, key) for key, e in events.items()]


#: Which list a column's drop-down shows, by table and key.
_COLUMN_LISTS = {("activity", "source"): "source", ("activity", "unit"): "unit",
                 ("activity", "use"): "use", ("activity", "instrument"): "instrument",
                 ("activity", "technology"): "technology", ("entities", "utility"): "utility",
                 ("activity", "data_quality"): "data_quality", ("entities", "province"): "province",
                 ("entities", "entry"): "entry", ("entities", "exit"): "exit",
                 ("custom_factors", "source"): "source", ("custom_factors", "kind"): "factor_kind",
                 ("meters", "source"): "source"}


@dataclass
class _Lists:
    ranges: dict[str, str]


def _lists_sheet(wb: Workbook, lists: dict[str, list[str]]) -> _Lists:
    """The hidden sheet of the drop-down lists, a column each; each source's units also as a
    workbook name (``units_electricity``) for the unit drop-down that follows the row's source."""
    from openpyxl.workbook.defined_name import DefinedName

    ws = wb.create_sheet("lists")
    ws.sheet_state = "hidden"
    ranges = {}
    for i, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(i)
        ws.cell(1, i, name).font = _BOLD
        for r, v in enumerate(values, start=2):
            ws.cell(r, i, v)
        ranges[name] = f"lists!${letter}${2}:${letter}${max(len(values), 1) + 1}"
        if name.startswith("units:"):
            defined = f"units_{name.split(':', 1)[1]}"
            wb.defined_names[defined] = DefinedName(defined, attr_text=ranges[name])
    return _Lists(ranges)


def _validation(ws: Worksheet, sqref: str, lang: str, title: str, prompt: str,
                source: str | None, formula: str | None = None) -> None:
    """An input message, and a drop-down of the cells of ``source`` (a range) or of what
    ``formula`` gives (the units of the row's source)."""
    listed = formula or (f"={source}" if source else None)
    dv = DataValidation(type="list" if listed else None, formula1=listed,
                        allow_blank=True, showDropDown=False, showInputMessage=True,
                        showErrorMessage=bool(listed), errorStyle="warning",
                        promptTitle=title[:32], prompt=prompt[:255],
                        errorTitle=title[:32], error=_T["not_in_list"][lang][:255])
    dv.add(sqref)
    ws.add_data_validation(dv)


def _input_sheet(wb: Workbook, name: str, lang: str, lists: _Lists) -> None:
    spec = TABLES[name]
    ws = wb.create_sheet(sheet_title(name, lang))
    entities = TABLES["entities"]
    ids = get_column_letter(entities.keys.index("entity_id") + 1)
    id_range = f"'{sheet_title('entities', lang)}'!${ids}$2:${ids}${INPUT_ROWS + 1}"
    for i, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(1, i, header_text(col, lang))
        cell.font = _BOLD
        cell.fill = _HEADER_REQUIRED if col.required else _HEADER_OPTIONAL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        dim = ws.column_dimensions[letter]
        dim.width = min(max(text_width(header_text(col, lang)) * 0.55 + 2, 14), 40)
        # dates as text: what is typed stays as typed (2024-02 is the whole month; a date cell
        # would turn it into the first day)
        fmt = (_NUMBER_FORMATS.get(col.key, "#,##0.##") if col.type == "number"
               else "@" if col.type == "date" else _FORMATS[col.type])
        if col.key in ("name", "note", "document_ref", "reference", "kind"):
            dim.width = max(dim.width, 24)
        dim.number_format = fmt
        kind = _T["required" if col.required else "optional"][lang]
        listed = _COLUMN_LISTS.get((name, col.key))
        sep = ": " if lang == "en" else "："
        hint = column_help(name, col, lang)
        prompt = f"{kind}{sep}{hint}" if hint else kind
        source = lists.ranges[listed] if listed else None
        formula = None
        if (col.key in ("entity_id", "parent_id") and name != "entities") or col.key == "parent_id":
            source = id_range  # an entity of the entities sheet
        if (name, col.key) == ("activity", "unit"):  # the units of the row's source
            src = get_column_letter(spec.keys.index("source") + 1)
            formula = (f'=INDIRECT("units_"&INDEX({lists.ranges["source_key"]},'
                       f'MATCH(${src}2,{lists.ranges["source"]},0)))')
        if source or formula:
            prompt += f" ({_T['pick'][lang]})"
        _validation(ws, f"{letter}2:{letter}{INPUT_ROWS + 1}", lang, col.label(lang), prompt,
                    source, formula)
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "A2"
    print_setup(ws, "1:1", landscape=True, lang=lang, a3=_wide(ws))


def _wide(ws: Worksheet) -> bool:
    """Whether a sheet is too wide to read on A4 (landscape, fitted to the page's width)."""
    return sum(d.width or 0 for d in ws.column_dimensions.values()) > _A4_LANDSCAPE


_A4_LANDSCAPE = 200  # characters of Calibri 11 across a landscape A4 page at about 70 %


def _settings_sheet(wb: Workbook, lang: str, years: Sequence[int] | None, lists: _Lists) -> None:
    ws = wb.create_sheet(sheet_title("settings", lang))
    for i, head in enumerate(_T["settings_heads"][lang].split("|"), start=1):
        c = ws.cell(1, i, head)
        c.font = _BOLD
        c.fill = _HEADER_OPTIONAL
    defaults = Settings()
    keys = [k for k in Settings.model_fields if k != "factor_sets"]
    keys += [f"factor_sets.{k}" for k in FactorPins.model_fields if k != "grid_by_year"]
    li = _lang_index(lang)
    for r, key in enumerate(keys, start=2):
        if key.startswith("factor_sets."):
            pin = key.split(".", 1)[1]
            default: Any = getattr(defaults.factor_sets, pin)
            label = {"zh-Hans": "因子集", "zh-Hant": "因子集", "en": "Factor set"}[lang] + f" {pin}"
        else:
            default = getattr(defaults, key)
            label = _SETTING_LABELS[key][li] if key in _SETTING_LABELS else key
        ws.cell(r, 1, f"{label} ({key})" if lang == "en" or key not in _SETTING_LABELS
                else f"{label} {_SETTING_LABELS[key][2]} ({key})")
        value = ws.cell(r, 2)
        value.number_format = "@"
        if key == "reporting_years" and years:
            value.value = ", ".join(str(y) for y in years)
        shown = ", ".join(map(str, default)) if isinstance(default, list) else default
        help_ = f"{_T['default'][lang]}: {shown if shown not in (None, '') else '—'}"
        if key in _CHOICE_SETTINGS:
            help_ += f"; {_T['choices'][lang]}: {' / '.join(_literal(Settings, key))}"
            _validation(ws, f"B{r}", lang, key, help_, lists.ranges[key])
        ws.cell(r, 3, help_).alignment = _WRAP
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 60
    ws.freeze_panes = "A2"
    print_setup(ws, "1:1", landscape=True, lang=lang)


def _cover(wb: Workbook, lang: str) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = _T["cover"][lang]
    ws["A1"] = _T["title"][lang]
    ws["A1"].font = _TITLE
    for r, (fill, word) in enumerate(((_HEADER_REQUIRED, "legend_required"),
                                      (_HEADER_OPTIONAL, "legend_optional")), start=2):
        cell = ws.cell(r, 1, _T[word][lang])  # the header colours of the input sheets
        cell.fill = fill
    widths = {"A": 30, "B": 20, "C": 8, "D": 54}  # the page's width, portrait, near 100 %
    page = sum(widths.values())
    r = 5
    for line in _cover_text()[lang]:
        if line.startswith("## "):
            r += 1
            ws.cell(r, 1, line[3:]).font = _BOLD
        else:  # a paragraph across the page, as tall as its wrapped lines
            ws.cell(r, 1, line).alignment = _WRAP
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            tall_enough(ws, r, line, page)
        r += 1
    heads = _T["col_heads"][lang].split("|")
    for name, spec in TABLES.items():
        r += 2
        ws.cell(r, 1, sheet_title(name, lang)).font = _BOLD
        r += 1
        for i, h in enumerate(heads, start=1):
            ws.cell(r, i, h).font = _BOLD
        for col in spec.columns:
            r += 1
            texts = (header_text(col, lang), col.key,
                     _T["required" if col.required else "optional"][lang],
                     column_help(name, col, lang))
            for i, text in enumerate(texts, start=1):
                ws.cell(r, i, text).alignment = _WRAP
            lines = max(math.ceil(text_width(t) / (w - 2))
                        for t, w in zip(texts, widths.values(), strict=True))
            ws.row_dimensions[r].height = 15 * max(lines, 1) + 2
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    print_setup(ws, None, lang=lang)  # the cover's width on the page, as many pages down


def example_rows(lang: str, year: int) -> dict[str, list[list[Any]]]:
    """Worked examples for each table, in the template's language, in the tables' column order."""
    src = {k: s.label(lang) for k, s in vocab.sources().items()}
    zh = lang != "en"
    prov = vocab.provinces()["shanxi"]
    province = {"zh-Hans": prov.zh_hans, "zh-Hant": prov.zh_hant}.get(lang, prov.en)
    kwh, m3, litre, gj = ("度", "立方米", "升", "吉焦") if zh else ("kWh", "m3", "L", "GJ")

    def words(hans: str, hant: str, en: str) -> str:
        return {"zh-Hans": hans, "zh-Hant": hant}.get(lang, en)

    piece, pack, tonne = words("个", "個", "piece"), words("包", "包", "pack"), words("吨", "噸", "t")

    d = datetime
    keyed: dict[str, list[dict[str, Any]]] = {
        "entities": [
            {"entity_id": "HQ", "name": "总部大楼" if lang == "zh-Hans" else "總部大樓" if zh
             else "Head office", "kind": "head office", "province": province},
            {"entity_id": "BR01", "name": "城东支行" if lang == "zh-Hans" else "城東支行" if zh
             else "East branch", "parent_id": "HQ", "kind": "branch", "province": province,
             "included_from": d(year, 7, 1), "entry": _event_labels(ENTRY_EVENTS, lang)[1]},
        ],
        "denominators": [
            {"entity_id": "HQ", "year": year, "floor_area_m2": 25000, "headcount": 820},
            {"entity_id": "BR01", "year": year, "floor_area_m2": 1200, "headcount": 35}],
        "activity": [
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["electricity"], "quantity": 412345.6, "unit": kwh, "meter": "0001",
             "data_quality": "invoice", "document_ref": "E-2024-0131"},
            {"entity_id": "HQ", "period_start": f"{year}-02", "period_end": f"{year}-02",
             "source": src["electricity"], "quantity": 398120, "unit": kwh, "meter": "0001",
             "data_quality": "measured", "note": "2024-02 = whole month" if not zh else "整月"},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 12, 31),
             "source": src["electricity"], "quantity": 1000000, "unit": kwh, "meter": "PPA",
             "instrument": "green_power", "data_quality": "invoice", "document_ref": "PPA-2024"},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["natural_gas"], "quantity": 5230, "unit": m3, "use": "stationary",
             "data_quality": "invoice", "document_ref": "G-2024-01"},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["gasoline"], "quantity": 1850.5, "unit": litre, "use": "mobile",
             "technology": "oxidation_catalyst", "data_quality": "invoice",
             "document_ref": "fuel card 8866"},
            {"entity_id": "BR01", "period_start": d(year, 7, 1), "period_end": d(year, 7, 31),
             "source": src["electricity"], "quantity": 15000, "unit": kwh,
             "data_quality": "estimated", "note": "no invoice yet" if not zh else "尚无发票"},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["heat"], "quantity": 1520, "unit": gj, "meter": "H-01",
             "data_quality": "invoice", "document_ref": "H-2024-01"},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["water"], "quantity": 1250, "unit": m3, "data_quality": "invoice",
             "document_ref": "W-2024-01",
             "note": words("水费单上的“吨”即立方米", "內地水費單上的「噸」即立方米",
                           "a mainland water bill's 吨 (tonnes) are m³")},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 6, 30),
             "source": src["waste_hazardous"], "quantity": 36, "unit": piece,
             "document_ref": words("危险废物转移联单 2024-017", "危險廢物轉移聯單 2024-017",
                                   "hazardous waste manifest 2024-017"),
             "stream": words("废铅蓄电池", "廢鉛蓄電池", "lead-acid batteries")},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["waste_non_hazardous"], "quantity": 2.35, "unit": tonne,
             "document_ref": words("清运公司收据 0131", "清運公司收據 0131",
                                   "contractor's receipt 0131"),
             "stream": words("办公垃圾", "辦公垃圾", "office refuse")},
            {"entity_id": "HQ", "period_start": d(year, 1, 1), "period_end": d(year, 1, 31),
             "source": src["paper"], "quantity": 120, "unit": pack,
             "document_ref": words("采购订单 P-0108", "採購訂單 P-0108", "purchase order P-0108")},
        ],
        "meters": [
            {"entity_id": "HQ", "source": src["heat"], "meter": "H-01",
             "months": "11月-3月" if zh else "11-3",
             "note": {"zh-Hans": "供暖季：11月至次年3月，其余月份不算缺失",
                      "zh-Hant": "供暖季：11月至翌年3月，其餘月份不算缺失"}.get(
                          lang, "heating season, November to March: its other months are not "
                          "gaps")},
            {"entity_id": "HQ", "source": src["electricity"], "meter": "0001",
             "note": "全年" if zh else "all year"},
        ],
        "custom_factors": [{"source": src["diesel"], "kind": "emission", "value": 2.66,
                            "unit": "kgCO2/L", "reference": "supplier declaration 2024, p. 3"},
                           {"source": src["paper"], "kind": "unit_mass", "value": 2.4948,
                            "unit": "kg/包",
                            "reference": words(
                                "每包为一令（500张）A4、80克/平方米：ISO 216 算术",
                                "每包為一令（500張）A4、80克/平方米：ISO 216 算術",
                                "a pack is a ream of 500 A4 sheets at 80 g/m²: ISO 216 "
                                "arithmetic")}],
    }
    return {name: [[row.get(c.key) for c in TABLES[name].columns] for row in rows]
            for name, rows in keyed.items()}


def _examples(wb: Workbook, lang: str, year: int) -> None:
    ws = wb.create_sheet(_T["examples"][lang])
    ws["A1"] = _T["not_read"][lang]
    ws["A1"].font = _TITLE
    r = 3
    width: dict[int, float] = {}
    for name, rows in example_rows(lang, year).items():
        ws.cell(r, 1, sheet_title(name, lang)).font = _BOLD
        r += 1
        spec = TABLES[name]
        for i, col in enumerate(spec.columns, start=1):
            head = header_text(col, lang)
            c = ws.cell(r, i, head)
            c.font, c.alignment = _BOLD, _WRAP
            width[i] = max(width.get(i, 10), min(text_width(head) * 0.55 + 2, 30))
        for row in rows:
            r += 1
            for i, (col, v) in enumerate(zip(spec.columns, row, strict=False), start=1):
                c = ws.cell(r, i, v)
                c.number_format = (_FORMATS["date"] if col.type == "date" and isinstance(v, datetime)
                                   else _NUMBER_FORMATS.get(col.key, "General"))
                c.alignment = _WRAP
                width[i] = max(width[i], min(text_width(shown(v, c.number_format)) + 2, 24))
        r += 2
    for i, w in width.items():
        ws.column_dimensions[get_column_letter(i)].width = w
    print_setup(ws, None, landscape=True, lang=lang, a3=_wide(ws))


def build_template(lang: str = "zh-Hans", years: Sequence[int] | None = None,
                   sets: dict[str, FactorSet] | None = None) -> bytes:
    """The template workbook as bytes, identical for identical arguments."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}")
    if sets is None:
        from carbon.factors import bundled

        sets = bundled()
    wb = Workbook()
    _cover(wb, lang)
    lists = _lists_sheet(wb, drop_downs(lang, sets))
    for name in TABLES:
        if name == "custom_factors":
            _settings_sheet(wb, lang, years, lists)
        _input_sheet(wb, name, lang, lists)
    _examples(wb, lang, years[-1] if years else 2024)
    wb.move_sheet("lists", offset=len(wb.sheetnames))
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "carbon"
    props.title = _T["title"][lang]
    props.created = props.modified = FIXED_TIME
    record_language(wb, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic(buf.getvalue())


def record_language(wb: Workbook, lang: str) -> None:
    """Record the workbook's language in a custom document property (spreadsheet programs keep
    it when they save): a workbook filled in from it is read in that language (messages,
    warnings and outputs; :func:`carbon.io.xlsx.recorded_language`)."""
    from openpyxl.packaging.custom import StringProperty

    from carbon.io.xlsx import LANGUAGE_PROPERTY

    wb.custom_doc_props.append(StringProperty(name=LANGUAGE_PROPERTY, value=lang))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _deterministic(data: bytes) -> bytes:
    """The same zip with fixed entry times and a fixed modification date."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()
