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
import weakref
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any, BinaryIO, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon import __version__, metrics, vocab
from carbon.aggregate import by_source_month, named_streams
from carbon.factors import Factor, FactorSet
from carbon.i18n import text_width, tr
from carbon.metrics import display_unit
from carbon.model import Inventory, Ledger
from carbon.report import layout, methodology
from carbon.report.charts import chart_data
from carbon.report.labels import LABELS, label
from carbon.report.rows import has_environment, kpi_rows, visible
from carbon.report.write import FORMULA_START

#: Rows of a sheet, Excel's limit; the audit trail continues on further sheets beyond it.
MAX_ROWS = 1_048_576

#: Number formats of the columns that are not figures (figures: :func:`layout.number_format`).
FORMATS = {"quantity": "#,##0.00", "share": "0.0000", "factor": "General", "year": "0",
           "date": "yyyy-mm-dd"}

#: A function that adds sheets to the workbook (e.g. the restatement's).
SheetWriter = Callable[[Workbook], None]


# -- cells ---------------------------------------------------------------------------------------
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


def _put_row(ws: Worksheet, row: int, rec: Iterable[Any]) -> None:
    for col, v in enumerate(rec, start=1):
        ws.cell(row=row, column=col, value=layout.clean(v))


# -- KPI -----------------------------------------------------------------------------------------
def kpi_sheet(ws: Worksheet, result: dict[str, Any], lang: str, organisation: str,
              notes: Sequence[str] = ()) -> None:
    """The KPI table: indicator, unit, then one column per year (:func:`carbon.report.rows.kpi_rows`,
    Scope 1 by gas as sub-rows), and under it the methodology notes
    (:func:`carbon.report.methodology.notes`)."""
    years = list(result["years"])
    title = label("kpi_title_environment" if has_environment(result) else "kpi_title", lang)
    ws["A1"] = layout.clean(f"{organisation} — {title}" if organisation else title)
    ws["A1"].font = layout.TITLE_FONT
    sections = "、".join(metrics.SECTIONS) if lang != "en" else ", ".join(metrics.SECTIONS)
    ws["A2"] = (f"{label('kpi_note', lang)} {sections}; "
                + label("generated_by", lang).format(version=__version__))
    ws["A2"].font = layout.NOTE_FONT
    layout.header(ws, 4, [label("indicator", lang), label("unit", lang), *years])
    for c in ws[4][2:]:
        c.alignment = Alignment(horizontal="right", vertical="top")
    r = 5
    for item in kpi_rows(result, lang, detail=True):
        if isinstance(item, str):
            ws.cell(row=r, column=1, value=item).font = layout.SECTION_FONT
        else:
            ws.cell(row=r, column=1, value=item.label)
            ws.cell(row=r, column=2, value=item.unit)
            for i, v in enumerate(item.values):
                c = ws.cell(row=r, column=3 + i, value=layout.clean(v))
                c.number_format = layout.number_format(item.decimals)
        r += 1
    widths = [52, 14, *([16] * len(years))]
    layout.widths(ws, widths)
    if notes:
        r += 1
        ws.cell(row=r, column=1, value=label("notes", lang)).font = layout.SECTION_FONT
        for text in notes:
            r += 1
            ws.cell(row=r, column=1, value=text).alignment = layout.WRAP
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(widths))
            layout.tall_enough(ws, r, text, sum(widths))
    layout.fit_rows(ws, 4)
    ws.freeze_panes = "C5"
    layout.print_setup(ws, "4:4", lang=lang)


