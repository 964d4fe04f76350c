"""Water, waste, paper and air pollutants (HKEX A1.1, A1.3, A1.4, A2.2) from the same inventory:
optional figures (absent without data), counts and volumes weighed or kept as counts with a
warning, streams kept apart, located errors for the wrong unit, and energy and greenhouse-gas
figures untouched by rows that are not energy."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from carbon import metrics
from carbon.aggregate import by_source_month
from carbon.calc import compute
from carbon.factors import bundled
from carbon.io import read_inventory
from tests.conftest import activity_row, compute_json, make_inventory, run, write_csv
from tests.xlsx_util import make_workbook

HEADER = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "stream"]
OWN = ["source", "year", "kind", "value", "unit", "reference", "stream"]
ENERGY = [[*activity_row(100_000, "kWh", "electricity", year=2024), ""],
          [*activity_row(1_000, "L", "diesel", year=2024), ""]]


def row(source: str, quantity: Any, unit: str, stream: str = "", year: int = 2024,
        entity: str = "E1") -> list[Any]:
    return [*activity_row(quantity, unit, source, year=year, entity=entity), stream]


def inventory(folder: Path, rows: list[list[Any]], own: list[list[Any]] | None = None,
              settings: str = "reporting_years = [2024]\n", **kw: Any) -> Path:
    inv = make_inventory(folder, rows, activity_header=HEADER, settings=settings,
                         denominators=[["E1", 2024, 2_000, 40]], **kw)
    if own is not None:
        write_csv(inv / "custom_factors.csv", OWN, own)
    return inv


def codes(out: dict[str, Any]) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for w in out["warnings"]:
        got.setdefault(w["code"], []).append(w["message"])
    return got


# -- optional figures: absent, not 0 or null, without data ---------------------------------------
def test_an_inventory_without_water_or_waste_has_no_environment_figures(tmp_path):
    out = compute_json(inventory(tmp_path / "inv", ENERGY))
    fig = out["years"]["2024"]
    assert "environment" not in fig
    assert not {r.key for r in metrics.RATIOS if r.num in {m.key for m in metrics.optional()}} \
        & set(fig["intensity"])
    assert not {m.key for m in metrics.optional()} & set(out["units"])
    assert all("environment" not in e for e in out["by_entity"])


def test_environment_keys_only_where_the_inventory_has_that_data(tmp_path):
    out = compute_json(inventory(tmp_path / "inv", [*ENERGY, row("水", 800, "立方米")]))
    fig = out["years"]["2024"]
    assert fig["environment"] == {"water_m3": 800.0}
    assert fig["intensity"]["water_m3_per_person"] == 20.0  # 800 m³ / 40 persons
    assert fig["intensity"]["water_m3_per_m2"] == 0.4
    assert "waste_hazardous_t_per_person" not in fig["intensity"]
    assert fig["by_source"]["water"] == {"quantity": 800.0, "unit": "m3", "water_m3": 800.0}


def test_energy_and_ghg_figures_are_unchanged_by_water_waste_paper_and_air_rows(tmp_path):
    """None of these sources is a fuel: every rated metric's ``applies`` keeps them out."""
    plain = compute_json(inventory(tmp_path / "a", ENERGY))
    more = compute_json(inventory(tmp_path / "b", [
        *ENERGY, row("水", 800, "立方米"), row("有害废弃物", 12, "个", "batteries"),
        row("无害废弃物", 3.5, "吨"), row("纸张", 40, "包"), row("氮氧化物", 0.02, "吨"),
        row("vehicle_distance", 12_000, "km")],
        own=[["vehicle_distance", "", "nox", "0.06", "g/km", "fleet test report, table 2", ""]]))
    energy_ghg = [m.key for m in metrics.METRICS if not m.optional]
    for key in energy_ghg:
        assert metrics.value(more["years"]["2024"], key) == \
            metrics.value(plain["years"]["2024"], key), key
    assert more["years"]["2024"]["environment"]["air_nox_t"] == pytest.approx(0.02 + 0.00072)


