"""The Excel workbook of ``carbon compute --out report.xlsx``.

Sheets: **KPI** (the HKEX ESG Guide A1.2 / A2.1 table, years side by side), **Charts** (native
Excel charts and their data), **By entity**, **By source and month**, **Audit trail** (every ledger
row with its input row and every factor applied), **Factors used**, **Warnings**; more sheets (the
restatement) by ``extra_sheets``.

Every KPI figure is a value of the ``summarize()`` result the JSON output prints; the audit trail
is the ledger itself, so a year's column sum gives the KPI. Text that a spreadsheet would run as
a formula is stored as text (string cell with a quote prefix), whatever sheet it is in.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
import weakref
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon import __version__, vocab
from carbon.aggregate import by_source_month
from carbon.calc import REFS
from carbon.factors import Factor, FactorSet
from carbon.model import Inventory, Ledger, Origin
from carbon.report.charts import chart_data
from carbon.report.labels import label
from carbon.report.write import FORMULA_START

#: Rows of a sheet, Excel's limit; the audit trail continues on further sheets beyond it.
MAX_ROWS = 1_048_576

#: Number formats by the unit a column or row carries.
FORMATS = {"kWh": "#,##0", "tce": "#,##0.00", "tCO2e": "#,##0.00", "m²": "#,##0",
           "persons": "#,##0", "kWh/m²": "#,##0.00", "tCO2e/m²": "0.0000",
           "tCO2e/person": "#,##0.000", "kWh/person": "#,##0", "quantity": "#,##0.00",
           "share": "0.0000", "factor": "General", "year": "0", "date": "yyyy-mm-dd"}

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
SECTION_FONT = Font(bold=True, color="1F4E78")

#: A function that adds sheets to the workbook (e.g. the restatement's).
SheetWriter = Callable[[Workbook], None]


# -- cells ---------------------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """A value openpyxl writes as it is: no NaN, no numpy scalars, no control characters."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def neutralise_workbook(wb: Workbook) -> None:
    """Store every cell whose text a spreadsheet would run (``=``, ``+``, ``-``, ``@`` …) as text.

    carbon writes no formulas, so a formula cell can only be text that looked like one: it becomes
    a string cell with a quote prefix, which Excel and LibreOffice show as typed and never run.
    """
    for ws in wb.worksheets:
        for c in ws._cells.values():  # the cells that exist (iter_rows would create the rest)
            if isinstance(c.value, str) and c.value.startswith(FORMULA_START):
                c.data_type = "s"
                c.quotePrefix = True


def _header(ws: Worksheet, row: int, names: Sequence[str], col: int = 1) -> None:
    for i, name in enumerate(names):
        c = ws.cell(row=row, column=col + i, value=_clean(name))
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(ws: Worksheet, widths: Sequence[float], col: int = 1) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(col + i)].width = w


def _fit_rows(ws: Worksheet, *rows: int) -> None:
    """Make wrapped header rows tall enough for their text (spreadsheets do not grow them when
    printing a file they did not lay out)."""
    for r in rows:
        lines = 1
        for c in ws[r]:
            if isinstance(c.value, str):
                width = ws.column_dimensions[c.column_letter].width or 10
                chars = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in c.value)
                lines = max(lines, math.ceil(chars * 1.15 / max(width - 1, 1)))  # bold
        ws.row_dimensions[r].height = 15 * lines


