"""Which factors a row's figures take, as the ledger records them, and what a run says when a row
has none: the factor ids of each stage, and the missing-factor errors naming the set, the
application and the fix (each checked on a small inventory through the real code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon import api
from tests.conftest import activity_row, compute_json, make_inventory, run


def _refused(inv: Path, *args: str) -> str:
    """Compute ``inv`` as JSON: the run must refuse it (exit 2, nothing on stdout); its problems
    on stderr, whitespace folded."""
    result = run("compute", inv, "--format", "json", *args)
    assert result.exit_code == 2 and result.stdout == "", result.output
    return " ".join(result.stderr.split())


def _ledger_row(folder: Path) -> dict[str, str]:
    rows = api.compute(api.read_inventory(folder)).ledger_data.rows
    return {c: str(rows[c].iloc[0]) for c in rows.columns if c.startswith("f_")}


def test_scope1_of_natural_gas_records_each_factor_of_the_ndrc_guide_formula(tmp_path):
    """NDRC public-building guide: CO2 = quantity × low heating value × carbon content per unit
    heat × oxidation rate × 44/12. The ledger's Scope 1 stage names all three factors; energy
    and tce name GB/T 2589's; CH4 and N2O the IPCC 2006 stationary rows with the heating value
    that puts the quantity in TJ."""
    ids = _ledger_row(make_inventory(tmp_path, [activity_row(1000, "m3", source="natural_gas")]))
    assert ids["f_scope1"].split(";") == [
        "ndrc-public-building-2015:ncv:natural_gas",
        "ndrc-public-building-2015:carbon_content:natural_gas",
        "ndrc-public-building-2015:oxidation_rate:natural_gas"]
    assert ids["f_energy"] == "gbt2589-2020:ncv:natural_gas"
    assert ids["f_tce"] == "gbt2589-2020:coal_coefficient:natural_gas"
    assert ids["f_ch4"].split(";") == ["ipcc-2006-combustion:ch4:natural_gas:stationary",
                                       "gbt2589-2020:ncv:natural_gas"]
    assert ids["f_n2o"].split(";") == ["ipcc-2006-combustion:n2o:natural_gas:stationary",
                                       "gbt2589-2020:ncv:natural_gas"]
    assert ids["f_scope2_location"] == "" and ids["f_scope2_market"] == ""


def test_no_ch4_factor_for_a_fuel_names_the_set_and_the_application(tmp_path):
    """IPCC 2006 Vol. 2 Table 2.4 as bundled has no CH4 row for coke: with the reporter's own CO2
    factor for coke, the CH4 figure still has no factor, and the run says where it looked."""
    inv = make_inventory(tmp_path, [activity_row(10, "t", source="coke")],
                         custom_factors=[["coke", "", "emission", "3.0", "tCO2/t", "own test"]])
    text = _refused(inv)
    assert "no CH4 factor for coke (stationary) in ipcc-2006-combustion" in text
    assert 'kind ch4 (e.g. kgCH4/TJ), or count CO2 only with the setting gases = ["CO2"]' in text


def test_a_factor_per_litre_on_distance_rows_says_what_it_is_per(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(100, "km", source="vehicle_distance")],
                         custom_factors=[["vehicle_distance", "", "nox", "2", "g/L", "own test"]])
    text = _refused(inv)
    assert "custom:nox:vehicle_distance is per L, and vehicle_distance is entered in km" in text


def test_an_own_ch4_factor_takes_the_place_of_the_ipcc_default(tmp_path):
    """1,000 m³ of natural gas with the reporter's own 1 g CH4 per m³: 1 kg of CH4, and the
    ledger names the own factor, not IPCC 2006 Table 2.4."""
    own = [["natural_gas", "", "ch4", "1", "gCH4/m3", "own measurement"]]
    inv = make_inventory(tmp_path, [activity_row(1000, "m3", source="natural_gas")],
                         custom_factors=own)
    rows = api.compute(api.read_inventory(inv)).ledger_data.rows
    assert float(rows["ch4_t"].iloc[0]) == 0.001
    assert str(rows["f_ch4"].iloc[0]).startswith("custom:ch4:natural_gas")


def test_a_factor_per_km_on_fuel_rows_says_what_it_is_per_and_how_to_fix_it(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(100, "L", source="diesel")],
                         custom_factors=[["diesel", "", "nox", "0.5", "g/km", "own test"]])
    text = _refused(inv)
    assert "custom:nox:diesel is per km, and diesel is entered in L" in text
    assert ("Fix: a factor per km applies to vehicle_distance rows (km driven): enter the "
            "distance as its own rows, or give the factor per litre of fuel") in text


def test_steam_market_based_names_the_same_factors_as_location_based(tmp_path):
    """Purchased heat has no market instrument: its market-based figure is the location-based
    one, and the ledger names the same factors for both."""
    ids = _ledger_row(make_inventory(tmp_path, [activity_row(50, "t", source="steam")]))
    assert ids["f_scope2_location"] != ""
    assert ids["f_scope2_market"] == ids["f_scope2_location"]


def test_a_regional_grid_level_without_a_province_names_the_cell_and_the_fix(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(1, "MWh")],
                         entities=[["E1", "Site 1", "", "office", "", "", ""]])
    text = _refused(inv, "--grid-level", "regional")
    assert "entities.csv, row 2, column province: 'E1': grid level regional needs the entity's " \
           "province (electricity, 2022). Fix: fill in province in the entities table" in text



def test_an_own_heat_factor_takes_the_place_of_the_ndrc_guides(tmp_path):
    """50 t of steam at the reporter's own 0.1 tCO2/t: 5 t, named as the own factor."""
    inv = make_inventory(tmp_path, [activity_row(50, "t", source="steam")],
                         custom_factors=[["steam", "", "emission", "0.1", "tCO2/t", "supplier"]])
    rows = api.compute(api.read_inventory(inv)).ledger_data.rows
    assert float(rows["scope2_location_tco2e"].iloc[0]) == 5.0
    assert str(rows["f_scope2_location"].iloc[0]).startswith("custom:emission:steam")


