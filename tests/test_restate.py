"""``carbon restate`` through the real CLI: the standard's rules, the attribution, the threshold,
the published comparison and the outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from carbon.metrics import value as metric_value
from carbon.report.restatement import write_notes
from tests.conftest import EXAMPLE, activity_row, compute_json, make_inventory, run, write_csv

MULTISITE = EXAMPLE / "multisite"
PARTS = ("boundary", "activity", "factors")


def factor(value: str, source: str = "electricity", unit: str = "tCO2/MWh") -> list[str]:
    return [source, "", "emission", value, unit, "test"]


def ent(eid: str, parent: str = "", kind: str = "office", start: str = "",
        stop: str = "") -> list[str]:
    return [eid, eid, parent, kind, "山西", start, stop]


def restate_json(a: Path, b: Path, *args: str) -> dict:
    result = run("restate", "--before", a, "--after", b, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_sums(fig: dict) -> None:
    assert sum(fig["attribution"][p] for p in PARTS) == pytest.approx(fig["delta"], abs=1e-9)


def _issue_case(tmp_path: Path) -> tuple[Path, Path]:
    """The issue's case: 10,000 MWh at the own factor 0.6000 t/MWh; after, plus 2,000 MWh of
    outlets, all at 0.5568 t/MWh."""
    a = make_inventory(tmp_path / "a", [activity_row(10000, "MWh", entity="HO")],
                       entities=[ent("HO", kind="head_office")], custom_factors=[factor("0.6000")])
    b = make_inventory(tmp_path / "b", [activity_row(10000, "MWh", entity="HO"),
                                        activity_row(2000, "MWh", entity="OUT")],
                       entities=[ent("HO", kind="head_office"), ent("OUT", "HO", "outlets")],
                       custom_factors=[factor("0.5568")])
    return a, b


def test_issue_case_outlets_and_a_new_grid_factor(tmp_path):
    """10,000 MWh at 0.6000 t/MWh; after: plus 2,000 MWh of outlets, all at 0.5568 t/MWh."""
    a, b = _issue_case(tmp_path)
    out = restate_json(a, b)
    assert set(out) >= {"base_year", "threshold_pct", "recalculation_required", "years", "notes"}
    assert out["threshold_scope"] == "location"
    assert out["threshold_metrics"] == ["total_location_tco2e"]
    f = out["years"]["2022"]["scope2_location_tco2e"]
    assert round(f["before"], 1) == 6000.0
    assert round(f["after"], 1) == 6681.6
    assert round(f["attribution"]["boundary"], 1) == 1156.8
    assert round(f["attribution"]["factors"], 1) == -475.2
    assert f["attribution"]["activity"] == pytest.approx(0, abs=1e-9)
    assert round(f["delta_pct"], 2) == 11.36
    assert_sums(f)
    assert out["recalculation_required"] is True and out["base_year"] == 2022
    assert out["threshold_pct"] == 5
    en = out["notes"]["disclosure"]["en"]
    assert "include 1 outlet" in en and "6,000.0 to 6,681.6" in en and "+11.36%" in en
    assert "纳入1个网点" in out["notes"]["disclosure"]["zh-Hans"]
    assert "納入1個網點" in out["notes"]["disclosure"]["zh-Hant"]


def test_identity_gives_zero_deltas_and_matches_compute():
    out = restate_json(MULTISITE / "after", MULTISITE / "after")
    computed = compute_json(MULTISITE / "after")["years"]
    assert out["recalculation_required"] is False
    for y, figs in out["years"].items():
        for metric, f in figs.items():
            assert f["delta"] == 0 and f["delta_pct"] in (0, None)
            assert all(f["attribution"][p] == 0 for p in PARTS)
            assert f["before"] == pytest.approx(metric_value(computed[y], metric), rel=1e-12)


def _site_inventories(tmp_path: Path, b_entities: list[list[str]], b_rows: list[list]) -> dict:
    """A: one site E1, 1,000 MWh a year, 2022–2024, 1 t/MWh. B as given, same factor."""
    settings = "reporting_years = [2022, 2023, 2024]\nbase_year = 2022\n"
    rows = [activity_row(1000, "MWh", year=y, entity="E1") for y in (2022, 2023, 2024)]
    a = make_inventory(tmp_path / "a", rows, entities=[ent("E1")],
                       custom_factors=[factor("1")], settings=settings)
    b = make_inventory(tmp_path / "b", rows + b_rows, entities=b_entities,
                       custom_factors=[factor("1")], settings=settings)
    return restate_json(a, b)


def test_acquiring_a_site_that_existed_in_the_base_year_adds_it_to_the_base_year(tmp_path):
    # E2 existed in 2022: B carries its base-year data and its window starts before 2022.
    rows = [activity_row(q, "MWh", year=y, entity="E2") for y, q in ((2022, 300), (2023, 310),
                                                                     (2024, 320))]
    out = _site_inventories(tmp_path, [ent("E1"), ent("E2")], rows)
    base = out["years"]["2022"]["total_location_tco2e"]
    assert base["before"] == pytest.approx(1000) and base["after"] == pytest.approx(1300)
    assert base["attribution"]["boundary"] == pytest.approx(300)
    assert out["recalculation_required"] is True
    assert out["notes"]["boundary"]["added"] == ["E2"]


def test_acquiring_a_site_built_later_does_not_change_the_base_year(tmp_path):
    # E3 opened on 2023-05-01 (organic growth); a stray 2022 row before it opened is not counted.
    rows = [activity_row(50, "MWh", year=2022, entity="E3"),
            activity_row(200, "MWh", start="2023-05-01", end="2023-12-31", entity="E3"),
            activity_row(310, "MWh", year=2024, entity="E3")]
    out = _site_inventories(tmp_path, [ent("E1"), ent("E3", start="2023-05-01")], rows)
    base = out["years"]["2022"]["total_location_tco2e"]
    assert base["delta"] == 0 and base["attribution"]["boundary"] == 0
    assert out["recalculation_required"] is False
    assert out["years"]["2023"]["total_location_tco2e"]["attribution"]["boundary"] == \
        pytest.approx(200)
    warnings = out["notes"]["warnings"]["after"]
    assert any(w["code"] == "outside_boundary" and "E3 (1 row)" in w["message"]
               for w in warnings)


def test_a_divestment_removes_the_units_base_year_share(tmp_path):
    settings = "reporting_years = [2022, 2023]\nbase_year = 2022\n"
    rows = [activity_row(q, "MWh", year=y, entity=e) for y in (2022, 2023)
            for e, q in (("E1", 1000), ("E2", 250))]
    a = make_inventory(tmp_path / "a", rows, entities=[ent("E1"), ent("E2", kind="plant")],
                       custom_factors=[factor("1")], settings=settings)
    b = make_inventory(tmp_path / "b", [r for r in rows if r[0] == "E1"], entities=[ent("E1")],
                       custom_factors=[factor("1")], settings=settings)
    out = restate_json(a, b)
    base = out["years"]["2022"]["total_location_tco2e"]
    assert base["after"] == pytest.approx(1000)
    assert base["attribution"]["boundary"] == pytest.approx(-250)
    assert base["delta_pct"] == pytest.approx(-20)
    assert out["notes"]["boundary"]["removed"] == ["E2"]
    assert "to exclude 1 plant" in out["notes"]["disclosure"]["en"]


@pytest.mark.parametrize(("added_mwh", "required"), [("499", False), ("500", True)])
def test_cumulative_threshold_edge(tmp_path, added_mwh, required):
    """4.99 % of the base year does not reach a 5 % threshold; 5.00 % does."""
    a = make_inventory(tmp_path / "a", [activity_row(10000, "MWh")],
                       custom_factors=[factor("1")])
    b = make_inventory(tmp_path / "b", [activity_row(10000, "MWh"),
                                        activity_row(added_mwh, "MWh", entity="E2")],
                       entities=[ent("E1"), ent("E2")], custom_factors=[factor("1")])
    out = restate_json(a, b, "--threshold", "5")
    assert out["recalculation_required"] is required
    assert out["notes"]["base_year_change"]["gross_pct"] == pytest.approx(
        float(added_mwh) / 100)


def test_gross_change_counts_both_directions(tmp_path):
    """+3 % acquired and -3 % divested: net zero, cumulative 6 % ≥ 5 %."""
    a = make_inventory(tmp_path / "a", [activity_row(9700, "MWh"),
                                        activity_row(300, "MWh", entity="OLD")],
                       entities=[ent("E1"), ent("OLD")], custom_factors=[factor("1")])
    b = make_inventory(tmp_path / "b", [activity_row(9700, "MWh"),
                                        activity_row(300, "MWh", entity="NEW")],
                       entities=[ent("E1"), ent("NEW")], custom_factors=[factor("1")])
    out = restate_json(a, b)
    f = out["years"]["2022"]["total_location_tco2e"]
    assert f["delta"] == pytest.approx(0, abs=1e-9)
    assert out["notes"]["base_year_change"]["gross_pct"] == pytest.approx(6)
    assert out["recalculation_required"] is True


def test_a_gasoline_factor_ten_times_too_small_is_all_factors(tmp_path):
    rows = [activity_row(10000, "L", source="汽油")]
    a = make_inventory(tmp_path / "a", rows, custom_factors=[factor("0.2296", "gasoline",
                                                                    "kgCO2/L")])
    b = make_inventory(tmp_path / "b", rows, custom_factors=[factor("2.296", "gasoline",
                                                                    "kgCO2/L")])
    y = restate_json(a, b)["years"]["2022"]
    co2, f = y["co2_t"], y["scope1_tco2e"]
    assert co2["before"] == pytest.approx(2.296) and co2["after"] == pytest.approx(22.96)
    assert f["delta"] == pytest.approx(co2["delta"])  # CH4 and N2O (IPCC 2006) did not change
    assert f["attribution"]["factors"] == pytest.approx(f["delta"])
    assert f["attribution"]["boundary"] == 0
    assert f["attribution"]["activity"] == pytest.approx(0, abs=1e-12)


def test_corrected_activity_data_is_all_activity(tmp_path):
    a = make_inventory(tmp_path / "a", [activity_row(900, "MWh")], custom_factors=[factor("1")])
    b = make_inventory(tmp_path / "b", [activity_row(1000, "MWh")], custom_factors=[factor("1")])
    f = restate_json(a, b)["years"]["2022"]["total_location_tco2e"]
    assert f["attribution"]["activity"] == pytest.approx(100)
    assert f["attribution"]["boundary"] == 0 and f["attribution"]["factors"] == 0


def test_a_years_own_grid_vintage_is_a_real_change_not_a_restatement(tmp_path):
    """Same data, both on the vintage rule: 2022 uses MEE 2022 and 2023 uses MEE 2023 in both
    inventories. The 2022→2023 factor step changes 2023 against 2022 (a real change) and
    restates nothing. With A pinned to MEE 2021, each year is restated with its own vintage:
    2022 with MEE 2022 (0.5366 kg/kWh, 公告2024年第33号), never with the newer 2023 factor."""
    settings = "reporting_years = [2022, 2023]\nbase_year = 2022\n"
    rows = [activity_row(1000, "MWh", year=y) for y in (2022, 2023)]
    vintage = make_inventory(tmp_path / "b", rows, settings=settings)
    same = restate_json(vintage, vintage)
    assert all(f["delta"] == 0 for y in same["years"].values() for f in y.values())
    assert same["recalculation_required"] is False
    computed = compute_json(vintage)["years"]
    assert computed["2022"]["scope2_location_tco2e"] != computed["2023"]["scope2_location_tco2e"]

    old = make_inventory(tmp_path / "a", rows,
                         settings=settings + '[factor_sets]\ngrid = "mee-grid-2021"\n')
    out = restate_json(old, vintage)
    y22 = out["years"]["2022"]["scope2_location_tco2e"]
    assert y22["before"] == pytest.approx(1000 * 0.5568)  # MEE 2021 national
    assert y22["after"] == pytest.approx(1000 * 0.5366)   # MEE 2022 national, its own vintage
    assert y22["attribution"]["factors"] == pytest.approx(y22["delta"])
    assert out["years"]["2023"]["scope2_location_tco2e"]["after"] == pytest.approx(1000 * 0.5306)
    assert out["notes"]["factors"]["grid_after"] == {"2022": "mee-grid-2022",
                                                     "2023": "mee-grid-2023"}


def test_published_figures_are_compared_with_the_original_inventory(tmp_path):
    a = make_inventory(tmp_path / "a", [activity_row(10000, "MWh")], custom_factors=[factor("0.6")])
    pub = tmp_path / "published.csv"
    write_csv(pub, ["year", "metric", "value"], [[2022, "water_m3", "120"],
                                                 [2022, "scope2_location_tco2e", "6,000.0"],
                                                 [2022, "energy_kwh", "10,500,000"]])
    out = restate_json(a, a, "--published", pub)
    rows = {r["metric"]: r for r in out["notes"]["published"]}
    assert rows["scope2_location_tco2e"] == {
        "year": 2022, "metric": "scope2_location_tco2e", "published": 6000.0,
        "recomputed": pytest.approx(6000.0), "residual": pytest.approx(0.0, abs=1e-9),
        "residual_pct": pytest.approx(0.0, abs=1e-9), "within_rounding": True}
    assert rows["energy_kwh"]["residual"] == pytest.approx(500000)
    assert rows["energy_kwh"]["residual_pct"] == pytest.approx(5.0)  # 500,000 of 10,000,000
    assert rows["energy_kwh"]["within_rounding"] is False
    # a published water figure, and neither inventory has water rows: nothing to compare it with
    assert rows["water_m3"] == {"year": 2022, "metric": "water_m3", "published": 120.0,
                                "recomputed": None, "residual": None, "residual_pct": None,
                                "within_rounding": False}

    write_csv(pub, ["year", "metric", "value"], [[2022, "scope3", "1"], [2019, "energy_kwh", "x"]])
    bad = run("restate", "--before", a, "--after", a, "--published", pub)
    assert bad.exit_code == 2
    assert "published.csv, row 2, column metric: 'scope3'" in bad.stderr
    assert "published.csv, row 3, column year: '2019'" in bad.stderr
    assert "published.csv, row 3, column value: 'x'" in bad.stderr


def test_example_json_is_byte_identical_and_sums_exactly():
    args = ("restate", "--before", MULTISITE / "before", "--after", MULTISITE / "after",
            "--format", "json")
    first, second = run(*args), run(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    out = json.loads(first.stdout)
    assert list(out["years"]) == ["2022", "2023"]
    for figs in out["years"].values():
        for f in figs.values():
            assert_sums(f)
    assert out["notes"]["boundary"]["added_kinds"] == {"outlets": 14, "village_bank": 1}
    # after ties to the bank's published electricity, spread over sites (shared reference)
    after = compute_json(MULTISITE / "after")["years"]
    assert round(after["2022"]["by_source"]["electricity"]["quantity"], 2) == 10428786.99
    assert out["years"]["2022"]["energy_kwh"]["after"] == pytest.approx(
        after["2022"]["energy_kwh"], rel=1e-12)


def test_table_output_is_readable():
    result = run("restate", "--before", MULTISITE / "before", "--after", MULTISITE / "after")
    assert result.exit_code == 0, result.output
    text = result.stdout
    for label in ("Boundary", "Activity data", "Emission factors", "Scope 2, location-based",
                  "Base-year recalculation required: yes", "[zh-Hant]"):
        assert label in text


def test_xlsx_sheet(tmp_path):
    path = tmp_path / "restatement.xlsx"
    result = run("restate", "--before", MULTISITE / "before", "--after", MULTISITE / "after",
                 "--out", path)
    assert result.exit_code == 0, result.output
    out = restate_json(MULTISITE / "before", MULTISITE / "after")
    book = load_workbook(path)
    assert book.sheetnames == ["Restatement", "Notes"]
    ws = book["Restatement"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Year")
    assert header[:4] == ("Year", "Metric", "Unit", "Before")
    rows = {(r[0], r[1]): r for r in ws.iter_rows(values_only=True)
            if isinstance(r[0], int) and isinstance(r[1], str)}
    total = out["years"]["2022"]["total_location_tco2e"]
    row = rows[(2022, "Total GHG emissions (Scope 1 + Scope 2)")]  # the KPI sheet's term
    assert row[3] == pytest.approx(total["before"]) and row[4] == pytest.approx(total["after"])
    assert row[7] == pytest.approx(total["attribution"]["boundary"])
    summary = {r[0]: r[3] for r in ws.iter_rows(max_row=8, values_only=True) if r[0]}
    assert summary["Base year"] == 2022  # numbers stored as numbers
    assert summary["Cumulative change in the base year (%)"] == pytest.approx(
        out["notes"]["base_year_change"]["gross_pct"])
    notes = book["Notes"]
    texts = [r[0] for r in notes.iter_rows(values_only=True) if isinstance(r[0], str)]
    assert any(t.startswith("The 2022 and 2023 figures were restated") for t in texts)
    # the boundary changes, entity by entity, sum to the boundary part of the total
    changes = [r for r in notes.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert {r[1].split()[0] for r in changes} >= {"OUT01", "VB"}
    got = sum(r[3] for r in changes if r[0] == 2022)
    assert got == pytest.approx(total["attribution"]["boundary"])

    wb = Workbook()
    zh = wb.create_sheet("重述")
    write_notes(zh, out, "zh-Hant")
    values = [c for r in zh.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert any("數據已重述" in v for v in values) and "新納入（重述前清單中沒有）" in values


def test_no_common_year_is_a_usage_error(tmp_path):
    a = make_inventory(tmp_path / "a", [activity_row(1, "MWh", year=2021)],
                       custom_factors=[factor("1")])
    b = make_inventory(tmp_path / "b", [activity_row(1, "MWh", year=2023)],
                       custom_factors=[factor("1")])
    result = run("restate", "--before", a, "--after", b)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(
        "error: the two inventories report no year in common (--before 2021, --after 2023)")
    # a year one side has no activity in is refused too: its figures would be zeros, restated
    # as a change of activity
    forced = run("restate", "--before", a, "--after", b, "--year", "2023")
    assert forced.exit_code == 2 and forced.stdout == ""
    assert "the --before inventory has no activity in 2023 (its rows cover 2021)" in " ".join(
        forced.stderr.split())


def test_a_changed_equity_share_is_a_boundary_change(tmp_path):
    header = ["entity_id", "name", "parent_id", "kind", "province", "included_from",
              "included_to", "ownership_share"]
    rows = [activity_row(1000, "MWh")]
    invs = []
    for name, share in (("a", "100%"), ("b", "60%")):
        inv = make_inventory(tmp_path / name, rows, custom_factors=[factor("1")],
                             settings='consolidation = "equity_share"\n')
        write_csv(inv / "entities.csv", header, [[*ent("E1"), share]])
        invs.append(inv)
    f = restate_json(*invs)["years"]["2022"]["total_location_tco2e"]
    assert f["after"] == pytest.approx(600)
    assert f["attribution"]["boundary"] == pytest.approx(-400)
    assert f["attribution"]["activity"] == 0 and f["attribution"]["factors"] == 0


def _as_workbook(folder: Path, path: Path) -> Path:
    """The same inventory as a filled workbook: one sheet per CSV file, settings as key/value."""
    import csv
    import tomllib

    wb = Workbook()
    wb.remove(wb.active)
    for table in ("entities", "activity", "denominators"):
        ws = wb.create_sheet(table)
        with (folder / f"{table}.csv").open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                ws.append(row)
    ws = wb.create_sheet("settings")
    ws.append(["key", "value"])
    settings = tomllib.loads((folder / "settings.toml").read_text(encoding="utf-8"))
    for key, value in settings.items():
        if isinstance(value, dict):
            for k, v in value.items():
                ws.append([f"{key}.{k}", v])
        else:
            ws.append([key, ", ".join(map(str, value)) if isinstance(value, list) else value])
    wb.save(path)
    return path


def test_a_workbook_restates_like_its_folder(tmp_path):
    before = _as_workbook(MULTISITE / "before", tmp_path / "before.xlsx")
    args = ["--after", str(MULTISITE / "after"), "--format", "json"]
    from_folder = run("restate", "--before", str(MULTISITE / "before"), *args)
    from_workbook = run("restate", "--before", str(before), *args)
    assert from_folder.exit_code == 0, from_folder.output
    assert from_workbook.exit_code == 0, from_workbook.output
    folder_years = json.loads(from_folder.stdout)["years"]
    workbook_years = json.loads(from_workbook.stdout)["years"]
    assert workbook_years.keys() == folder_years.keys()
    for year, metrics in folder_years.items():
        for metric, v in metrics.items():
            assert workbook_years[year][metric]["before"] == pytest.approx(v["before"], rel=1e-12)
            assert workbook_years[year][metric]["attribution"] == pytest.approx(
                v["attribution"], rel=1e-9, abs=1e-9)


def test_rows_outside_both_boundaries_need_no_factor(tmp_path):
    """A stray 2022 coal row of a site that joins in 2023 counts nowhere: restate needs no coal
    factor for it (and compute does not either)."""
    a = make_inventory(tmp_path / "a", [activity_row(100, "MWh", entity="E1")],
                       entities=[ent("E1")], custom_factors=[factor("0.6")])
    b = make_inventory(tmp_path / "b", [activity_row(100, "MWh", entity="E1"),
                                        activity_row(5, "t", source="raw_coal", entity="E3")],
                       entities=[ent("E1"), ent("E3", start="2023-05-01")],
                       custom_factors=[factor("0.6")])
    assert compute_json(b)["years"]["2022"]["scope1_tco2e"] == 0
    out = restate_json(a, b)
    assert out["years"]["2022"]["total_location_tco2e"]["delta"] == pytest.approx(0, abs=1e-9)


def test_grid_level_of_one_side_uses_the_province_the_other_side_records(tmp_path):
    """A reports nationally without a province; B provincially with one: A's data under B's
    factors takes B's province for the same entity instead of failing."""
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh", entity="E1")],
                       entities=[["E1", "Site", "", "office", "", "", ""]])
    b = make_inventory(tmp_path / "b", [activity_row(1000, "MWh", entity="E1")],
                       entities=[ent("E1")], settings='grid_level = "provincial"\n')
    f = restate_json(a, b)["years"]["2022"]["scope2_location_tco2e"]
    assert f["attribution"]["factors"] == pytest.approx(f["delta"], abs=1e-9)
    assert f["delta"] != 0