# -- counts and volumes --------------------------------------------------------------------------
def test_pieces_without_a_mass_stay_a_count_with_a_warning(tmp_path):
    result = run("compute", inventory(tmp_path / "inv", [*ENERGY, row("危废", 1242, "個")]),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    env = out["years"]["2024"]["environment"]
    assert env == {"waste_hazardous_count": 1242.0}  # no tonnes: not 0, not null
    assert out["years"]["2024"]["intensity"]["waste_hazardous_count_per_person"] == 1242 / 40
    warning = codes(out)["no_unit_mass"][0]
    assert "HKEX asks for tonnes (A1.3)" in warning and "kind unit_mass" in warning
    assert out["years"]["2024"]["by_source"]["waste_hazardous"]["quantity"] is None
    assert out["units"]["waste_hazardous_count"] == "piece"


def test_pieces_with_a_unit_mass_are_tonnes_and_the_audit_trail_names_the_factor(tmp_path):
    inv = inventory(tmp_path / "inv", [*ENERGY, row("waste_hazardous", 1242, "个")],
                    own=[["waste_hazardous", "", "unit_mass", "0.5", "kg/个",
                          "contractor's weighing slip 2024-03", ""]])
    out = compute_json(inv)
    assert out["years"]["2024"]["environment"] == {"waste_hazardous_t": pytest.approx(0.621)}
    assert "no_unit_mass" not in codes(out)
    book = tmp_path / "report.xlsx"
    assert run("compute", inv, "--out", book).exit_code == 0
    ws = openpyxl.load_workbook(book)["Audit trail"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    waste = next(r for r in rows if r["Source"] == "Hazardous waste")
    assert waste["Mass per counted unit: Id"] == "custom:unit_mass:waste_hazardous"
    assert waste["Mass per counted unit"] == 0.5
    used = {r[0]: r[7] for r in openpyxl.load_workbook(book)["Factors used"].iter_rows(
        values_only=True) if r[0]}
    assert "contractor's weighing slip 2024-03" in used["custom:unit_mass:waste_hazardous"]
    assert waste["Hazardous waste (t)"] == pytest.approx(0.621)


def test_a_unit_mass_for_one_stream_weighs_that_stream_only(tmp_path):
    inv = inventory(tmp_path / "inv", [*ENERGY, row("waste_hazardous", 20, "块", "batteries"),
                                       row("waste_hazardous", 50, "支", "lamp tubes")],
                    own=[["waste_hazardous", "", "unit_mass", "15", "kg/个", "scale, 2024-05",
                          "batteries"]])
    out = compute_json(inv)
    src = out["years"]["2024"]["by_source"]["waste_hazardous"]
    assert out["years"]["2024"]["environment"] == {"waste_hazardous_t": 0.3,
                                                   "waste_hazardous_count": 50.0}
    assert src["streams"]["batteries"] == {"quantity": 0.3, "unit": "t", "waste_hazardous_t": 0.3}
    assert src["streams"]["lamp tubes"] == {"quantity": None, "unit": "t",
                                            "waste_hazardous_count": 50.0}
    assert "50 (2024) pieces have no mass" in codes(out)["no_unit_mass"][0]


def test_a_volume_of_waste_needs_a_density_else_it_is_kept_in_cubic_metres(tmp_path):
    kitchen = row("无害废弃物", 3_000, "升", "kitchen waste")
    without = compute_json(inventory(tmp_path / "a", [*ENERGY, kitchen]))
    assert without["years"]["2024"]["environment"] == {
        "waste_non_hazardous_m3": pytest.approx(3.0)}
    assert "kind density" in codes(without)["no_density"][0]
    weighed = compute_json(inventory(tmp_path / "b", [*ENERGY, kitchen], own=[
        ["无害废弃物", "", "density", "0.8", "kg/L", "contractor's bucket weights", ""]]))
    assert weighed["years"]["2024"]["environment"] == {"waste_non_hazardous_t": 2.4}


def test_paper_in_reams_and_sheets_is_weighed_by_the_a4_ream_and_says_so(tmp_path):
    out = compute_json(inventory(tmp_path / "inv", [*ENERGY, row("纸张", 10, "令"),
                                                    row("纸张", 2_500, "张", "A4 loose")]))
    assert out["years"]["2024"]["environment"] == {"paper_t": pytest.approx(15 * 0.0024948)}
    assert "iso216-a4-80gsm" in codes(out)["unit_mass_assumed"][0]


def test_paper_in_packs_needs_a_mass_per_pack(tmp_path):
    packs = row("纸张", 26_992, "包")
    out = compute_json(inventory(tmp_path / "a", [*ENERGY, packs]))
    assert out["years"]["2024"]["environment"] == {"paper_count": 26_992.0}
    assert "kg/包" in codes(out)["no_unit_mass"][0]
    own = [["纸张", "", "unit_mass", "2.4948", "kg/包", "packs of 500 A4 sheets, 80 g/m²", ""]]
    weighed = compute_json(inventory(tmp_path / "b", [*ENERGY, packs], own=own))
    assert weighed["years"]["2024"]["environment"] == {"paper_t": pytest.approx(67.3396416)}


def test_reams_without_any_mass_per_ream_are_an_error_not_a_dropped_row(tmp_path):
    inv = inventory(tmp_path / "inv", [*ENERGY, row("纸张", 10, "令")],
                    settings='reporting_years = [2024]\n[factor_sets]\nunit_mass = ""\n')
    result = run("compute", inv)
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "paper in sheets or reams needs a mass per sheet or ream" in text
    assert "kind unit_mass" in text


# -- streams ---------------------------------------------------------------------------------------
def test_streams_are_apart_in_the_breakdown_and_their_periods_are_checked_apart(tmp_path):
    out = compute_json(inventory(tmp_path / "inv", [
        *ENERGY, row("无害废弃物", 1_603.55, "吨", "office refuse"),
        row("无害废弃物", 4.44, "吨", "office-supply waste"), row("无害废弃物", 1_601, "个", "e-waste")]))
    src = out["years"]["2024"]["by_source"]["waste_non_hazardous"]
    assert list(src["streams"]) == ["office refuse", "office-supply waste", "e-waste"]
    assert src["quantity"] == pytest.approx(1_607.99)
    assert src["waste_non_hazardous_count"] == 1_601.0
    assert "period_overlap" not in codes(out)  # each stream is a series of its own
    text = run("compute", tmp_path / "inv", "--format", "csv").stdout
    lines = [r for r in csv.DictReader(io.StringIO(text)) if r["metric"].startswith("by_stream")]
    assert ("by_stream.waste_non_hazardous_t", "waste_non_hazardous/office refuse", "1603.55") in \
        [(r["metric"], r["source"], r["value"]) for r in lines]


def test_the_kpi_table_shows_streams_under_their_figure_and_only_sections_with_data(tmp_path):
    inv = inventory(tmp_path / "inv", [*ENERGY, row("无害废弃物", 12.5, "吨", "office refuse")])
    text = run("compute", inv).stdout
    assert "Non-hazardous waste (A1.4)" in text and "of which office refuse" in text
    assert "Water consumption (A2.2)" not in text and "Air emissions (A1.1)" not in text
    plain = run("compute", inventory(tmp_path / "plain", ENERGY)).stdout
    assert "A1.4" not in plain and "energy and greenhouse gases" in plain


# -- air pollutants --------------------------------------------------------------------------------
def test_air_from_a_named_set_for_lpg_only_and_a_warning_for_the_fuels_without(tmp_path):
    inv = inventory(tmp_path / "inv", [*ENERGY, row("液化石油气", 1_000, "kg")],
                    settings='reporting_years = [2024]\n[factor_sets]\nair = '
                             '["hkex-appendix2-2018"]\n')
    out = compute_json(inv)
    env = out["years"]["2024"]["environment"]
    # HKEX Appendix 2: NOx 4.02, SOx 0.02 kg per million MJ; LPG at GB/T 2589-2020's 50,179 kJ/kg
    assert env == {"air_nox_t": pytest.approx(1_000 * 50.179 * 4.02e-9),
                   "air_sox_t": pytest.approx(1_000 * 50.179 * 0.02e-9)}
    partial = codes(out)["air_partial"]
    assert any("not of diesel (no factor)" in w for w in partial)
    assert "air_pm_t" not in env  # the document gives none: absent, not 0


def test_air_is_counted_only_where_asked_no_default_for_vehicles(tmp_path):
    out = compute_json(inventory(tmp_path / "inv", [*ENERGY, row("汽油", 5_000, "L")]))
    assert "environment" not in out["years"]["2024"]


def test_sulphur_limits_give_an_upper_bound_and_say_so(tmp_path):
    inv = inventory(tmp_path / "inv", [*ENERGY], settings='reporting_years = [2024]\n'
                    '[factor_sets]\nair = ["gb-fuel-sulphur-2013"]\n')
    out = compute_json(inv)
    # 1,000 L diesel × 0.84 kg/L (fuel-density-gb) × 10 mg/kg S × 64.06/32.06 (SO2/S)
    assert out["years"]["2024"]["environment"] == {
        "air_sox_t": pytest.approx(1_000 * 0.84 * 10e-6 * 64.06 / 32.06 / 1_000)}
    assert "an upper bound" in codes(out)["sulphur_limit"][0]


def test_a_per_km_factor_on_a_litre_row_is_an_error_naming_distance_rows(tmp_path):
    inv = inventory(tmp_path / "inv", ENERGY,
                    own=[["diesel", "", "nox", "0.5", "g/km", "fleet handbook", ""]])
    result = run("compute", inv)
    assert result.exit_code == 2
    assert "vehicle_distance rows" in " ".join(result.stderr.split())


def test_a_distance_without_a_factor_is_an_error(tmp_path):
    result = run("compute", inventory(tmp_path / "inv", [*ENERGY,
                                                         row("vehicle_distance", 100, "公里")]))
    assert result.exit_code == 2
    assert "kind nox (or sox, pm, co), unit g/km" in " ".join(result.stderr.split())


# -- bad input: exit 2, located, a fix -------------------------------------------------------------
@pytest.mark.parametrize(("bad", "expected"), [
    (row("水", 120, "吨"), ["activity.csv, row 4, column unit", "'吨'",
                            "does not measure water: it needs a volume",
                            "on a Chinese water bill 吨 means m³", "[wrong_dimension]"]),
    (row("有害废弃物", -3, "个"), ["activity.csv, row 4, column quantity", "'-3'",
                                 "must be 0 or more", "[negative]"]),
    (row("air_nox", 2, "m3"), ["activity.csv, row 4, column unit", "does not measure air_nox",
                               "a measured mass", "custom_factors row of its kind", "[wrong_dimension]"]),
])
def test_bad_environment_rows_exit_2_located_with_a_fix(tmp_path, bad, expected):
    inv = inventory(tmp_path / "inv", [*ENERGY, bad])
    out = tmp_path / "out.json"
    result = run("compute", inv, "--format", "json", "--out", out)
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.split())
    assert "Traceback" not in result.output and "nothing was written" in text
    for e in expected:
        assert e in text, f"{e!r} not in {text}"
    assert not out.exists()


def test_water_in_tonnes_in_a_workbook_names_the_sheet_and_cell(tmp_path):
    path = make_workbook(tmp_path / "inv.xlsx", activity=[
        ["E1", dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31), "水", 120, "噸"]])
    result = run("compute", path)
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "activity!F2" in text and "立方米" in text