def test_market_based_falls_back_to_location_only_where_the_set_has_no_residual_factor(
        tmp_path):
    """MEE's 2023 carbon-market factor (0.5703 tCO2/MWh) has no residual-mix row: market-based
    takes the location factor and says so; the reporter's own supplier factor is already
    supplier-specific, so nothing falls back."""
    pinned = compute_json(make_inventory(tmp_path / "a", [activity_row(1, "GWh", year=2023)],
                                         settings='[factor_sets]\ngrid = "mee-carbon-market-2023"\n'))
    assert round(pinned["years"]["2023"]["scope2_market_tco2e"], 1) == 570.3
    assert [w["message"] for w in pinned["warnings"] if w["code"] == "market_fallback"] == [
        "market-based: 1,000,000 kWh fell back to the location-based factor (the set has no "
        "residual factor)"]
    own = compute_json(make_inventory(tmp_path / "b", [activity_row(1, "GWh")],
                                      custom_factors=[["electricity", "", "emission", "0.5",
                                                       "tCO2/MWh", "supplier"]]))
    assert own["years"]["2022"]["scope2_market_tco2e"] == 500.0
    assert not [w for w in own["warnings"] if w["code"] in ("market_fallback", "market_residual")]


def test_a_pinned_set_without_the_levels_factor_names_the_set_and_the_region(tmp_path):
    """The NDRC 2012 regional set has no provincial rows."""
    inv = make_inventory(tmp_path, [activity_row(1, "MWh")],
                         settings='[factor_sets]\ngrid = "ndrc-regional-grid-2012"\n')
    text = _refused(inv, "--grid-level", "provincial")
    assert "ndrc-regional-grid-2012 has no electricity factor for shanxi" in text