def _print_setup(ws: Worksheet, title_rows: str | None, landscape: bool = False) -> None:
    """Fit the sheet to the page width (as many pages down as it takes), A4."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _table(ws: Worksheet, frame: pd.DataFrame, first_row: int, formats: dict[str, str]) -> int:
    """Write ``frame``'s rows from ``first_row`` (no header); number formats by column name.

    Empty values make no cell. Each column's style is built once and shared by its cells. Returns
    the last row written.
    """
    styles = []
    for name in frame.columns:
        probe = Cell(ws)
        probe.number_format = formats.get(name, "General")
        styles.append(probe._style)
    cells = ws._cells
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame]
    for j, (values, style) in enumerate(zip(columns, styles, strict=True), start=1):
        for i, v in enumerate(values, start=first_row):
            v = _clean(v)
            if v is not None and v != "":
                cells[(i, j)] = Cell(ws, row=i, column=j, value=v, style_array=copy(style))
    return first_row + len(frame) - 1


def _put_row(ws: Worksheet, row: int, rec: Iterable[Any]) -> None:
    for col, v in enumerate(rec, start=1):
        ws.cell(row=row, column=col, value=_clean(v))


# -- KPI -----------------------------------------------------------------------------------------
def _kpi_rows(result: dict[str, Any], lang: str) -> list[tuple[str, str, str, list[Any]] | str]:
    """(label, unit, format key, values by year) or a section heading."""
    ys = result["years"]
    years = list(ys)
    person = label("persons", lang)

    def fig(key: str) -> list[Any]:
        return [ys[y][key] for y in years]

    def inten(key: str) -> list[Any]:
        return [ys[y]["intensity"][key] for y in years]

    per_m2, per_person = label("per_m2", lang), label("per_person", lang)
    market = any(ys[y]["scope2_market_tco2e"] != ys[y]["scope2_location_tco2e"] for y in years)
    rows: list[tuple[str, str, str, list[Any]] | str] = [
        label("sec_ghg", lang),
        (label("total_location_tco2e", lang), "tCO2e", "tCO2e", fig("total_location_tco2e")),
        (per_m2, "tCO2e/m²", "tCO2e/m²", inten("total_tco2e_per_m2")),
        (per_person, "tCO2e" + label("per_person_unit", lang), "tCO2e/person",
         inten("total_tco2e_per_person")),
        (label("scope1_tco2e", lang), "tCO2e", "tCO2e", fig("scope1_tco2e")),
        (per_m2, "tCO2e/m²", "tCO2e/m²", inten("scope1_tco2e_per_m2")),
        (label("scope2_location_tco2e", lang), "tCO2e", "tCO2e", fig("scope2_location_tco2e")),
        (per_m2, "tCO2e/m²", "tCO2e/m²", inten("scope2_tco2e_per_m2")),
    ]
    if market:
        rows += [
            (label("scope2_market_tco2e", lang), "tCO2e", "tCO2e", fig("scope2_market_tco2e")),
            (label("total_market_tco2e", lang), "tCO2e", "tCO2e", fig("total_market_tco2e")),
        ]
    rows += [
        label("sec_energy", lang),
        (label("energy_kwh", lang), "kWh", "kWh", fig("energy_kwh")),
        (per_m2, "kWh/m²", "kWh/m²", inten("energy_kwh_per_m2")),
        (per_person, "kWh" + label("per_person_unit", lang), "kWh/person",
         inten("energy_kwh_per_person")),
        (label("energy_direct_kwh", lang), "kWh", "kWh", fig("energy_direct_kwh")),
        (label("energy_indirect_kwh", lang), "kWh", "kWh", fig("energy_indirect_kwh")),
        (label("energy_tce", lang), "tce", "tce", fig("energy_tce")),
        label("sec_sources", lang),
    ]
    known = vocab.sources()
    for s in sorted({s for y in years for s in ys[y]["by_source"]},
                    key=lambda s: (list(known).index(s), s)):
        vals = [ys[y]["by_source"].get(s) for y in years]
        rows.append((known[s].label(lang), known[s].report_unit, "quantity",
                     [v["quantity"] if v else None for v in vals]))
    rows += [
        label("sec_denominators", lang),
        (label("floor_area_m2", lang), "m²", "m²", fig("floor_area_m2")),
        (label("headcount", lang), person, "persons", fig("headcount")),
    ]
    return rows


def kpi_sheet(ws: Worksheet, result: dict[str, Any], lang: str, organisation: str) -> None:
    """The KPI table: indicator, unit, then one column per year."""
    years = list(result["years"])
    ws["A1"] = _clean(f"{organisation} — {label('kpi_title', lang)}" if organisation
                      else label("kpi_title", lang))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = label("kpi_note", lang) + "; " + label("generated_by", lang).format(
        version=__version__)
    ws["A2"].font = Font(italic=True, color="595959")
    _header(ws, 4, [label("indicator", lang), label("unit", lang), *years])
    for c in ws[4][2:]:
        c.alignment = Alignment(horizontal="right", vertical="top")
    r = 5
    for item in _kpi_rows(result, lang):
        if isinstance(item, str):
            ws.cell(row=r, column=1, value=item).font = SECTION_FONT
        else:
            text, unit, fmt, values = item
            ws.cell(row=r, column=1, value=text)
            ws.cell(row=r, column=2, value=unit)
            for i, v in enumerate(values):
                c = ws.cell(row=r, column=3 + i, value=_clean(v))
                c.number_format = FORMATS[fmt]
        r += 1
    _widths(ws, [52, 14, *([16] * len(years))])
    _fit_rows(ws, 4)
    ws.freeze_panes = "C5"
    _print_setup(ws, "4:4")


# -- charts --------------------------------------------------------------------------------------
def charts_sheet(ws: Worksheet, result: dict[str, Any], lang: str) -> None:
    """The charts' data (from the same result) and three native charts drawn from it."""
    d = chart_data(result)
    known = vocab.sources()
    ws["A1"] = label("chart_data", lang)
    ws["A1"].font = SECTION_FONT
    heads = [label("year", lang), label("scope1", lang) + " (tCO2e)",
             label("scope2", lang) + " (tCO2e)",
             *(f"{known[s].label(lang)} (kWh)" for s in d.energy),
             label("ghg_per_m2", lang) + " (tCO2e/m²)", label("energy_per_m2", lang) + " (kWh/m²)"]
    _header(ws, 2, heads)
    n = len(d.years)
    for i, y in enumerate(d.years):
        row = [int(y), d.scope1[i], d.scope2[i], *(v[i] for v in d.energy.values()),
               d.ghg_per_m2[i], d.energy_per_m2[i]]
        for j, v in enumerate(row, start=1):
            c = ws.cell(row=3 + i, column=j, value=_clean(v))
            if j > 1:
                c.number_format = "0.0000" if j == len(row) - 1 else "#,##0.00"
    _widths(ws, [8, *([13] * (len(heads) - 1))])
    _fit_rows(ws, 2)
    first, last = 3, 2 + n
    cats = Reference(ws, min_col=1, min_row=first, max_row=last)
    width, height = 16.0, 8.0

    def series(col: int) -> Series:
        return Series(Reference(ws, min_col=col, min_row=first, max_row=last),
                      title=str(heads[col - 1]))

    scopes = BarChart()
    scopes.type, scopes.grouping, scopes.overlap = "col", "stacked", 100
    scopes.title, scopes.y_axis.title = label("chart_scopes", lang), "tCO2e"
    scopes.series.extend([series(2), series(3)])
    mix = BarChart()
    mix.type, mix.grouping, mix.overlap = "col", "stacked", 100
    mix.title, mix.y_axis.title = label("chart_mix", lang), "kWh"
    mix.series.extend(series(4 + i) for i in range(len(d.energy)))
    trend = LineChart()
    trend.title, trend.y_axis.title = label("chart_intensity", lang), "tCO2e/m²"
    trend.series.append(series(len(heads) - 1))
    right = LineChart()
    right.series.append(series(len(heads)))
    right.y_axis.axId, right.y_axis.title, right.y_axis.crosses = 200, "kWh/m²", "max"
    right.y_axis.majorGridlines = None
    for chart in (scopes, mix, trend, right):
        chart.set_categories(cats)
        chart.x_axis.delete = False
        chart.y_axis.delete = False
    for chart in (scopes, mix, trend):
        chart.width, chart.height = width, height
        chart.legend.position = "b"
    scopes.y_axis.number_format = mix.y_axis.number_format = "#,##0"
    trend += right
    top = last + 3
    ws.add_chart(scopes, f"A{top}")
    ws.add_chart(mix, f"A{top + 17}")
    ws.add_chart(trend, f"A{top + 34}")
    ws.freeze_panes = "B3"
    _print_setup(ws, None)