# -- charts --------------------------------------------------------------------------------------
def charts_sheet(ws: Worksheet, result: dict[str, Any], lang: str) -> None:
    """The charts' data (from the same result) and the native charts drawn from it, the panels
    and colours of the PNG/SVG charts (:mod:`carbon.report.charts`): Scope 1 and Scope 2 each on
    its own axis, the energy mix (in MWh or GWh where kWh needs eight digits), the intensities
    per m², water and waste per employee where the run has them. No chart has a second axis."""
    from openpyxl.chart.label import DataLabelList

    from carbon.report.charts import PALETTE, PER_PERSON, energy_scale, source_colour

    d = chart_data(result)
    known = vocab.sources()
    ws["A1"] = label("chart_data", lang)
    ws["A1"].font = layout.SECTION_FONT
    divisor, energy_unit = energy_scale([sum(v) for v in zip(*d.energy.values(), strict=True)]
                                        if d.energy else [])
    per_person = [(key, name, unit) for key, name, unit in PER_PERSON if key in d.per_person]
    columns: list[tuple[str, str, list[Any], str]] = [  # key, heading, values, number format
        ("scope1", label("scope1", lang) + " (tCO2e)", d.scope1, "#,##0.00"),
        ("scope2", label("scope2", lang) + " (tCO2e)", d.scope2, "#,##0.00"),
        *((f"source:{s}", f"{known[s].label(lang)} ({energy_unit})",
           [v / divisor for v in values], "#,##0") for s, values in d.energy.items()),
        ("ghg_per_m2", label("ghg_per_m2", lang) + " (tCO2e/m²)", d.ghg_per_m2, "0.0000"),
        ("energy_per_m2", label("energy_per_m2", lang) + " (kWh/m²)", d.energy_per_m2,
         "#,##0.00"),
        *((key, f"{label(name, lang)} ({unit})", d.per_person[key], "0.0000")
          for key, name, unit in per_person)]
    layout.header(ws, 2, [label("year", lang), *(h for _, h, _, _ in columns)])
    n = len(d.years)
    for i, y in enumerate(d.years):
        ws.cell(row=3 + i, column=1, value=int(y))
        for j, (_, _, values, fmt) in enumerate(columns, start=2):
            c = ws.cell(row=3 + i, column=j, value=layout.clean(values[i]))
            c.number_format = fmt
    layout.autofit(ws, skip_rows=[2], maximum=22)
    layout.fit_rows(ws, 2)
    first, last = 3, 2 + n
    cats = Reference(ws, min_col=1, min_row=first, max_row=last)
    col_of = {key: j for j, (key, _, _, _) in enumerate(columns, start=2)}

    def series(key: str, colour: str, line: bool = False) -> Series:
        col = col_of[key]
        s = Series(Reference(ws, min_col=col, min_row=first, max_row=last),
                   title=str(columns[col - 2][1]))
        if line:
            s.graphicalProperties.line.solidFill = colour
            s.marker.symbol = "circle"
            s.marker.graphicalProperties.solidFill = colour
            s.marker.graphicalProperties.line.solidFill = colour
        else:
            s.graphicalProperties.solidFill = colour
            s.graphicalProperties.line.solidFill = colour
        return s

    def chart(kind: type[BarChart] | type[LineChart], title: str, unit: str,
              keys: list[tuple[str, str]], stacked: bool = False, labels: bool = False
              ) -> BarChart | LineChart:
        c = kind()
        if isinstance(c, BarChart):
            c.type = "col"
            if stacked:
                c.grouping, c.overlap = "stacked", 100
        c.title, c.y_axis.title = title, unit
        c.series.extend(series(k, colour, isinstance(c, LineChart)) for k, colour in keys)
        if labels:  # the value only (no series or category name beside it)
            c.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                         showLegendKey=False, showPercent=False)
            c.dataLabels.numFmt = "#,##0"
        c.set_categories(cats)
        c.x_axis.delete = c.y_axis.delete = False
        c.y_axis.number_format = "#,##0" if unit.startswith(("t", "kWh", "MWh", "GWh")) and (
            "/" not in unit) else "General"
        c.y_axis.scaling.min = 0
        c.width, c.height = 8.0, 7.5
        c.legend.position = "b"
        if len(keys) == 1:
            c.legend = None
        return c

    rows = [[chart(BarChart, label("scope1", lang), "tCO2e", [("scope1", PALETTE["scope1"])],
                   labels=True),
             chart(BarChart, label("scope2", lang), "tCO2e", [("scope2", PALETTE["scope2"])],
                   labels=True)]]
    if d.energy:
        mix = chart(BarChart, label("chart_mix", lang), energy_unit,
                    [(f"source:{s}", source_colour(s)) for s in d.energy], stacked=True)
        mix.width = 16.0
        rows.append([mix])
    rows.append([chart(LineChart, label("ghg_per_m2", lang), "tCO2e/m²",
                       [("ghg_per_m2", PALETTE["ghg_per_m2"])]),
                 chart(LineChart, label("energy_per_m2", lang), "kWh/m²",
                       [("energy_per_m2", PALETTE["energy_per_m2"])])])
    names = {k: name for k, name, _ in per_person}
    water = [k for k, _, u in per_person if u.startswith("m³")]
    waste = [k for k, _, u in per_person if not u.startswith("m³")]
    people = [chart(LineChart, label(names[group[0]] if len(group) == 1 else title, lang), unit,
                    [(k, PALETTE[k]) for k in group])
              for group, title, unit in ((water, "water_per_person", "m³/person"),
                                         (waste, "waste_per_person", "t/person")) if group]
    if people:
        rows.append(people)
    top = last + 3
    for k, row in enumerate(rows):
        for i, c in enumerate(row):
            ws.add_chart(c, f"{'A' if i == 0 else 'F'}{top + 16 * k}")
    ws.freeze_panes = "B3"
    layout.print_setup(ws, None, lang=lang)


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
        heads.append(f"{m.label(lang).strip()} ({display_unit(units.get(m.key, m.unit), lang)})")
        cols.append(m.key)
        formats[m.key] = layout.number_format(m.decimals)
    for key, den in metrics.DENOMINATORS.items():
        unit = label("persons", lang) if den.unit == "persons" else display_unit(den.unit)
        heads.append(f"{den.label(lang)} ({unit})")
        cols.append(key)
        formats[key] = layout.number_format(den.decimals)
    for r in ratios:
        num = metrics.by_key()[r.num]
        unit = display_unit(units.get(r.num, num.unit), lang) + metrics.DENOMINATORS[r.den].per_unit(lang)
        gap = " " if lang == "en" else ""  # "Total energy consumption per m² …"; 综合…每平方米…
        heads.append(f"{num.label(lang).strip()}{gap}{metrics.ratio_label(r, lang).strip()} "
                     f"({unit})")
        cols.append(r.key)
        formats[r.key] = layout.number_format(r.decimals)
    readers = [metrics.reader(m.key) for m in shown]
    frame = pd.DataFrame(
        [[e["entity_id"], e["name"], e["year"], *(read(e) for read in readers),
          *(e[k] for k in metrics.DENOMINATORS), *(e["intensity"].get(r.key) for r in ratios)]
         for e in result["by_entity"]], columns=cols)
    layout.header(ws, 1, heads)
    stream_table(ws, frame, 2, formats)
    layout.widths(ws, frame_widths(frame, heads, formats))
    layout.fit_rows(ws, 1)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(2, len(frame) + 1)}"
    # one column per figure (sixty and more): A3 landscape at full size, the entity's columns
    # repeated on the pages to the right, rather than the whole width shrunk onto one page
    layout.print_setup(ws, "1:1", landscape=True, a3=True, lang=lang, fit_width=False,
                       title_cols="A:C")


def month_sheet(ws: Worksheet, ledger: Ledger, result: dict[str, Any], lang: str) -> None:
    """Quantities and every figure by year, source and month (or the period a record spans)."""
    t = by_source_month(ledger.rows, ledger.weights, ledger.present)
    known = vocab.sources()
    units = result.get("units", {})
    shown = [m for m in _shown(result) if m.key in t]
    streams = "stream" in t
    frame = pd.DataFrame({
        "year": t["year"], "source": t["source"].map(lambda s: known[s].label(lang)),
        **({"stream": t["stream"]} if streams else {}),
        "period": t["period"], "quantity_report": t["quantity_report"],
        "report_unit": t["report_unit"].map(display_unit),
        **{m.key: t[m.key] for m in shown}})
    heads = [label("year", lang), label("source", lang),
             *([label("stream", lang)] if streams else []), label("period", lang),
             label("quantity", lang), label("unit", lang),
             *(f"{m.label(lang).strip()} ({display_unit(units.get(m.key, m.unit), lang)})"
               for m in shown)]
    layout.header(ws, 1, heads)
    formats = {"year": FORMATS["year"], "quantity_report": FORMATS["quantity"],
               **{m.key: layout.number_format(m.decimals) for m in shown}}
    stream_table(ws, frame, 2, formats)
    layout.widths(ws, frame_widths(frame, heads, formats))
    layout.fit_rows(ws, 1)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(2, len(frame) + 1)}"
    # a column per figure, as on By entity: A3 at full size, year, source and month repeated
    layout.print_setup(ws, "1:1", landscape=True, a3=True, lang=lang, fit_width=False,
                       title_cols="A:C")


# -- audit trail ---------------------------------------------------------------------------------
def _coded(codes: np.ndarray, table: Sequence[Any]) -> pd.Categorical:
    """``table[codes]`` as a categorical of text (each distinct text stored once)."""
    mapping, dtype = _texts(table)
    return pd.Categorical.from_codes(mapping[codes], dtype=dtype, validate=False)


def _texts(table: Sequence[Any]) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """The distinct texts of ``table`` as a categorical type, and each entry's code in it."""
    texts = ["" if v is None else str(v) for v in table]
    distinct, which = np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)
    return which.reshape(-1), pd.CategoricalDtype(pd.Index(distinct, dtype=object))


