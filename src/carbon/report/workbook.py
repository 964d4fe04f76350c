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

import io
import math
import re
import unicodedata
import weakref
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon import __version__, metrics, vocab
from carbon.aggregate import by_source_month
from carbon.factors import Factor, FactorSet
from carbon.metrics import display_unit
from carbon.model import Inventory, Ledger
from carbon.report.charts import chart_data
from carbon.report.labels import label
from carbon.report.rows import kpi_rows, visible
from carbon.report.write import FORMULA_START

#: Rows of a sheet, Excel's limit; the audit trail continues on further sheets beyond it.
MAX_ROWS = 1_048_576

#: Number formats of the columns that are not figures (figures: :func:`number_format`).
FORMATS = {"quantity": "#,##0.00", "share": "0.0000", "factor": "General", "year": "0",
           "date": "yyyy-mm-dd"}


def number_format(decimals: int) -> str:
    """A figure's number format: thousands grouped, ``decimals`` places."""
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals

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
def kpi_sheet(ws: Worksheet, result: dict[str, Any], lang: str, organisation: str) -> None:
    """The KPI table: indicator, unit, then one column per year (:func:`carbon.report.rows.kpi_rows`,
    Scope 1 by gas as sub-rows)."""
    years = list(result["years"])
    ws["A1"] = _clean(f"{organisation} — {label('kpi_title', lang)}" if organisation
                      else label("kpi_title", lang))
    ws["A1"].font = Font(bold=True, size=14)
    sections = " ".join(metrics.SECTIONS)
    ws["A2"] = (f"{label('kpi_note', lang)} {sections}; {result['gwp']}; "
                + label("generated_by", lang).format(version=__version__))
    ws["A2"].font = Font(italic=True, color="595959")
    _header(ws, 4, [label("indicator", lang), label("unit", lang), *years])
    for c in ws[4][2:]:
        c.alignment = Alignment(horizontal="right", vertical="top")
    r = 5
    for item in kpi_rows(result, lang, detail=True):
        if isinstance(item, str):
            ws.cell(row=r, column=1, value=item).font = SECTION_FONT
        else:
            ws.cell(row=r, column=1, value=item.label)
            ws.cell(row=r, column=2, value=item.unit)
            for i, v in enumerate(item.values):
                c = ws.cell(row=r, column=3 + i, value=_clean(v))
                c.number_format = number_format(item.decimals)
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
def _shown(result: dict[str, Any]) -> list[metrics.Metric]:
    """The metrics the run has (a value in some year), detail rows included."""
    return [m for m in metrics.METRICS if visible(m, result, detail=True)]


def entity_sheet(ws: Worksheet, result: dict[str, Any], lang: str) -> None:
    """One row per entity and year, with its figures, denominators and intensities."""
    units = result.get("units", {})
    shown = _shown(result)
    ratios = [r for r in metrics.RATIOS if any(r.num == m.key for m in shown)]
    cols = ["entity_id", "name", "year"]
    heads = [label("entity_id", lang), label("entity_name", lang), label("year", lang)]
    formats = {"year": FORMATS["year"]}
    for m in shown:
        heads.append(f"{m.label(lang).strip()} ({display_unit(units.get(m.key, m.unit))})")
        cols.append(m.key)
        formats[m.key] = number_format(m.decimals)
    for key, den in metrics.DENOMINATORS.items():
        unit = label("persons", lang) if den.unit == "persons" else display_unit(den.unit)
        heads.append(f"{den.label(lang)} ({unit})")
        cols.append(key)
        formats[key] = number_format(den.decimals)
    for r in ratios:
        num = metrics.by_key()[r.num]
        unit = display_unit(units.get(r.num, num.unit)) + metrics.DENOMINATORS[r.den].per_unit(lang)
        heads.append(f"{num.label(lang).strip()}{metrics.ratio_label(r, lang).strip()} ({unit})")
        cols.append(r.key)
        formats[r.key] = number_format(r.decimals)
    frame = pd.DataFrame(
        [[e["entity_id"], e["name"], e["year"], *(metrics.value(e, m.key) for m in shown),
          *(e[k] for k in metrics.DENOMINATORS), *(e["intensity"][r.key] for r in ratios)]
         for e in result["by_entity"]], columns=cols)
    _header(ws, 1, heads)
    _table(ws, frame, 2, formats)
    _widths(ws, [14, 30, 8, *([16] * (len(cols) - 3))])
    _fit_rows(ws, 1)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(2, len(frame) + 1)}"
    _print_setup(ws, "1:1", landscape=True)