def test_a_market_based_change_alone_is_disclosed_as_a_restatement(tmp_path):
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "instrument"]
    a = make_inventory(tmp_path / "a", [[*activity_row(1000, "MWh"), ""]], activity_header=header)
    b = make_inventory(tmp_path / "b", [[*activity_row(1000, "MWh"), "green_power"]],
                       activity_header=header)
    out = restate_json(a, b)
    assert out["years"]["2022"]["scope2_market_tco2e"]["delta"] < 0
    assert "No figure changed" not in out["notes"]["disclosure"]["en"]


def test_zero_threshold_with_no_change_requires_nothing(tmp_path):
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh")])
    assert restate_json(a, a, "--threshold", "0")["recalculation_required"] is False


def test_markup_like_organisation_names_are_plain_text(tmp_path):
    inv = make_inventory(tmp_path / "a", [activity_row(1000, "MWh")],
                         settings='organisation = "Acme [/] [bold]Group[/bold] Ltd"\n')
    for args in (("compute", inv), ("restate", "--before", inv, "--after", inv)):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "Acme [/] [bold]Group[/bold] Ltd" in result.stdout


def test_an_own_factor_the_other_side_never_states_stands_in(tmp_path):
    """A burns raw coal at a site with its own factors; B divests the site and states no coal
    factor: A's coal under B's factors uses A's own (unchanged), and the change is boundary."""
    coal = [["raw_coal", "", "emission", "2.0", "tCO2/t", "own"]]
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh", entity="E1"),
                                        activity_row(10, "t", source="raw_coal", entity="E2")],
                       entities=[ent("E1"), ent("E2")], custom_factors=[factor("0.6"), *coal])
    b = make_inventory(tmp_path / "b", [activity_row(1000, "MWh", entity="E1")],
                       entities=[ent("E1")], custom_factors=[factor("0.6")])
    f = restate_json(a, b)["years"]["2022"]["co2_t"]
    assert f["delta"] == pytest.approx(-20)
    assert f["attribution"]["boundary"] == pytest.approx(-20)
    assert f["attribution"]["factors"] == pytest.approx(0, abs=1e-9)