def _relabel(plan: AuditPlan, ledger: Ledger, name: str, rows: slice | np.ndarray,
             label_of: Callable[[str], str], key: str = "") -> pd.Categorical:
    """Ledger column ``name`` (its ``rows``) as a categorical with each category's text passed
    through ``label_of``: the texts worked out once per ``key`` (default: ``name``) for every
    chunk of the ledger."""
    codes, cats = plan.coded(ledger, name)
    key = key or name
    if ("labels", key) not in plan.memo:
        plan.memo["labels", key] = _texts([label_of(str(c)) for c in cats] + [""])
    mapping, dtype = plan.memo["labels", key]
    return pd.Categorical.from_codes(mapping[codes[rows]], dtype=dtype, validate=False)


def audit_columns(ledger: Ledger) -> set[str]:
    """The metrics the audit trail shows: those with a value on some ledger row, or carried by
    one (derived ones when a part of theirs has one); and ``stream`` where rows name one."""
    rows = ledger.rows
    have = {m.key for m in metrics.rated()
            if m.key not in ledger.zeros and rows[m.key].to_numpy().any()} | ledger.present
    for d in metrics.derived():
        if any(k in have for k, _ in d.terms):
            have.add(d.key)
    if named_streams(rows) is not None:
        have.add("stream")
    return have


@dataclass(frozen=True)
class _FactorColumn:
    """One kind of factor as audit-trail columns (value, unit, id), e.g. the low heating value.

    ``picks``: per ledger stage column that may hold it, the id of this kind in each of the
    stage's categories (one ``;``-joined list of factor ids per category), "" where none.
    """

    key: str
    parameter: str
    stages: tuple[str, ...]
    picks: tuple[tuple[str, tuple[str, ...]], ...]

    def table(self) -> tuple[list[str], list[tuple[str, np.ndarray]]]:
        """The distinct ids of this factor, and per stage the position in them of each of the
        stage's categories (-1 where none; one more -1 for a row without a category)."""
        ids = list(dict.fromkeys(i for _, t in self.picks for i in t if i))
        at = {i: k for k, i in enumerate(ids)}
        return ids, [(stage, np.array([at.get(i, -1) for i in t] + [-1], dtype=np.int64))
                     for stage, t in self.picks]

    def codes(self, stage_codes: Callable[[str], np.ndarray],
              maps: list[tuple[str, np.ndarray]]) -> np.ndarray:
        """The position of this factor's id on each row in :meth:`table`'s ids (-1: none);
        ``stage_codes(stage)``: the rows' codes in a stage column's categories."""
        out: np.ndarray | None = None
        for stage, m in maps:
            here = m[stage_codes(stage)]
            out = here if out is None else np.where(out < 0, here, out)
        assert out is not None, "a factor column names its stages"
        return out


def _parameter_of(factor_id: str, factors: dict[str, object]) -> str:
    f = factors.get(factor_id)
    return f.parameter if isinstance(f, Factor) else factor_id.split(":")[1]


def _common_codes(rows: pd.DataFrame, *cols: _FactorColumn) -> list[np.ndarray]:
    """Each column's factor on each row as a position in one list of ids (-1: none)."""
    tables = [c.table() for c in cols]
    common = {i: k for k, i in enumerate(dict.fromkeys(i for ids, _ in tables for i in ids))}
    out = []
    for col, (ids, maps) in zip(cols, tables, strict=True):
        to_common = np.array([common[i] for i in ids] + [-1], dtype=np.int64)
        out.append(to_common[col.codes(lambda s: rows[s].cat.codes.to_numpy(), maps)])
    return out


def factor_columns(ledger: Ledger) -> list[_FactorColumn]:
    """The factors the ledger used, one column group per kind of factor: the same kind in two
    stages shares a column where the two never disagree on a row (a density used for energy and
    for Scope 1), and has a column per stage where they do (the GB/T 2589 heating value for
    energy, the NDRC guide's for Scope 1)."""
    rows = ledger.rows
    found: list[_FactorColumn] = []
    for stage in metrics.stages():
        cats = [str(c) for c in rows[stage].cat.categories]
        split = [c.split(";") if c else [] for c in cats]
        params = list(dict.fromkeys(_parameter_of(i, ledger.factors) for ids in split for i in ids))
        for param in params:
            table = tuple(next((i for i in ids if _parameter_of(i, ledger.factors) == param), "")
                          for ids in split)
            col = _FactorColumn(f"{param}@{stage}", param, (stage,), ((stage, table),))
            merged = False
            for k, other in enumerate(found):
                if other.parameter != param:
                    continue
                mine, theirs = _common_codes(rows, col, other)
                if ((mine == theirs) | (mine < 0) | (theirs < 0)).all():
                    found[k] = _FactorColumn(other.key, param, (*other.stages, stage),
                                             (*other.picks, (stage, table)))
                    merged = True
                    break
            if not merged:
                found.append(col)
    return found


def _factor_label(col: _FactorColumn, columns: list[_FactorColumn], lang: str) -> str:
    """A factor column's heading: what it is, and for which stage when one kind has several."""
    what = label(f"param_{col.parameter}", lang) if f"param_{col.parameter}" in LABELS else (
        col.parameter)
    if col.parameter == "emission":
        what = label({"f_scope2_location": "param_grid", "f_scope2_market": "param_market"}.get(
            col.stages[0], "param_emission"), lang)
    elif sum(c.parameter == col.parameter for c in columns) > 1:
        what += f" ({label(f'stage_{col.stages[0]}', lang)})"
    return what


@dataclass(frozen=True)
class AuditPlan:
    """The audit trail's columns, fixed once for the whole ledger (each chunk of rows written
    with the same): the metrics shown and the factor columns."""

    metrics: frozenset[str]
    factors: tuple[_FactorColumn, ...]
    #: what every chunk shares, worked out for the first (texts of categories, factor tables)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def coded(self, ledger: Ledger, name: str) -> tuple[np.ndarray, pd.Index]:
        """Ledger column ``name`` as codes (-1: none) and categories, for all its rows: worked
        out once, each chunk takes its slice (no pandas work per chunk)."""
        if ("coded", name) not in self.memo:
            col = ledger.rows[name].astype("category")
            self.memo["coded", name] = (col.cat.codes.to_numpy(), col.cat.categories)
        got: tuple[np.ndarray, pd.Index] = self.memo["coded", name]
        return got


def audit_plan(ledger: Ledger) -> AuditPlan:
    return AuditPlan(frozenset(audit_columns(ledger)), tuple(factor_columns(ledger)))