def month_sheet(ws: Worksheet, ledger: Ledger, result: dict[str, Any], lang: str) -> None:
    """Quantities and every figure by year, source and month (or the period a record spans)."""
    t = by_source_month(ledger.rows, ledger.weights)
    known = vocab.sources()
    units = result.get("units", {})
    shown = [m for m in _shown(result) if m.key in t]
    frame = pd.DataFrame({
        "year": t["year"], "source": t["source"].map(lambda s: known[s].label(lang)),
        "period": t["period"], "quantity_report": t["quantity_report"],
        "report_unit": t["report_unit"].map(display_unit),
        **{m.key: t[m.key] for m in shown}})
    heads = [label("year", lang), label("source", lang), label("period", lang),
             label("quantity", lang), label("unit", lang),
             *(f"{m.label(lang).strip()} ({display_unit(units.get(m.key, m.unit))})"
               for m in shown)]
    _header(ws, 1, heads)
    _table(ws, frame, 2, {"year": FORMATS["year"], "quantity_report": FORMATS["quantity"],
                          **{m.key: number_format(m.decimals) for m in shown}})
    _widths(ws, [8, 22, 20, 16, 8, *([16] * len(shown))])
    _fit_rows(ws, 1)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(2, len(frame) + 1)}"
    _print_setup(ws, "1:1", landscape=True)


# -- audit trail ---------------------------------------------------------------------------------
def _factor_slots(col: pd.Series) -> list[tuple[np.ndarray, list[str]]]:
    """A ledger factor column (categories of ``;``-joined ids) as, per position, the code of each
    row into a table of ids (the table's last entry, "", for a row without one)."""
    cats = [str(c) for c in col.cat.categories]
    split = [c.split(";") if c else [] for c in cats]
    width = max((len(s) for s in split), default=0)
    codes = col.cat.codes.to_numpy().astype(np.int64)  # -1 (no category) reads the last entry
    return [(codes, [s[k] if len(s) > k else "" for s in split] + [""]) for k in range(width)]


def _coded(codes: np.ndarray, table: Sequence[Any]) -> pd.Categorical:
    """``table[codes]`` as a categorical of text (each distinct text stored once)."""
    texts = ["" if v is None else str(v) for v in table]
    distinct, which = np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)
    return pd.Categorical.from_codes(which.reshape(-1)[codes], categories=pd.Index(distinct))


def _relabel(col: pd.Series, label_of: Callable[[str], str]) -> pd.Categorical:
    """A categorical ledger column with each category's text passed through ``label_of``."""
    cat = col.astype("category")
    return _coded(cat.cat.codes.to_numpy().astype(np.int64),
                  [label_of(str(c)) for c in cat.cat.categories] + [""])


def audit_columns(ledger: Ledger) -> set[str]:
    """The metrics the audit trail shows: those with a value on some ledger row (derived ones
    when a part of theirs has one)."""
    rows = ledger.rows
    have = {m.key for m in metrics.rated() if rows[m.key].to_numpy().any()}
    for d in metrics.derived():
        if any(k in have for k, _ in d.terms):
            have.add(d.key)
    return have


