"""Formula injection: an entity named ``=HYPERLINK("http://x","y")`` stays text in every output."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest

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


def test_csv_has_no_cell_a_spreadsheet_would_run(inventory):
    result = run("compute", inventory, "--format", "csv")
    assert result.exit_code == 0, result.output
    for row in csv.reader(io.StringIO(result.stdout)):
        for cell in row:
            if cell.startswith(FORMULA_START):
                float(cell)  # only a negative number may start with "-"


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