def _documents(act: pd.DataFrame, ledger: Ledger, memo: dict[Any, Any]) -> pd.Categorical:
    """Each ledger row's document reference, from its activity row (by input and row number):
    worked out once for the whole ledger."""
    if "documents" not in memo:
        rows = ledger.rows
        part = (rows["part"].to_numpy(dtype=np.int64) if "part" in rows
                else np.zeros(len(rows), dtype=np.int64))
        act_part = (act["part"].to_numpy(dtype=np.int64) if "part" in act
                    else np.zeros(len(act), dtype=np.int64))
        stride = int(max(act["row"].to_numpy().max(initial=0),
                         rows["row"].to_numpy().max(initial=0))) + 1
        at = pd.Index(act_part * stride + act["row"].to_numpy()).get_indexer(
            part * stride + rows["row"].to_numpy())
        docs = act["document_ref"].astype("category")
        mapping, dtype = _texts([str(c) for c in docs.cat.categories] + [""])
        codes = np.append(docs.cat.codes.to_numpy(), -1)[at]  # a row not found: -1, ""
        memo["documents"] = pd.Categorical.from_codes(mapping[codes], dtype=dtype,
                                                      validate=False)
    documents: pd.Categorical = memo["documents"]
    return documents


#: The audit trail's first columns (row, entity, year, source), repeated on every printed page.
_KEY_COLUMNS = 4


def audit_frame(inv: Inventory, ledger: Ledger, lang: str, start: int = 0,
                stop: int | None = None, plan: AuditPlan | None = None,
                at: np.ndarray | None = None) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The audit trail: every ledger row (from ``start`` to ``stop``) with its input row, every
    factor applied (a column group per kind of factor: value, unit, id; each id's document in
    the Factors used sheet), its figures and its combined factors per unit as entered. Dates are
    ``datetime64[D]``.

    Returns the table, its column headings and the number format of each column; ``at`` (row
    positions) takes those rows instead of ``start`` to ``stop``.
    """
    if plan is None:
        plan = audit_plan(ledger)
    rows = ledger.rows.iloc[start:stop] if at is None else ledger.rows.iloc[at]
    sel: slice | np.ndarray = slice(start, stop) if at is None else at
    # each row's own input: the file and sheet its activity table came from
    inputs = range(max(len(inv.parts), 1))
    origins = [inv.origin_of("activity", p) for p in inputs]
    part = (rows["part"].to_numpy(dtype=np.int64) if "part" in rows
            else np.zeros(len(rows), dtype=np.int64))
    if "names" not in plan.memo:
        plan.memo["names"] = dict(zip(inv.entities["entity_id"].astype(str).tolist(),
                                      inv.entities["name"].astype(str).tolist(), strict=True))
    names = plan.memo["names"]
    known = vocab.sources()
    share = rows["share"].to_numpy(dtype=float)
    act = inv.activity
    n = len(rows)
    documents = (_documents(act, ledger, plan.memo)[np.arange(start, start + n) if at is None
                                                    else at]
                 if "document_ref" in act else np.full(n, "", dtype=object))
    labels = {k: s.label(lang) for k, s in known.items()}
    f: dict[str, Any] = {
        "row": rows["row"].to_numpy(),
        "entity_id": _relabel(plan, ledger, "entity_id", sel, str),
        "year": rows["year"].to_numpy(),
        "source": _relabel(plan, ledger, "source", sel, lambda k: labels.get(k, k)),
        "name": _relabel(plan, ledger, "entity_id", sel, lambda e: names.get(e, ""), "name"),
        "period_start": rows["period_start"].to_numpy().astype("datetime64[D]"),
        "period_end": rows["period_end"].to_numpy().astype("datetime64[D]"),
        "file": _coded(part, [o.file for o in origins]),
        "sheet": _coded(part, [o.sheet or "" for o in origins]),
        **({"stream": _relabel(plan, ledger, "stream", sel, str)}
           if "stream" in plan.metrics else {}),
        "use": _relabel(plan, ledger, "use", sel, str),
        "instrument": _relabel(plan, ledger, "instrument", sel, str),
        "data_quality": _relabel(plan, ledger, "data_quality", sel, str),
        "document_ref": documents,
        "quantity_entered": rows["quantity"].to_numpy(dtype=float) / share,
        "unit_entered": _relabel(plan, ledger, "unit", sel, str),
        "share": share,
        "quantity_year": rows["quantity"].to_numpy(dtype=float),
        "quantity_report": rows["quantity_report"].to_numpy(dtype=float),
        "report_unit": _relabel(plan, ledger, "report_unit", sel, lambda u: display_unit(u)),
    }
    heads = [label(k, lang) for k in (
        "row", "entity_id", "year", "source", "entity_name", "period_start", "period_end",
        "file", "sheet", *(["stream"] if "stream" in f else []), "use", "instrument",
        "data_quality", "document_ref", "quantity_entered", "unit_entered", "share",
        "quantity_year", "quantity_report", "report_unit")]
    formats = {"row": "0", "year": FORMATS["year"], "period_start": FORMATS["date"],
               "period_end": FORMATS["date"], "quantity_entered": FORMATS["quantity"],
               "share": FORMATS["share"], "quantity_year": FORMATS["quantity"],
               "quantity_report": FORMATS["quantity"]}
    factors: dict[str, Factor] = {k: v for k, v in ledger.factors.items()
                                  if isinstance(v, Factor)}
    for col in plan.factors:
        if col.key not in plan.memo:  # the factor's ids, values, units: once for all chunks
            table, maps = col.table()
            values = np.array([factors[i].value if i in factors else np.nan for i in table]
                              + [np.nan], dtype=float)
            units, unit_type = _texts([factors[i].unit if i in factors else "" for i in table]
                                      + [""])
            ids, id_type = _texts([*table, ""])
            plan.memo[col.key] = (maps, values, units, unit_type, ids, id_type)
        maps, values, units, unit_type, ids, id_type = plan.memo[col.key]
        codes = col.codes(lambda s: plan.coded(ledger, s)[0][sel], maps)  # -1: the last entry
        what = _factor_label(col, list(plan.factors), lang)
        f[f"{col.key}_value"] = values[codes]
        f[f"{col.key}_unit"] = pd.Categorical.from_codes(units[codes], dtype=unit_type,
                                                         validate=False)
        f[f"{col.key}_id"] = pd.Categorical.from_codes(ids[codes], dtype=id_type, validate=False)
        heads += [what, f"{what}: {label('factor_unit', lang)}", f"{what}: {label('id', lang)}"]
        formats[f"{col.key}_value"] = FORMATS["factor"]
    if {"ch4_t", "n2o_t"} & plan.metrics:
        for gas in ("CH4", "N2O"):
            f[f"gwp_{gas}"] = np.full(n, ledger.weights[gas])
            heads.append(f"{label('param_gwp', lang)} {gas}")
            formats[f"gwp_{gas}"] = FORMATS["factor"]
    derived = metrics.derive(rows, ledger.weights)
    for m in metrics.METRICS:
        if m.key not in plan.metrics:
            continue
        f[m.key] = derived[m.key] if m.key in derived else rows[m.key].to_numpy(dtype=float)
        heads.append(f"{m.label(lang).strip()} "
                     f"({display_unit(ledger.units.get(m.key, m.unit), lang)})")
        formats[m.key] = layout.number_format(m.decimals)
    quantity = rows["quantity"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for key, per in (("energy_kwh", "kWh"), ("total_location_tco2e", "tCO2e")):
            if key in plan.metrics:
                unit = display_unit(ledger.units.get(key, per))
                f[f"{key}_per_unit"] = np.where(quantity != 0, f[key] / quantity,
                                                np.nan)
                heads.append(label(f"per_unit_{key}", lang).format(unit=unit))
                formats[f"{key}_per_unit"] = FORMATS["factor"]
    return pd.DataFrame(f, copy=False), heads, formats  # columns added to a dict: one frame


def _widest(ledger: Ledger, first: int = 1000) -> np.ndarray:
    """Row positions that hold every numeric column's largest magnitude (and the first rows):
    the audit trail's widths follow from them at any ledger size."""
    rows = ledger.rows
    at = [np.arange(min(first, len(rows)))]
    for name in rows.columns:
        if rows[name].dtype.kind != "f" or not len(rows):  # before to_numpy: text is left as is
            continue
        values = rows[name].to_numpy()
        if values.dtype.kind == "f":
            mags = np.abs(np.nan_to_num(values))
            at.append(np.array([int(np.argmax(mags)), int(np.argmin(values))]))
    return np.unique(np.concatenate(at)).astype(np.int64)


