"""Formula injection: an entity named ``=HYPERLINK("http://x","y")`` stays text in every output."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest

from carbon import metrics
from carbon.report.write import FORMULA_START, neutralise
from tests.conftest import activity_row, make_inventory, run

INJ = '=HYPERLINK("http://x","y")'
INJ_ID = "=1+2"
ORG = "@SUM(A1:A9)"


@pytest.fixture()
def inventory(tmp_path):
    """Two entities: one named like a formula, one whose id is one; only the first has a floor
    area, so a warning names the second by its id."""
    return make_inventory(
        tmp_path / "inv",
        [activity_row(1000, "kWh", entity="E1"), activity_row(500, "kWh", entity=INJ_ID)],
        entities=[["E1", INJ, "", "office", "山西", "", ""],
                  [INJ_ID, "-2+3", "", "office", "山西", "", ""]],
        denominators=[["E1", 2022, 1000, 10]],
        settings=f'organisation = "{ORG}"\n')


def test_neutralise_prefixes_every_formula_start():
    for text in ("=1", "+1", "-1", "@x", "\t=1", "\r=1"):
        assert neutralise(text) == "'" + text
    assert neutralise("Site 1") == "Site 1" and neutralise("") == ""


def test_json_and_manifest_keep_the_text_exactly(inventory, tmp_path):
    manifest = tmp_path / "run.json"
    result = run("compute", inventory, "--format", "json", "--manifest", manifest)
    assert result.exit_code == 0, result.output
    for doc in (json.loads(result.stdout), json.loads(manifest.read_text(encoding="utf-8"))
                ["results"]):
        names = {e["entity_id"]: e["name"] for e in doc["by_entity"]}
        assert names == {"E1": INJ, INJ_ID: "-2+3"}
        assert any(INJ_ID in w["message"] for w in doc["warnings"])


def test_errors_csv_neutralises_every_cell_a_spreadsheet_would_run(tmp_path):
    """The problems file holds the cells as the user typed them: formula-like ones are written
    with a leading apostrophe, in every column they reach (value, and the message quoting it)."""
    bad = [["E1", "2022-01-01", "2022-12-31", "electricity", "=1+2", "kWh"],
           ["@SUM(A1:A9)", "2022-01-01", "2022-12-31", "electricity", "1", "kWh"],
           ["E1", "2022-01-01", "2022-12-31", "electricity", "1", "+cmd|' /C calc'!A0"],
           ["E1", "-2022-01-01", "2022-12-31", "electricity", "1", "kWh"]]
    inv = make_inventory(tmp_path / "inv", bad)
    errors = tmp_path / "problems.csv"
    result = run("compute", inv, "--errors", errors)
    assert result.exit_code == 2, result.output
    rows = list(csv.reader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["file", "sheet", "cell", "row", "column", "value", "code", "problem", "fix"]
    values = [r[5] for r in rows[1:]]
    assert {"'=1+2", "'@SUM(A1:A9)", "'+cmd|' /C calc'!A0", "'-2022-01-01"} <= set(values)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (row, cell)


def test_compute_csv_holds_only_keys_and_the_json_numbers(inventory):
    """The figures CSV carries no user text (names, ids, organisation), only metric keys, source
    keys, units and numbers, each the JSON output's number: nothing in it can run as a formula
    except a negative number. Adding user text to it needs neutralising, and fails here first."""
    result = run("compute", inventory, "--format", "csv")
    assert result.exit_code == 0, result.output
    js = json.loads(run("compute", inventory, "--format", "json").stdout)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["year", "metric", "source", "value", "unit"]
    for year, metric, source, value, _unit in rows[1:]:
        fig = js["years"][year]
        if metric.startswith("by_source."):
            expected = fig["by_source"][source][metric.split(".", 1)[1]]
        else:
            assert source == ""
            expected = (fig[metric] if metric in fig else metrics.value(fig, metric))
        assert value == ("" if expected is None else repr(expected)), (metric, source)
    assert len(rows) > 20
    text = result.stdout
    assert INJ not in text and INJ_ID not in text and ORG not in text


def test_console_and_text_output_show_the_text(inventory, tmp_path):
    result = run("compute", inventory)
    assert result.exit_code == 0, result.output
    assert ORG in result.stdout and INJ_ID in result.stdout
    out = tmp_path / "r.txt"
    assert run("compute", inventory, "--out", out).exit_code == 0
    assert INJ_ID in out.read_text(encoding="utf-8")


def test_workbook_stores_it_as_text_not_a_formula(inventory, tmp_path):
    out = tmp_path / "r.xlsx"
    result = run("compute", inventory, "--out", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    recon = wb.sheetnames.index("Reconciliation") + 1  # carbon's own SUMIFS, nothing of the user's
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")
                  and n != f"xl/worksheets/sheet{recon}.xml"]
        assert not any(re.search(r"<f[ >]", z.read(n).decode()) for n in sheets)
    formulas = [c.value for row in wb["Reconciliation"].iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas and all(re.fullmatch(r"=(SUMIFS\('Audit trail'!\$[A-Z]+\$2:\$[A-Z]+\$\d+,"
                                         r"'Audit trail'!\$C\$2:\$C\$\d+,A\d+\)|D\d+-E\d+)", f)
                            for f in formulas), formulas[:4]
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if ws.title == "Reconciliation" and c.data_type == "f":
                    continue
                if isinstance(c.value, str) and c.value.startswith(FORMULA_START):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)
                    seen.add(c.value)
    assert {INJ, INJ_ID, "-2+3"} <= seen
    by_entity = {r[0]: r[1] for r in wb["By entity"].iter_rows(min_row=2, values_only=True)}
    assert by_entity == {"E1": INJ, INJ_ID: "-2+3"}
    assert wb["KPI"]["A1"].value.startswith(ORG)
