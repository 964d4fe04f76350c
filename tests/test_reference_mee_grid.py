"""MEE/NBS 《关于发布 20XX 年电力二氧化碳排放因子的公告》 (2021: 公告2024年第12号; 2022: 公告2024年
第33号; 2023: 公告2025年第47号). Expected values as published (kgCO2/kWh), tables 1–5."""

from __future__ import annotations

import pytest

from tests.conftest import activity_row, compute_json, make_inventory

TABLE_1_NATIONAL = {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}
TABLE_4_EXCL_MARKET_NONFOSSIL = {2022: 0.5856, 2023: 0.6096}
TABLE_5_FOSSIL = {2022: 0.8325, 2023: 0.8273}
TABLE_3_SHANXI = {2021: 0.7222, 2022: 0.7096, 2023: 0.6634}
TABLE_2_NORTH = {2021: 0.7120, 2022: 0.6776, 2023: 0.6361}


def _value(sets, year, region):
    f = sets[f"mee-grid-{year}"].get("emission", "electricity", region)
    return f.quantity.to("kgCO2/kWh").magnitude


@pytest.mark.parametrize("year", sorted(TABLE_1_NATIONAL))
def test_mee_table1_national_average(sets, year):
    assert _value(sets, year, "national") == pytest.approx(TABLE_1_NATIONAL[year], abs=5e-5)


@pytest.mark.parametrize("year", sorted(TABLE_4_EXCL_MARKET_NONFOSSIL))
def test_mee_table4_excluding_market_traded_nonfossil(sets, year):
    assert _value(sets, year, "national_excl_market_nonfossil") == pytest.approx(
        TABLE_4_EXCL_MARKET_NONFOSSIL[year], abs=5e-5)


@pytest.mark.parametrize("year", sorted(TABLE_5_FOSSIL))
def test_mee_table5_fossil(sets, year):
    assert _value(sets, year, "national_fossil") == pytest.approx(TABLE_5_FOSSIL[year], abs=5e-5)


@pytest.mark.parametrize("year", sorted(TABLE_3_SHANXI))
def test_mee_table3_shanxi(sets, year):
    assert _value(sets, year, "shanxi") == pytest.approx(TABLE_3_SHANXI[year], abs=5e-5)


@pytest.mark.parametrize("year", sorted(TABLE_2_NORTH))
def test_mee_table2_north_china_grid(sets, year):
    assert _value(sets, year, "north") == pytest.approx(TABLE_2_NORTH[year], abs=5e-5)


def test_mee_2022_one_gwh_national_default(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv)["years"]["2022"]
    assert round(y["scope2_location_tco2e"], 1) == 536.6
    assert y["scope1_tco2e"] == 0


def test_mee_2022_table3_shanxi_provincial_level(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv, "--grid-level", "provincial")["years"]["2022"]
    assert round(y["scope2_location_tco2e"], 1) == 709.6


def test_mee_2022_table2_regional_level_shanxi_is_north(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv, "--grid-level", "regional")["years"]["2022"]
    assert round(y["scope2_location_tco2e"], 1) == 677.6


def test_mee_2022_table4_market_based_residual(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv)["years"]["2022"]
    assert round(y["scope2_market_tco2e"], 1) == 585.6


def test_vintage_rule_uses_latest_earlier_year_and_says_so(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=2024)])
    out = compute_json(inv)
    assert round(out["years"]["2024"]["scope2_location_tco2e"], 1) == 530.6  # the 2023 factor
    vintage = [w for w in out["warnings"] if w["code"] == "grid_vintage"]
    assert vintage and "2024" in vintage[0]["message"] and "2023" in vintage[0]["message"]


def test_mee_carbon_market_2023_pinned(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=2023)],
                         settings='[factor_sets]\ngrid = "mee-carbon-market-2023"\n')
    y = compute_json(inv)["years"]["2023"]
    assert round(y["scope2_location_tco2e"], 1) == 570.3


def test_mee_2023_table4_residual_warning_names_only_the_kwh_at_the_residual_factor(tmp_path):
    """2022 at the reporter's own supplier factor (custom_factors, that year only), 2023 at MEE's
    table 4 (0.6096 kg/kWh), and green power at its contract: the ``market_residual`` warning
    names the 2023 grid kWh only."""
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit",
              "instrument"]
    rows = [[*activity_row(1000, "MWh", year=2022), ""],
            [*activity_row(2000, "MWh", year=2023), ""],
            [*activity_row(500, "MWh", year=2023), "green_power"]]
    own = [["electricity", "2022", "emission", "0.6", "tCO2/MWh", "supplier declaration 2022"]]
    out = compute_json(make_inventory(tmp_path / "a", rows, activity_header=header,
                                      custom_factors=own,
                                      settings="reporting_years = [2022, 2023]\n"))
    assert out["years"]["2022"]["scope2_market_tco2e"] == pytest.approx(600)
    assert out["years"]["2023"]["scope2_market_tco2e"] == pytest.approx(2000 * 0.6096)
    residual = [w["message"] for w in out["warnings"] if w["code"] == "market_residual"]
    assert residual == ["market-based: 2,000,000 kWh without a contractual instrument use the "
                        "grid factor excluding market-traded non-fossil power"]
    only_own = make_inventory(tmp_path / "b", rows[:1], activity_header=header,
                              custom_factors=own, settings="reporting_years = [2022]\n")
    assert "market_residual" not in {w["code"] for w in compute_json(only_own)["warnings"]}