def frame_widths(frame: pd.DataFrame, heads: Sequence[str], formats: dict[str, str]
                 ) -> list[float]:
    """Column widths of a streamed table (``frame``: its rows, or for the audit trail its widest
    rows, :func:`_widest`; so no cell shows ``###``): numbers by their largest formatted
    magnitude, text by its longest value, headings (wrapped) by their longest word."""
    out = []
    for name, head in zip(frame.columns, heads, strict=True):
        col = frame[name]
        word = max((text_width(w) for w in head.split()), default=4)
        if isinstance(col.dtype, pd.CategoricalDtype):
            width = max((text_width(str(c)) for c in col.cat.categories), default=4)
        elif col.dtype.kind in "iuf":
            values = col.to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            big = float(np.abs(values).max()) if len(values) else 0.0
            width = max(text_width(layout.shown(-big if (values < 0).any() else big,
                                                       formats.get(name, "General"))), 4)
        elif col.dtype.kind == "M":
            width = 10
        else:
            width = max((text_width(str(v)) for v in col.tolist()), default=4)
        out.append(float(min(40, max(6, width + 2, word + 1))))
    return out


#: The audit trail's sheets: the first, then "Audit trail 2" … when it outgrows one.
AUDIT_TITLE = "Audit trail"


def audit_sheets(wb: Workbook, inv: Inventory, ledger: Ledger, lang: str) -> None:
    """The audit trail, continued on further sheets when it outgrows one.

    The sheets get their header, widths, panes and print setup here; their rows are written
    when the workbook is (:func:`write_workbook`).
    """
    plan = audit_plan(ledger)
    head, heads, formats = audit_frame(inv, ledger, lang, 0, 0, plan)
    widths = frame_widths(audit_frame(inv, ledger, lang, plan=plan, at=_widest(ledger))[0],
                          heads, formats)
    total = len(ledger.rows)
    per_sheet = MAX_ROWS - 1
    chunks = max(1, math.ceil(total / per_sheet))
    for i in range(chunks):
        ws = wb.create_sheet(AUDIT_TITLE if i == 0 else f"{AUDIT_TITLE} {i + 1}")
        ids = [style_ids(ws, formats.get(name, "General")) for name in head.columns]
        stream_rows(ws, lambda a, b: audit_frame(inv, ledger, lang, a, b, plan)[0],
                    i * per_sheet, min(total, (i + 1) * per_sheet), 2, list(head.columns),
                    [s for s, _ in ids], [q for _, q in ids])
        layout.header(ws, 1, heads)
        layout.widths(ws, widths)
        layout.fit_rows(ws, 1)
        ws.freeze_panes = f"{get_column_letter(_KEY_COLUMNS + 1)}2"  # no cell: no empty row
        rows = min(total, (i + 1) * per_sheet) - i * per_sheet
        ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(2, rows + 1)}"
        # wide: A3 landscape at full size, the key columns repeated on the pages to the right
        layout.print_setup(ws, "1:1", landscape=True, a3=True, lang=lang, fit_width=False,
                           title_cols=f"A:{get_column_letter(_KEY_COLUMNS)}")
        ws.page_setup.scale = 75


def _audit_streams(wb: Workbook) -> dict[str, _Stream]:
    return {t: s for t, s in _STREAMED.get(wb, {}).items() if t.startswith(AUDIT_TITLE)}


#: Large tables (the audit trail, the coverage matrix, the breakdowns) are not made of openpyxl
#: cells (about 0.6 ms and 30 kB per ledger row): their rows are written straight into the
#: sheet's XML as the workbook is written, a chunk at a time, each column turned into its cells'
#: XML by Arrow kernels, text as shared strings. By workbook: sheet title -> what its rows are
#: written from.
_STREAMED: weakref.WeakKeyDictionary[Workbook, dict[str, _Stream]] = weakref.WeakKeyDictionary()
#: Rows turned into XML at a time (bounds the memory of a large write). [rows]
_STREAM_CHUNK = 20_000
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
#: Characters XML 1.0 does not allow (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XML = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"
#: Text starting like a formula gets the quote-prefixed style.
_FORMULA_LIKE = re.compile("^[" + "".join(re.escape(c) for c in FORMULA_START) + "]")


@dataclass
class _Stream:
    """What the rows of one streamed sheet are written from: rows ``start`` to ``stop`` of the
    table ``make`` returns, from sheet row ``first_row``, one cell per column of ``columns``."""

    make: Callable[[int, int], pd.DataFrame]
    start: int
    stop: int
    first_row: int
    columns: list[str]
    #: each column's style id, or for text its values' style ids (others: 0)
    styles: list[int | dict[str, int]]
    #: each column's quote-prefixed twin style (text that looks like a formula)
    quoted: list[int]
    #: the columns found to hold few distinct values (their cells made once per value)
    few: dict[str, bool] = field(default_factory=dict)
    #: the cells of each coded column's categories, made for its first chunk
    made_of: dict[str, tuple[pd.Index, pa.Array]] = field(default_factory=dict)

    @property
    def last_row(self) -> int:
        return self.first_row + self.stop - self.start - 1