def test_the_disclosure_names_what_the_attribution_shows(tmp_path):
    """An entity added after the restated years is not named; a window change is a boundary
    change all the same; a grid level change is named."""
    a = make_inventory(tmp_path / "a", [activity_row(100, "MWh", entity=e) for e in ("E1", "E2")],
                       entities=[ent("E1"), ent("E2")])
    b = make_inventory(tmp_path / "b", [activity_row(100, "MWh", entity=e) for e in ("E1", "E2")],
                       entities=[ent("E1"), ent("E2", start="2023-01-01"),
                                 ent("NEW", kind="outlet", start="2024-03-01")],
                       settings='grid_level = "provincial"\n')
    out = restate_json(a, b)
    en = out["notes"]["disclosure"]["en"]
    assert "outlet" not in en
    assert "changed reporting boundary" in en and "provincial grid emission factors" in en
    f = out["years"]["2022"]["total_location_tco2e"]["attribution"]
    assert f["boundary"] < 0 and f["factors"] != 0


def test_entities_added_or_removed_without_an_event_are_named_with_the_rule_assumed(tmp_path):
    """Eleven sites only in B, ten only in A, none with an entry or exit: one warning each way
    with the rule applied and how to state the event; a list of more than ten is cut."""
    added = [f"N{i:02d}" for i in range(1, 12)]
    gone = [f"G{i:02d}" for i in range(1, 11)]
    a = make_inventory(tmp_path / "a", [activity_row(100, "MWh", entity=e) for e in ["E0", *gone]],
                       entities=[ent(e) for e in ["E0", *gone]])
    b = make_inventory(tmp_path / "b", [activity_row(100, "MWh", entity=e) for e in ["E0", *added]],
                       entities=[ent(e) for e in ["E0", *added]])
    out = restate_json(a, b)
    assert out["notes"]["warnings"]["restate"] == [
        {"code": "boundary_event_assumed",
         "message": "11 entities are in the after inventory and not in the before one, with no "
                    "entry stated: counted in every year they have rows, as if inside the "
                    "boundary from the start (right for a unit acquired with its history: write "
                    "entry = acquisition and its acquisition date in included_from to say so; a "
                    "unit opened later needs entry = opening and its opening date): N01, N02, "
                    "N03, N04, N05, N06, N07, N08, N09, N10 and 1 more"},
        {"code": "boundary_event_assumed",
         "message": "10 entities are in the before inventory and not in the after one: removed "
                    "from every restated year, as a divestment is; a unit that closed stays in "
                    "the after inventory with included_to = its last day and exit = closure (the "
                    "years before are then unchanged): G01, G02, G03, G04, G05, G06, G07, G08, "
                    "G09, G10"}]
    # 100 MWh at the MEE 2022 national factor, 0.5366 t/MWh: 10 sites out, 11 in
    fig = out["years"]["2022"]["scope2_location_tco2e"]
    assert fig["delta"] == pytest.approx(53.66)
    assert fig["attribution"]["boundary"] == pytest.approx(53.66)


