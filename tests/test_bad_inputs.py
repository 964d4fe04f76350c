"""A corpus of bad workbooks, each built here: exit 2, the sheet and cell, the value, the fix.

Every case runs the real CLI with ``--out``: the output file must not exist afterwards, no
traceback may be printed, and every expected fragment must be in the problem report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
import xlwt

from carbon.io import xlsx
from tests.conftest import ACTIVITY_COLUMNS, activity_row, compute_json, make_inventory, run
from tests.xlsx_util import ROW, make_workbook, rewrite_member, sheet_member

D = dt.datetime


def _row(**change: object) -> list[object]:
    keys = ["entity_id", "period_start", "period_end", "source", "quantity", "unit"]
    return [change.get(k, v) for k, v in zip(keys, ROW, strict=True)]


def _xls(p: Path) -> Path:
    wb = xlwt.Workbook()
    ws = wb.add_sheet("activity")
    for i, key in enumerate(ACTIVITY_COLUMNS):
        ws.write(0, i, key)
    wb.save(str(p))
    return p


def _encrypted(p: Path) -> Path:
    plain = make_workbook(p.with_name("plain.xlsx"))
    with plain.open("rb") as fh:
        office = msoffcrypto.format.ooxml.OOXMLFile(fh)
        out = io.BytesIO()
        office.encrypt("secret", out)
    p.write_bytes(out.getvalue())
    return p


def _xlsb(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return p


def _docx(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return p


def _truncated(p: Path) -> Path:
    data = make_workbook(p.with_name("whole.xlsx")).read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _stated_rows(p: Path) -> Path:
    make_workbook(p)
    rewrite_member(p, sheet_member(p, "activity"),
                   lambda b: b.replace(b'<dimension ref="A1:F2"', b'<dimension ref="A1:F2000000"'))
    return p


def _formula(wb: openpyxl.Workbook) -> None:
    wb["activity"]["E3"] = "=SUM(E2:E2)"
    for col, v in zip("ABCDF", ["E1", D(2022, 2, 1), D(2022, 2, 28), "electricity", "kWh"],
                      strict=True):
        wb["activity"][f"{col}3"] = v


def _merged(wb: openpyxl.Workbook) -> None:
    ws = wb["activity"]
    ws.append(_row(period_start=D(2022, 3, 1)))
    ws.merge_cells("A3:B3")


def _error_value(wb: openpyxl.Workbook) -> None:
    wb["activity"]["E2"] = "#DIV/0!"


def _events(**cells: object) -> Callable[[openpyxl.Workbook], None]:
    """Give E1 the boundary columns F..J (included_from, included_to, entry, exit,
    existed_from)."""
    keys = ["included_from", "included_to", "entry", "exit", "existed_from"]

    def mutate(wb: openpyxl.Workbook) -> None:
        for col, key in zip("FGHIJ", keys, strict=True):
            wb["entities"][f"{col}1"] = key
            wb["entities"][f"{col}2"] = cells.get(key)
    return mutate


def _write(p: Path, data: bytes) -> Path:
    p.write_bytes(data)
    return p


# (id, builder(path) -> path, expected fragments)
Case = tuple[str, Callable[[Path], Path], list[str]]
CASES: list[Case] = [
    ("xls", _xls, ["[xls]", "Excel 97-2003", "save it as an Excel Workbook (.xlsx)"]),
    ("encrypted", _encrypted, ["[encrypted]", "password"]),
    ("xlsb", _xlsb, ["[xlsb]", "Binary Workbook"]),
    ("csv-renamed", lambda p: _write(p, b"entity_id,period_start\nE1,2024-01-01\n"),
     ["[csv_named_xlsx]", "text (CSV) file"]),
    ("gbk-csv-renamed", lambda p: _write(p, "单位编号,数量\nE1,1\n".encode("gb18030")),
     ["[csv_named_xlsx]"]),
    ("html-renamed", lambda p: _write(p, b"<html><table><tr><td>1</td></tr></table></html>"),
     ["[html]"]),
    ("truncated-zip", _truncated, ["[corrupt]", "damaged"]),
    ("random-bytes", lambda p: _write(p, bytes(range(256)) * 8), ["[corrupt]"]),
    ("empty-file", lambda p: _write(p, b""), ["[empty_file]"]),
    ("word-document", _docx, ["[not_a_workbook]", "Word document"]),
    ("stated-rows-beyond-limit", _stated_rows,
     ["[too_many_rows]", "activity!A2000000", "2,000,000 rows", "was not read"]),
    ("sheet-renamed", lambda p: make_workbook(
        p, mutate=lambda wb: setattr(wb["activity"], "title", "Activities")),
     ["[missing_sheet]", "no sheet 'activity'", "rename the sheet 'Activities' to activity"]),
    ("sheet-missing", lambda p: make_workbook(
        p, mutate=lambda wb: setattr(wb["entities"], "title", "Sheet9")),
     ["[missing_sheet]", "no sheet 'entities'", "add a sheet named entities"]),
    ("no-header-row", lambda p: make_workbook(p, activity_header=ROW, activity=[ROW]),
     ["[no_header]", "activity!A1", "row 1 must hold the headers"]),
    ("missing-header", lambda p: make_workbook(
        p, activity_header=[*ACTIVITY_COLUMNS[:4], "unit"], activity=[[*ROW[:4], "kWh"]]),
     ["[missing_column]", "activity!F1", "no column 'quantity'"]),
    ("duplicated-header", lambda p: make_workbook(
        p, activity_header=[*ACTIVITY_COLUMNS, "数量 Quantity (quantity)"], activity=[[*ROW, 5]]),
     ["[duplicate_column]", "activity!G1", "appears twice (also in column E)"]),
    ("data-without-header", lambda p: make_workbook(p, activity=[[*ROW, None, None, None, None, None,
                                                                  "stray"]]),
     ["[no_header]", "activity!L2", "'stray'", "has no header"]),
    ("formula-without-value", lambda p: make_workbook(p, mutate=_formula),
     ["[formula_without_value]", "activity!E3", "'=SUM(E2:E2)'", "save it"]),
    ("merged-cells", lambda p: make_workbook(p, mutate=_merged),
     ["[merged_cells]", "activity!A3", "'A3:B3'", "Unmerge"]),
    ("spreadsheet-error", lambda p: make_workbook(p, mutate=_error_value),
     ["[excel_error]", "activity!E2", "'#DIV/0!'"]),
    ("misplaced-separator", lambda p: make_workbook(p, activity=[_row(quantity="8,278,39")]),
     ["[not_a_number]", "activity!E2", "'8,278,39'"]),
    ("not-a-date", lambda p: make_workbook(p, activity=[_row(period_start="2024-13-01")]),
     ["[not_a_date]", "activity!B2", "'2024-13-01'"]),
    ("number-as-date", lambda p: make_workbook(p, activity=[_row(period_end=2024)]),
     ["[not_a_date]", "activity!C2", "'2024'"]),
    ("unknown-unit", lambda p: make_workbook(p, activity=[_row(unit="kwhh")]),
     ["[unknown_unit]", "activity!F2", "'kwhh'"]),
    ("wrong-dimension", lambda p: make_workbook(p, activity=[_row(unit="升")]),
     ["[wrong_dimension]", "activity!F2", "does not measure electricity"]),
    ("unknown-source", lambda p: make_workbook(p, activity=[_row(source="electricty")]),
     ["[unknown_source]", "activity!D2", "did you mean 'electricity'"]),
    ("unknown-entity", lambda p: make_workbook(p, activity=[_row(entity_id="E9")]),
     ["[unknown_entity]", "activity!A2", "'E9'"]),
    ("negative-quantity", lambda p: make_workbook(p, activity=[_row(quantity=-3)]),
     ["[negative]", "activity!E2"]),
    ("end-before-start", lambda p: make_workbook(
        p, activity=[_row(period_start=D(2022, 5, 1), period_end=D(2022, 4, 1))]),
     ["[end_before_start]", "activity!C2"]),
    ("required-blank", lambda p: make_workbook(p, activity=[_row(unit=None)]),
     ["[required]", "activity!F2"]),
    ("unknown-setting", lambda p: make_workbook(p, settings=[["organisation", "X"],
                                                             ["grid", "mee-grid-2022"]]),
     ["[bad_setting]", "settings!B3", "'grid'"]),
    ("bad-grid-level", lambda p: make_workbook(p, settings=[["电网因子层级 (grid_level)", "city"]]),
     ["[bad_setting]", "settings!B2", "'city'"]),
    ("bad-reporting-years", lambda p: make_workbook(p, settings=[["reporting_years", "last year"]]),
     ["[bad_setting]", "settings!B2"]),
    ("duplicate-entity", lambda p: make_workbook(
        p, entities=[("E1", "a", "", "", "山西"), ("E1", "b", "", "", "山西")]),
     ["[duplicate]", "entities!A3"]),
    ("unknown-province", lambda p: make_workbook(p, entities=[("E1", "a", "", "", "Atlantis")]),
     ["[unknown_province]", "entities!E2", "'Atlantis'"]),
    ("unknown-entry", lambda p: make_workbook(p, mutate=_events(
        included_from=D(2022, 4, 1), entry="bought")),
     ["[unknown_value]", "entities!H2", "'bought'", "acquisition, opening", "收购, 新设"]),
    ("unknown-exit", lambda p: make_workbook(p, mutate=_events(
        included_to=D(2022, 4, 1), exit="gone")),
     ["[unknown_value]", "entities!I2", "'gone'", "divestment, closure"]),
    ("entry-without-date", lambda p: make_workbook(p, mutate=_events(entry="收购")),
     ["[required]", "entities!F2", "entry is stated but included_from is blank"]),
    ("exit-without-date", lambda p: make_workbook(p, mutate=_events(exit="剥离")),
     ["[required]", "entities!G2", "exit is stated but included_to is blank"]),
    ("existed-from-of-an-opening", lambda p: make_workbook(p, mutate=_events(
        included_from=D(2022, 4, 1), entry="opening", existed_from=D(2021, 1, 1))),
     ["[not_applicable]", "entities!J2", "only dates an acquired or insourced unit"]),
    ("existed-after-acquisition", lambda p: make_workbook(p, mutate=_events(
        included_from=D(2022, 4, 1), entry="併購", existed_from=D(2022, 6, 1))),
     ["[end_before_start]", "entities!J2", "existed_from is after included_from"]),
    ("bad-denominator-year", lambda p: make_workbook(
        p, sheets={"denominators": [["entity_id", "year", "floor_area_m2"], ["E1", "22", 100]]}),
     ["[not_a_year]", "denominators!B2", "'22'"]),
    ("unknown-factor-kind", lambda p: make_workbook(
        p, sheets={"custom_factors": [["source", "year", "kind", "value", "unit", "reference"],
                                      ["diesel", None, "emision", 2.6, "kgCO2/L", "doc p.1"]]}),
     ["[unknown_kind]", "custom_factors!C2", "'emision'"]),
]


@pytest.mark.parametrize(("builder", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_workbook_exit_2_names_sheet_and_cell(tmp_path, builder, expected):
    path = builder(tmp_path / "inventory.xlsx")
    out = tmp_path / "out.json"
    result = run("compute", path, "--format", "json", "--out", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.stderr.split())
    for e in expected:
        assert e in text, f"{e!r} not in:\n{result.stderr}"
    assert "nothing was written" in text
    assert not out.exists()


def test_unpacked_size_beyond_limit_refused_before_reading(tmp_path, monkeypatch):
    path = make_workbook(tmp_path / "inv.xlsx")
    with zipfile.ZipFile(path) as zf:
        size = sum(i.file_size for i in zf.infolist())
    monkeypatch.setattr(xlsx, "MAX_UNPACKED_BYTES", size - 1)
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a))
    result = run("compute", path, "-f", "json")
    assert result.exit_code == 2 and "[too_large]" in result.stderr and "not read" in result.stderr
    assert opened == []


def test_rows_beyond_limit_found_while_reading_when_the_dimension_understates(tmp_path, monkeypatch):
    path = make_workbook(tmp_path / "inv.xlsx", activity=[ROW] * 30)
    rewrite_member(path, sheet_member(path, "activity"),
                   lambda b: b.replace(b'<dimension ref="A1:F31"', b'<dimension ref="A1"'))
    monkeypatch.setattr(xlsx, "MAX_ROWS", 20)
    result = run("compute", path, "-f", "json")
    assert result.exit_code == 2 and "[too_many_rows]" in result.stderr
    assert "activity!A21" in result.stderr


def test_a_single_csv_file_is_not_an_inventory(tmp_path):
    p = tmp_path / "activity.csv"
    p.write_text("entity_id\nE1\n", encoding="utf-8")
    result = run("compute", p)
    assert result.exit_code == 2 and "[not_an_inventory]" in result.stderr


def test_every_problem_of_the_workbook_in_one_report(tmp_path):
    def mutate(wb: openpyxl.Workbook) -> None:
        _formula(wb)
        ws = wb["activity"]
        ws.append(_row(quantity="abc"))
        ws.append(_row(period_start=D(2022, 3, 1)))
        ws.merge_cells("A5:B5")

    path = make_workbook(tmp_path / "inv.xlsx", mutate=mutate)
    result = run("compute", path)
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "3 problems" in text, text  # the merged cell's blank B5 is not reported again
    for cell in ("activity!E3", "activity!E4", "activity!A5"):
        assert cell in text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_errors_file_lists_sheet_cell_value_fix(tmp_path, suffix):
    path = make_workbook(tmp_path / "inv.xlsx", activity=[_row(unit="kwhh"), _row(quantity="x")])
    errors = tmp_path / f"problems{suffix}"
    result = run("compute", path, "--errors", errors)
    assert result.exit_code == 2
    if suffix == ".csv":
        rows = list(csv.DictReader(errors.read_text(encoding="utf-8-sig").splitlines()))
    else:
        ws = openpyxl.load_workbook(errors).active
        head, *body = [[c.value or "" for c in r] for r in ws.iter_rows()]
        rows = [dict(zip(head, r, strict=True)) for r in body]
    got = {(r["sheet"], r["cell"], r["value"], r["code"]) for r in rows}
    assert got == {("activity", "F2", "kwhh", "unknown_unit"), ("activity", "E3", "x", "not_a_number")}
    assert all(r["fix"] for r in rows)


def test_errors_file_keeps_formula_like_text_inert(tmp_path):
    path = make_workbook(tmp_path / "inv.xlsx", activity=[_row(unit="=1+1")])
    errors = tmp_path / "problems.xlsx"
    assert run("compute", path, "--errors", errors).exit_code == 2
    ws = openpyxl.load_workbook(errors).active
    values = [c for r in ws.iter_rows() for c in r if c.value == "=1+1"]
    assert values and all(c.data_type == "s" for c in values)


def test_errors_file_is_empty_on_success_and_never_an_input(tmp_path):
    path = make_workbook(tmp_path / "inv.xlsx")
    errors = tmp_path / "problems.csv"
    assert run("compute", path, "-f", "json", "--errors", errors).exit_code == 0
    assert errors.read_text(encoding="utf-8-sig").splitlines() == [
        "file,sheet,cell,row,column,value,code,problem,fix"]
    before = path.read_bytes()
    result = run("compute", path, "--errors", tmp_path / "inv.xlsx")
    assert result.exit_code == 2 and path.read_bytes() == before
    folder = make_inventory(tmp_path / "f", [["E1", "2022-01-01", "2022-12-31", "electricity", "x",
                                              "kWh"]])
    activity = (folder / "activity.csv").read_bytes()
    result = run("compute", folder, "--errors", folder / "activity.csv")
    assert result.exit_code == 2 and (folder / "activity.csv").read_bytes() == activity


def test_hidden_rows_are_counted_and_warned(tmp_path):
    def hide(wb: openpyxl.Workbook) -> None:
        wb["activity"].append(_row(period_start=D(2023, 1, 1), period_end=D(2023, 12, 31)))
        wb["activity"].row_dimensions[3].hidden = True

    path = make_workbook(tmp_path / "inv.xlsx", mutate=hide)
    result = run("compute", path, "-f", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    hidden = [w for w in out["warnings"] if w["code"] == "hidden_rows"]
    assert hidden and "1 hidden rows (3)" in hidden[0]["message"]
    assert out["years"]["2023"]["by_source"]["electricity"]["quantity"] == 100


def test_formulas_with_saved_values_pass_and_the_unsaved_one_is_named(tmp_path):
    """Formulas with saved results (numbers, and "" saved as t="str") are read; only the cell
    without one is reported, at its own address."""
    rows = [["E1", dt.datetime(2022, m, 1), dt.datetime(2022, m, 28), "electricity", 100, "kWh",
             "n"] for m in range(1, 13)]
    path = make_workbook(tmp_path / "inv.xlsx", activity=rows,
                         activity_header=[*ACTIVITY_COLUMNS, "note"])
    member = sheet_member(path, "activity")

    def edit(xml: bytes) -> bytes:
        # E2..E12 become formulas with saved values; G2 a formula saved as ""; E13 has none
        for r in range(2, 13):
            xml = re.sub(rb'(<c r="E%d"[^>]*>)<v>' % r, rb'\1<f>50+50</f><v>', xml)
        xml = re.sub(rb'<c r="G2"[^>]*>.*?</c>', rb'<c r="G2" t="str"><f>IF(1,"","")</f><v/></c>',
                     xml)
        return re.sub(rb'<c r="E13"([^>]*)><v>100</v></c>', rb'<c r="E13"\1><f>A1&lt;2</f></c>',
                      xml)

    rewrite_member(path, member, edit)
    result = run("compute", path)
    assert result.exit_code == 2
    text = result.output
    assert "activity!E13" in text and "=A1<2" in text
    assert text.count("[formula_without_value]") == 1


@pytest.mark.parametrize(("typed", "ok"), [("1 234.5", True), ("8 278 39", False),
                                           ("12 34", False)])
def test_spaces_group_thousands_under_the_comma_rule(tmp_path, typed, ok):
    inv = make_inventory(tmp_path / "inv", [activity_row(typed, "kWh")])
    result = run("compute", inv, "--format", "json")
    assert (result.exit_code == 0) is ok, result.output
    if ok:
        assert json.loads(result.stdout)["years"]["2022"]["energy_kwh"] == pytest.approx(1234.5)
    else:
        assert "[not_a_number]" in result.output


def test_a_decimal_number_in_a_date_cell_is_not_a_month(tmp_path):
    """2024.10 typed into a date cell is stored as the number 2024.1: not read as January."""
    rows = [["E1", 2024.1, dt.datetime(2024, 10, 31), "electricity", 100, "kWh"]]
    result = run("compute", make_workbook(tmp_path / "inv.xlsx", activity=rows))
    assert result.exit_code == 2 and "activity!B2" in result.output
    assert "[not_a_date]" in result.output


@pytest.mark.parametrize("fmt", ["mmm-yy", 'yyyy"年"m"月"', "yyyy-mm"])
def test_a_date_cell_shown_as_a_month_is_the_whole_month(tmp_path, fmt):
    """Excel stores 2024-03 typed into a cell as the date 2024-03-01 with a month-only format:
    read as the month, a December-January bill is shared by days like its CSV twin."""

    def month_format(wb: openpyxl.Workbook) -> None:
        for ref in ("B2", "C2"):
            wb["activity"][ref].number_format = fmt

    rows = [["E1", dt.datetime(2023, 12, 1), dt.datetime(2024, 1, 1), "electricity", 620, "kWh"]]
    path = make_workbook(tmp_path / "inv.xlsx", activity=rows, mutate=month_format)
    twin = make_inventory(tmp_path / "csv", [["E1", "2023-12", "2024-01", "electricity", 620,
                                              "kWh"]])
    from_book, from_csv = compute_json(path), compute_json(twin)
    assert from_book["years"]["2024"]["energy_kwh"] == pytest.approx(310)  # 31 of 62 days
    assert from_book["years"] == from_csv["years"]