def style_ids(ws: Worksheet, number_format: str = "General", **attrs: Any) -> tuple[int, int]:
    """A cell style registered with ``ws``'s workbook (a number format, and ``fill``,
    ``alignment``, ``font`` …), and its quote-prefixed twin: their ids for streamed cells."""
    probe = Cell(ws)
    probe.number_format = number_format
    for name, value in attrs.items():
        setattr(probe, name, value)
    wb = ws.parent
    twin = copy(probe._style)
    twin.quotePrefix = 1
    return wb._cell_styles.add(probe._style), wb._cell_styles.add(twin)


def stream_rows(ws: Worksheet, make: Callable[[int, int], pd.DataFrame], start: int, stop: int,
                first_row: int, columns: Sequence[str], styles: Sequence[int | dict[str, int]],
                quoted: Sequence[int]) -> None:
    """Have rows ``start`` to ``stop`` of the table ``make(start, stop)`` written into ``ws`` from
    row ``first_row`` when the workbook is written (:func:`write_workbook`). The sheet must have
    no cells of its own from ``first_row`` down. ``quoted``: each column's quote-prefixed style
    (:func:`style_ids`), for text a spreadsheet would run as a formula."""
    _STREAMED.setdefault(ws.parent, {})[ws.title] = _Stream(
        make, start, stop, first_row, list(columns), list(styles), list(quoted))


def stream_table(ws: Worksheet, frame: pd.DataFrame, first_row: int,
                 formats: dict[str, str]) -> int:
    """Write ``frame``'s rows from ``first_row`` (no header), number formats by column name;
    empty values make no cell. Returns the last row."""
    frame = frame.infer_objects()  # numbers with gaps (None) as numbers
    ids = [style_ids(ws, formats.get(name, "General")) for name in frame.columns]
    stream_rows(ws, lambda a, b: frame.iloc[a:b], 0, len(frame), first_row, list(frame.columns),
                [i for i, _ in ids], [q for _, q in ids])
    return first_row + len(frame) - 1


class _Strings:
    """The workbook's shared strings: each distinct text stored once, cells refer to it."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def ids(self, texts: Sequence[str]) -> np.ndarray:
        """The shared-string index of each text (-1 for the empty text: no cell)."""
        index = self.index
        return np.fromiter((-1 if t == "" else index.setdefault(t, len(index)) for t in texts),
                           dtype=np.int64, count=len(texts))

    def xml(self) -> bytes:
        texts = _xml_text(pa.array(list(self.index), type=pa.string()))
        items = _joined(pc.binary_join_element_wise('<si><t xml:space="preserve">', texts,
                                                    "</t></si>", ""))
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
                f'uniqueCount="{len(self.index)}">').encode() + bytes(items) + b"</sst>"


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _xml_text(arr: pa.Array) -> pa.Array:
    """Text as XML character data: no characters XML forbids, & < > escaped."""
    if pc.any(pc.match_substring_regex(arr, _ILLEGAL_XML)).as_py():
        arr = pc.replace_substring_regex(arr, _ILLEGAL_XML, "")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        arr = pc.replace_substring(arr, char, entity)
    return arr


#: What a cell is made of in a row's XML: literal text and arrays of per-row text, joined in order;
#: or a function that makes such pieces, called in the writing thread (:func:`_row_xml`).
_Piece: TypeAlias = "str | pa.Array | Callable[[], list[_Piece]]"


def _cells(col: pd.Series, style: int | dict[str, int], quoted: int, strings: _Strings,
           few: dict[str, bool], name: str,
           made_of: dict[str, tuple[pd.Index, pa.Array]]) -> list[_Piece]:
    """One column's cells, all rows at once, as pieces of the rows' XML: ``<c>`` elements
    (``<c/>`` for an empty cell) with no reference, each following the one before it in its row.

    Numbers as their shortest round-trip text, dates as serial days, text as shared strings (text
    a spreadsheet would run as a formula with the quote-prefixed style); the default style (0) is
    left out. A column of few distinct values (text, factor values, dates) has each value's cell
    made once and gathered onto the rows; ``few`` remembers which columns are (from the first
    chunk), ``made_of`` a coded column's cells by its categories (a chunk of a categorical column
    has all its categories: their cells are made for the first chunk only). ``style`` by text
    value when a dict (none: 0). Numbers cast to text and cells gathered onto rows are left to
    the writing threads (:func:`_row_xml`).
    """
    coded = isinstance(col.dtype, pd.CategoricalDtype)
    kind = "O" if coded else col.dtype.kind
    values = None
    codes: np.ndarray
    uniques: Any
    if kind == "M":  # dates: serial days since Excel's epoch
        days = col.to_numpy().astype("datetime64[D]")
        values = np.where(np.isnat(days), np.nan, (days - _EXCEL_EPOCH).astype(np.int64))
        kind = "f"
    elif kind in "iuf":
        values = col.to_numpy()
    if values is not None and isinstance(style, int):
        if few.get(name, True):  # unknown yet, or known to be few
            codes, uniques = pd.factorize(values)
            few[name] = len(uniques) * 8 <= len(values)
        if not few[name]:  # cast to text with the row's join, in the writing thread
            return [partial(_number_cells, values, kind == "f", style)]
        attr = f' s="{style}"' if style else ""
        text = pc.cast(pa.array(uniques), pa.string())
        cells = pc.binary_join_element_wise(f"<c{attr}><v>", text, "</v></c>", "")
        return [_Gathered(pa.concat_arrays([cells, pa.array(["<c/>"])]), codes)]
    else:
        if coded:  # few distinct texts: each looked up once
            codes, cats = col.cat.codes.to_numpy(), col.cat.categories
            known = made_of.get(name)
            if known is not None and (known[0] is cats or known[0].equals(cats)):
                return [_Gathered(known[1], codes)]
            texts = [str(t) for t in cats]
        else:
            codes, uniques = pd.factorize(col.astype(object).where(col.notna(), ""), sort=False)
            texts = [str(t) for t in uniques]
        made = []
        for i, t in zip(strings.ids(texts), texts, strict=True):
            st = (quoted if _FORMULA_LIKE.match(t) else style if isinstance(style, int)
                  else style.get(t, 0))
            made.append("<c/>" if i < 0 else f'<c s="{st}" t="s"><v>{i}</v></c>' if st
                        else f'<c t="s"><v>{i}</v></c>')
    made.append("<c/>")  # code -1: no value
    cells = pa.array(made, type=pa.string())
    if coded:
        made_of[name] = (col.cat.categories, cells)
    return [_Gathered(cells, codes)]


@dataclass(frozen=True)
class _Gathered:
    """A column's cells made once per distinct value (``cells``, the last one ``<c/>``) and
    each row's code into them (-1: the last); made into the rows' cells when called."""

    cells: pa.Array
    codes: np.ndarray

    def at(self) -> np.ndarray:
        """Each row's position in ``cells`` (int64: a category's codes may be int8)."""
        return np.where(self.codes >= 0, self.codes, len(self.cells) - 1).astype(np.int64)

    def __call__(self) -> list[_Piece]:
        return [pc.take(self.cells, pa.array(self.at()))]


def _fused(pieces: list[_Piece]) -> list[_Piece]:
    """Neighbouring gathered columns as one where their combinations are few (a factor's value,
    unit and id; a constant column beside another): each combination's cells joined once, one
    gather onto the rows instead of one per column. The XML is the same."""
    out: list[_Piece] = []
    for p in pieces:
        last = out[-1] if out else None
        if isinstance(p, _Gathered) and isinstance(last, _Gathered):
            a, b = last.at(), p.at()
            codes, pairs = pd.factorize(a * len(p.cells) + b)
            if len(pairs) * 8 <= len(codes):
                out[-1] = _Gathered(pc.binary_join_element_wise(
                    pc.take(last.cells, pa.array(pairs // len(p.cells))),
                    pc.take(p.cells, pa.array(pairs % len(p.cells))), ""), codes)
                continue
        out.append(p)
    return out


def _number_cells(values: np.ndarray, floats: bool, style: int) -> list[_Piece]:
    """The cells of a column of many distinct numbers: each as its shortest round-trip text."""
    text = pc.cast(pa.array(values, mask=~np.isfinite(values) if floats else None), pa.string())
    parts: list[_Piece] = [f'<c s="{style}"><v>' if style else "<c><v>", text, "</v></c>"]
    if text.null_count == 0:  # spliced straight into the row
        return parts
    return [pc.fill_null(pc.binary_join_element_wise(*parts, ""), "<c/>")]


def _joined(arr: pa.Array) -> memoryview:
    """The texts of a string array one after another, without copying them."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    return memoryview(data)[int(offsets[0]):int(offsets[-1])] if data is not None else memoryview(b"")