# -- restatement covers the environmental figures --------------------------------------------------
def test_restatement_splits_water_and_waste_changes_and_leaves_out_what_neither_has(tmp_path):
    years = "reporting_years = [2024]\nbase_year = 2024\n"
    before = inventory(tmp_path / "a", [*ENERGY, row("水", 800, "立方米"),
                                        row("无害废弃物", 10, "吨")], settings=years)
    after = inventory(tmp_path / "b", [*ENERGY, row("水", 900, "立方米"),
                                       row("无害废弃物", 10, "吨")], settings=years,
                      entities=[["E1", "Site 1", "", "office", "山西", "", ""],
                                ["E2", "Site 2", "", "office", "山西", "", ""]])
    with (after / "activity.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(row("无害废弃物", 2, "吨", entity="E2"))
    result = run("restate", "--before", before, "--after", after, "--format", "json")
    assert result.exit_code == 0, result.output
    fig = json.loads(result.stdout)["years"]["2024"]
    assert fig["water_m3"]["delta"] == pytest.approx(100)
    assert fig["water_m3"]["attribution"]["activity"] == pytest.approx(100)
    assert fig["waste_non_hazardous_t"]["attribution"]["boundary"] == pytest.approx(2)
    assert "paper_t" not in fig and "air_nox_t" not in fig  # neither inventory has them
    assert "energy_kwh" in fig


def test_restating_an_inventory_with_environment_figures_by_itself_changes_nothing(tmp_path):
    inv = inventory(tmp_path / "a", [*ENERGY, row("水", 800, "立方米"), row("纸张", 40, "包"),
                                     row("有害废弃物", 12, "个", "batteries")])
    result = run("restate", "--before", inv, "--after", inv, "--format", "json")
    assert result.exit_code == 0, result.output
    for key, f in json.loads(result.stdout)["years"]["2024"].items():
        assert f["delta"] == 0, key


@pytest.mark.parametrize("rows", [[row("水", 800, "立方米")], [row("无害废弃物", 12.5, "吨")],
                                  [row("水", 800, "立方米"), row("有害废弃物", 0.3, "吨")]],
                         ids=["water", "waste", "both"])
def test_water_and_waste_per_employee_are_charted_in_the_workbook_and_as_files(tmp_path, rows):
    import re
    import zipfile

    inv = inventory(tmp_path / "inv", [*ENERGY, *rows])
    book, charts = tmp_path / "report.xlsx", tmp_path / "charts"
    result = run("compute", inv, "--out", book, "--charts", charts)
    assert result.exit_code == 0, result.output
    assert (charts / "water-waste-per-person.svg").is_file()
    with zipfile.ZipFile(book) as z:
        xml = [z.read(n).decode() for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
    # Scope 1, Scope 2, the energy mix, GHG and energy per m², then water per employee and
    # waste per employee, each its own chart (no second axis anywhere)
    people = xml[5:]
    assert len(people) == len(rows) and all(x.count("<valAx>") == 1 for x in xml)
    assert ("m³/person" in people[0]) == (rows[0][3] == "水")


def test_the_month_breakdown_keeps_streams_and_months_apart_in_order(tmp_path):
    """by_source_month, the workbook's breakdown: one line per source, stream and month (a span
    of months as its own line), sorted; an optional figure blank on the lines without it; the
    waste of a stream none of whose rows could be weighed has no quantity in tonnes."""
    rows = [["E1", "2024-02-01", "2024-02-29", "water", 10, "m3", ""],
            ["E1", "2024-03-01", "2024-03-31", "waste_hazardous", 20, "块", "batteries"],
            ["E1", "2024-03-01", "2024-03-31", "waste_hazardous", 50, "支", "lamp tubes"],
            ["E1", "2024-03-01", "2024-03-31", "electricity", 300, "kWh", ""],
            ["E1", "2024-01-01", "2024-03-31", "electricity", 900, "kWh", ""],
            ["E1", "2024-01-01", "2024-01-31", "electricity", 100, "kWh", ""]]
    inv = inventory(tmp_path / "inv", rows, own=[
        ["waste_hazardous", "", "unit_mass", "15", "kg/个", "scale, 2024-05", "batteries"]])
    sets = bundled()
    ledger = compute(read_inventory(inv, sets), sets)
    t = by_source_month(ledger.rows, ledger.weights, ledger.present)
    got = [tuple(None if isinstance(v, float) and np.isnan(v) else v for v in r)
           for r in t[["source", "stream", "period", "quantity_report", "report_unit",
                       "energy_kwh", "water_m3", "waste_hazardous_t",
                       "waste_hazardous_count"]].itertuples(index=False)]
    assert got == [
        ("electricity", "", "2024-01", 100.0, "kWh", 100.0, None, None, None),
        ("electricity", "", "2024-01 – 2024-03", 900.0, "kWh", 900.0, None, None, None),
        ("electricity", "", "2024-03", 300.0, "kWh", 300.0, None, None, None),
        # 20 batteries × 15 kg
        ("waste_hazardous", "batteries", "2024-03", 0.3, "t", 0.0, None, 0.3, None),
        ("waste_hazardous", "lamp tubes", "2024-03", None, "t", 0.0, None, None, 50.0),
        ("water", "", "2024-02", 10.0, "m3", 0.0, 10.0, None, None)]
    assert t["year"].tolist() == [2024] * 6


def test_water_per_person_divides_over_the_entities_that_have_water(tmp_path):
    """Two sites with denominators (10 and 30 people) and electricity; only the first has water
    rows (100 m³): per person that is 100 m³ over its 10 people, not over all 40 (the second
    site's water is unknown, not 0). A third site's 50 m³ has no denominator: left out."""
    rows = [row("electricity", 1000, "kWh", entity="E1"), row("electricity", 1000, "kWh",
                                                              entity="E2"),
            row("water", 100, "m3", entity="E1"), row("water", 50, "m3", entity="E3")]
    inv = make_inventory(tmp_path / "inv", rows, activity_header=HEADER,
                         settings="reporting_years = [2024]\n",
                         entities=[["E1", "a", "", "", "山西", "", ""],
                                   ["E2", "b", "", "", "山西", "", ""],
                                   ["E3", "c", "", "", "山西", "", ""]],
                         denominators=[["E1", 2024, 1000, 10], ["E2", 2024, 3000, 30]])
    out = compute_json(inv)
    fig = out["years"]["2024"]
    assert fig["environment"]["water_m3"] == 150.0
    by_entity = {e["entity_id"]: e for e in out["by_entity"]}
    assert by_entity["E1"]["environment"] == {"water_m3": 100.0}
    assert by_entity["E1"]["intensity"]["water_m3_per_person"] == 10.0
    assert "environment" not in by_entity["E2"]  # no water rows: absent, not 0 m³
    assert "water_m3_per_person" not in by_entity["E2"]["intensity"]
    assert fig["intensity"]["water_m3_per_person"] == 10.0
    assert fig["intensity"]["water_m3_per_m2"] == 0.1  # 100 m³ over E1's 1,000 m²
    assert fig["intensity"]["energy_kwh_per_person"] == 50.0  # 2,000 kWh over 40 people


def test_each_entity_shows_the_optional_figures_it_has_and_only_those(tmp_path):
    """One site with water only, one with non-hazardous waste only: each entity's figures hold
    its own (waste is declared before water: a site without waste still shows its water)."""
    rows = [row("water", 100, "m3", entity="E1"), row("waste_non_hazardous", 2, "t", entity="E2")]
    inv = make_inventory(tmp_path / "inv", rows, activity_header=HEADER,
                         settings="reporting_years = [2024]\n",
                         entities=[["E1", "a", "", "", "山西", "", ""],
                                   ["E2", "b", "", "", "山西", "", ""]])
    by_entity = {e["entity_id"]: e for e in compute_json(inv)["by_entity"]}
    assert by_entity["E1"]["environment"] == {"water_m3": 100.0}
    assert by_entity["E2"]["environment"] == {"waste_non_hazardous_t": 2.0}
    assert by_entity["E1"]["name"] == "a" and by_entity["E2"]["name"] == "b"


def test_a_stream_named_only_outside_the_reported_years_adds_no_stream_column(tmp_path):
    """The 2023 water rows name a stream; only 2024 is reported: no row of the run names a
    stream, so the month breakdown has no stream column and no source lists streams."""
    rows = [row("electricity", 100, "kWh"), row("water", 10, "m3", "canteen", year=2023)]
    inv = inventory(tmp_path / "inv", rows)
    sets = bundled()
    ledger = compute(read_inventory(inv, sets), sets)
    assert "stream" not in by_source_month(ledger.rows, ledger.weights, ledger.present).columns
    assert "streams" not in compute_json(inv)["years"]["2024"]["by_source"]["electricity"]


def test_the_environment_warnings_word_for_word(tmp_path):
    """Every warning of what the water, waste, paper and air figures rest on, from one
    inventory: a volume and pieces of waste unweighed, packs of paper without a mass per pack,
    reams weighed at ISO 216 A4 80 g/m² (0.210 × 0.297 m × 80 g/m² × 500 = 2.4948 kg), air
    pollutants from HKEX Appendix 2 (LPG), the GB 19147-2013 diesel sulphur limit (10 mg/kg) and
    the reporter's own diesel factors, each beside measured masses, and for some fuels only."""
    inv = inventory(tmp_path / "inv", [
        *ENERGY, row("液化石油气", 1_000, "kg"), row("air_nox", 0.5, "t"), row("air_sox", 0.1, "t"),
        row("air_pm", 0.05, "t"), row("air_co", 0.2, "t"),
        row("无害废弃物", 3_000, "升", "kitchen waste"), row("无害废弃物", 40, "个", "e-waste"),
        row("纸张", 26_992, "包"), row("纸张", 10, "令", "A4 reams")],
        own=[["diesel", "", "pm", "0.1", "g/L", "fleet test", ""],
             ["diesel", "", "co", "1", "g/L", "fleet test", ""]],
        settings='reporting_years = [2024]\n[factor_sets]\nair = ["hkex-appendix2-2018", '
                 '"gb-fuel-sulphur-2013"]\n')
    kinds = {"no_unit_mass", "no_density", "unit_mass_assumed", "air_partial", "air_two_methods",
             "sulphur_limit"}
    got = [(w["code"], w["message"]) for w in compute_json(inv)["warnings"] if w["code"] in kinds]
    assert got == [
        ('no_unit_mass',
         'waste_non_hazardous: 40 (2024) pieces have no mass per piece and are '
         'reported as waste_non_hazardous_count, not in tonnes; HKEX asks for tonnes '
         '(A1.4): add a custom_factors row: source waste_non_hazardous, kind '
         'unit_mass, unit kg/个, the mass of one piece as weighed or as the '
         "contractor's receipt gives it (per stream with the stream column)"),
        ('no_density',
         'waste_non_hazardous: 3.00 m³ (2024) have no density and are reported as '
         'waste_non_hazardous_m3, not in tonnes; HKEX asks for tonnes (A1.4): add a '
         'custom_factors row: source waste_non_hazardous, kind density, the density '
         'in kg/L (per stream with the stream column)'),
        ('no_unit_mass',
         'paper: 26,992 (2024) packs have no mass per pack and are reported as '
         'paper_count, not in tonnes: add a custom_factors row: source paper, kind '
         'unit_mass, unit kg/包 (a pack that is a ream of 500 A4 sheets at 80 g/m² '
         'weighs 2.4948 kg) (per stream with the stream column)'),
        ('unit_mass_assumed',
         'paper: weighed at 2.4948 kg/令, set iso216-a4-80gsm: A4 at an assumed 80 '
         'g/m², 500 sheets per ream, paper only; add a custom_factors row of kind '
         'unit_mass for paper if yours differs'),
        ('air_partial',
         'air_nox_t counts NOx of lpg from factors, not of diesel (no factor): add '
         'custom_factors rows of kind nox for them (per litre, per m³, or per km '
         'with vehicle_distance rows), or enter measured masses as air_nox rows'),
        ('air_two_methods',
         'air_nox_t adds measured masses (air_nox rows) and NOx computed from '
         'factors for lpg: check that the measured masses do not already cover that '
         'fuel or distance'),
        ('air_two_methods',
         'air_sox_t adds measured masses (air_sox rows) and SOx computed from '
         'factors for diesel, lpg: check that the measured masses do not already '
         'cover that fuel or distance'),
        ('air_partial',
         'air_pm_t counts PM of diesel from factors, not of lpg (no factor): add '
         'custom_factors rows of kind pm for them (per litre, per m³, or per km with '
         'vehicle_distance rows), or enter measured masses as air_pm rows'),
        ('air_two_methods',
         'air_pm_t adds measured masses (air_pm rows) and PM computed from factors '
         'for diesel: check that the measured masses do not already cover that fuel '
         'or distance'),
        ('air_partial',
         'air_co_t counts CO of diesel from factors, not of lpg (no factor): add '
         'custom_factors rows of kind co for them (per litre, per m³, or per km with '
         'vehicle_distance rows), or enter measured masses as air_co rows'),
        ('air_two_methods',
         'air_co_t adds measured masses (air_co rows) and CO computed from factors '
         'for diesel: check that the measured masses do not already cover that fuel '
         'or distance'),
        ('sulphur_limit',
         "air_sox_t: SO2 by sulphur mass balance at the fuel standards' sulphur "
         'limits (diesel 10 mg/kg (gb-fuel-sulphur-2013)): an upper bound, the '
         "fuel's sulphur is at most the limit; a supplier's certificate gives the "
         'actual content (custom_factors kind sulphur_content)'),
    ]
