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
from carbon.i18n import _, language, tr
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
    """Every year and metric: before, after, change and its three parts (in the current
    language)."""
    lang = language()
    t = Table(title=Text(title or word("title", lang)), box=box.SIMPLE_HEAVY,
              title_justify="left")
    for key in COLUMNS:
        t.add_column(word(key, lang), justify="left" if key in ("year", "metric", "unit")
                     else "right", no_wrap=key == "metric")
    shown = _shown(result)
    for year, figs in result["years"].items():
        for metric, f in figs.items():
            if metric not in shown:
                continue
            unit, d = metric_format(metric)
            a = f["attribution"]
            t.add_row(year, metric_label(metric, lang), unit, _fmt(f["before"], d),
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
    warnings of both inventories (in the current language; the disclosure in every one)."""
    lang = language()
    sep = ": " if lang == "en" else "："
    console.print(table(result, title))
    for name, value in _summary(result, lang):
        console.print(Text(f"{name}{sep}{value}"))
    notes = result["notes"]
    if "published" in notes:
        console.print(Text(word("published", lang), style="bold"))
        p = Table(box=box.SIMPLE)
        for key in ("year", "metric", "published_value", "recomputed", "residual", "explained"):
            p.add_column(word(key, lang), justify="right" if key not in ("metric",) else "left")
        for r in notes["published"]:
            d = metric_format(r["metric"])[1]
            p.add_row(str(r["year"]), r["metric"], _fmt(r["published"], d),
                      _fmt(r["recomputed"], d), _fmt(r["residual"], d, True),
                      word("yes" if r["within_rounding"] else "no", lang))
        console.print(p)
    console.print(Text(word("disclosure", lang), style="bold"))
    for each in LANGS:
        console.print(Text(f"[{each}] {notes['disclosure'][each]}"), soft_wrap=True)
    sides = {"restate": _("restate"), "before": _("before"), "after": _("after")}
    for side in ("restate", "before", "after"):
        for w in notes["warnings"].get(side, []):
            console.print(Text(f"  • {tr(sides[side])}{sep}{tr(w['message'])} [{w['code']}]"))


def render_text(result: dict[str, Any], title: str = "") -> str:
    """The console output as plain text (``--out FILE.txt``)."""
    console = Console(record=True, width=160, file=io.StringIO())
    print_restatement(result, console, title)
    return console.export_text()


def _change_of(entity: str, boundary: dict[str, Any], lang: str) -> tuple[str, str]:
    """What happened to an entity's boundary, and the rule (structural or organic)."""
    for e in boundary["events"]:
        if e["entity_id"] == entity:
            name = e["event"].replace("_", " ")
            return f"{name} ({e['date']})", word(e["rule"], lang)
    if entity in boundary["added"]:
        return word("added", lang), word("structural", lang)
    if entity in boundary["removed"]:
        return word("removed", lang), word("structural", lang)
    return word("window", lang), word("structural", lang)


#: Column widths of the restatement sheet: year, metric, unit, then the seven figures.
_WIDTHS = (7, 44, 9, 15, 15, 15, 11, 15, 15, 15)


def write_sheet(ws: Worksheet, result: dict[str, Any], lang: str = "en") -> None:
    """Fill a worksheet with the restatement, laid out to print on A4 landscape: a summary and
    one row per year and metric (numbers at full precision, formatted for reading; the KPI
    sheet's terms). :func:`write_notes` gives what goes beside it.

    Parameters
    ----------
    ws : Worksheet
        An empty openpyxl worksheet.
    result : dict
        :func:`carbon.restatement.restate`'s result.
    lang : {"en", "zh-Hans", "zh-Hant"}
        Language of the labels and of the disclosure text.
    """
    from openpyxl.styles import Alignment

    from carbon.report import layout

    def label_row(text: str, value: Any, fmt: str = "General") -> None:
        ws.append([text, None, None, value])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 4).number_format = fmt
        if isinstance(value, str):  # a text value spans the figures' columns
            ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=7)

    ws.append([word("title", lang)])
    ws["A1"].font = layout.TITLE_FONT
    change = result["notes"]["base_year_change"]
    scope = result.get("threshold_scope", "location")
    label_row(word("base_year", lang), int(result["base_year"]), "0")
    label_row(word("threshold", lang), float(result["threshold_pct"]), "0.00")
    label_row(word("threshold_scope", lang), word(f"scope_{scope}", lang))
    if scope == "each_scope":
        for m, c in result["notes"]["base_year_changes"].items():
            label_row(f"{word('gross', lang)} — {metric_label(m, lang)}", c["gross_pct"], "0.00")
    else:
        label_row(word("gross", lang), change["gross_pct"], "0.00")
    label_row(word("required", lang),
              word("yes" if result["recalculation_required"] else "no", lang))
    ws.append([])
    layout.header(ws, ws.max_row + 1, [word(k, lang) for k in COLUMNS])
    head = ws.max_row
    for c in ws[head][3:]:
        c.alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
    shown = _shown(result)
    for year, figs in result["years"].items():
        for metric, f in figs.items():
            if metric not in shown:
                continue
            unit, d = metric_format(metric)
            a = f["attribution"]
            ws.append([int(year), metrics.by_key()[metric].label(lang).strip(), unit,
                       f["before"], f["after"], f["delta"], f["delta_pct"], a["boundary"],
                       a["activity"], a["factors"]])
            for cell in ws[ws.max_row][3:]:
                cell.number_format = layout.number_format(d)
            ws.cell(ws.max_row, 6).number_format = "+" + layout.number_format(d)
            ws.cell(ws.max_row, 7).number_format = "+0.00;-0.00;0.00"
    layout.widths(ws, _WIDTHS)
    layout.fit_rows(ws, head)
    ws.freeze_panes = ws.cell(head + 1, 3)
    layout.print_setup(ws, f"{head}:{head}", landscape=True, lang=lang)