def test_earlier_years_outside_the_after_inventorys_own_years_are_restated_by_hand(tmp_path):
    """A reports 2022–2023 (1,000 MWh a year at 1 t/MWh); B reports 2023–2024 (1,100 MWh a year
    at 0.5 t/MWh, 2022 too). Restating 2022 (``--year``) takes B's factors onto A's 2022 data,
    a year B's own settings do not report. Two players (same boundary): activity ½((1,100 −
    1,000) + (550 − 500)) = 75, factors ½((500 − 1,000) + (550 − 1,100)) = −525."""
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh", year=y) for y in (2022, 2023)],
                       custom_factors=[factor("1")],
                       settings="reporting_years = [2022, 2023]\nbase_year = 2022\n")
    b = make_inventory(tmp_path / "b",
                       [activity_row(1100, "MWh", year=y) for y in (2022, 2023, 2024)],
                       custom_factors=[factor("0.5")],
                       settings="reporting_years = [2023, 2024]\nbase_year = 2022\n")
    out = restate_json(a, b, "--year", "2022", "--year", "2023")
    assert sorted(out["years"]) == ["2022", "2023"]
    for year in ("2022", "2023"):
        f = out["years"][year]["total_location_tco2e"]
        assert (f["before"], f["after"]) == (pytest.approx(1000), pytest.approx(550))
        assert f["attribution"]["activity"] == pytest.approx(75)
        assert f["attribution"]["factors"] == pytest.approx(-525)
        assert f["attribution"]["boundary"] == 0