# -- breakdowns ----------------------------------------------------------------------------------
_ENTITY_FIGURES: list[tuple[str, str, str]] = [
    ("energy_kwh", "kWh", "kWh"), ("energy_direct_kwh", "kWh", "kWh"),
    ("energy_indirect_kwh", "kWh", "kWh"), ("energy_tce", "tce", "tce"),
    ("scope1_tco2e", "tCO2e", "tCO2e"), ("scope2_location_tco2e", "tCO2e", "tCO2e"),
    ("scope2_market_tco2e", "tCO2e", "tCO2e"), ("total_location_tco2e", "tCO2e", "tCO2e"),
    ("floor_area_m2", "m²", "m²"), ("headcount", "persons", "persons"),
]
_ENTITY_INTENSITY: list[tuple[str, str, str]] = [
    ("energy_kwh_per_m2", "kWh/m²", "kWh/m²"), ("total_tco2e_per_m2", "tCO2e/m²", "tCO2e/m²"),
    ("total_tco2e_per_person", "tCO2e/person", "tCO2e/person"),
]


def entity_sheet(ws: Worksheet, result: dict[str, Any], lang: str) -> None:
    """One row per entity and year, with its figures and intensities."""
    label_of = {"energy_kwh_per_m2": label("energy_kwh", lang) + label("per_m2", lang),
                "total_tco2e_per_m2": label("total_location_tco2e", lang) + label("per_m2", lang),
                "total_tco2e_per_person": label("total_location_tco2e", lang)
                + label("per_person", lang)}
    cols = ["entity_id", "name", "year"]
    heads = [label("entity_id", lang), label("entity_name", lang), label("year", lang)]
    for key, unit, _ in _ENTITY_FIGURES:
        unit_text = label("persons", lang) if unit == "persons" else unit
        heads.append(f"{label(key, lang)} ({unit_text})")
        cols.append(key)
    for key, unit, _ in _ENTITY_INTENSITY:
        heads.append(f"{label_of[key].replace('  ', ' ').strip()} ({unit})")
        cols.append(key)
    frame = pd.DataFrame(
        [[e["entity_id"], e["name"], e["year"], *(e[k] for k, _, _ in _ENTITY_FIGURES),
          *(e["intensity"][k] for k, _, _ in _ENTITY_INTENSITY)] for e in result["by_entity"]],
        columns=cols)
    _header(ws, 1, heads)
    formats = {k: FORMATS[f] for k, _, f in [*_ENTITY_FIGURES, *_ENTITY_INTENSITY]}
    _table(ws, frame, 2, {**formats, "year": FORMATS["year"]})
    _widths(ws, [14, 30, 8, *([16] * (len(cols) - 3))])
    _fit_rows(ws, 1)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(2, len(frame) + 1)}"
    _print_setup(ws, "1:1", landscape=True)