def test_a_measured_heating_value_gives_the_coal_equivalent_by_gbt2589s_definition(tmp_path):
    """1,000 m³ of gas at the bill's 36 MJ/m³: 10,000 kWh, and 36,000,000 kJ / 29,307 kJ per
    kgce (GB/T 2589-2020: 1 kgce = 29 307 kJ) = 1.228362 tce, not Appendix A's 1.33 kgce/m³ for a
    heating value the bill replaced."""
    inv = make_inventory(tmp_path, [activity_row(1000, "m3", source="natural_gas")],
                         custom_factors=[["natural_gas", "", "ncv", "36", "MJ/m3", "gas bill"]])
    y = compute_json(inv)["years"]["2022"]
    assert y["energy_kwh"] == pytest.approx(10_000, rel=1e-12)
    assert y["energy_tce"] == pytest.approx(36_000_000 / 29_307 / 1000, rel=1e-12)


def test_the_use_assumed_warnings_word_for_word(tmp_path):
    rows = [activity_row(100, "L", source="diesel"), activity_row(200, "L", source="gasoline"),
            activity_row(50, "kg", source="lpg")]
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "use"]
    out = compute_json(make_inventory(tmp_path, [[*rows[0], ""], [*rows[1], ""], [*rows[2], ""]],
                                      activity_header=header))
    assert sorted(w["message"] for w in out["warnings"] if w["code"] == "use_assumed") == [
        "1 activity row of gasoline without use is counted as a road vehicle's (mobile) for CH4 "
        "and N2O; write use = stationary where the fuel is burnt on site",
        "2 activity rows of diesel, lpg without use are counted as stationary combustion for CH4 "
        "and N2O; write use = mobile for vehicles"]


def test_a_year_before_every_grid_factor_names_the_year_the_sets_and_a_pin(tmp_path):
    """The MEE/NBS series starts with 2021's factors: 2019 has none of its own or earlier, and
    the error names the year, what the series has, and the sets that do cover 2019 for the grid
    (not HK Electric's 2019 set: a utility's factor is its Hong Kong sites' only, and pinned for
    the grid it was refused again)."""
    inv = make_inventory(tmp_path, [activity_row(1, "MWh", year=2019)])
    text = _refused(inv)
    assert ("settings, column factor_sets: '2019': no mee-grid electricity factor for 2019 or "
            "earlier (have 2021, 2022, 2023). Fix: pin a set for that year in settings: "
            'factor_sets.grid_by_year = {2019 = "mee-carbon-market-2021"}') in text
    assert "hk-electric" not in text
    (inv / "settings.toml").write_text('[factor_sets.grid_by_year]\n2019 = "mee-carbon-market-2021"\n',
                                       encoding="utf-8")
    assert run("compute", inv).exit_code == 0  # the fix it gives works


def test_a_settings_problem_names_the_settings_file_that_was_read(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "MWh", year=2019)],
                         settings="reporting_years = [2019]\n")
    text = _refused(inv)
    assert "inv/settings.toml, column factor_sets: '2019': no mee-grid electricity factor" in text


def test_a_factor_per_hundred_km_on_fuel_rows_is_said_to_be_per_km(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(100, "L", source="diesel")],
                         custom_factors=[["diesel", "", "nox", "0.5", "g/(100 km)", "own test"]])
    text = _refused(inv)
    assert "custom:nox:diesel is per km, and diesel is entered in L" in text


def test_air_pollutants_from_a_set_record_the_factor_and_the_heating_value(tmp_path):
    """HKEX Appendix 2 gives NOx of LPG per unit of energy: the ledger names its row and the
    GB/T 2589-2020 heating value that put the kilograms in energy."""
    inv = make_inventory(tmp_path, [activity_row(1000, "kg", source="lpg")],
                         settings='[factor_sets]\nair = ["hkex-appendix2-2018"]\n')
    ids = _ledger_row(inv)
    assert ids["f_nox"].split(";") == ["hkex-appendix2-2018:nox:lpg", "gbt2589-2020:ncv:lpg"]
    assert ids["f_sox"].split(";") == ["hkex-appendix2-2018:sox:lpg", "gbt2589-2020:ncv:lpg"]