def audit_frame(inv: Inventory, ledger: Ledger, lang: str, start: int = 0,
                stop: int | None = None, columns: set[str] | None = None
                ) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The audit trail: every ledger row (from ``start`` to ``stop``) with its input row, every
    factor applied and its figures (``columns``: :func:`audit_columns`). Dates are
    ``datetime64[D]``.

    Returns the table, its column headings and the number format of each column.
    """
    if columns is None:
        columns = audit_columns(ledger)
    rows = ledger.rows.iloc[start:stop]
    # each row's own input: the file and sheet its activity table came from
    inputs = range(max(len(inv.parts), 1))
    origins = [inv.origin_of("activity", p) for p in inputs]
    part = (rows["part"].to_numpy(dtype=np.int64) if "part" in rows
            else np.zeros(len(rows), dtype=np.int64))
    names = dict(zip(inv.entities["entity_id"].astype(str), inv.entities["name"].astype(str),
                     strict=True))
    known = vocab.sources()
    share = rows["share"].to_numpy(dtype=float)
    act = inv.activity
    n = len(rows)
    if "document_ref" in act:  # by input and row number: the activity row of each ledger row
        act_part = (act["part"].to_numpy(dtype=np.int64) if "part" in act
                    else np.zeros(len(act), dtype=np.int64))
        stride = int(max(act["row"].to_numpy().max(initial=0),
                         rows["row"].to_numpy().max(initial=0))) + 1
        at = pd.Index(act_part * stride + act["row"].to_numpy()).get_indexer(
            part * stride + rows["row"].to_numpy())
        documents = np.append(act["document_ref"].astype(object).to_numpy(), "")[at]
    else:
        documents = np.full(n, "", dtype=object)
    labels = {k: s.label(lang) for k, s in known.items()}
    f = pd.DataFrame({
        "file": _coded(part, [o.file for o in origins]),
        "sheet": _coded(part, [o.sheet or "" for o in origins]),
        "row": rows["row"].to_numpy(),
        "entity_id": _relabel(rows["entity_id"], str),
        "name": _relabel(rows["entity_id"], lambda e: names.get(e, "")),
        "year": rows["year"].to_numpy(),
        "period_start": rows["period_start"].to_numpy().astype("datetime64[D]"),
        "period_end": rows["period_end"].to_numpy().astype("datetime64[D]"),
        "source": _relabel(rows["source"], lambda k: labels.get(k, k)),
        "use": _relabel(rows["use"], str),
        "instrument": _relabel(rows["instrument"], str),
        "data_quality": _relabel(rows["data_quality"], str),
        "document_ref": documents,
        "quantity_entered": rows["quantity"].to_numpy(dtype=float) / share,
        "unit_entered": _relabel(rows["unit"], str),
        "share": share,
        "quantity_year": rows["quantity"].to_numpy(dtype=float),
        "quantity_report": rows["quantity_report"].to_numpy(dtype=float),
        "report_unit": _relabel(rows["report_unit"], str),
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
    for ref in metrics.stages():
        stage = label(f"stage_{ref}", lang)
        for k, (codes, table) in enumerate(_factor_slots(rows[ref]), start=1):
            base = f"{ref}_{k}"
            f[f"{base}_id"] = _coded(codes, table)
            heads.append(f"{stage} {label('factor', lang)} {k}")
            for attr, head in (("set", "factor_set"), ("value", "value"), ("unit", "factor_unit"),
                               ("reference", "reference")):
                got = [attrs[attr].get(i) for i in table]
                f[f"{base}_{attr}"] = (np.array([np.nan if v is None else v for v in got],
                                                dtype=float)[codes]
                                       if attr == "value" else _coded(codes, got))
                heads.append(f"{stage} {label(head, lang)} {k}")
            formats[f"{base}_value"] = FORMATS["factor"]
    derived = metrics.derive(rows, ledger.weights)
    for m in metrics.METRICS:
        if m.key not in columns:
            continue
        f[m.key] = derived[m.key] if m.key in derived else rows[m.key].to_numpy(dtype=float)
        heads.append(f"{m.label(lang).strip()} ({display_unit(ledger.units.get(m.key, m.unit))})")
        formats[m.key] = number_format(m.decimals)
    return f, heads, formats


#: The audit trail's rows are written straight into the sheet's XML as the workbook is written
#: (openpyxl's cell objects cost about 0.6 ms and 30 kB per ledger row), a chunk of ledger rows
#: at a time, each column turned into its cells' XML by Arrow kernels: sheet title -> its ledger
#: rows (start, stop), the style of each column and its quote-prefixed twin.
_STREAMED: weakref.WeakKeyDictionary[Workbook, _Stream] = weakref.WeakKeyDictionary()
#: Ledger rows turned into XML at a time (bounds the memory of a large write). [rows]
_STREAM_CHUNK = 10_000
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
#: Characters XML 1.0 does not allow (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XML = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"
#: Text starting like a formula gets the quote-prefixed style.
_FORMULA_LIKE = "^[" + "".join(re.escape(c) for c in FORMULA_START) + "]"


@dataclass
class _Stream:
    """What the audit-trail sheets of one workbook are written from."""

    make: Callable[[int, int], pd.DataFrame]  # ledger rows start..stop as the audit table
    columns: list[str]
    styles: list[int]
    quoted: list[int]
    sheets: dict[str, tuple[int, int]]  # title -> (start, stop)


def audit_sheets(wb: Workbook, inv: Inventory, ledger: Ledger, lang: str) -> None:
    """The audit trail, continued on further sheets when it outgrows one.

    The sheets get their header, widths, panes and print setup here; their rows are written
    when the workbook is (:func:`write_workbook`).
    """
    columns = audit_columns(ledger)
    head, heads, formats = audit_frame(inv, ledger, lang, 0, 0, columns)
    total = len(ledger.rows)
    per_sheet = MAX_ROWS - 1
    chunks = max(1, math.ceil(total / per_sheet))
    styles, quoted = [], []
    for name in head.columns:  # one style per column, registered with the workbook
        probe = Cell(wb.active)
        probe.number_format = formats.get(name, "General")
        styles.append(wb._cell_styles.add(probe._style))
        twin = copy(probe._style)
        twin.quotePrefix = 1
        quoted.append(wb._cell_styles.add(twin))
    stream = _Stream(lambda a, b: audit_frame(inv, ledger, lang, a, b, columns)[0],
                     list(head.columns),
                     styles, quoted, {})
    _STREAMED[wb] = stream
    for i in range(chunks):
        title = "Audit trail" if i == 0 else f"Audit trail {i + 1}"
        ws = wb.create_sheet(title)
        start, stop = i * per_sheet, min(total, (i + 1) * per_sheet)
        _header(ws, 1, heads)
        stream.sheets[title] = (start, stop)
        widths = [16 if c in ("file", "name") or c.endswith(("_reference", "_id")) else 10
                  for c in head.columns]
        _widths(ws, widths)
        _fit_rows(ws, 1)
        ws.freeze_panes = "D2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(2, stop - start + 1)}"
        _print_setup(ws, "1:1", landscape=True)
        ws.page_setup.paperSize = ws.PAPERSIZE_A3  # some 70 columns: A3 keeps it on one width


def _xml_text(arr: pa.Array) -> pa.Array:
    """Text as XML character data: no characters XML forbids, & < > escaped."""
    if pc.any(pc.match_substring_regex(arr, _ILLEGAL_XML)).as_py():
        arr = pc.replace_substring_regex(arr, _ILLEGAL_XML, "")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        arr = pc.replace_substring(arr, char, entity)
    return arr


def _cells(col: pd.Series, letter: str, style: int, quoted: int, rows: pa.Array) -> pa.Array:
    """One column's cells as ``<c>`` elements ("" for an empty cell), all rows at once.

    Numbers as their shortest round-trip text, dates as serial days, text as inline strings
    (text a spreadsheet would run as a formula with the quote-prefixed style).
    """
    values = col.to_numpy()
    kind = values.dtype.kind
    if kind == "M":  # dates: serial days since Excel's epoch
        days = values.astype("datetime64[D]")
        serial = (days - _EXCEL_EPOCH).astype(np.int64)
        arr = pa.array(serial, mask=np.isnat(days))
        kind = "i"
    elif kind in "iuf":
        arr = pa.array(values, mask=~np.isfinite(values) if kind == "f" else None)
    else:
        arr = None
    if arr is not None:
        text = pc.cast(arr, pa.string())
        cells = pc.binary_join_element_wise(f'<c r="{letter}', rows, f'" s="{style}"><v>', text,
                                            "</v></c>", "")
        return pc.fill_null(cells, "")
    if isinstance(col.dtype, pd.CategoricalDtype):  # few distinct texts: escape each once
        texts = pa.array(col.cat.categories.astype(str), type=pa.string())
        codes = pa.array(col.cat.codes.to_numpy(), mask=col.cat.codes.to_numpy() < 0)
        texts = pc.take(pc.if_else(pc.equal(texts, ""), pa.scalar(None, pa.string()), texts),
                        codes)
    else:
        texts = pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        texts = pc.if_else(pc.equal(texts, ""), pa.scalar(None, pa.string()), texts)
    with_style = pc.if_else(pc.match_substring_regex(texts, _FORMULA_LIKE), str(quoted),
                            str(style))
    cells = pc.binary_join_element_wise(
        f'<c r="{letter}', rows, '" s="', with_style,
        '" t="inlineStr"><is><t xml:space="preserve">', _xml_text(texts), "</t></is></c>", "")
    return pc.fill_null(cells, "")


def _joined(arr: pa.Array) -> memoryview:
    """The texts of a string array one after another, without copying them."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    return memoryview(data)[int(offsets[0]):int(offsets[-1])] if data is not None else memoryview(b"")