def write_notes(ws: Worksheet, result: dict[str, Any], lang: str = "en") -> None:
    """Fill a worksheet with what the restatement says beside its table: the boundary changes
    entity by entity with their attribution, the published comparison, and the disclosure draft
    (on one A4 landscape page)."""
    from openpyxl.styles import Alignment

    from carbon.report import layout

    ncol = len(COLUMNS)

    def section(text: str) -> None:
        if ws.max_row > 1:
            ws.append([])
        ws.append([text])
        ws.cell(ws.max_row, 1).font = layout.SECTION_FONT

    notes = result["notes"]
    boundary = notes["boundary"]
    section(word("disclosure", lang))
    text = notes["disclosure"][lang]
    ws.append([text])
    r = ws.max_row
    ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    layout.tall_enough(ws, r, text, sum(_WIDTHS))
    if boundary["by_entity_year_tco2e"]:
        section(word("changes", lang))
        layout.header(ws, ws.max_row + 1, [word("year", lang), word("entity", lang),
                                           word("unit", lang), word("boundary", lang),
                                           word("change", lang), None, None,
                                           word("rule", lang)])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=7)
        names = boundary.get("names", {})
        for e in boundary["by_entity_year_tco2e"]:
            what, rule = _change_of(e["entity_id"], boundary, lang)
            name = names.get(e["entity_id"], "")
            ws.append([e["year"], f"{e['entity_id']} {name}".strip(), "tCO2e", e["boundary"],
                       what, None, None, rule])
            r = ws.max_row
            ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=7)
            ws.cell(r, 4).number_format = "+#,##0.00"
    if "published" in notes:
        section(word("published", lang))
        layout.header(ws, ws.max_row + 1, [word(k, lang) for k in (
            "year", "metric", "unit", "published_value", "recomputed", "residual", "explained")])
        for p in notes["published"]:
            unit, d = metric_format(p["metric"])
            ws.append([p["year"], metrics.by_key()[p["metric"]].label(lang).strip(), unit,
                       p["published"], p["recomputed"], p["residual"],
                       word("yes" if p["within_rounding"] else "no", lang)])
            for c in ws[ws.max_row][3:6]:
                c.number_format = layout.number_format(max(d, 2))
    layout.widths(ws, _WIDTHS)
    layout.print_setup(ws, None, landscape=True, lang=lang)


def to_xlsx(path: Path, result: dict[str, Any], lang: str = "en",
            inputs: tuple[Path, ...] = ()) -> None:
    """Write the restatement as a workbook of one sheet, atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = word("sheet", lang)
    write_sheet(ws, result, lang)
    write_notes(wb.create_sheet(word("notes", lang)), result, lang)
    wb.properties.creator = "carbon"
    from carbon.report.workbook import neutralise_workbook

    neutralise_workbook(wb)  # text a spreadsheet would run stays text, shown as typed
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue(), inputs)