def test_a_site_only_in_the_before_inventory_keeps_its_own_province_under_the_after_factors(
        tmp_path):
    """Provincial grid factors (MEE/NBS 公告2024年第33号, 表3, 2022: 山西 0.7096, 广东 0.4403
    kgCO2/kWh). A: the head office in 山西 and a site in 广东, 1,000 MWh each; B: the head office
    only, same settings. B's factors on A's site are looked up at the site's own province (B does
    not know the site): the change is all boundary, −440.3 t, and the factors' part is nil."""
    settings = 'grid_level = "provincial"\n'
    site = ["GD", "GD", "HO", "office", "广东", "", ""]
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh", entity="HO"),
                                        activity_row(1000, "MWh", entity="GD")],
                       entities=[ent("HO", kind="head_office"), site], settings=settings)
    b = make_inventory(tmp_path / "b", [activity_row(1000, "MWh", entity="HO")],
                       entities=[ent("HO", kind="head_office")], settings=settings)
    f = restate_json(a, b)["years"]["2022"]["scope2_location_tco2e"]
    assert f["before"] == pytest.approx(709.6 + 440.3)
    assert f["after"] == pytest.approx(709.6)
    assert f["attribution"]["boundary"] == pytest.approx(-440.3)
    assert f["attribution"]["factors"] == pytest.approx(0, abs=1e-9)
    assert f["attribution"]["activity"] == pytest.approx(0, abs=1e-9)


