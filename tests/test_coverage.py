"""Figures a preparer can publish (issue 11): a meter's missing days at the year's edges, a
partial year, a source missing in a year, seasonal meters, values far off their series, a
reporting year without data, and ``carbon check`` / ``compute --strict`` — each through the CLI,
asserting the code, the named entity, meter or row and the exit code."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import EXAMPLE, compute_json, make_inventory, run, write_csv
from tests.xlsx_util import sheet

HEADER = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "meter"]


def month(m: int, year: int = 2024, *, qty: float = 100_000, unit: str = "kWh",
          source: str = "electricity", entity: str = "E1", meter: str = "M1") -> list[Any]:
    end = dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return [entity, f"{year}-{m:02d}-01", end.isoformat(), source, qty, unit, meter]


def warnings_by_code(out: dict[str, Any]) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for w in out["warnings"]:
        got.setdefault(w["code"], []).append(w["message"])
    return got


def inventory(tmp_path: Path, rows: list[list[Any]], **kw: Any) -> Path:
    return make_inventory(tmp_path / "inv", rows, activity_header=HEADER, **kw)


# -- a missing January or December ---------------------------------------------------------------
@pytest.mark.parametrize("gone,text", [(1, "from 2024-01-01 to 2024-01-31 (before row 2)"),
                                       (12, "from 2024-12-01 to 2024-12-31 (after row 12)")])
def test_a_missing_first_or_last_month_is_a_gap(tmp_path, gone, text):
    inv = inventory(tmp_path, [month(m) for m in range(1, 13) if m != gone])
    out = compute_json(inv)
    assert warnings_by_code(out)["period_gap"] == [
        f"inv/activity.csv: E1 electricity meter M1: nothing recorded {text}; add the missing "
        "period if the meter ran"]
    (cov,) = out["coverage"]
    missing = f"2024-{gone:02d}-01", f"2024-{gone:02d}-31"
    assert cov == {"entity_id": "E1", "source": "electricity", "meter": "M1", "use": "",
                   "instrument": "", "year": 2024, "months": None, "days_in_boundary": 366,
                   "days_expected": 366, "days_recorded": 335, "days_estimated": 0,
                   "days_missing": 31, "source_missing": False,
                   "missing": [{"from": missing[0], "to": missing[1], "days": 31}]}


def test_a_complete_year_raises_no_coverage_warning_and_the_console_says_so(tmp_path):
    inv = inventory(tmp_path, [month(m) for m in range(1, 13)])
    out = compute_json(inv)
    assert not {"period_gap", "source_missing", "outlier"} & set(warnings_by_code(out))
    assert out["coverage"][0]["days_missing"] == 0 and out["coverage"][0]["missing"] == []
    table = run("compute", inv)
    assert table.exit_code == 0
    assert "coverage 2024: 1 meter, every expected day recorded" in table.stdout


def test_json_keeps_its_keys_and_adds_coverage_last(tmp_path):
    out = compute_json(inventory(tmp_path, [month(m) for m in range(1, 13)]))
    assert list(out) == ["carbon_version", "factor_sets", "gwp", "gases", "units", "years",
                         "by_entity", "warnings", "coverage"]


def test_an_entity_acquired_in_april_has_a_partial_year_and_no_gap(tmp_path):
    entities = [["E1", "Site 1", "", "office", "山西", "", ""],
                ["E2", "Acquired", "", "office", "山西", "2024-04-01", ""]]
    rows = [month(m) for m in range(1, 13)] + [month(m, entity="E2", meter="")
                                               for m in range(4, 13)]
    out = compute_json(inventory(tmp_path, rows, entities=entities))
    codes = warnings_by_code(out)
    assert "period_gap" not in codes
    assert codes["partial_year"] == [
        "inv/entities.csv: E2 is inside the boundary from 2024-04-01 to 2024-12-31 in 2024 "
        "(275 of 366 days): a partial year; coverage counts those days, its figures count all "
        "its rows of 2024 (boundary_mid_year = whole_year)"]
    e2 = next(c for c in out["coverage"] if c["entity_id"] == "E2")
    assert (e2["days_in_boundary"], e2["days_recorded"], e2["days_missing"]) == (275, 275, 0)


def test_a_source_in_one_year_and_none_in_the_next_is_flagged(tmp_path):
    rows = ([month(m, 2023) for m in range(1, 13)] + [month(m, 2024) for m in range(1, 13)]
            + [month(m, 2023, qty=300, unit="L", source="diesel", meter="") for m in (3, 9)])
    # diesel: a generator run twice in 2023 (its months between are gaps), none in 2024
    out = compute_json(inventory(tmp_path, rows, settings="reporting_years = [2023, 2024]\n"))
    codes = warnings_by_code(out)
    assert codes["source_missing"] == [
        "inv/entities.csv: E1 diesel: rows in 2023, none in 2024 (while E1 is inside the "
        "boundary); add its diesel rows of 2024 if it used any; if E1 left the boundary, write "
        "its last day in included_to"]
    lacking = next(c for c in out["coverage"] if c["source"] == "diesel" and c["year"] == 2024)
    assert lacking["source_missing"] and lacking["days_recorded"] == 0
    assert lacking["missing"] == [{"from": "2024-01-01", "to": "2024-12-31", "days": 366}]
    # the same with --year 2024 alone: the inventory's 2023 rows still say what is missing
    only = compute_json(inventory(tmp_path, rows), "--year", "2024")
    assert "E1 diesel: rows in 2023, none in 2024" in warnings_by_code(only)["source_missing"][0]


# -- seasonal meters ------------------------------------------------------------------------------
def _heating(tmp_path: Path, declare: bool, name: str = "inv") -> Path:
    rows = [month(m, y, qty=1500 if m in (12, 1, 2) else 900, unit="GJ", source="heat",
                  meter="H-01") for y in (2023, 2024) for m in (1, 2, 3, 11, 12)]
    rows += [month(m, y) for y in (2023, 2024) for m in range(1, 13)]
    folder = make_inventory(tmp_path / name, rows, activity_header=HEADER,
                            settings="reporting_years = [2023, 2024]\n")
    if declare:
        write_csv(folder / "meters.csv", ["entity_id", "source", "meter", "months", "note"],
                  [["E1", "热力", "H-01", "11月-3月", "供暖季"]])
    return folder


def test_a_declared_heating_meter_has_no_gaps_in_its_off_months(tmp_path):
    out = compute_json(_heating(tmp_path, declare=True))
    assert "period_gap" not in warnings_by_code(out)
    heat = [c for c in out["coverage"] if c["source"] == "heat"]
    assert [(c["year"], c["months"], c["days_expected"], c["days_missing"]) for c in heat] == [
        (2023, "11-3", 151, 0), (2024, "11-3", 152, 0)]
    assert run("check", tmp_path / "inv").exit_code == 0


def test_an_undeclared_heating_meter_gets_one_line_with_its_gaps_and_the_declaration(tmp_path):
    out = compute_json(_heating(tmp_path, declare=False))
    gaps = warnings_by_code(out)["period_gap"]
    assert gaps == [
        "inv/activity.csv: E1 heat meter H-01: nothing recorded from 2023-04-01 to 2023-10-31 "
        "(between rows 4 and 5), from 2024-04-01 to 2024-10-31 (between rows 9 and 10); add "
        "the missing periods if the meter ran; if it runs only in months 11-3 (a heating "
        "season, say), declare it in the meters table with months = 11-3: its other months "
        "are then not gaps"]


def test_a_declared_meter_still_misses_a_winter_month(tmp_path):
    folder = _heating(tmp_path, declare=True)
    lines = (folder / "activity.csv").read_text(encoding="utf-8").splitlines()
    (folder / "activity.csv").write_text("\n".join(lines[:2] + lines[3:]) + "\n",
                                         encoding="utf-8")  # 2023-02 gone
    gap = warnings_by_code(compute_json(folder))["period_gap"]
    assert gap == ["inv/activity.csv: E1 heat meter H-01: nothing recorded from 2023-02-01 to "
                   "2023-02-28 (between rows 2 and 3); add the missing period if the meter ran"]


def test_a_declared_meter_with_no_rows_is_named_at_its_meters_row(tmp_path):
    folder = _heating(tmp_path, declare=True)
    with (folder / "meters.csv").open("a", encoding="utf-8") as fh:
        fh.write("E1,natural_gas,G-7,,kitchen\n")
    gap = warnings_by_code(compute_json(folder))["period_gap"]
    assert gap == ["inv/meters.csv: E1 natural_gas meter G-7 (declared in the meters table, "
                   "row 3): nothing recorded from 2023-01-01 to 2023-12-31, from 2024-01-01 to "
                   "2024-12-31; add its readings or invoices to activity (the same entity, "
                   "source and meter), or delete its meters row if it no longer runs"]


@pytest.mark.parametrize("months,code,value", [
    ("11-13", "not_months", "11-13"), ("winter", "not_months", "winter")])
def test_bad_meters_rows_are_located_errors(tmp_path, months, code, value):
    folder = _heating(tmp_path, declare=False)
    write_csv(folder / "meters.csv", ["entity_id", "source", "meter", "months"],
              [["E1", "heat", "H-01", months], ["E9", "heat", "H-02", "11-3"],
               ["E1", "steam?", "H-03", ""]])
    result = run("compute", folder)
    assert result.exit_code == 2 and result.stdout == ""
    text = " ".join(result.stderr.split())
    assert f"inv/meters.csv, row 2, column months: '{value}': not a list of months" in text
    assert f"[{code}]" in text
    assert "inv/meters.csv, row 3, column entity_id: 'E9': no entity has this entity_id" in text
    assert "inv/meters.csv, row 4, column source: 'steam?': not an energy source" in text
    assert "Traceback" not in result.output


# -- values far off their series -----------------------------------------------------------------
def _wan(tmp_path: Path, june: float, unit: str = "万千瓦时", typical: float = 20.0) -> Path:
    """A site's electricity in 万千瓦时, about 20 a month (some 1,280 t CO2 a year); June as
    given."""
    rows = [month(m, qty=typical * (1.15 if m in (7, 8) else 0.95 if m in (4, 5) else 1.0),
                  unit=unit) for m in range(1, 13)]
    rows[5][4] = june
    return inventory(tmp_path, rows)


def test_a_du_figure_in_a_wan_kwh_row_is_an_outlier_naming_row_value_and_cause(tmp_path):
    inv = _wan(tmp_path, 25_000)  # the clerk meant 25,000 度: 2.5 万千瓦时
    out = compute_json(inv)
    assert out["years"]["2024"]["scope2_location_tco2e"] > 100_000  # what would be published
    (flag,) = warnings_by_code(out)["outlier"]
    assert flag == (
        "inv/activity.csv: row 7 (E1 electricity meter M1, 2024-06-01 to 2024-06-30): 25,000 "
        "万千瓦时 is 1,271 times the meter's typical 19.67 万千瓦时 for such a period (30 days at "
        "the median rate per day of its 12 periods); likely cause: 万 and the base unit mixed up "
        "(10⁴): 25,000 千瓦时 is 2.5 万千瓦时; check the figure and its unit against the "
        "invoice or meter reading, and correct the quantity or the unit")
    assert run("check", inv).exit_code == 1


def test_the_reverse_a_wan_figure_in_a_du_row(tmp_path):
    inv = _wan(tmp_path, 2.5, unit="度", typical=200_000)  # 2.5 万度 typed as 2.5 度
    (flag,) = warnings_by_code(compute_json(inv))["outlier"]
    assert "row 7 (E1 electricity meter M1, 2024-06-01 to 2024-06-30): 2.5 度 is 1/77,419 of the " \
        "meter's typical 193,548 度 for such a period" in flag
    assert "likely cause: 万 and the base unit mixed up (10⁴): 2.5 万度 is 25,000 度" in flag


def test_a_year_in_mwh_among_years_in_kwh_is_one_finding(tmp_path):
    """Monthly rows: the meter's 2023 rows each flagged the same way, said once."""
    rows = [month(m, y, qty=(40 if y == 2023 else 40_000) * (1 + m / 100),
                  unit="kWh") for y in (2022, 2023, 2024) for m in range(1, 13)]
    out = compute_json(inventory(tmp_path, rows))
    (flag,) = warnings_by_code(out)["outlier"]
    assert flag.startswith("inv/activity.csv: row 14 to row 25 (E1 electricity meter M1): each of "
                           "its 12 rows of 2023 is about 1/974.52 of the meter's typical for its "
                           "period (the median rate per day of its 36 periods); likely cause: a "
                           "unit a thousand times larger (10³")