def month_sheet(ws: Worksheet, ledger: Ledger, lang: str) -> None:
    """Quantities, energy and emissions by year, source and month (or the period a record spans)."""
    t = by_source_month(ledger.rows)
    known = vocab.sources()
    frame = pd.DataFrame({
        "year": t["year"], "source": t["source"].map(lambda s: known[s].label(lang)),
        "period": t["period"], "quantity_report": t["quantity_report"],
        "report_unit": t["report_unit"], "energy_kwh": t["energy_kwh"],
        "energy_tce": t["energy_tce"], "scope1_tco2e": t["scope1_tco2e"],
        "scope2_location_tco2e": t["scope2_location_tco2e"],
        "scope2_market_tco2e": t["scope2_market_tco2e"]})
    heads = [label("year", lang), label("source", lang), label("period", lang),
             label("quantity", lang), label("unit", lang),
             *(f"{label(k, lang)} ({u})" for k, u in (
                 ("energy_kwh", "kWh"), ("energy_tce", "tce"), ("scope1_tco2e", "tCO2e"),
                 ("scope2_location_tco2e", "tCO2e"), ("scope2_market_tco2e", "tCO2e")))]
    _header(ws, 1, heads)
    _table(ws, frame, 2, {"year": FORMATS["year"], "quantity_report": FORMATS["quantity"],
                          "energy_kwh": FORMATS["kWh"], "energy_tce": FORMATS["tce"],
                          "scope1_tco2e": FORMATS["tCO2e"],
                          "scope2_location_tco2e": FORMATS["tCO2e"],
                          "scope2_market_tco2e": FORMATS["tCO2e"]})
    _widths(ws, [8, 22, 20, 16, 8, 16, 12, 14, 16, 16])
    _fit_rows(ws, 1)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(2, len(frame) + 1)}"
    _print_setup(ws, "1:1", landscape=True)


