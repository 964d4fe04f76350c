"""The library: ``import carbon`` — the same figures as the CLI, tidy frames, typed public names."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import carbon
from tests.conftest import EXAMPLE, ROOT, activity_row, make_inventory, run

DOCUMENTED = ["InputError", "Inventory", "Restatement", "Result", "Status", "__version__",
              "compute", "factor_set", "factor_sets", "read_inventory", "restate", "status"]


def test_compute_to_json_is_the_clis_json_byte_for_byte():
    cli = run("compute", EXAMPLE, "--format", "json")
    assert cli.exit_code == 0
    assert carbon.compute(carbon.read_inventory(EXAMPLE)).to_json() == cli.stdout


def test_restate_to_json_is_the_clis_json_byte_for_byte():
    before, after = EXAMPLE / "multisite" / "before", EXAMPLE / "multisite" / "after"
    cli = run("restate", "--before", before, "--after", after, "--format", "json")
    assert cli.exit_code == 0
    got = carbon.restate(carbon.read_inventory(before), carbon.read_inventory(after))
    assert got.to_json() == cli.stdout
    assert got.recalculation_required is True
    row = got.table.query("year == 2022 and metric == 'total_location_tco2e'").iloc[0]
    assert row["boundary"] + row["activity"] + row["factors"] == pytest.approx(row["delta"])
    assert "2022" in got.disclosure("zh-Hant")


def test_kpis_are_tidy_and_equal_the_json():
    result = carbon.compute(carbon.read_inventory(EXAMPLE), years=[2024])
    kpis = result.kpis
    assert list(kpis.columns) == ["year", "metric", "value", "unit"]
    fig = json.loads(result.to_json())["years"]["2024"]
    energy = kpis.query("metric == 'energy_kwh'").iloc[0]
    assert energy["year"] == 2024 and energy["value"] == fig["energy_kwh"]
    assert energy["unit"] == "kWh"
    ch4 = kpis.query("metric == 'ch4_t'").iloc[0]
    assert ch4["value"] == fig["gases"]["ch4_t"] and ch4["unit"] == "tCH4"
    per_m2 = kpis.query("metric == 'total_tco2e_per_m2'").iloc[0]
    assert per_m2["value"] == fig["intensity"]["total_tco2e_per_m2"]
    # the published activity figure (Jinshang Bank 2024 ESG report): 11,124,077.63 kWh
    src = result.by_source.set_index("source")
    assert round(src.loc["electricity", "quantity"], 2) == 11124077.63
    assert result.by_entity.loc[0, "scope1_tco2e"] == fig["scope1_tco2e"]
    assert {"f_energy", "f_scope2_location", "energy_kwh"} <= set(result.ledger.columns)
    assert "mee-grid-2022:emission:electricity:national" in set(result.factors["id"])
    assert set(result.warnings["code"]) >= {"estimated_data"}


def test_an_input_error_carries_its_problems_as_a_frame(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "bananas")])
    with pytest.raises(carbon.InputError) as caught:
        carbon.read_inventory(inv)
    problems = caught.value.problems
    assert isinstance(problems, pd.DataFrame)
    assert list(problems.columns) == ["file", "sheet", "row", "column", "value", "code",
                                      "message", "fix"]
    assert problems.loc[0, "code"] == "unknown_unit" and problems.loc[0, "row"] == 2
    assert problems.loc[0, "column"] == "unit" and problems.loc[0, "value"] == "bananas"


def test_workbook_charts_and_notebook_views(tmp_path):
    result = carbon.compute(carbon.read_inventory(EXAMPLE))
    book = result.to_excel(tmp_path / "report.xlsx", lang="zh-Hant")
    assert book.stat().st_size > 0
    # the same sheets as carbon compute --out writes, the coverage matrix among them
    assert run("compute", EXAMPLE, "--out", tmp_path / "cli.xlsx", "--lang", "zh-Hant"
               ).exit_code == 0
    import openpyxl

    assert openpyxl.load_workbook(book, read_only=True).sheetnames == openpyxl.load_workbook(
        tmp_path / "cli.xlsx", read_only=True).sheetnames
    files = result.charts(tmp_path / "charts")
    assert {p.name for p in files} >= {"scope-by-year.png", "scope-by-year.svg"}
    html = result._repr_html_()
    assert "<table" in html and "total_location_tco2e" in html and "22,189,121" in html
    assert "total_location_tco2e" in repr(result)


def test_factor_sets_and_one_set_with_its_references():
    sets = carbon.factor_sets()
    assert "mee-grid-2022" in set(sets["id"])
    rows = carbon.factor_set("mee-grid-2022").set_index(["parameter", "subject", "region"])
    national = rows.loc[("emission", "electricity", "national")]
    assert national["value"] == 0.5366 and national["reference"]  # 公告2024年第33号, 表1


def test_the_public_names_are_exactly_the_documented_ones():
    assert sorted(carbon.__all__) == sorted(DOCUMENTED)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using carbon from Python", 1)[1].split("\n## ", 1)[0]
    for name in DOCUMENTED:
        assert f"`{name}`" in section, name
    from carbon import api

    assert sorted(api.__all__) == sorted(n for n in DOCUMENTED if n != "__version__")
    for name in DOCUMENTED:
        assert getattr(carbon, name) is not None
    assert callable(carbon.restate) and callable(carbon.compute)


def test_import_carbon_loads_nothing_heavy():
    code = ("import sys, carbon; heavy = [m for m in ('pandas', 'numpy', 'pint', 'pydantic', "
            "'openpyxl', 'typer') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_readme_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using carbon from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "jinshang-bank")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "report.xlsx").is_file()