def test_a_year_in_mwh_among_annual_rows_in_kwh(tmp_path):
    """Annual rows of one meter: the year off its other years; the others are not flagged."""
    rows = [["E1", f"{y}-01-01", f"{y}-12-31", "electricity", q, "kWh", "M1"]
            for y, q in ((2022, 480_000), (2023, 505), (2024, 510_000))]
    (flag,) = warnings_by_code(compute_json(inventory(tmp_path, rows)))["outlier"]
    assert flag.startswith("inv/activity.csv: row 3 (E1 electricity meter M1, 2023-01-01 to "
                           "2023-12-31): 505 kWh is 1/950.5 of the meter's typical 480,000 kWh")


def test_a_normal_series_raises_no_outlier(tmp_path):
    # heating-season gas (winter 20 times summer), a 30 % rise from one year to the next, a
    # quarterly invoice among monthly ones, a spare meter read once a year
    rows = [month(m, y, qty=(4_000 if m in (1, 2, 3, 11, 12) else 200) * (1.3 if y == 2024 else 1),
                  unit="m3", source="natural_gas", meter="G1")
            for y in (2023, 2024) for m in range(1, 13)]
    rows += [month(m, y, qty=40_000 * (1.3 if y == 2024 else 1)) for y in (2023, 2024)
             for m in range(1, 10)]
    rows += [["E1", f"{y}-10-01", f"{y}-12-31", "electricity", 123_000 * (1.3 if y == 2024 else 1),
              "kWh", "M1"] for y in (2023, 2024)]
    rows += [["E1", f"{y}-01-01", f"{y}-12-31", "diesel", q, "L", "GEN"]
             for y, q in ((2023, 150), (2024, 1_700))]  # a blackout year: 11 times
    out = compute_json(inventory(tmp_path, rows))
    assert "outlier" not in warnings_by_code(out)