def _sheet_rows(stream: _Stream, strings: _Strings) -> Iterator[list[_Piece]]:
    """The ``<row>`` elements of a streamed sheet, in chunks, as the pieces :func:`_row_xml`
    joins."""
    for at in range(stream.start, stream.stop, _STREAM_CHUNK):
        part = stream.make(at, min(stream.stop, at + _STREAM_CHUNK))
        first = stream.first_row + at - stream.start
        rows = pc.cast(pa.array(np.arange(first, first + len(part), dtype=np.int64)), pa.string())
        pieces: list[_Piece] = ['<row r="', rows, '">']
        for name, style, quoted in zip(stream.columns, stream.styles, stream.quoted, strict=True):
            pieces += _cells(part[name], style, quoted, strings, stream.few, name,
                             stream.made_of)
        del part
        yield pieces


def _row_xml(pieces: list[_Piece]) -> memoryview:
    """A chunk's rows as XML: its deferred pieces made (:func:`_number_cells`), every piece
    joined row by row."""
    made: list[_Piece] = []
    for p in _fused(pieces):
        made += p() if callable(p) else [p]
    return _joined(pc.binary_join_element_wise(*_merged(made), "</row>", ""))


def _merged(pieces: list[_Piece]) -> list[_Piece]:
    """Neighbouring literal pieces as one."""
    out: list[_Piece] = []
    for p in pieces:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    return out


def _write_overlapped(out: IO[bytes], chunks: Iterator[list[_Piece]]) -> None:
    """Write a sheet's chunks in order while the next ones are made, in three stages that run
    at once: this thread builds each chunk's cells (pandas and the shared strings, in order: the
    same bytes every run); two threads cast its numbers to text and join its rows; one
    compresses and writes them (Arrow, zlib and ISA-L let go of the interpreter while they
    work). At most three chunks are in hand at a time."""
    with ThreadPoolExecutor(2) as make, ThreadPoolExecutor(1) as write:
        made: deque[Future[memoryview]] = deque()
        written: Future[int] | None = None

        def write_next() -> None:
            nonlocal written
            xml = made.popleft().result()
            if written is not None:
                written.result()
            written = write.submit(out.write, xml)

        for chunk in chunks:
            made.append(make.submit(_row_xml, chunk))
            if len(made) > 2:
                write_next()
        while made:
            write_next()
        if written is not None:
            written.result()


#: A streamed member larger than this may be written (zip64 is used for every streamed member
#: of a workbook this large; a small workbook keeps the plain zip format). [rows]
_ZIP64_ROWS = 100_000


def _fast_deflate(member: IO[bytes]) -> None:
    """Compress a zip member being written with ISA-L's deflate (level 1: about four times
    zlib's speed at level 1, and smaller): the same deflate stream any unzip reads. zipfile has
    no public way to choose its compressor, so its writer's is replaced before the first byte."""
    from isal import isal_zlib

    assert getattr(member, "_compressor", None) is not None, "zipfile's writer has changed"
    member._compressor = isal_zlib.compressobj(  # type: ignore[attr-defined]
        1, isal_zlib.DEFLATED, -isal_zlib.MAX_WBITS)


def write_workbook(wb: Workbook, fh: BinaryIO) -> None:
    """Write the workbook as an .xlsx file to ``fh``, the streamed sheets' rows written in.

    The sheets openpyxl holds are saved first (to memory: they are small); the streamed sheets'
    rows are then written straight into the file, a chunk at a time, so a million-row workbook
    never sits in memory whole, and their text last, as the workbook's shared strings. Beyond
    :data:`_ZIP64_ROWS` rows the streamed members are zip64 (an audit sheet of a million rows
    unpacks to gigabytes).
    """
    from carbon.io.xlsx import sheets

    buf = io.BytesIO()
    wb.save(buf)
    streams = _STREAMED.get(wb, {})
    if not streams:
        fh.write(buf.getvalue())
        return
    src = zipfile.ZipFile(buf)
    members = {info.member: streams[info.title] for info in sheets(src) if info.title in streams}
    strings = _Strings()
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                    f'ContentType="{_SST_TYPE}"/></Types>'.encode())
            elif item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", f'<Relationship Id="rIdCarbonStrings" '
                                    f'Type="{_SST_REL}" Target="sharedStrings.xml"/>'
                                    f"</Relationships>".encode())
            if item.filename not in members:
                dst.writestr(item, body)
                continue
            stream = members[item.filename]
            last = f"{get_column_letter(len(stream.columns))}{max(stream.last_row, 1)}"
            body = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}"'.encode(),
                          body, count=1)
            head, tail = re.split(rb"</sheetData>|<sheetData */>", body, maxsplit=1)
            if b"<sheetData>" not in head:  # the sheet had no cells: <sheetData />
                head += b"<sheetData>"
            # an empty row openpyxl wrote (a cell made and left empty) would come twice
            head = re.sub(rb'<row r="\d+"[^>]*?(?:/>|></row>)', b"", head)
            info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w", force_zip64=stream.stop - stream.start > _ZIP64_ROWS) as out:
                _fast_deflate(out)
                out.write(head)
                _write_overlapped(out, _sheet_rows(stream, strings))
                out.write(b"</sheetData>" + tail)
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=src.infolist()[0].date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        dst.writestr(info, strings.xml())


