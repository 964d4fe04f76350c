"""The Excel template: committed copies are current, drop-downs are there, and a filled template
computes to exactly the figures of the same data as a CSV folder."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import carbon
from carbon import vocab
from carbon.io.xlsx import SheetInfo, find_sheet
from carbon.report.template import LANGS, build_template, column_help, example_rows
from carbon.schema import (
    DATA_QUALITY,
    ENTRIES,
    ENTRY_EVENTS,
    EXIT_EVENTS,
    EXITS,
    INSTRUMENTS,
    TABLES,
    TECHNOLOGIES,
    USES,
    UTILITIES,
    header_key,
)
from tests.conftest import ROOT, compute_json, run, write_csv
from tests.xlsx_util import sheet

COMMITTED = {"zh-Hans": ROOT / "inputs" / "template.xlsx",
             "zh-Hant": ROOT / "inputs" / "template.zh-Hant.xlsx",
             "en": ROOT / "inputs" / "template.en.xlsx"}


@pytest.mark.parametrize("lang", LANGS)
def test_committed_template_is_current(lang):
    fresh = build_template(lang)
    assert COMMITTED[lang].read_bytes() == fresh, (
        f"{COMMITTED[lang].name} is stale: regenerate it with "
        f"carbon template --lang {lang} -o {COMMITTED[lang].relative_to(ROOT)}")


def test_template_bytes_are_deterministic():
    assert build_template("en", [2022, 2023]) == build_template("en", [2022, 2023])
    assert build_template("en", [2022, 2023]) != build_template("en", [2023, 2024])


def _wb(lang: str, years: list[int] | None = None) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_template(lang, years)))


def _list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    ref = formula.lstrip("=").split("!")[1].replace("$", "")
    return [c.value for row in wb["lists"][ref] for c in row if c.value is not None]


@pytest.mark.parametrize("lang", LANGS)
def test_headers_show_label_and_key_and_sheets_are_laid_out(lang):
    wb = _wb(lang)
    assert wb["lists"].sheet_state == "hidden"
    for name, spec in TABLES.items():
        ws = sheet(wb, name)
        assert ws.title == (name if lang == "en" else f"{ws.title.split(' ')[0]} ({name})")
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1]]
        assert [header_key(h, spec) for h in headers] == list(spec.keys)
        assert all(h.endswith(f"({c.key})") for h, c in zip(headers, spec.columns, strict=True))
        if lang != "en":
            assert all(c.label(lang) in h for h, c in zip(headers, spec.columns, strict=True))
        assert ws.max_row == 1  # nothing in the input area to be counted by mistake
    act = sheet(wb, "activity")
    assert act.column_dimensions["B"].number_format == "@"  # as typed: 2024-02 stays a month
    assert act.column_dimensions["E"].number_format == "#,##0.00"
    assert act.column_dimensions["E"].width >= 14


@pytest.mark.parametrize("lang", LANGS)
def test_drop_downs_are_present_and_come_from_the_vocabulary(lang):
    wb = _wb(lang)
    lists: dict[tuple[str, str], list[str]] = {}
    formulas: dict[tuple[str, str], str] = {}
    for name in ("activity", "entities", "custom_factors", "settings", "denominators"):
        for dv in sheet(wb, name).data_validations.dataValidation:
            if dv.type == "list":
                col = str(dv.sqref).split(":")[0].rstrip("0123456789")
                if dv.formula1.startswith("=INDIRECT("):
                    formulas[(name, col)] = dv.formula1
                else:
                    lists[(name, col)] = _list_values(wb, dv.formula1)
    sources = lists[("activity", "D")]
    assert {vocab.source_key(s) for s in sources} == set(vocab.sources())
    # the unit drop-down follows the row's source: each source's units, by a workbook name
    assert formulas[("activity", "F")].startswith('=INDIRECT("units_"&INDEX(')
    electricity = _list_values(wb, wb.defined_names["units_electricity"].attr_text)
    assert {"kWh", "度", "万千瓦时", "兆瓦时"} <= set(electricity) and "吨" not in electricity
    gas = _list_values(wb, wb.defined_names["units_natural_gas"].attr_text)
    assert {"m3", "立方米", "万立方米", "t", "GJ"} <= set(gas) and "个" not in gas
    water = _list_values(wb, wb.defined_names["units_water"].attr_text)
    assert "立方米" in water and "吨" not in water  # a volume: 吨 on a water bill is refused
    # entity ids from the entities sheet, wherever a row names an entity
    ids = f"'{sheet(wb, 'entities').title}'!$A$2:$A$"
    assert all(str(sheet(wb, t).data_validations.dataValidation[0].formula1).startswith(f"={ids}")
               for t in ("activity", "denominators"))
    # choices in the template's language, each read back as its canonical value
    for col, table in (("H", USES), ("I", TECHNOLOGIES), ("K", DATA_QUALITY)):
        assert [table[vocab.fold(v)] for v in lists[("activity", col)]] == list(
            dict.fromkeys(table.values()) if col != "H" else ["stationary", "mobile"])
    assert [INSTRUMENTS.get(vocab.fold(v), v) for v in lists[("activity", "J")]] == [
        "gec", "green_power"]
    if lang != "en":
        assert lists[("activity", "H")][0] == "固定" and lists[("activity", "K")][0] in (
            "实测", "實測")
    assert {vocab.province_key(p) for p in lists[("entities", "E")]} == set(vocab.provinces())
    assert [UTILITIES[vocab.fold(v)] for v in lists[("entities", "F")]] == ["clp", "hk_electric"]
    # entry and exit, in the template's language, each read back as its canonical event
    for col, spellings, events in (("I", ENTRIES, ENTRY_EVENTS), ("J", EXITS, EXIT_EVENTS)):
        assert [spellings[vocab.fold(v)] for v in lists[("entities", col)]] == list(events)
    if lang == "zh-Hans":
        assert lists[("entities", "I")][:2] == ["收购", "新设"]
    assert "emission" in lists[("custom_factors", "C")]
    settings = [_list_values(wb, dv.formula1) for dv in sheet(wb, "settings").data_validations.dataValidation
                if dv.type == "list"]
    assert ["national", "regional", "provincial"] in settings


def _site_data() -> tuple[list[list[Any]], list[list[Any]]]:
    """Two sites × 12 months of electricity and gas, as typed in a sheet and as clean CSV.

    The sheet rows use what people type: text numbers with separators, full-width digits,
    Chinese and slash dates, a month for a whole month, trailing spaces, Chinese sources and units.
    """
    typed, clean = [], []
    for s, site in enumerate(("S1", "S2")):
        for m in range(1, 13):
            start = dt.date(2024, m, 1)
            end = dt.date(2024 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
            kwh = 41234.5 + 1000.25 * m + 7 * s
            gas = 812.75 + m + s
            forms = m % 4
            typed_start: Any = (dt.datetime(2024, m, 1) if forms == 0 else f"2024-{m:02d}" if forms == 1
                                else f"2024年{m}月1日" if forms == 2 else f"2024/{m}/1")
            typed_end: Any = (dt.datetime(end.year, end.month, end.day) if forms == 0
                              else f"2024-{m:02d}" if forms == 1
                              else f"{end.year}年{end.month}月{end.day}日" if forms == 2
                              else f"{end.year}/{end.month}/{end.day} ")
            typed_kwh: Any = (kwh if forms < 2 else f"{kwh:,.2f}" if forms == 2
                              else str(kwh).translate(str.maketrans("0123456789.", "０１２３４５６７８９．")))
            typed.append([site, typed_start, typed_end, "电力 ", typed_kwh, "度"])
            typed.append([site, typed_start, typed_end, "天然氣", gas, "立方米"])
            clean.append([site, start.isoformat(), end.isoformat(), "electricity", repr(kwh), "kWh"])
            clean.append([site, start.isoformat(), end.isoformat(), "natural_gas", repr(gas), "m3"])
    return typed, clean


def _key_row(ws: Any, key: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value).endswith(f"({key})"))


@pytest.mark.parametrize("lang", LANGS)
def test_filled_template_computes_like_the_csv_folder(tmp_path, lang):
    typed, clean = _site_data()
    entities = [["S1", "Site 1", "", "office", "山西省", "", ""],
                ["S2", "Site 2", "S1", "branch", "Guangdong", "", ""]]
    denominators = [["S1", 2024, 12000.5, 300], ["S2", 2024, 800, 21]]
    wb = _wb(lang, [2024])
    for r in entities:
        sheet(wb, "entities").append(r)
    for r in denominators:
        sheet(wb, "denominators").append(r)
    act = sheet(wb, "activity")
    for i, r in enumerate(typed):
        act.append(r)
        if i == 5:
            act.append([])  # a blank row: skipped, not an error
    st = sheet(wb, "settings")
    st.cell(_key_row(st, "organisation"), 2, "Test Org")
    st.cell(_key_row(st, "grid_level"), 2, "provincial")
    book = tmp_path / "inventory.xlsx"
    wb.save(book)

    folder = tmp_path / "csv"
    folder.mkdir()
    write_csv(folder / "entities.csv", list(TABLES["entities"].keys[:7]), entities)
    write_csv(folder / "denominators.csv", list(TABLES["denominators"].keys), denominators)
    write_csv(folder / "activity.csv", list(TABLES["activity"].keys[:6]), clean)
    (folder / "settings.toml").write_text('organisation = "Test Org"\nreporting_years = [2024]\n'
                                          'grid_level = "provincial"\n', encoding="utf-8")

    from_book = compute_json(book)
    from_csv = compute_json(folder)
    assert from_book["years"] == from_csv["years"]
    assert from_book["by_entity"] == from_csv["by_entity"]
    assert [w["code"] for w in from_book["warnings"]] == [w["code"] for w in from_csv["warnings"]]
    y = from_book["years"]["2024"]
    assert y["by_source"]["electricity"]["quantity"] == pytest.approx(
        sum(float(r[4]) for r in clean if r[3] == "electricity"))
    assert y["floor_area_m2"] == 12800.5


@pytest.mark.parametrize("lang", LANGS)
def test_worked_examples_are_valid_input(tmp_path, lang):
    """The examples sheet is never read, but its rows copied into the input sheets compute."""
    wb = _wb(lang)
    examples = wb.worksheets[-2]
    assert examples.title.startswith(("示例", "Examples"))
    assert not any(find_sheet(n, [SheetInfo(examples.title, "", False)]) for n in TABLES)
    for name, rows in example_rows(lang, 2024).items():
        for r in rows:
            sheet(wb, name).append(r)
    path = tmp_path / "examples.xlsx"
    wb.save(path)
    out = compute_json(path)
    assert out["years"]["2024"]["energy_kwh"] > 0
    assert out["years"]["2024"]["scope2_market_tco2e"] < out["years"]["2024"][
        "scope2_location_tco2e"]  # the green-power row


def test_unfilled_template_is_an_error_not_a_column_of_zeros(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(build_template("zh-Hans", [2024]))
    result = run("compute", path, "--format", "json")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    for tab in ("单位 (entities)", "活动数据 (activity)"):  # the tabs as the template names them
        assert f"{tab}!A2" in result.stderr
    assert result.stderr.count("[no_rows]") == 2


def test_template_command(tmp_path):
    out = tmp_path / "t.xlsx"
    result = run("template", "-o", out, "--lang", "zh-Hant", "--years", "2022-2024")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "填寫說明"
    st = sheet(wb, "settings")
    assert st.cell(_key_row(st, "reporting_years"), 2).value == "2022, 2023, 2024"
    again = run("template", "-o", out)
    assert again.exit_code == 2 and "exists" in again.stderr
    bad = run("template", "-o", tmp_path / "u.xlsx", "--years", "2024-2022")
    assert bad.exit_code == 2 and not (tmp_path / "u.xlsx").exists()


def test_reporting_years_from_settings_sheet(tmp_path):
    wb = _wb("en", [2023, 2024])
    sheet(wb, "entities").append(["S1", "Site", "", "", "北京", "", ""])
    sheet(wb, "activity").append(["S1", "2023-01", "2023-12", "electricity", 10, "MWh"])
    path = tmp_path / "y.xlsx"
    wb.save(path)
    # 2024 has no activity: an error naming the year and the sheet, not a column of zeros
    empty = run("compute", path, "-f", "json")
    assert empty.exit_code == 2 and empty.stdout == ""
    text = " ".join(empty.stderr.split())
    assert "y.xlsx, sheet settings, column reporting_years: '2024': reporting year 2024 has no " \
        "activity rows (the inventory's activity covers 2023)" in text
    assert "[no_activity]" in text
    st = sheet(wb, "settings")
    st.cell(_key_row(st, "reporting_years"), 2, "2023")
    wb.save(path)
    out: dict[str, Any] = json.loads(run("compute", path, "-f", "json").stdout)
    assert list(out["years"]) == ["2023"]
    assert out["years"]["2023"]["by_source"]["electricity"]["quantity"] == 10000


def test_template_data_round_trips_through_the_reader_with_cell_refs(tmp_path):
    wb = _wb("zh-Hans")
    sheet(wb, "entities").append(["S1", "Site", "", "", "北京", "", ""])
    sheet(wb, "activity").append(["S1", "2023-01", "2023-12", "电力", "１２,３４５", "度"])
    sheet(wb, "activity").append(["S1", "2023-01", "2023-12", "电力", "12,34,5", "度"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    result = run("compute", path)
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "活动数据 (activity)!E3" in text and "'12,34,5'" in text and "activity)!E2" not in text


def test_each_hint_is_its_own_columns():
    """A hint follows its table and column: the entity kinds on entities.kind, the factor kinds on
    custom_factors.kind; meter units on activity.unit, factor units on custom_factors.unit;
    "unique" only where ids are unique."""
    hints = {(t, c.key): column_help(t, c, "zh-Hans") for t, spec in TABLES.items()
             for c in spec.columns}
    assert "总部" in hints[("entities", "kind")] and "总部" not in hints[("custom_factors", "kind")]
    assert "emission" in hints[("custom_factors", "kind")]
    assert "度" in hints[("activity", "unit")] and "度" not in hints[("custom_factors", "unit")]
    assert "kgCO2/L" in hints[("custom_factors", "unit")]
    assert "不可重复" in hints[("entities", "entity_id")]
    assert all("不可重复" not in hints[(t, "entity_id")] for t in ("activity", "denominators",
                                                              "meters"))
    assert "每年" in hints[("custom_factors", "year")] and "每年" not in hints[("denominators",
                                                                                "year")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_month_example_typed_into_a_date_cell_reads_as_the_month(tmp_path, lang):
    """The examples sheet shows 2024-02 as a whole month; typed into the template's date cell
    (formatted as text, so a spreadsheet keeps it as typed) it reads back as February."""
    wb = _wb(lang)
    month = next(r for r in example_rows(lang, 2024)["activity"] if r[1] == "2024-02")
    act = sheet(wb, "activity")
    assert act.column_dimensions["B"].number_format == "@"
    sheet(wb, "entities").append(example_rows(lang, 2024)["entities"][0])
    act.append(month)
    path = tmp_path / "m.xlsx"
    wb.save(path)
    ledger = carbon.compute(carbon.read_inventory(path)).ledger
    assert str(ledger["period_start"].iloc[0])[:10] == "2024-02-01"
    assert str(ledger["period_end"].iloc[0])[:10] == "2024-02-29"


def test_committed_templates_exist_in_every_language():
    assert all(Path(p).is_file() for p in COMMITTED.values())


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_setting_is_named_in_the_templates_language(lang):
    """The settings sheet's first column names each setting in the preparer's language (with the
    key after it), none left as the bare key."""
    from carbon.model import Settings

    wb = openpyxl.load_workbook(io.BytesIO(build_template(lang, [2024])))
    ws = sheet(wb, "settings")
    shown = {str(r[0].value) for r in ws.iter_rows(min_row=2) if r[0].value}
    for key in Settings.model_fields:
        if key == "factor_sets":
            continue
        row = next(t for t in shown if t.endswith(f"({key})"))
        assert re.search(r"[\u4e00-\u9fff]", row), row
