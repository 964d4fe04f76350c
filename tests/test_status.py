"""Per-site templates (``carbon template --inventory hq/ --for BR01``) and the submission status
(``carbon status``): a template filled by a script reads back to the figures of the same rows in
one inventory; an incomplete branch's missing months are shown and the status exits 1."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from carbon.schema import TABLES, header_key
from tests.conftest import EXAMPLE, compute_json, run, write_csv
from tests.xlsx_util import sheet

MULTISITE = EXAMPLE / "multisite"
HQ, BRANCHES = MULTISITE / "collection" / "hq", MULTISITE / "collection" / "branches"


def _template(tmp: Path, site: str = "BR01", *args: str) -> Path:
    book = tmp / f"{site}-2025.xlsx"
    result = run("template", "--inventory", HQ, "--inventory", BRANCHES, "--for", site,
                 "--lang", "en", "-o", book, *args)
    assert result.exit_code == 0, result.output
    return book


def _keys(ws) -> list[str | None]:
    return [header_key(str(c.value), TABLES[ws.title]) if c.value else None for c in ws[1]]


def _fill(book: Path, months: range = range(1, 13)) -> list[dict[str, object]]:
    """Type a quantity into each activity row of ``months`` (and the denominators), as a clerk
    would; return the rows filled."""
    wb = openpyxl.load_workbook(book)
    ws = sheet(wb, "activity")
    keys = _keys(ws)
    filled = []
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        rec = dict(zip(keys, row, strict=False))
        if rec["entity_id"] is None:
            break
        if rec["period_start"].month in months:  # type: ignore[union-attr]
            rec["quantity"] = round(100 + 7.25 * r, 2)
            ws.cell(r, keys.index("quantity") + 1, rec["quantity"])
            filled.append(rec)
    den = sheet(wb, "denominators")
    for r in range(2, den.max_row + 1):
        if den.cell(r, 1).value:
            den.cell(r, 3, 1200 + r)
            den.cell(r, 4, 40 + r)
    wb.save(book)
    return filled


def test_a_site_template_is_prefilled_and_its_key_cells_protected(tmp_path):
    book = _template(tmp_path)
    wb = openpyxl.load_workbook(book)
    ent = sheet(wb, "entities")
    assert [(c[0].value, c[2].value) for c in ent.iter_rows(min_row=2, max_row=3)] == [
        ("BR01", None), ("OUT01", "BR01")]  # the site's parent left blank: checkable on its own
    assert ent.protection.sheet and ent.protection.password is None
    act = sheet(wb, "activity")
    keys = _keys(act)
    rows = [r for r in act.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(rows) == 2 * 5 * 12  # BR01 and OUT01, five sources each, every month of 2025
    first = dict(zip(keys, rows[0], strict=False))
    assert first["period_start"] == dt.datetime(2025, 1, 1)
    assert first["period_end"] == dt.datetime(2025, 1, 31) and first["quantity"] is None
    assert {dict(zip(keys, r, strict=False))["unit"] for r in rows} == {"L", "kWh", "GJ", "m³"}
    assert act.protection.sheet and act.protection.password is None
    q, e = keys.index("quantity") + 1, keys.index("entity_id") + 1
    assert not act.cell(2, q).protection.locked and act.cell(2, e).protection.locked
    assert not act.cell(len(rows) + 5, e).protection.locked  # rows below: a new meter
    # a blank row is a problem for compute, and not yet filled in for status
    result = run("check", book)
    assert result.exit_code == 2 and "activity!E2: Quantity is required" in result.stderr


def test_a_site_template_filled_by_a_script_reads_back_to_the_same_figures(tmp_path):
    book = _template(tmp_path)
    filled = _fill(book)
    assert run("check", book).exit_code == 0  # reads back with the normal reader, on its own
    got = compute_json(HQ, BRANCHES, book, "--year", "2025")
    # the same rows typed into one inventory
    ref = tmp_path / "single"
    shutil.copytree(MULTISITE / "after", ref)
    act = pd.read_csv(ref / "activity.csv", dtype=str, keep_default_na=False)
    new = pd.DataFrame([{k: (v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else
                             "" if v is None else repr(v) if isinstance(v, float) else str(v))
                         for k, v in rec.items() if k} for rec in filled])
    pd.concat([act, new], ignore_index=True).fillna("").to_csv(ref / "activity.csv", index=False)
    with (ref / "denominators.csv").open("a", encoding="utf-8") as fh:
        fh.write("BR01,2025,1202,42\nOUT01,2025,1203,43\n")
    want = compute_json(ref, "--year", "2025")
    assert got["years"] == want["years"]
    assert got["by_entity"] == want["by_entity"]
    assert got["years"]["2025"]["energy_kwh"] > 0


def test_a_site_template_refuses_an_unknown_site_and_an_existing_file(tmp_path):
    result = run("template", "--inventory", HQ, "--for", "BR1", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "no entity has this id" in result.stderr
    assert "did you mean BR1" in result.stderr
    lone = run("template", "--for", "BR01", "-o", tmp_path / "x.xlsx")
    assert lone.exit_code == 2 and "--for and --inventory go together" in lone.stderr
    book = _template(tmp_path)
    again = run("template", "--inventory", HQ, "--for", "BR01", "-o", book)
    assert again.exit_code == 2 and "never overwrites" in again.stderr


def test_status_shows_the_missing_months_of_an_incomplete_branch(tmp_path):
    book = _template(tmp_path)
    _fill(book, range(1, 7))  # January to June sent, July to December not yet
    out = tmp_path / "status.xlsx"
    result = run("status", HQ, BRANCHES, book, "--format", "json", "--out", out)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["years"] == [2025]
    mine = [r for r in doc["status"] if r["file"] == "BR01-2025.xlsx"]
    assert {r["entity_id"] for r in mine} == {"BR01", "OUT01"} and len(mine) == 10
    for r in mine:
        assert r["months"] == ["filled"] * 6 + ["missing"] * 6, r
    assert doc["by_file"]["BR01-2025.xlsx"] == {"expected": 120, "filled": 60, "estimated": 0,
                                                "partial": 0, "missing": 60}
    # the others sent nothing for 2025: every month of what they had is missing
    assert doc["by_file"]["BR02.xlsx"]["missing"] == 120
    assert doc["outstanding"] == 60 + 14 * 120 - 120 + 120  # hq and 13 branches, and BR01's half
    # the workbook: a cell per month, coloured by its word
    ws = openpyxl.load_workbook(out)["Status"]
    rules = ws.conditional_formatting
    assert {r.formula[0] for cf in rules for r in cf.rules} == {
        '"filled"', '"estimated"', '"partial"', '"missing"', '"not expected"'}
    row = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "BR01-2025.xlsx")
    assert list(row[5:17]) == ["filled"] * 6 + ["missing"] * 6
    # on the console
    table = run("status", HQ, BRANCHES, book)
    assert table.exit_code == 1
    assert "BR01-2025.xlsx: 60 of 120 entity-source months to come" in table.stdout
    line = next(x for x in table.stdout.splitlines() if "OUT01" in x and "electricity" in x)
    assert line.endswith("✓ ✓ ✓ ✓ ✓ ✓ ✗ ✗ ✗ ✗ ✗ ✗")


def test_status_of_a_complete_collection_exits_0():
    result = run("status", HQ, BRANCHES, "--year", "2024")
    assert result.exit_code == 0, result.output
    assert "BR07.xlsx: complete (120 entity-source months)" in result.stdout
    assert result.stdout.rstrip().endswith("every expected month is in")


def test_status_states_estimated_partial_and_not_expected(tmp_path):
    inv = tmp_path / "inv"
    inv.mkdir()
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "included_from"],
              [["E1", "Site", "", ""], ["E2", "Opened in May", "", "2024-05-01"]])
    rows = [["E1", "2024-01-01", "2024-01-31", "electricity", 10, "kWh", ""],
            ["E1", "2024-02-01", "2024-02-29", "electricity", 10, "kWh", "estimated"],
            ["E1", "2024-03-01", "2024-03-15", "electricity", 10, "kWh", ""],
            ["E1", "2024-11-01", "2024-11-30", "heat", 10, "GJ", ""],
            ["E2", "2024-05-01", "2024-12-31", "electricity", 10, "kWh", ""]]
    write_csv(inv / "activity.csv", ["entity_id", "period_start", "period_end", "source",
                                     "quantity", "unit", "data_quality"], rows)
    write_csv(inv / "meters.csv", ["entity_id", "source", "meter", "months"],
              [["E1", "heat", "", "11-3"]])
    result = run("status", inv, "--format", "json")
    assert result.exit_code == 1
    got = {(r["entity_id"], r["source"]): r["months"] for r in json.loads(result.stdout)["status"]}
    assert got[("E1", "electricity")][:4] == ["filled", "estimated", "partial", "missing"]
    assert got[("E1", "heat")] == ["missing"] * 3 + ["not_expected"] * 7 + ["filled", "missing"]
    assert got[("E2", "electricity")] == ["not_expected"] * 4 + ["filled"] * 8


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_status_workbook_in_chinese(tmp_path, lang):
    out = tmp_path / "s.xlsx"
    assert run("status", HQ, BRANCHES, "--year", "2024", "--out", out, "--lang", lang
               ).exit_code == 0
    ws = openpyxl.load_workbook(out)["Status"]
    assert ws.cell(5, 6).value in ("已填报", "已填報", "估算")


def test_a_site_template_expects_declared_seasons_and_the_boundary(tmp_path):
    inv = tmp_path / "hq"
    inv.mkdir()
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "included_to", "exit"],
              [["HQ", "Head office", "", "", ""], ["S1", "Site", "HQ", "", ""],
               ["S2", "Closing site", "HQ", "2025-06-30", "closure"],
               ["S3", "New site", "HQ", "", ""]])
    write_csv(inv / "activity.csv", ["entity_id", "period_start", "period_end", "source",
                                     "quantity", "unit", "meter"],
              [["S1", "2024-01-01", "2024-12-31", "electricity", 10, "度", "M-1"],
               ["S1", "2024-01-01", "2024-03-31", "heat", 5, "GJ", "H-1"],
               ["S2", "2024-01-01", "2024-12-31", "natural_gas", 5, "m³", ""],
               ["S2", "2023-01-01", "2023-12-31", "diesel", 5, "L", ""]])  # not last year's
    write_csv(inv / "meters.csv", ["entity_id", "source", "meter", "months"],
              [["S1", "heat", "H-1", "11-3"], ["S3", "electricity", "", ""]])
    book = tmp_path / "HQ-2025.xlsx"
    assert run("template", "--inventory", inv, "--for", "HQ", "--lang", "en", "-o", book
               ).exit_code == 0
    ws = openpyxl.load_workbook(book)["activity"]
    keys = _keys(ws)
    rows = [dict(zip(keys, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)
            if r[0]]
    months = {}
    for r in rows:
        months.setdefault((r["entity_id"], r["source"], r["meter"], r["unit"]), []).append(
            r["period_start"].month)
    assert months == {
        ("S1", "Purchased electricity", "M-1", "度"): list(range(1, 13)),
        ("S1", "Purchased heat", "H-1", "GJ"): [1, 2, 3, 11, 12],  # the declared season
        ("S2", "Natural gas", None, "m³"): list(range(1, 7)),  # inside until June
        ("S3", "Purchased electricity", None, "kWh"): list(range(1, 13)),  # declared, no rows
    }


def test_a_site_template_keeps_each_stream_of_a_source_a_series_of_its_own(tmp_path):
    """A source read as streams (batteries in pieces, kitchen waste in litres, refuse in tonnes
    without a stream): the site's workbook pre-fills a row per stream and month, its stream
    filled in, so that the stream's own factors still apply (it wrote one row per source, stream
    blank, and the series without a stream got no row)."""
    hq = tmp_path / "hq"
    shutil.copytree(HQ, hq)
    act = (hq / "activity.csv").read_text(encoding="utf-8").splitlines()
    head = act[0] + ("" if act[0].endswith(",stream") else ",stream")
    rows = [line + ("" if "stream" in act[0] else ",") for line in act[1:]]
    for m in range(1, 13):
        end = (dt.date(2024 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        for qty, unit, stream, source in (("1", "个", "batteries", "有害废弃物"),
                                          ("100", "L", "kitchen", "无害废弃物"),
                                          ("0.2", "吨", "", "无害废弃物")):
            line = [""] * len(head.split(","))
            cols = head.split(",")
            for k, v in (("entity_id", "OUT01"), ("period_start", f"2024-{m:02d}-01"),
                         ("period_end", end), ("source", source), ("quantity", qty),
                         ("unit", unit), ("stream", stream)):
                line[cols.index(k)] = v
            rows.append(",".join(line))
    (hq / "activity.csv").write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    book = tmp_path / "BR01-2025.xlsx"
    made = run("template", "--inventory", hq, "--for", "BR01", "--years", "2025", "--lang", "en",
               "-o", book)
    assert made.exit_code == 0, made.output
    ws = sheet(openpyxl.load_workbook(book), "activity")
    keys = _keys(ws)
    waste = {(r["unit"], r["stream"]) for r in (dict(zip(keys, row, strict=False))
                                               for row in ws.iter_rows(min_row=2, values_only=True))
             if r["entity_id"] == "OUT01" and "waste" in str(r["source"]).lower()}
    assert waste == {("个", "batteries"), ("L", "kitchen"), ("吨", None)}