# -- audit trail ---------------------------------------------------------------------------------
def _factor_slots(col: pd.Series) -> list[np.ndarray]:
    """A ledger factor column (categories of ``;``-joined ids) as one array of ids per position."""
    cats = [str(c) for c in col.cat.categories]
    split = [c.split(";") if c else [] for c in cats]
    width = max((len(s) for s in split), default=0)
    codes = col.cat.codes.to_numpy()
    out = []
    for k in range(width):
        table = np.array([s[k] if len(s) > k else "" for s in split] + [""], dtype=object)
        out.append(table[codes])  # code -1 (no category) reads the trailing ""
    return out


def audit_frame(inv: Inventory, ledger: Ledger, lang: str) -> tuple[pd.DataFrame, list[str],
                                                                       dict[str, str]]:
    """The audit trail: every ledger row with its input row and every factor applied.

    Returns the table, its column headings and the number format of each column.
    """
    rows = ledger.rows
    origin = inv.origins.get("activity", Origin(inv.path.name))
    names = dict(zip(inv.entities["entity_id"].astype(str), inv.entities["name"].astype(str),
                     strict=True))
    known = vocab.sources()
    share = rows["share"].to_numpy(dtype=float)
    act = inv.activity
    documents = (pd.Series(act["document_ref"].astype(str).to_numpy(), index=act["row"].to_numpy())
                 if "document_ref" in act else pd.Series(dtype=object))
    f = pd.DataFrame({
        "file": origin.file, "sheet": origin.sheet or "", "row": rows["row"].to_numpy(),
        "entity_id": rows["entity_id"].astype(str).to_numpy(),
        "name": rows["entity_id"].astype(str).map(names).fillna("").to_numpy(),
        "year": rows["year"].to_numpy(),
        "period_start": pd.to_datetime(rows["period_start"]).dt.date.to_numpy(),
        "period_end": pd.to_datetime(rows["period_end"]).dt.date.to_numpy(),
        "source": rows["source"].astype(str).map(
            {k: s.label(lang) for k, s in known.items()}).to_numpy(),
        "use": rows["use"].astype(str).to_numpy(),
        "instrument": rows["instrument"].astype(str).to_numpy(),
        "data_quality": rows["data_quality"].astype(str).to_numpy(),
        "document_ref": rows["row"].map(documents).fillna("").to_numpy(),
        "quantity_entered": rows["quantity"].to_numpy(dtype=float) / share,
        "unit_entered": rows["unit"].astype(str).to_numpy(),
        "share": share,
        "quantity_year": rows["quantity"].to_numpy(dtype=float),
        "quantity_report": rows["quantity_report"].to_numpy(dtype=float),
        "report_unit": rows["report_unit"].astype(str).to_numpy(),
    })
    heads = [label(k, lang) for k in (
        "file", "sheet", "row", "entity_id", "entity_name", "year", "period_start", "period_end",
        "source", "use", "instrument", "data_quality", "document_ref", "quantity_entered",
        "unit_entered", "share", "quantity_year", "quantity_report", "report_unit")]
    formats = {"row": "0", "year": FORMATS["year"], "period_start": FORMATS["date"],
               "period_end": FORMATS["date"], "quantity_entered": FORMATS["quantity"],
               "share": FORMATS["share"], "quantity_year": FORMATS["quantity"],
               "quantity_report": FORMATS["quantity"]}
    factors: dict[str, Factor] = {k: v for k, v in ledger.factors.items()
                                  if isinstance(v, Factor)}
    attrs: dict[str, dict[str, Any]] = {"set": {i: f.set_id for i, f in factors.items()},
             "value": {i: f.value for i, f in factors.items()},
             "unit": {i: f.unit for i, f in factors.items()},
             "reference": {i: f.reference for i, f in factors.items()}}
    for ref in REFS:
        stage = label(f"stage_{ref}", lang)
        for k, ids in enumerate(_factor_slots(rows[ref]), start=1):
            ids_s = pd.Series(ids, dtype=object)
            base = f"{ref}_{k}"
            f[f"{base}_id"] = ids
            heads.append(f"{stage} {label('factor', lang)} {k}")
            for attr, head in (("set", "factor_set"), ("value", "value"), ("unit", "factor_unit"),
                               ("reference", "reference")):
                f[f"{base}_{attr}"] = ids_s.map(attrs[attr]).to_numpy()
                heads.append(f"{stage} {label(head, lang)} {k}")
            formats[f"{base}_value"] = FORMATS["factor"]
    for key, unit in (("energy_kwh", "kWh"), ("energy_tce", "tce"), ("scope1_tco2e", "tCO2e"),
                      ("scope2_location_tco2e", "tCO2e"), ("scope2_market_tco2e", "tCO2e")):
        f[key] = rows[key].to_numpy(dtype=float)
        heads.append(f"{label(key, lang)} ({unit})")
        formats[key] = FORMATS[unit]
    return f, heads, formats


