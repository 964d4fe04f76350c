"""Which factors a row's figures take, as the ledger records them, and what a run says when a row
has none: the factor ids of each stage, and the missing-factor errors naming the set, the
application and the fix (each checked on a small inventory through the real code)."""

from __future__ import annotations

from pathlib import Path

from carbon import api
from tests.conftest import activity_row, make_inventory, run


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
    result = run("compute", inv, "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no CH4 factor for coke (stationary) in ipcc-2006-combustion" in result.stderr
    assert 'kind ch4 (e.g. kgCH4/TJ), or count CO2 only with the setting gases = ["CO2"]' \
           in result.stderr


def test_a_factor_per_litre_on_distance_rows_says_what_it_is_per(tmp_path):
    inv = make_inventory(tmp_path, [activity_row(100, "km", source="vehicle_distance")],
                         custom_factors=[["vehicle_distance", "", "nox", "2", "g/L", "own test"]])
    result = run("compute", inv, "--format", "json")
    assert result.exit_code == 2
    assert "custom:nox:vehicle_distance is per L, and vehicle_distance is entered in km" \
           in result.stderr
