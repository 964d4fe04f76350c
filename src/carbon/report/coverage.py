"""The workbook's **Coverage** sheet: each meter's months, year by year, as a coloured matrix.

One row per meter and year (entity, source, meter, its declared months, the days in boundary,
expected, recorded, estimated and missing), then one cell per month: recorded, estimated,
partly recorded, missing, not a month the meter runs, or outside the boundary. A legend at the
top; landscape, one page wide, the header repeated on every page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon import vocab
from carbon.coverage import ALL_MONTHS, STATUS, Coverage
from carbon.i18n import LANGS
from carbon.io.parse import months_text
from carbon.report import layout
from carbon.report.labels import MONTHS
from carbon.report.workbook import stream_rows, style_ids

#: Labels of the sheet in zh-Hans, zh-Hant, en.
_L: dict[str, tuple[str, str, str]] = {
    "title": ("计量覆盖情况（各表各月）", "計量覆蓋情況（各錶各月）", "Coverage of meter periods"),
    "note": ("每行一个表一年：边界内天数、应有天数（申报的运行月份内）、已记录、估算、缺失；"
             "每月一格。缺失的月份会使报告数字偏低。",
             "每列一個錶一年：邊界內天數、應有天數（申報的運行月份內）、已記錄、估算、缺失；"
             "每月一格。缺失的月份會使報告數字偏低。",
             "One row per meter and year: days inside the boundary, expected (in its declared "
             "months), recorded, estimated, missing; one cell per month. Missing months make the "
             "reported figures too low."),
    "entity_id": ("单位编号", "單位編號", "Entity"),
    "name": ("名称", "名稱", "Name"),
    "source": ("能源品种", "能源品種", "Source"),
    "meter": ("表号", "錶號", "Meter"),
    "use": ("用途", "用途", "Use"),
    "instrument": ("绿电凭证", "綠電憑證", "Instrument"),
    "year": ("年份", "年份", "Year"),
    "months": ("运行月份", "運行月份", "Months in use"),
    "days_in_boundary": ("边界内天数", "邊界內天數", "Days in boundary"),
    "days_expected": ("应有天数", "應有天數", "Days expected"),
    "days_recorded": ("已记录天数", "已記錄天數", "Days recorded"),
    "days_estimated": ("估算天数", "估算天數", "Days estimated"),
    "days_missing": ("缺失天数", "缺失天數", "Days missing"),
    "all_year": ("全年", "全年", "all year"),
    "recorded": ("已记录", "已記錄", "recorded"),
    "estimated": ("估算", "估算", "estimated"),
    "partial": ("部分缺失", "部分缺失", "partly missing"),
    "missing": ("缺失", "缺失", "missing"),
    "not_expected": ("非运行月份", "非運行月份", "not expected"),
    "outside": ("不在边界内", "不在邊界內", "outside the boundary"),
    "none": ("没有计量数据", "沒有計量數據", "no meters"),
}
#: Each status's mark and fill (outside the boundary: no mark, no fill).
_MARKS = {"recorded": ("✓", "C6EFCE"), "estimated": ("E", "FFEB9C"), "partial": ("½", "F8CBAD"),
          "missing": ("✗", "FFC7CE"), "not_expected": ("–", "D9D9D9"), "outside": ("", None)}
_HEAD_FILL = PatternFill("solid", start_color="DDEBF7")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13, color="1F4E78")
_CENTER = Alignment(horizontal="center")


def _stream_matrix(ws: Worksheet, cov: Coverage, names: dict[str, str], lang: str,
                   keys: list[str], first_row: int, fills: dict[str, PatternFill | None]) -> None:
    """The matrix's rows, one per meter and year, streamed into the sheet as it is written
    (tens of thousands of rows): the meter's columns, then each month's mark in its status's
    colour."""
    t, m = cov.table, cov.meters
    meter = t["meter"].to_numpy()
    sources = vocab.sources()
    all_year = label("all_year", lang)
    months = m["months"].to_numpy()
    month_words = {int(x): months_text(int(x)) if x != ALL_MONTHS else all_year
                   for x in np.unique(months)}
    columns = {c: pd.Categorical(m[c].astype(str).to_numpy())[meter] for c in (
        "entity_id", "meter", "use", "instrument")}
    frame = pd.DataFrame({
        "entity_id": columns["entity_id"],
        "name": pd.Categorical(m["entity_id"].astype(str).map(names).fillna("").to_numpy()
                               )[meter],
        "source": pd.Categorical(m["source"].astype(str).map(
            lambda s: sources[s].label(lang) if s in sources else s).to_numpy())[meter],
        "meter": columns["meter"], "use": columns["use"], "instrument": columns["instrument"],
        "year": t["year"].to_numpy(dtype=np.int64),
        "months": pd.Categorical([month_words[int(x)] for x in months])[meter],
        **{k: t[k].to_numpy(dtype=np.int64) for k in keys[8:]}})
    status = cov.month_status()
    marks = pd.CategoricalDtype([_MARKS[k][0] for k in STATUS])  # one per status, in order
    plain, plain_quoted = style_ids(ws)
    looks = {_MARKS[k][0]: style_ids(ws, fill=fills[k] or PatternFill(), alignment=_CENTER)[0]
             for k in STATUS}  # each mark in its status's colour
    months_cols = [f"m{i + 1}" for i in range(12)]
    for i, c in enumerate(months_cols):
        frame[c] = pd.Categorical.from_codes(status[:, i].astype(np.int64), dtype=marks)
    stream_rows(ws, lambda a, b: frame.iloc[a:b], 0, len(frame), first_row,
                [*keys, *months_cols], [*([plain] * len(keys)), *([looks] * 12)],
                [*([plain_quoted] * len(keys)), *([0] * 12)])  # a mark is never formula-like


def label(key: str, lang: str) -> str:
    return _L[key][LANGS.index(lang) if lang in LANGS else LANGS.index("en")]


def coverage_sheet(ws: Worksheet, cov: Coverage, names: dict[str, str], lang: str) -> None:
    """Fill ``ws`` with the coverage matrix (``names``: entity names by id)."""
    ws["A1"] = label("title", lang)
    ws["A1"].font = _TITLE
    ws["A2"] = label("note", lang)
    fills = {k: PatternFill("solid", start_color=c) if c else None for k, (_, c) in _MARKS.items()}
    for i, key in enumerate(STATUS[1:]):  # the legend (outside the boundary stays blank)
        c = ws.cell(row=3, column=2 * i + 1, value=_MARKS[key][0])
        c.fill, c.alignment = fills[key] or PatternFill(), _CENTER
        ws.cell(row=3, column=2 * i + 2, value=label(key, lang))
    keys = ["entity_id", "name", "source", "meter", "use", "instrument", "year", "months",
            "days_in_boundary", "days_expected", "days_recorded", "days_estimated",
            "days_missing"]
    head = 5
    for j, text in enumerate([*(label(k, lang) for k in keys), *MONTHS[lang]], start=1):
        c = ws.cell(row=head, column=j, value=text)
        c.font, c.fill = _BOLD, _HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    t = cov.table
    if t.empty:
        ws.cell(row=head + 1, column=1, value=label("none", lang))
    else:
        _stream_matrix(ws, cov, names, lang, keys, head + 1, fills)
    widths = [12, 22, 14, 12, 10, 10, 7, 10, 9, 9, 9, 9, 9] + [5] * 12
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.row_dimensions[head].height = 45
    ws.freeze_panes = f"D{head + 1}"  # a coordinate: a cell would make an empty row
    last = get_column_letter(len(widths))
    ws.auto_filter.ref = f"A{head}:{last}{max(head + 1, head + len(t))}"
    layout.print_setup(ws, f"{head}:{head}", landscape=True, lang=lang)
