"""Presenting a restatement: a console table, plain text, and an Excel sheet.

``write_sheet(ws, result, lang)`` fills any openpyxl worksheet, so a larger workbook can carry a
Restatement sheet; ``to_xlsx(path, result)`` writes a workbook of its own.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from carbon import metrics
from carbon.report.labels import LANGS, label
from carbon.report.write import write_atomic

if TYPE_CHECKING:  # openpyxl loads only when a sheet is written
    from openpyxl.worksheet.worksheet import Worksheet

def metric_format(metric: str) -> tuple[str, int]:
    """A restated metric's unit and decimals, as declared (:mod:`carbon.metrics`)."""
    m = metrics.by_key()[metric]
    return metrics.display_unit(m.unit), m.decimals


COLUMNS = ("year", "metric", "unit", "before", "after", "delta", "delta_pct", "boundary",
           "activity", "factors")


def word(key: str, lang: str) -> str:
    return label(f"restate_{key}", lang)


def metric_label(metric: str, lang: str) -> str:
    return metrics.by_key()[metric].short_label(lang)


def _fmt(v: float | None, digits: int, sign: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v:+,.{digits}f}" if sign else f"{v:,.{digits}f}"


def table(result: dict[str, Any], title: str = "") -> Table:
    """Every year and metric: before, after, change and its three parts."""
    t = Table(title=Text(title or word("title", "en")), box=box.SIMPLE_HEAVY,
              title_justify="left")
    for key in COLUMNS:
        t.add_column(word(key, "en"), justify="left" if key in ("year", "metric", "unit")
                     else "right", no_wrap=key == "metric")
    shown = _shown(result)
    for year, figs in result["years"].items():
        for metric, f in figs.items():
            if metric not in shown:
                continue
            unit, d = metric_format(metric)
            a = f["attribution"]
            t.add_row(year, metric_label(metric, "en"), unit, _fmt(f["before"], d),
                      _fmt(f["after"], d), _fmt(f["delta"], d, True),
                      _fmt(f["delta_pct"], 2, True), _fmt(a["boundary"], d, True),
                      _fmt(a["activity"], d, True), _fmt(a["factors"], d, True))
        t.add_section()
    return t


def _shown(result: dict[str, Any]) -> set[str]:
    """The restated metrics with a figure on either side in some year."""
    return {m for figs in result["years"].values() for m, f in figs.items()
            if f["before"] or f["after"]}


def _summary(result: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    change = result["notes"]["base_year_change"]
    scope = result.get("threshold_scope", "location")
    gross = [(word("gross", lang), _fmt(change["gross_pct"], 2))]
    if scope == "each_scope":
        gross = [(f"{word('gross', lang)} — {metric_label(m, lang)}", _fmt(c["gross_pct"], 2))
                 for m, c in result["notes"]["base_year_changes"].items()]
    return [(word("base_year", lang), str(result["base_year"])),
            (word("threshold", lang), f"{result['threshold_pct']:g}"),
            (word("threshold_scope", lang), word(f"scope_{scope}", lang)),
            *gross,
            (word("required", lang),
             word("yes" if result["recalculation_required"] else "no", lang))]


def print_restatement(result: dict[str, Any], console: Console, title: str = "") -> None:
    """The table, the base-year verdict, the published comparison, the disclosure drafts and the
    warnings of both inventories."""
    console.print(table(result, title))
    for name, value in _summary(result, "en"):
        console.print(Text(f"{name}: {value}"))
    notes = result["notes"]
    if "published" in notes:
        console.print(Text(word("published", "en"), style="bold"))
        p = Table(box=box.SIMPLE)
        for key in ("year", "metric", "published_value", "recomputed", "residual", "explained"):
            p.add_column(word(key, "en"), justify="right" if key not in ("metric",) else "left")
        for r in notes["published"]:
            d = metric_format(r["metric"])[1]
            p.add_row(str(r["year"]), r["metric"], _fmt(r["published"], d),
                      _fmt(r["recomputed"], d), _fmt(r["residual"], d, True),
                      word("yes" if r["within_rounding"] else "no", "en"))
        console.print(p)
    console.print(Text(word("disclosure", "en"), style="bold"))
    for lang in LANGS:
        console.print(Text(f"[{lang}] {notes['disclosure'][lang]}"), soft_wrap=True)
    for side in ("restate", "before", "after"):
        for w in notes["warnings"].get(side, []):
            console.print(Text(f"  • {side}: {w['message']} [{w['code']}]"))


def render_text(result: dict[str, Any], title: str = "") -> str:
    """The console output as plain text (``--out FILE.txt``)."""
    console = Console(record=True, width=160, file=io.StringIO())
    print_restatement(result, console, title)
    return console.export_text()


def write_sheet(ws: Worksheet, result: dict[str, Any], lang: str = "en") -> None:
    """Fill a worksheet with the restatement: a summary, one row per year and metric (numbers at
    full precision, formatted for reading), the published comparison and the disclosure draft.

    Parameters
    ----------
    ws : Worksheet
        An empty openpyxl worksheet.
    result : dict
        :func:`carbon.restatement.restate`'s result.
    lang : {"en", "zh-Hans", "zh-Hant"}
        Language of the labels and of the disclosure text.
    """
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    ws.append([word("title", lang)])
    ws["A1"].font = Font(bold=True, size=13)
    for name, value in _summary(result, lang):
        ws.append([name, value])
    ws.append([])
    ws.append([word(k, lang) for k in COLUMNS])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = bold
    shown = _shown(result)
    for year, figs in result["years"].items():
        for metric, f in figs.items():
            if metric not in shown:
                continue
            unit, d = metric_format(metric)
            a = f["attribution"]
            ws.append([int(year), metric_label(metric, lang), unit, f["before"], f["after"],
                       f["delta"], f["delta_pct"], a["boundary"], a["activity"], a["factors"]])
            fmt = "#,##0" if d == 0 else "#,##0." + "0" * d
            for cell in ws[ws.max_row][3:]:
                cell.number_format = fmt
            ws.cell(ws.max_row, 7).number_format = "+0.00;-0.00;0.00"
    ws.freeze_panes = ws.cell(header + 1, 3)
    notes = result["notes"]
    if "published" in notes:
        ws.append([])
        ws.append([word("published", lang)])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([word(k, lang) for k in ("year", "metric", "published_value", "recomputed",
                                            "residual", "explained")])
        for r in notes["published"]:
            ws.append([r["year"], metric_label(r["metric"], lang), r["published"],
                       r["recomputed"], r["residual"],
                       word("yes" if r["within_rounding"] else "no", lang)])
    ws.append([])
    ws.append([word("disclosure", lang)])
    ws.cell(ws.max_row, 1).font = bold
    ws.append([notes["disclosure"][lang]])
    ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                   end_column=len(COLUMNS))
    text = notes["disclosure"][lang]
    wide = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns
    ws.row_dimensions[ws.max_row].height = max(120, 15 * (wide // 140 + 2))  # the merged width
    for letter, width in zip("ABCDEFGHIJ", (12, 34, 8, 16, 16, 14, 11, 14, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width


def to_xlsx(path: Path, result: dict[str, Any], lang: str = "en",
            inputs: tuple[Path, ...] = ()) -> None:
    """Write the restatement as a workbook of one sheet, atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = word("sheet", lang)
    write_sheet(ws, result, lang)
    from carbon.report.workbook import neutralise_workbook

    neutralise_workbook(wb)  # text a spreadsheet would run stays text, shown as typed
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue(), inputs)