# -- reconciliation ------------------------------------------------------------------------------
def reconciliation_sheet(wb: Workbook, result: dict[str, Any], lang: str, index: int) -> None:
    """Each KPI figure beside the sum of its audit-trail column for the year (a SUMIFS formula
    over every audit-trail sheet) and their difference: the KPI sheet traced to the ledger rows.

    Added after :func:`neutralise_workbook`: its formulas are carbon's own and its text is the
    declarations' labels only.
    """
    audit = _audit_streams(wb)
    if not audit:
        return
    columns = next(iter(audit.values())).columns
    ws = wb.create_sheet("Reconciliation", index)
    ws["A1"] = label("recon_title", lang)
    ws["A1"].font = layout.TITLE_FONT
    ws["A2"] = label("recon_note", lang)
    ws["A2"].font = layout.NOTE_FONT
    heads = [label(k, lang) for k in ("year", "indicator", "unit", "recon_kpi", "recon_sum",
                                      "recon_difference")]
    layout.header(ws, 4, heads)
    year_col = get_column_letter(columns.index("year") + 1)
    units = result.get("units", {})
    r = 5
    for y, fig in result["years"].items():
        for m in metrics.METRICS:
            if m.key not in columns or metrics.value(fig, m.key) is None:
                continue
            col = get_column_letter(columns.index(m.key) + 1)
            sums = "+".join(
                f"SUMIFS('{title}'!${col}$2:${col}${st.last_row},"
                f"'{title}'!${year_col}$2:${year_col}${st.last_row},A{r})"
                for title, st in audit.items())
            fmt = layout.number_format(m.decimals)
            values = [int(y), m.label(lang).strip(), display_unit(units.get(m.key, m.unit)),
                      metrics.value(fig, m.key), f"={sums}", f"=D{r}-E{r}"]
            for j, v in enumerate(values, start=1):
                c = ws.cell(row=r, column=j, value=v)
                if j >= 4:
                    c.number_format = fmt
            r += 1
    layout.widths(ws, [8, 52, 10, 18, 18, 14])
    layout.fit_rows(ws, 4)
    ws.freeze_panes = "A5"
    layout.print_setup(ws, "4:4", lang=lang)
    wb.calculation.fullCalcOnLoad = True


# -- factors, warnings ---------------------------------------------------------------------------
def factors_sheet(ws: Worksheet, ledger: Ledger, sets: dict[str, FactorSet], lang: str) -> None:
    """Each factor set used (metadata and sha256), then every factor used."""
    ws["A1"] = label("sets_heading", lang)
    ws["A1"].font = layout.SECTION_FONT
    keys = ("id", "title", "issuer", "document_number", "published", "url", "data_year", "sha256")
    layout.header(ws, 2, [label(k, lang) for k in keys])
    r = 3
    for set_id, sha in ledger.factor_sets:
        m = sets[set_id].meta if set_id in sets else None
        vals = [set_id, (m.title + (f" / {m.title_en}" if m.title_en else "")) if m else "",
                m.issuer if m else "", m.document_number if m else "", m.published if m else "",
                m.url if m else "", m.data_year if m else None, sha]
        _put_row(ws, r, vals)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=label("factors_heading", lang)).font = layout.SECTION_FONT
    keys2 = ("id", "factor_set", "parameter", "subject", "region", "value", "unit", "reference",
             "verified", "note")
    factors_head = r + 1
    layout.header(ws, factors_head, [label(k, lang) for k in keys2])
    r += 2
    for fid, f in ledger.factors.items():
        if not isinstance(f, Factor):
            continue
        set_text = label("custom_set", lang) if f.set_id == "custom" else f.set_id
        _put_row(ws, r, [fid, set_text, f.parameter, f.subject, f.region, f.value, f.unit,
                         f.reference, "✓" if f.verified else "✗", f.note])
        r += 1
    layout.widths(ws, [44, 28, 18, 16, 14, 12, 14, 60, 10, 40])
    layout.fit_rows(ws, 2, factors_head)
    ws.freeze_panes = "B3"
    layout.print_setup(ws, None, landscape=True, lang=lang)


def warnings_sheet(ws: Worksheet, result: dict[str, Any], lang: str) -> None:
    """Every warning of the run (they do not block; each says what was assumed)."""
    layout.header(ws, 1, [label("code", lang), label("message", lang)])
    if not result["warnings"]:
        ws["B2"] = label("no_warnings", lang)
    for i, w in enumerate(result["warnings"], start=2):
        _put_row(ws, i, [w["code"], tr(w["message"], lang)])
        ws.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    layout.widths(ws, [22, 120])
    ws.freeze_panes = "A2"
    layout.print_setup(ws, "1:1", landscape=True, lang=lang)


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
    kpi_sheet(ws, result, lang, inv.settings.organisation,
              methodology.notes(inv, ledger, result, sets, lang))
    charts_sheet(wb.create_sheet("Charts"), result, lang)
    entity_sheet(wb.create_sheet("By entity"), result, lang)
    month_sheet(wb.create_sheet("By source and month"), ledger, result, lang)
    audit_sheets(wb, inv, ledger, lang)
    factors_sheet(wb.create_sheet("Factors used"), ledger, sets, lang)
    warnings_sheet(wb.create_sheet("Warnings"), result, lang)
    for add in extra_sheets:
        add(wb)
    neutralise_workbook(wb)
    # carbon's own formulas, written after every user text was neutralised
    reconciliation_sheet(wb, result, lang, wb.sheetnames.index("Factors used"))
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file's bytes, audit-trail rows included (small workbooks; a run
    writes with :func:`write_workbook` straight into its output file)."""
    buf = io.BytesIO()
    write_workbook(wb, buf)
    return buf.getvalue()
