"""NDRC 《公共建筑运营单位（企业）温室气体排放核算方法和报告指南（试行）》 defaults.

Per-unit emission factors the guide's defaults give, as independently published (factors.md):
gasoline 2.925 tCO2/t, diesel 3.096 tCO2/t, natural gas 21.62 tCO2/10⁴Nm³; purchased heat
0.11 tCO2/GJ (附录表3).
"""

from __future__ import annotations

import pytest

from carbon.units import parse_unit
from tests.conftest import activity_row, compute_json, make_inventory

#: The guide's default fuel parameters: (low heating value, carbon content, oxidation rate), in
#: GJ/t (natural gas GJ/10⁴Nm³), tC/TJ and percent. Where transcriptions conflict, the first value
#: named (crude-oil carbon 20.08 not 20.10; refinery dry gas oxidation 99 not 98; kerosene heating
#: value 43.070 not 44.75), as the reference says to bundle.
NDRC_TABLE = {
    "gasoline": (43.070, 18.90, 98),  # 汽油
    "diesel": (42.652, 20.20, 98),  # 柴油
    "natural_gas": (389.31, 15.30, 99),  # 天然气
    "fuel_oil": (41.816, 21.10, 98),  # 燃料油
    "crude_oil": (41.816, 20.08, 98),  # 原油
    "lpg": (50.179, 17.20, 98),  # 液化石油气
    "refinery_gas": (45.998, 18.20, 99),  # 炼厂干气
    "kerosene": (43.070, 19.60, 98),  # 一般煤油
}

#: Every row of the bundled set, as published: the fuel parameters above and purchased heat
#: 0.11 tCO2/GJ (附录表3, "现可采用 0.11 tCO2/GJ").
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "ndrc-public-building-2015": {
        ("ncv", "gasoline", ""): 43.070,  # GJ/t
        ("carbon_content", "gasoline", ""): 18.90,  # tC/TJ
        ("oxidation_rate", "gasoline", ""): 98,  # percent
        ("ncv", "diesel", ""): 42.652,
        ("carbon_content", "diesel", ""): 20.20,
        ("oxidation_rate", "diesel", ""): 98,
        ("ncv", "natural_gas", ""): 389.31,  # GJ/10⁴Nm³
        ("carbon_content", "natural_gas", ""): 15.30,
        ("oxidation_rate", "natural_gas", ""): 99,
        ("ncv", "fuel_oil", ""): 41.816,
        ("carbon_content", "fuel_oil", ""): 21.10,
        ("oxidation_rate", "fuel_oil", ""): 98,
        ("ncv", "crude_oil", ""): 41.816,
        ("carbon_content", "crude_oil", ""): 20.08,
        ("oxidation_rate", "crude_oil", ""): 98,
        ("ncv", "lpg", ""): 50.179,
        ("carbon_content", "lpg", ""): 17.20,
        ("oxidation_rate", "lpg", ""): 98,
        ("ncv", "refinery_gas", ""): 45.998,
        ("carbon_content", "refinery_gas", ""): 18.20,
        ("oxidation_rate", "refinery_gas", ""): 99,
        ("ncv", "kerosene", ""): 43.070,
        ("carbon_content", "kerosene", ""): 19.60,
        ("oxidation_rate", "kerosene", ""): 98,
        ("emission", "heat", ""): 0.11,  # tCO2/GJ
    },
}

PINNED_UNITS: dict[str, dict[tuple[str, str, str], str]] = {"ndrc-public-building-2015": {
    **{("ncv", f, ""): "GJ/(10^4 Nm3)" if f == "natural_gas" else "GJ/t" for f in NDRC_TABLE},
    **{("carbon_content", f, ""): "tC/TJ" for f in NDRC_TABLE},
    **{("oxidation_rate", f, ""): "percent" for f in NDRC_TABLE},
    ("emission", "heat", ""): "tCO2/GJ",
}}


@pytest.mark.parametrize("fuel", sorted(NDRC_TABLE))
def test_ndrc_default_parameters(sets, fuel):
    ncv, cc, ox = NDRC_TABLE[fuel]
    fs = sets["ndrc-public-building-2015"]
    per = parse_unit("10^4 Nm3") if fuel == "natural_gas" else parse_unit("t")
    got = (fs.get("ncv", fuel).quantity * per).to("GJ").magnitude
    assert got == pytest.approx(ncv, rel=1e-9)
    assert fs.get("carbon_content", fuel).quantity.to("tC/TJ").magnitude == pytest.approx(
        cc, rel=1e-9)
    assert fs.get("oxidation_rate", fuel).quantity.to("percent").magnitude == pytest.approx(
        ox, rel=1e-9)


@pytest.mark.parametrize(("fuel", "quantity", "unit", "published", "digits"), [
    ("gasoline", 1, "t", 2.925, 3),
    ("diesel", 1, "t", 3.096, 3),
    ("natural_gas", 1, "万立方米", 21.62, 2),
])
def test_ndrc_default_emission_per_unit(tmp_path, fuel, quantity, unit, published, digits):
    inv = make_inventory(tmp_path / "inv", [activity_row(quantity, unit, fuel)])
    y = compute_json(inv)["years"]["2022"]
    assert round(y["gases"]["co2_t"], digits) == published  # the guide counts CO2 only
    assert y["scope2_location_tco2e"] == 0
    co2_only = make_inventory(tmp_path / "co2", [activity_row(quantity, unit, fuel)],
                              settings='gases = ["CO2"]\n')
    assert round(compute_json(co2_only)["years"]["2022"]["scope1_tco2e"], digits) == published


def test_ndrc_appendix_table3_heat_1000_GJ_is_110_t(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "GJ", "heat")])
    y = compute_json(inv)["years"]["2022"]
    assert y["scope2_location_tco2e"] == pytest.approx(110, abs=1e-9)
    assert y["scope2_market_tco2e"] == pytest.approx(110, abs=1e-9)
    assert y["energy_indirect_kwh"] == pytest.approx(1000 / 0.0036)


def test_coal_without_carbon_content_is_an_error_not_a_zero(tmp_path):
    from tests.conftest import run
    inv = make_inventory(tmp_path / "inv", [activity_row(5, "t", "raw_coal")])
    result = run("compute", inv)
    assert result.exit_code == 2
    assert "carbon_content" in result.stderr and "raw_coal" in result.stderr
    assert "activity.csv" in result.stderr