@pytest.mark.parametrize("folder", [EXAMPLE, EXAMPLE / "multisite" / "before",
                                    EXAMPLE / "multisite" / "after"])
def test_the_bundled_examples_raise_nothing_and_check_clean(folder):
    codes = warnings_by_code(compute_json(folder))
    assert not {"outlier", "period_gap", "source_missing"} & set(codes)
    result = run("check", folder)
    assert result.exit_code == 0, result.output
    assert "nothing needs a look" in result.stdout


def test_outlier_thresholds_are_settings(tmp_path):
    inv = _wan(tmp_path, 25_000)
    (inv / "settings.toml").write_text("outlier_factor = 5000\n", encoding="utf-8")
    assert "outlier" not in warnings_by_code(compute_json(inv))
    (inv / "settings.toml").write_text("outlier_factor = 1\n", encoding="utf-8")
    bad = run("compute", inv)
    assert bad.exit_code == 2 and "outlier_factor" in bad.stderr


# -- no silent zeros ------------------------------------------------------------------------------
def test_a_year_option_without_activity_is_an_error_not_zeros(tmp_path):
    inv = inventory(tmp_path, [month(m, 2023) for m in range(1, 13)]
                    + [month(m, 2024) for m in range(1, 13)])
    result = run("compute", inv, "--year", "2025", "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    text = " ".join(result.stderr.split())
    assert "--year 2025: the inventory has no activity in 2025 (its activity rows cover 2023, " \
        "2024)" in text
    assert "Traceback" not in result.output


def test_a_reporting_year_without_activity_in_settings_is_a_located_error(tmp_path):
    inv = inventory(tmp_path, [month(m, 2024) for m in range(1, 13)],
                    settings="reporting_years = [2024, 2025]\n")
    result = run("compute", inv, "--out", tmp_path / "r.json")
    assert result.exit_code == 2 and not (tmp_path / "r.json").exists()
    text = " ".join(result.stderr.split())
    assert "inv/settings.toml, column reporting_years: '2025': reporting year 2025 has no " \
        "activity rows (the inventory's activity covers 2024): its figures would be a column " \
        "of zeros. Fix: add the activity rows of 2025, or take 2025 out of reporting_years " \
        "[no_activity]" in text


# -- carbon check and compute --strict ------------------------------------------------------------
def _template_workbook(tmp_path: Path, rows: list[list[Any]]) -> Path:
    """A workbook built with the template's headers (zh-Hans), filled in."""
    from carbon.report.template import build_template

    wb = openpyxl.load_workbook(io.BytesIO(build_template("zh-Hans", [2024])))
    sheet(wb, "entities").append(["E1", "总部", "", "office", "山西", "", ""])
    for r in rows:
        sheet(wb, "activity").append(r)
    path = tmp_path / "branch.xlsx"
    wb.save(path)
    return path


def test_check_on_a_workbook_with_a_missing_january(tmp_path):
    rows = [["E1", f"2024-{m:02d}", f"2024-{m:02d}", "电力", 41_000 + m, "度", "0001"]
            for m in range(2, 13)]
    book = _template_workbook(tmp_path, rows)
    result = run("check", book)
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert "branch.xlsx, 活动数据 (activity)!B2: E1 electricity meter 0001: nothing recorded from " \
        "2024-01-01 to 2024-01-31 (before row 2). Fix: add the missing period if the meter " \
        "ran [period_gap]" in text
    assert "coverage 2024: 1 meter, 1 with missing days (E1 electricity meter 0001: 2024-01 " \
        "(31 days)" in text
    assert text.endswith("1 finding needs a look")


def test_check_json_lists_problems_warnings_and_coverage(tmp_path):
    inv = _wan(tmp_path, 25_000)
    result = run("check", inv, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert list(doc) == ["problems", "warnings", "coverage"] and doc["problems"] == []
    (flag,) = [w for w in doc["warnings"] if w["code"] == "outlier"]
    assert (flag["file"], flag["row"], flag["column"], flag["value"], flag["finding"]) == (
        "inv/activity.csv", 7, "quantity", "25,000", True)
    assert flag["message"].startswith("inv/activity.csv: row 7 (E1 electricity meter M1")
    notes = [w for w in doc["warnings"] if not w["finding"]]
    assert {w["code"] for w in notes} >= {"no_denominators"}
    assert doc["coverage"][0]["days_missing"] == 0


def test_check_json_on_bad_input_lists_the_problems_and_exits_2(tmp_path):
    rows = [month(m) for m in range(1, 13)]
    rows[3][4] = "12,34,5"
    result = run("check", inventory(tmp_path, rows), "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    (p,) = doc["problems"]
    assert (p["file"], p["row"], p["column"], p["code"]) == ("inv/activity.csv", 5, "quantity",
                                                             "not_a_number")
    assert doc["warnings"] == [] and doc["coverage"] is None


def test_check_writes_its_findings_to_errors_file(tmp_path):
    inv = inventory(tmp_path, [month(m) for m in range(1, 12)])  # December missing
    result = run("check", inv, "--errors", tmp_path / "findings.xlsx")
    assert result.exit_code == 1
    ws = openpyxl.load_workbook(tmp_path / "findings.xlsx")["problems"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:7] == ("file", "sheet", "cell", "row", "column", "value", "code")
    assert rows[1][6] == "period_gap" and "2024-12-01 to 2024-12-31" in rows[1][7]
    clean = inventory(tmp_path / "b", [month(m) for m in range(1, 13)])
    again = run("check", clean, "--errors", tmp_path / "none.csv")
    assert again.exit_code == 0
    assert (tmp_path / "none.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "file,sheet,cell,row,column,value,code,problem,fix"]


def test_check_lists_the_boundary_events_a_restatement_would_assume(tmp_path):
    entities = [["E1", "Site 1", "", "office", "山西", "", ""],
                ["E2", "Bought", "", "收购", "山西", "2024-07-01", ""]]
    rows = [month(m) for m in range(1, 13)] + [month(m, entity="E2", meter="")
                                               for m in range(1, 13)]
    result = run("check", inventory(tmp_path, rows, entities=entities))
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "inv/entities.csv, row 3, column entry: '2024-07-01': E2 enters the boundary on " \
        "2024-07-01 with no entry stated: a restatement takes it as an opening (organic " \
        "growth: the years before unchanged), but it has 6 activity rows before that date" in text
    assert "[acquisition_unstated]" in text


def test_compute_strict_fails_on_findings_and_writes_nothing(tmp_path):
    inv = inventory(tmp_path, [month(m) for m in range(2, 13)])
    out = tmp_path / "report.json"
    errors = tmp_path / "findings.csv"
    result = run("compute", inv, "--strict", "--out", out, "--errors", errors)
    assert result.exit_code == 1
    assert not out.exists()
    assert "1 finding needs a look; nothing was written (--strict)" in result.stderr
    assert "nothing recorded from 2024-01-01 to 2024-01-31" in errors.read_text(encoding="utf-8-sig")
    # without --strict the same run writes its report, the gap among its warnings
    assert run("compute", inv, "--out", out).exit_code == 0 and out.exists()
    clean = inventory(tmp_path / "b", [month(m) for m in range(1, 13)])
    assert run("compute", clean, "--strict", "--format", "json").exit_code == 0


# -- the workbook ---------------------------------------------------------------------------------
def test_the_workbook_has_a_coverage_matrix(tmp_path):
    folder = _heating(tmp_path, declare=True)
    lines = (folder / "activity.csv").read_text(encoding="utf-8").splitlines()
    lines = [ln for ln in lines if not ln.startswith("E1,2024-06-01")]  # June 2024 electricity
    (folder / "activity.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "report.xlsx"
    assert run("compute", folder, "--out", path, "--lang", "zh-Hans").exit_code == 0
    ws = openpyxl.load_workbook(path)["Coverage"]
    assert ws["A1"].value == "计量覆盖情况（各表各月）"
    head = [c.value for c in ws[5]]
    assert head[:3] == ["单位编号", "名称", "能源品种"] and head[13] == "1月"
    body = {(r[0], r[2], r[6]): r for r in ws.iter_rows(min_row=6, values_only=True)}
    heat = body[("E1", "热力", 2024)]
    assert heat[7] == "11-3" and heat[13:25] == ("✓", "✓", "✓", *["–"] * 7, "✓", "✓")
    elec = body[("E1", "电力", 2024)]
    assert elec[12] == 30 and elec[13 + 5] == "✗"  # June missing: 30 days
    june = ws.cell(row=next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 3).value == "电力"
                            and ws.cell(r, 7).value == 2024), column=19)
    assert june.fill.start_color.rgb.endswith("FFC7CE")
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$5:$5"


def test_the_meters_sheet_of_a_workbook_declares_a_season_and_is_checked_by_cell(tmp_path):
    from carbon.report.template import build_template

    wb = openpyxl.load_workbook(io.BytesIO(build_template("zh-Hant", [2024])))
    sheet(wb, "entities").append(["E1", "總部", "", "office", "山西", "", ""])
    for m in (1, 2, 3, 11, 12):
        sheet(wb, "activity").append(["E1", f"2024-{m:02d}", f"2024-{m:02d}", "熱力", 1200, "吉焦", "H-01"])
    sheet(wb, "meters").append(["E1", "熱力", "H-01", "11月-3月", "供暖季"])
    book = tmp_path / "heat.xlsx"
    wb.save(book)
    result = run("check", book, "--format", "json")
    assert result.exit_code == 0, result.output
    (cov,) = json.loads(result.stdout)["coverage"]
    assert (cov["months"], cov["days_expected"], cov["days_missing"]) == ("11-3", 152, 0)
    sheet(wb, "meters")["D2"] = "冬季"
    wb.save(book)
    bad = run("check", book)
    assert bad.exit_code == 2
    assert "heat.xlsx, 計量錶 (meters)!D2: '冬季': not a list of months" in " ".join(bad.stderr.split())


@pytest.mark.parametrize("text,months", [
    ("11-3", [11, 12, 1, 2, 3]), ("11月-3月", [11, 12, 1, 2, 3]), ("11月至次年3月", [11, 12, 1, 2, 3]),
    ("Nov-Mar", [11, 12, 1, 2, 3]), ("5-9", [5, 6, 7, 8, 9]), ("7", [7]),
    ("11-12, 1-3", [11, 12, 1, 2, 3]), ("１１－３", [11, 12, 1, 2, 3]), ("", list(range(1, 13))),
    ("1-12", list(range(1, 13))), ("全年", list(range(1, 13))),
    ("2024-11-03", [11, 12, 1, 2, 3]),  # 11-3 turned into 3 November by a spreadsheet
    ("13-2", None), ("winter", None), ("11-", None)])
def test_months_as_people_write_them(text, months):
    from carbon.io.parse import month_set, months_text

    got = month_set(text)
    if months is None:
        assert got is None
        return
    assert got == sum(1 << (m - 1) for m in months)
    assert month_set(months_text(got)) == got


def test_the_typical_value_is_the_median_of_the_series_or_the_other_of_two():
    import numpy as np
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from carbon.plausibility import typical

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 4), st.floats(-3, 9)), min_size=1, max_size=60))
    def check(pairs):
        group = np.array([g for g, _ in pairs])
        value = np.array([v for _, v in pairs])
        med, size = typical(group, value)
        span = value.max() - value.min()
        for i, g in enumerate(group):
            mine = value[group == g]
            assert size[i] == len(mine)
            if len(mine) == 1:
                assert np.isnan(med[i])
                continue
            want = (mine[mine != value[i]][0] if len(mine) == 2 and mine[0] != mine[1]
                    else np.median(mine))
            # values within 1/65535 of the range may be ordered either way
            assert abs(med[i] - want) <= span / 65535 * 2 + 1e-12

    check()


@pytest.mark.parametrize("lang,hint", [("zh-Hans", "11月至次年3月"), ("zh-Hant", "11月至翌年3月"),
                                       ("en", "November to March")])
def test_the_template_has_a_meters_sheet_with_hints_a_source_list_and_examples(lang, hint):
    from carbon.report.template import build_template, example_rows

    wb = openpyxl.load_workbook(io.BytesIO(build_template(lang)))
    ws = sheet(wb, "meters")
    assert [str(c.value).rsplit("(", 1)[1] for c in ws[1]] == [
        "entity_id)", "source)", "meter)", "months)", "note)"]
    assert ws.column_dimensions["D"].number_format == "@"  # 11-3 stays text, not a date
    checks = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert hint in checks["D2"].prompt
    activity_source = next(dv for dv in sheet(wb, "activity").data_validations.dataValidation
                           if str(dv.sqref).startswith("D2"))
    assert checks["B2"].formula1 == activity_source.formula1
    heating = example_rows(lang, 2024)["meters"][0]
    assert heating[2:4] == ["H-01", "11月-3月" if lang != "en" else "11-3"]
