"""How carbon's sheets look and print: header rows, column widths from their content, page setup.

One place for every workbook carbon writes (the report, the restatement, the template, the
coverage and status sheets): A4 (A3 for the wide audit trail), headers repeated on every page,
the file name, the date and "page n of m" in the page margins, columns wide enough for every
number they show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon.i18n import text_width

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
SECTION_FONT = Font(bold=True, color="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")

#: "page n of m" in each language (Excel's page-margin codes &P and &N).
_PAGE = {"zh-Hans": "第 &P 页，共 &N 页", "zh-Hant": "第 &P 頁，共 &N 頁", "en": "Page &P of &N"}


def clean(value: Any) -> Any:
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


def number_format(decimals: int) -> str:
    """A figure's number format: thousands grouped, ``decimals`` places."""
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


_DECIMALS = re.compile(r"0\.(0+)")


def shown(value: Any, fmt: str = "General") -> str:
    """A cell's value as a spreadsheet shows it under its number format (grouping and decimals
    of ``#,##0.00``-style formats; dates as yyyy-mm-dd; General numbers as Excel's up to 11
    characters)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        if "%" in fmt:
            return f"{value * 100:.2f}%"
        m = _DECIMALS.search(fmt)
        places = len(m.group(1)) if m else 0
        if fmt == "General":
            text = f"{value:.10g}"
            return text if len(text) <= 11 else f"{value:.5g}"
        sign = "+" if fmt.startswith("+") and value > 0 else ""
        return sign + (f"{value:,.{places}f}" if "," in fmt else f"{value:.{places}f}")
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    return str(value)


def header(ws: Worksheet, row: int, names: Sequence[str | None], col: int = 1) -> None:
    """A bold, filled, wrapped header row."""
    for i, name in enumerate(names):
        c = ws.cell(row=row, column=col + i, value=clean(name))
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")


def widths(ws: Worksheet, values: Sequence[float], col: int = 1) -> None:
    for i, w in enumerate(values):
        ws.column_dimensions[get_column_letter(col + i)].width = w


def autofit(ws: Worksheet, skip_rows: Iterable[int] = (), minimum: float = 6,
            maximum: float = 60) -> None:
    """Each column as wide as the widest value it shows (numbers as formatted, wrapped header
    rows by their longest word), between ``minimum`` and ``maximum``; cells that span merged
    ranges are left out."""
    merged = {(r, c) for rng in ws.merged_cells.ranges
              for r in range(rng.min_row, rng.max_row + 1)
              for c in range(rng.min_col, rng.max_col + 1)}
    skip = set(skip_rows)
    need: dict[int, float] = {}
    for (r, c), cell in ws._cells.items():  # the cells that exist
        if (r, c) in merged or cell.value is None:
            continue
        text = shown(cell.value, cell.number_format)
        wrapped = cell.alignment is not None and bool(cell.alignment.wrap_text)
        w: float = (max((text_width(t) for t in text.split()), default=0) if r in skip or wrapped
                    else text_width(text))
        if cell.font is not None and cell.font.b:
            w *= 1.1
        need[c] = max(need.get(c, 0), w + 2)
    for c, w in need.items():
        ws.column_dimensions[get_column_letter(c)].width = max(minimum, min(maximum, w))


def fit_rows(ws: Worksheet, *rows: int) -> None:
    """Make wrapped rows tall enough for their text (spreadsheets do not grow them when printing a
    file they did not lay out)."""
    for r in rows:
        lines = 1
        for c in ws[r]:
            if isinstance(c.value, str):
                width = ws.column_dimensions[c.column_letter].width or 10
                lines = max(lines, math.ceil(text_width(c.value) * 1.15 / max(width - 1, 1)))
        ws.row_dimensions[r].height = 15 * lines


def tall_enough(ws: Worksheet, row: int, text: str, width: float) -> None:
    """The height of a row whose one wrapped (merged) cell, ``width`` columns wide, holds
    ``text``."""
    lines = sum(max(1, math.ceil(text_width(part) * 1.1 / max(width - 2, 1)))
                for part in text.split("\n"))
    ws.row_dimensions[row].height = 15 * lines + 4


def print_setup(ws: Worksheet, title_rows: str | None = None, *, landscape: bool = False,
                lang: str = "en", a3: bool = False, title_cols: str | None = None,
                fit_width: bool = True) -> None:
    """Page setup of a sheet: A4 (A3 for very wide sheets), the sheet fitted to the page width
    (as many pages down as it takes) unless ``fit_width`` is false, ``title_rows`` (and
    ``title_cols``) repeated on every page, the file name and the date in the header, "page n of
    m" in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if a3 else ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.left.text = "&F"
    ws.oddHeader.left.size = 8
    ws.oddHeader.right.text = "&D"
    ws.oddHeader.right.size = 8
    ws.oddFooter.center.text = _PAGE.get(lang, _PAGE["en"])
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "&A"
    ws.oddFooter.right.size = 8