def test_rows_the_after_inventory_keeps_outside_its_own_boundary_are_its_activity_by_hand(
        tmp_path):
    """A: E2 inside in 2022, 1,000 MWh. B: E2 left at the end of 2021, yet B's file still holds
    its 2022 reading, 1,200 MWh (1 t/MWh; the head office unchanged). With A's boundary and B's
    activity, E2 counts B's 1,200. Shapley over boundary and activity: boundary ½((0 − 1,000) +
    (0 − 1,200)) = −1,100, activity ½((1,200 − 1,000) + (0 − 0)) = +100."""
    ho = activity_row(1000, "MWh", entity="HO")
    a = make_inventory(tmp_path / "a", [ho, activity_row(1000, "MWh", entity="E2")],
                       entities=[ent("HO", kind="head_office"), ent("E2", "HO")],
                       custom_factors=[factor("1")])
    b = make_inventory(tmp_path / "b", [ho, activity_row(1200, "MWh", entity="E2")],
                       entities=[ent("HO", kind="head_office"), ent("E2", "HO", stop="2021-12-31")],
                       custom_factors=[factor("1")])
    f = restate_json(a, b)["years"]["2022"]["total_location_tco2e"]
    assert (f["before"], f["after"]) == (pytest.approx(2000), pytest.approx(1000))
    assert f["attribution"]["boundary"] == pytest.approx(-1100)
    assert f["attribution"]["activity"] == pytest.approx(100)
    assert f["attribution"]["factors"] == 0