#: The audit trail's rows are written straight into the sheet's XML when the workbook is saved
#: (openpyxl's cell objects cost about 0.6 ms and 30 kB per ledger row): sheet title -> the rows,
#: the style of each column and its quote-prefixed twin (for text a spreadsheet would run).
_STREAMED: weakref.WeakKeyDictionary[Workbook, dict[str, tuple[pd.DataFrame, list[int], list[int]]]]
_STREAMED = weakref.WeakKeyDictionary()
_STREAM_CHUNK = 20_000
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def audit_sheets(wb: Workbook, inv: Inventory, ledger: Ledger, lang: str) -> None:
    """The audit trail, continued on further sheets when it outgrows one."""
    frame, heads, formats = audit_frame(inv, ledger, lang)
    per_sheet = MAX_ROWS - 1
    chunks = max(1, math.ceil(len(frame) / per_sheet))
    styles, quoted = [], []
    for name in frame.columns:  # one style per column, registered with the workbook
        probe = Cell(wb.active)
        probe.number_format = formats.get(name, "General")
        styles.append(wb._cell_styles.add(probe._style))
        twin = copy(probe._style)
        twin.quotePrefix = 1
        quoted.append(wb._cell_styles.add(twin))
    streamed = _STREAMED.setdefault(wb, {})
    for i in range(chunks):
        title = "Audit trail" if i == 0 else f"Audit trail {i + 1}"
        ws = wb.create_sheet(title)
        part = frame.iloc[i * per_sheet:(i + 1) * per_sheet]
        _header(ws, 1, heads)
        streamed[title] = (part, styles, quoted)
        widths = [16 if c in ("file", "name") or c.endswith(("_reference", "_id")) else 10
                  for c in frame.columns]
        _widths(ws, widths)
        _fit_rows(ws, 1)
        ws.freeze_panes = "D2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(2, len(part) + 1)}"
        _print_setup(ws, "1:1", landscape=True)
        ws.page_setup.paperSize = ws.PAPERSIZE_A3  # some 70 columns: A3 keeps it on one width