def test_a_macao_site_is_named_in_the_messages_language(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(1, "MWh")],
                         entities=[["E1", "E1", "", "office", "澳门", "", ""]])
    said = {lang: " ".join(run("compute", inv, "--format", "json", "--lang", lang).stderr.split())
            for lang in ("en", "zh-Hans", "zh-Hant")}
    assert "no MEE/NBS electricity factor covers Macao" in said["en"]
    assert "电力因子不涵盖澳门" in said["zh-Hans"]
    assert "澳門" in said["zh-Hant"]


@pytest.mark.parametrize("unit, value", [("tCO2e/t", "3.0"), ("kgCO2e/kg", "3.0"),
                                         ("kgCO2e/t", "3000")])
def test_an_own_co2e_factor_is_labelled_co2e_in_whatever_unit_it_is_written(tmp_path, unit,
                                                                              value):
    """10 t of coke at the reporter's own 3 tCO2e/t: 30 tCO2e of Scope 1 that is not CO2 alone,
    so every figure holding it is labelled CO2e (a factor written in the metric's own unit,
    tCO2e per tonne, was once labelled tCO2)."""
    inv = make_inventory(tmp_path, [activity_row(10, "t", source="coke")],
                         custom_factors=[["coke", "", "emission", value, unit, "own"]])
    out = compute_json(inv)
    assert out["years"]["2022"]["scope1_tco2e"] == pytest.approx(30)
    assert out["years"]["2022"]["gases"]["co2e_other_t"] == pytest.approx(30)
    for key in ("scope1_tco2e", "co2e_other_t", "total_location_tco2e", "total_market_tco2e"):
        assert out["units"][key] == "tCO2e", key


def test_a_fuel_without_its_carbon_content_says_which_rows_would_do(tmp_path):
    text = _refused(make_inventory(tmp_path, [activity_row(10, "t", source="coke")]))
    assert ("no carbon_content for coke in ndrc-public-building-2015 (coke (焦炭): carbon "
            "content, oxidation rate and heating value not in the reference notes). Fix: add a "
            "custom_factors row: source coke, kind carbon_content, or kind emission") in text


def test_heat_under_a_fuel_set_without_a_heat_factor_names_the_set(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(100, "GJ", source="heat")],
                         settings='[factor_sets]\nfuel = "gbt2589-2020"\n')
    text = _refused(inv)
    assert ("'heat in GJ, 2022': no emission factor for heat in gbt2589-2020. Fix: add a "
            "custom_factors row: source heat, kind emission") in text


def test_gasoline_vehicles_without_technology_are_counted_and_the_assumption_said(tmp_path):
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "use"]
    rows = [[*activity_row(q, "L", source="gasoline", start=s, end=e), "mobile"]
            for q, s, e in ((100, "2022-01-01", "2022-06-30"), (120, "2022-07-01", "2022-12-31"))]
    out = compute_json(make_inventory(tmp_path, rows, activity_header=header))
    assert [w["message"] for w in out["warnings"] if w["code"] == "vehicle_technology"] == [
        "2 gasoline vehicle rows without technology use the IPCC 2006 Table 3.2.2 factors for "
        "oxidation catalyst (setting vehicle_technology)"]


def test_a_reading_across_the_year_end_is_shared_by_days_and_dated_in_each_year(tmp_path):
    """6,200 kWh read from 1 December 2022 to 31 January 2023 (62 days): 31 days, 3,100 kWh, in
    each year, each part dated within its year."""
    row = activity_row(6200, "kWh", start="2022-12-01", end="2023-01-31")
    inv = make_inventory(tmp_path, [row], settings="reporting_years = [2022, 2023]\n")
    ledger = api.compute(api.read_inventory(inv)).ledger_data
    assert [n.message for n in ledger.notices if n.code == "split_across_years"] == [
        "1 activity row spans a year end; it was shared between the years by days"]
    rows = ledger.rows
    got = {int(y): (float(q), str(s)[:10], str(e)[:10]) for y, q, s, e in
           zip(rows["year"], rows["energy_kwh"], rows["period_start"], rows["period_end"],
               strict=True)}
    assert got == {2022: (3100.0, "2022-12-01", "2022-12-31"),
                   2023: (3100.0, "2023-01-01", "2023-01-31")}