def _sheet_rows(stream: _Stream, start: int, stop: int) -> Iterator[memoryview]:
    """The ``<row>`` elements of ledger rows ``start`` to ``stop`` (sheet rows from 2), in chunks."""
    letters = [get_column_letter(j + 1) for j in range(len(stream.columns))]
    for at in range(start, stop, _STREAM_CHUNK):
        part = stream.make(at, min(stop, at + _STREAM_CHUNK))
        first = at - start + 2
        rows = pc.cast(pa.array(np.arange(first, first + len(part), dtype=np.int64)), pa.string())
        cells = [_cells(part[name], letters[j], stream.styles[j], stream.quoted[j], rows)
                 for j, name in enumerate(stream.columns)]
        del part
        yield _joined(pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", ""))


#: A streamed member larger than this may be written (zip64 is used for every streamed member
#: of a workbook this large; a small workbook keeps the plain zip format). [ledger rows]
_ZIP64_ROWS = 100_000


def write_workbook(wb: Workbook, fh: BinaryIO) -> None:
    """Write the workbook as an .xlsx file to ``fh``, the audit trail's rows streamed in.

    The sheets openpyxl holds are saved first (to memory: they are small); the audit-trail
    members are then written straight into the file, a chunk of ledger rows at a time, so a
    million-row workbook never sits in memory whole. Beyond :data:`_ZIP64_ROWS` ledger rows the
    streamed members are zip64 (an audit sheet of a million rows unpacks to several GB).
    """
    from carbon.io.xlsx import sheets

    buf = io.BytesIO()
    wb.save(buf)
    stream = _STREAMED.get(wb)
    if stream is None:
        fh.write(buf.getvalue())
        return
    src = zipfile.ZipFile(buf)
    members = {info.member: info.title for info in sheets(src) if info.title in stream.sheets}
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename not in members:
                dst.writestr(item, body)
                continue
            start, stop = stream.sheets[members[item.filename]]
            last = f"{get_column_letter(len(stream.columns))}{stop - start + 1}"
            body = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}"'.encode(),
                          body, count=1)
            head, tail = body.split(b"</sheetData>", 1)
            info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # type: ignore[attr-defined]  # gigabytes of XML: fast
            with dst.open(info, "w", force_zip64=stop - start > _ZIP64_ROWS) as out:
                out.write(head)
                for chunk in _sheet_rows(stream, start, stop):
                    out.write(chunk)
                out.write(b"</sheetData>" + tail)


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
    month_sheet(wb.create_sheet("By source and month"), ledger, result, lang)
    audit_sheets(wb, inv, ledger, lang)
    factors_sheet(wb.create_sheet("Factors used"), ledger, sets, lang)
    warnings_sheet(wb.create_sheet("Warnings"), result, lang)
    for add in extra_sheets:
        add(wb)
    neutralise_workbook(wb)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file's bytes, audit-trail rows included (small workbooks; a run
    writes with :func:`write_workbook` straight into its output file)."""
    buf = io.BytesIO()
    write_workbook(wb, buf)
    return buf.getvalue()