def _xml_text(text: str) -> str:
    """Text as XML character data: no characters XML forbids, & < > escaped."""
    return (ILLEGAL_CHARACTERS_RE.sub("", text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _cell(ref: str, value: Any, style: int, quoted: int) -> str:
    """One value as its ``<c>`` element ("" for an empty cell); text as an inline string."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        s = quoted if value.startswith(FORMULA_START) else style
        return (f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">'
                f"{_xml_text(value)}</t></is></c>")
    if isinstance(value, dt.date):
        value = (np.datetime64(value, "D") - _EXCEL_EPOCH).astype(np.int64)
    if isinstance(value, int | np.integer):
        return f'<c r="{ref}" s="{style}"><v>{int(value)}</v></c>'
    number = float(value)
    return f'<c r="{ref}" s="{style}"><v>{number!r}</v></c>' if math.isfinite(number) else ""


def _sheet_rows(frame: pd.DataFrame, styles: list[int], quoted: list[int]) -> Iterator[bytes]:
    """The ``<row>`` elements of ``frame`` from row 2, in chunks of XML."""
    letters = [get_column_letter(j + 1) for j in range(len(frame.columns))]
    for start in range(0, len(frame), _STREAM_CHUNK):
        part = frame.iloc[start:start + _STREAM_CHUNK]
        numbers = range(start + 2, start + 2 + len(part))
        columns = []
        for j, name in enumerate(frame.columns):
            letter, s, q = letters[j], styles[j], quoted[j]
            col = part[name]
            if col.dtype.kind in "iu":  # numbers: no per-value type test
                columns.append([f'<c r="{letter}{r}" s="{s}"><v>{v}</v></c>'
                                for r, v in zip(numbers, col.tolist(), strict=True)])
                continue
            if col.dtype.kind == "f":
                columns.append([f'<c r="{letter}{r}" s="{s}"><v>{v!r}</v></c>'
                                if math.isfinite(v) else ""
                                for r, v in zip(numbers, col.tolist(), strict=True)])
                continue
            values = col.astype(object).where(col.notna(), None).tolist()
            columns.append([_cell(f"{letter}{r}", v, s, q) for r, v in zip(numbers, values,
                                                                            strict=True)])
        yield "".join(f'<row r="{r}">{"".join(cells)}</row>'
                      for r, cells in zip(numbers, zip(*columns, strict=True), strict=True)
                      ).encode("utf-8")


def _with_streamed_rows(data: bytes, streamed: dict[str, tuple[pd.DataFrame, list[int],
                                                                 list[int]]]) -> bytes:
    """The saved workbook with each streamed sheet's data rows written into its XML."""
    from carbon.io.xlsx import sheets

    src = zipfile.ZipFile(io.BytesIO(data))
    members = {info.member: info.title for info in sheets(src) if info.title in streamed}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename not in members:
                dst.writestr(item, body)
                continue
            frame, styles, quoted = streamed[members[item.filename]]
            last = f"{get_column_letter(len(frame.columns))}{len(frame) + 1}"
            body = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}"'.encode(),
                          body, count=1)
            head, tail = body.split(b"</sheetData>", 1)
            info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w") as fh:
                fh.write(head)
                for chunk in _sheet_rows(frame, styles, quoted):
                    fh.write(chunk)
                fh.write(b"</sheetData>" + tail)
    return out.getvalue()