def test_an_own_factor_is_referenced_to_its_file_and_row(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(50, "t", source="steam")],
                         custom_factors=[["steam", "", "emission", "0.1", "tCO2/t", "supplier"]])
    factors = api.compute(api.read_inventory(inv)).ledger_data.factors
    assert factors["custom:emission:steam"].reference == "supplier (inv/custom_factors.csv row 2)"


@pytest.mark.parametrize("order", [("diesel", "coke"), ("coke", "diesel")])
def test_one_fuel_at_an_own_co2e_factor_among_others_labels_scope1_co2e(tmp_path, order):
    rows = {"diesel": activity_row(1000, "L", source="diesel"),
            "coke": activity_row(10, "t", source="coke")}
    inv = make_inventory(tmp_path, [rows[s] for s in order],
                         custom_factors=[["coke", "", "emission", "3.0", "tCO2e/t", "own"]],
                         settings='gases = ["CO2"]\n')
    assert compute_json(inv)["units"]["scope1_tco2e"] == "tCO2e"


def test_the_grid_level_a_run_was_asked_for_is_the_ledgers(tmp_path):
    inv = api.read_inventory(make_inventory(tmp_path, [activity_row(1, "MWh")]))
    assert api.compute(inv, grid_level="provincial").ledger_data.grid_level == "provincial"
    assert api.compute(inv).ledger_data.grid_level == "national"


def test_two_readings_across_the_year_end_are_counted_in_the_warning(tmp_path):
    rows = [activity_row(6200, "kWh", start="2022-12-01", end="2023-01-31"),
            activity_row(620, "m3", source="natural_gas", start="2022-12-01", end="2023-01-31")]
    inv = make_inventory(tmp_path, rows, settings="reporting_years = [2022, 2023]\n")
    assert [w["message"] for w in compute_json(inv)["warnings"]
            if w["code"] == "split_across_years"] == [
        "2 activity rows span a year end; each was shared between the years by days"]


def test_one_row_outside_the_reported_years_and_one_outside_its_window_are_said_as_one(
        tmp_path):
    entities = [["E1", "Site 1", "", "office", "山西", "", ""],
                ["E2", "Site 2", "", "office", "山西", "", "2021-12-31"]]
    rows = [activity_row(1, "MWh"), activity_row(1, "MWh", year=2021),
            activity_row(1, "MWh", entity="E2", start="2022-06-01", end="2022-06-30")]
    inv = make_inventory(tmp_path, rows, entities=entities, settings="reporting_years = [2022]\n")
    said = {w["code"]: w["message"] for w in compute_json(inv)["warnings"]}
    assert said["outside_years"] == ("1 activity row (or part) falls in a year not reported "
                                     "(2021) and is not counted")
    assert said["outside_boundary"] == (
        "1 activity row (or part) of 1 entity falls outside the entity's boundary window "
        "(included_from / included_to; 2022) and is not counted: E2 (1 row)")


def test_an_own_factor_no_figure_uses_is_said_not_dropped_unseen(tmp_path):
    """Every custom_factors row is used or named: an emission factor for water (carbon counts no
    emission for water) and one for a year the inventory does not report are listed by file
    and row; the diesel factor the rows use is not."""
    rows = [activity_row(10, "L", source="diesel"), activity_row(5, "m3", source="water")]
    inv = make_inventory(tmp_path / "inv", rows, custom_factors=[
        ["diesel", "", "emission", "2.7", "kgCO2/L", "supplier p.1"],
        ["water", "", "emission", "0.3", "kgCO2/m3", "utility bill"],
        ["diesel", "2019", "emission", "2.6", "kgCO2/L", "old supplier"]])
    out = compute_json(inv)
    said = [w["message"] for w in out["warnings"] if w["code"] == "own_factor_unused"]
    assert len(said) == 1
    assert "water emission (inv/custom_factors.csv row 3)" in said[0]
    assert "diesel emission (inv/custom_factors.csv row 4)" in said[0]
    assert "row 2)" not in said[0]