def test_the_issue_case_base_year_change_and_factor_notes_in_full(tmp_path):
    """The issue's case (outlets added, own factor 0.6000 → 0.5568 t/MWh): the base year's gross
    change is |1,156.8| boundary + |−475.2| factors = 1,632.0 t, 27.2 % of 6,000 t (net
    +11.36 %); the factor notes say what changed on each side."""
    a, b = _issue_case(tmp_path)
    notes = restate_json(a, b)["notes"]
    change = notes["base_year_change"]
    assert change["gross"] == {"boundary": pytest.approx(1156.8), "activity": 0,
                               "factors": pytest.approx(475.2)}
    assert change["gross_tco2e"] == pytest.approx(1632.0)
    assert change["gross_pct"] == pytest.approx(27.2)
    assert change["net_pct"] == pytest.approx(11.36)
    assert change["required"] is True and change["before"] == pytest.approx(6000)
    assert notes["factors"] == {
        "grid_before": {"2022": "mee-grid-2022"}, "grid_after": {"2022": "mee-grid-2022"},
        "sets_before": ["gbt2589-2020", "ipcc-ar5-gwp100"],
        "sets_after": ["gbt2589-2020", "ipcc-ar5-gwp100"],
        "custom_changed": ["electricity"],
        "grid_level_before": "national", "grid_level_after": "national",
        "gwp_before": "AR5GWP100", "gwp_after": "AR5GWP100",
        "gases_before": ["CO2", "CH4", "N2O"], "gases_after": ["CO2", "CH4", "N2O"]}


def test_a_change_below_one_tonne_still_reaches_a_small_threshold(tmp_path):
    """100 → 100.5 MWh at 1 t/MWh: a gross change of 0.5 t, 0.5 % of the base year, reaches a
    threshold of 0.1 %."""
    a = make_inventory(tmp_path / "a", [activity_row(100, "MWh")], custom_factors=[factor("1")])
    b = make_inventory(tmp_path / "b", [activity_row(100.5, "MWh")], custom_factors=[factor("1")])
    out = restate_json(a, b, "--threshold", "0.1")
    assert out["notes"]["base_year_change"]["gross_tco2e"] == pytest.approx(0.5)
    assert out["recalculation_required"] is True


def test_rows_of_years_outside_the_restated_ones_need_no_factor(tmp_path):
    """Both inventories report 2022 only and keep a 2019 reading, a year no MEE/NBS grid factor
    covers: restating 2022 never computes 2019 (2 × 1,000 MWh × 0.5366 t/MWh, 表1 2022)."""
    rows = [activity_row(1000, "MWh", entity="HO"), activity_row(1000, "MWh", entity="E2"),
            activity_row(900, "MWh", entity="E2", year=2019)]
    entities = [ent("HO", kind="head_office"), ent("E2", "HO")]
    a, b = (make_inventory(tmp_path / n, rows, entities=entities,
                           settings="reporting_years = [2022]\n") for n in "ab")
    out = restate_json(a, b)
    assert sorted(out["years"]) == ["2022"]
    f = out["years"]["2022"]["total_location_tco2e"]
    assert f["before"] == pytest.approx(1073.2) and f["delta"] == 0