# -- factors, warnings ---------------------------------------------------------------------------
def factors_sheet(ws: Worksheet, ledger: Ledger, sets: dict[str, FactorSet], lang: str) -> None:
    """Each factor set used (metadata and sha256), then every factor used."""
    ws["A1"] = label("sets_heading", lang)
    ws["A1"].font = SECTION_FONT
    keys = ("id", "title", "issuer", "document_number", "published", "url", "data_year", "sha256")
    _header(ws, 2, [label(k, lang) for k in keys])
    r = 3
    for set_id, sha in ledger.factor_sets:
        m = sets[set_id].meta if set_id in sets else None
        vals = [set_id, (m.title + (f" / {m.title_en}" if m.title_en else "")) if m else "",
                m.issuer if m else "", m.document_number if m else "", m.published if m else "",
                m.url if m else "", m.data_year if m else None, sha]
        _put_row(ws, r, vals)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=label("factors_heading", lang)).font = SECTION_FONT
    keys2 = ("id", "factor_set", "parameter", "subject", "region", "value", "unit", "reference",
             "verified", "note")
    factors_head = r + 1
    _header(ws, factors_head, [label(k, lang) for k in keys2])
    r += 2
    for fid, f in ledger.factors.items():
        if not isinstance(f, Factor):
            continue
        set_text = label("custom_set", lang) if f.set_id == "custom" else f.set_id
        _put_row(ws, r, [fid, set_text, f.parameter, f.subject, f.region, f.value, f.unit,
                         f.reference, "✓" if f.verified else "✗", f.note])
        r += 1
    _widths(ws, [44, 28, 18, 16, 14, 12, 14, 60, 10, 40])
    _fit_rows(ws, 2, factors_head)
    ws.freeze_panes = "B3"
    _print_setup(ws, None, landscape=True)


def warnings_sheet(ws: Worksheet, result: dict[str, Any], lang: str) -> None:
    """Every warning of the run (they do not block; each says what was assumed)."""
    _header(ws, 1, [label("code", lang), label("message", lang)])
    if not result["warnings"]:
        ws["B2"] = label("no_warnings", lang)
    for i, w in enumerate(result["warnings"], start=2):
        _put_row(ws, i, [w["code"], w["message"]])
        ws.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [22, 120])
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1", landscape=True)


def sheet(title: str, write: Callable[[Worksheet], None]) -> SheetWriter:
    """An ``extra_sheets`` entry that adds one sheet, ``title``, and fills it with ``write``:
    ``sheet("Restatement", lambda ws: write_sheet(ws, restated, lang))``."""
    return lambda wb: write(wb.create_sheet(title))


# -- the workbook --------------------------------------------------------------------------------
def build_workbook(inv: Inventory, ledger: Ledger, result: dict[str, Any],
                   sets: dict[str, FactorSet], lang: str = "en",
                   extra_sheets: Iterable[SheetWriter] = ()) -> Workbook:
    """The report workbook of one run.

    Parameters
    ----------
    inv, ledger : Inventory, Ledger
        The run's inventory and ledger (for the audit trail and the breakdowns).
    result : dict
        The ``summarize()`` result of the same run: every KPI figure is taken from it.
    sets : dict
        The factor sets of the run, by id (for their metadata).
    lang : {"zh-Hans", "zh-Hant", "en"}
        Language of the labels. Sheet names stay English (stable for formulas and scripts).
    extra_sheets : iterable of callables
        Each is called with the workbook after the standard sheets and may add its own (the
        restatement: ``sheet("Restatement", lambda ws: write_sheet(ws, restated, lang))``).
        Their text is neutralised like the rest.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "KPI"
    kpi_sheet(ws, result, lang, inv.settings.organisation)
    charts_sheet(wb.create_sheet("Charts"), result, lang)
    entity_sheet(wb.create_sheet("By entity"), result, lang)
    month_sheet(wb.create_sheet("By source and month"), ledger, lang)
    audit_sheets(wb, inv, ledger, lang)
    factors_sheet(wb.create_sheet("Factors used"), ledger, sets, lang)
    warnings_sheet(wb.create_sheet("Warnings"), result, lang)
    for add in extra_sheets:
        add(wb)
    neutralise_workbook(wb)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file's bytes (to write atomically), audit-trail rows included."""
    buf = io.BytesIO()
    wb.save(buf)
    streamed = _STREAMED.get(wb)
    return _with_streamed_rows(buf.getvalue(), streamed) if streamed else buf.getvalue()