#: The rules a restatement states it applied (GHG Protocol Corporate Standard, chapter 5), as
#: its JSON notes give them in English.
RULES_EN = [
    "Structural changes are restated in every earlier year: an acquired (or insourced) unit's "
    "emissions are added from the year it existed, a divested (or outsourced) unit's are removed; "
    "Scope 3 is not reported, so insourcing from and outsourcing to it count as an acquisition and "
    "a divestment of the activity.",
    "Organic changes (openings, closures; insourcing from or outsourcing to Scope 2, which stays "
    "reported) change no earlier year and do not count toward the threshold.",
    "An entity that enters or leaves with no entry or exit stated is counted by its dates (an "
    "opening, a closure; only in the after inventory: inside from the start; only in the before "
    "inventory: removed) and named in the warnings.",
    "The year of an event follows the mid-year rule (setting boundary_mid_year: the whole year, "
    "or pro rata by days).",
    "Each year uses its own factors under each inventory's settings; the step from one year's grid "
    "vintage to the next is a real change, not a restatement.",
    "Cumulative change: entity-by-entity structural boundary changes, activity and factor changes "
    "in absolute value, over the base year's total_location_tco2e as originally reported "
    "(threshold_scope = location)."]


def test_the_rules_applied_are_stated_in_the_notes():
    assert restate_json(MULTISITE / "before", MULTISITE / "after")["notes"]["rules"] == RULES_EN


def test_a_base_year_outside_the_restated_years_is_a_usage_error_naming_them(tmp_path):
    a = make_inventory(tmp_path / "a", [activity_row(1, "MWh", year=y) for y in (2022, 2023)],
                       custom_factors=[factor("1")], settings="base_year = 2021\n")
    result = run("restate", "--before", a, "--after", a)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: base year 2021 is not among the restated years "
                                    "(2022, 2023); pass --base-year or --year")


def test_an_unknown_threshold_scope_from_the_api_is_a_usage_error_naming_the_choices():
    import carbon
    from carbon.errors import UsageError

    inv = carbon.read_inventory(MULTISITE / "after")
    with pytest.raises(UsageError) as caught:
        carbon.restate(inv, inv, threshold_scope="each")
    assert str(caught.value) == ("threshold scope 'each': use one of location, market, "
                                 "each_scope")


def test_an_entity_sold_down_to_nothing_is_a_boundary_change_even_without_its_rows(tmp_path):
    """Equity share: E2 held 100 % (1,000 MWh at 1 t/MWh) before, 0 % after, and the after
    inventory no longer has its rows. Outside the after boundary (a share of 0), E2 keeps its
    before rows under the before boundary: the −1,000 t is all boundary, none activity."""
    header = ["entity_id", "name", "parent_id", "kind", "province", "included_from",
              "included_to", "ownership_share"]
    settings = 'consolidation = "equity_share"\n'
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh"),
                                        activity_row(1000, "MWh", entity="E2")],
                       custom_factors=[factor("1")], settings=settings)
    write_csv(a / "entities.csv", header, [[*ent("E1"), "100%"], [*ent("E2"), "100%"]])
    b = make_inventory(tmp_path / "b", [activity_row(1000, "MWh")],
                       custom_factors=[factor("1")], settings=settings)
    write_csv(b / "entities.csv", header, [[*ent("E1"), "100%"], [*ent("E2"), "0%"]])
    f = restate_json(a, b)["years"]["2022"]["total_location_tco2e"]
    assert (f["before"], f["after"]) == (pytest.approx(2000), pytest.approx(1000))
    assert f["attribution"]["boundary"] == pytest.approx(-1000)
    assert f["attribution"]["activity"] == 0 and f["attribution"]["factors"] == 0


def test_restating_one_year_names_only_the_sets_that_year_used(tmp_path):
    """2022 at MEE/NBS's 2022 factors, 2023 at 2023's: restating 2023 alone (``--year``) lists
    the 2023 grid set among the sets used, not 2022's."""
    rows = [activity_row(1000, "MWh", year=y) for y in (2022, 2023)]
    a, b = (make_inventory(tmp_path / n, rows, settings="reporting_years = [2022, 2023]\n")
            for n in "ab")
    notes = restate_json(a, b, "--year", "2023", "--base-year", "2023")["notes"]["factors"]
    for side in ("sets_before", "sets_after"):
        assert "mee-grid-2023" in notes[side] and "mee-grid-2022" not in notes[side]
    assert notes["grid_before"] == {"2023": "mee-grid-2023"}


def test_an_infinite_threshold_from_the_api_is_a_usage_error():
    import carbon
    from carbon.errors import UsageError

    inv = carbon.read_inventory(MULTISITE / "after")
    with pytest.raises(UsageError) as caught:
        carbon.restate(inv, inv, threshold_pct=float("inf"))
    assert str(caught.value) == "--threshold inf: the threshold is a number of percent, such as 5"
