"""Every greenhouse gas of combustion, the GWP sets, a CO2-only reporter, Hong Kong and the years
before the MEE/NBS series — through the real CLI.

Published numbers used: IPCC 2006 Guidelines Vol. 2 Table 3.2.2 (road transport, motor gasoline
with an oxidation catalyst: CH4 25 and N2O 8.0 kg/TJ; uncontrolled: 33 and 3.2 kg/TJ); GWP100 of
AR4 WG1 Table 2.14 (CH4 25, N2O 298), AR5 WG1 Table 8.7 (28, 265) and AR6 WG1 Table 7.15 (CH4 of
fossil origin 29.8, N2O 273); CLP Power Hong Kong 2023 (0.39 kgCO2e/kWh) and HK Electric 2019
(0.81 kgCO2e/kWh) from their sustainability reports; the NDRC 2012 Central China grid (华中,
0.5257 kgCO2/kWh, Chongqing a member); MEE's carbon-market factor 0.6101 tCO2/MWh for 2019–2020
data (环办气候〔2021〕9号).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import (
    ACTIVITY_COLUMNS,
    EXAMPLE,
    activity_row,
    compute_json,
    make_inventory,
    run,
    write_csv,
)

GOLDEN = Path(__file__).parent / "golden"
ENTITY_HEADER = ["entity_id", "name", "parent_id", "kind", "province", "utility", "included_from",
                 "included_to"]
MOBILE = [*ACTIVITY_COLUMNS, "use", "technology"]


def one_tj_of_gasoline(folder: Path, technology: str = "oxidation_catalyst",
                       settings_text: str = "") -> Path:
    """1 TJ (1,000 GJ) of motor gasoline burnt in road vehicles."""
    return make_inventory(folder, [[*activity_row(1000, "GJ", "gasoline"), "mobile", technology]],
                          activity_header=MOBILE, settings=settings_text)


# -- CH4 and N2O, CO2e ----------------------------------------------------------------------------
@pytest.mark.parametrize(("gwp", "co2e"), [
    ("AR4", 25 * 25 + 8 * 298),      # AR4 WG1 Table 2.14: 3,009 kg CO2e
    ("AR5", 25 * 28 + 8 * 265),      # AR5 WG1 Table 8.7: 2,820 kg CO2e (the example)
    ("AR6", 25 * 29.8 + 8 * 273),    # AR6 WG1 Table 7.15, CH4 of fossil origin: 2,929 kg CO2e
])
def test_ipcc_2006_table_3_2_2_gasoline_oxidation_catalyst_1_tj(tmp_path, gwp, co2e):
    out = compute_json(one_tj_of_gasoline(tmp_path / "inv", settings_text=f'gwp = "{gwp}"\n'))
    y = out["years"]["2022"]
    assert y["gases"]["ch4_t"] == pytest.approx(0.025, rel=1e-12)  # 25 kg/TJ × 1 TJ
    assert y["gases"]["n2o_t"] == pytest.approx(0.008, rel=1e-12)  # 8.0 kg/TJ × 1 TJ
    assert y["scope1_tco2e"] - y["gases"]["co2_t"] == pytest.approx(co2e / 1000, rel=1e-12)
    assert y["gwp"] == out["gwp"] == f"{gwp}GWP100"
    assert out["units"]["scope1_tco2e"] == "tCO2e"
    assert f"ipcc-{gwp.lower()}-gwp100" in {s["id"] for s in out["factor_sets"]}


def test_ipcc_2006_table_3_2_2_uncontrolled_and_the_default_technology_is_said(tmp_path):
    y = compute_json(one_tj_of_gasoline(tmp_path / "a", "uncontrolled"))["years"]["2022"]
    assert y["gases"]["ch4_t"] == pytest.approx(0.033) and y["gases"]["n2o_t"] == pytest.approx(
        0.0032)
    untold = make_inventory(tmp_path / "b", [activity_row(1000, "GJ", "gasoline")])
    out = compute_json(untold)
    assert out["years"]["2022"]["gases"]["ch4_t"] == pytest.approx(0.025)  # oxidation catalyst
    said = {w["code"]: w["message"] for w in out["warnings"]}
    assert "oxidation catalyst" in said["vehicle_technology"]
    assert "road vehicle" in said["use_assumed"]  # gasoline without use counts as mobile


def test_the_audit_trail_names_each_gas_factor(tmp_path):
    import openpyxl

    path = tmp_path / "report.xlsx"
    assert run("compute", one_tj_of_gasoline(tmp_path / "inv"), "--out", path).exit_code == 0
    ws = openpyxl.load_workbook(path)["Audit trail"]
    head = [c.value for c in ws[1]]
    row = dict(zip(head, next(ws.iter_rows(min_row=2, values_only=True)), strict=True))
    assert row["CH4 emission factor: Id"] == "ipcc-2006-combustion:ch4:gasoline:oxidation_catalyst"
    assert row["N2O emission factor: Id"] == "ipcc-2006-combustion:n2o:gasoline:oxidation_catalyst"
    assert row["CH4 emission factor"] == 25 and row["CH4 emission factor: unit"] == "kgCH4/TJ"
    assert row["GWP CH4"] == 28 and row["GWP N2O"] == 265
    assert row["of which CH4 (tCH4)"] == pytest.approx(0.025)


def test_a_co2e_factor_of_the_reporter_holds_every_gas(tmp_path):
    """An own per-litre factor in CO2e (as HKEX's guidance gives) is not topped up with IPCC CH4
    and N2O: it goes to the CO2e not split by gas."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "L", "diesel")],
                         custom_factors=[["diesel", "", "emission", "2.6166", "kgCO2e/L", "own"]])
    y = compute_json(inv)["years"]["2022"]
    assert y["scope1_tco2e"] == pytest.approx(2.6166)
    assert y["gases"] == {"co2_t": 0.0, "ch4_t": 0.0, "n2o_t": 0.0,
                          "co2e_other_t": pytest.approx(2.6166)}


def test_a_co2_factor_of_the_reporter_is_topped_up_with_ipcc_ch4_and_n2o(tmp_path):
    """An own per-litre factor in CO2 (a supplier's certificate) counts as CO2; the other gases
    come from IPCC 2006 Vol. 2 Table 2.4 (commercial/institutional, gas/diesel oil: CH4 10 and
    N2O 0.6 kg/TJ)."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "L", "diesel")],
                         custom_factors=[["diesel", "", "emission", "2.60", "kgCO2/L", "own"]])
    y = compute_json(inv)["years"]["2022"]
    tj = 1000 * 0.84 * 42652 / 1e9  # 1,000 L × 0.84 kg/L × 42,652 kJ/kg = 0.03582768 TJ
    assert y["gases"] == {"co2_t": pytest.approx(2.6), "ch4_t": pytest.approx(tj * 10 / 1000),
                          "n2o_t": pytest.approx(tj * 0.6 / 1000), "co2e_other_t": 0.0}
    # AR5 (the default GWP): CH4 28, N2O 265
    assert y["scope1_tco2e"] == pytest.approx(2.6 + tj * (10 * 28 + 0.6 * 265) / 1000)


def test_a_fuel_without_a_ch4_factor_is_an_error_with_the_way_out(tmp_path):
    inv = make_inventory(tmp_path / "inv", [[*activity_row(10, "t", "lpg"), "mobile", ""]],
                         activity_header=MOBILE)
    result = run("compute", inv)
    assert result.exit_code == 2
    assert "no N2O factor for lpg" in result.stderr and 'gases = ["CO2"]' in result.stderr
    co2_only = make_inventory(tmp_path / "co2", [[*activity_row(10, "t", "lpg"), "mobile", ""]],
                              activity_header=MOBILE, settings='gases = ["CO2"]\n')
    assert compute_json(co2_only)["years"]["2022"]["gases"]["n2o_t"] is None


# -- a CO2-only reporter: every figure as before --------------------------------------------------
@pytest.mark.parametrize(("name", "folder"), [
    ("jinshang-bank", EXAMPLE),
    ("multisite-before", EXAMPLE / "multisite" / "before"),
    ("multisite-after", EXAMPLE / "multisite" / "after"),
])
def test_gases_co2_gives_every_figure_carbon_gave_before_gases(tmp_path, name, folder):
    """``golden/*.co2-only.json`` is the output of carbon before CH4 and N2O were counted; with
    ``gases = ["CO2"]`` every figure it holds comes out bit for bit the same."""
    import shutil

    inv = tmp_path / name
    shutil.copytree(folder, inv, ignore=shutil.ignore_patterns("multisite", "*.md", "*.py"))
    settings_path = inv / "settings.toml"
    text = settings_path.read_text(encoding="utf-8")
    settings_path.write_text('gases = ["CO2"]\n' + text, encoding="utf-8")
    new = compute_json(inv)
    old = json.loads((GOLDEN / f"{name}.co2-only.json").read_text(encoding="utf-8"))

    def same(a: Any, b: Any, where: str) -> None:
        if isinstance(a, dict):
            for k, v in a.items():
                same(v, b[k], f"{where}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b), where
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                same(x, y, f"{where}[{i}]")
        else:
            assert a == b, (where, a, b)

    same(old["years"], new["years"], "years")
    same(old["by_entity"], new["by_entity"], "by_entity")
    for fig in [*new["years"].values(), *new["by_entity"]]:
        assert fig["gases"]["ch4_t"] is None and fig["gases"]["n2o_t"] is None
    assert new["units"]["scope1_tco2e"] == "tCO2"  # the label says CO2, not CO2e


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.sampled_from([("electricity", "kWh"), ("heat", "GJ"), ("diesel", "L"), ("gasoline", "L"),
                     ("natural_gas", "m3"), ("lpg", "kg"), ("fuel_oil", "t")]),
    st.floats(min_value=0.001, max_value=1e9, allow_nan=False)), min_size=1, max_size=8))
def test_gases_co2_makes_scope1_exactly_its_co2(tmp_path_factory, rows):
    inv = make_inventory(tmp_path_factory.mktemp("inv"),
                         [activity_row(repr(q), u, s) for (s, u), q in rows],
                         settings='gases = ["CO2"]\n')
    y = compute_json(inv)["years"]["2022"]
    assert y["scope1_tco2e"] == y["gases"]["co2_t"]
    assert y["total_location_tco2e"] == y["scope1_tco2e"] + y["scope2_location_tco2e"]


# -- restatement: a GWP or gases change is a factor change ---------------------------------------
@pytest.mark.parametrize(("before", "after", "said"), [
    ('gwp = "AR4"\n', 'gwp = "AR5"\n', "to apply the IPCC AR5 global warming potentials"),
    ('gases = ["CO2"]\n', "", "to include CH4 and N2O from fuel combustion"),
])
def test_restate_attributes_a_gwp_or_gases_change_to_factors(tmp_path, before, after, said):
    a = one_tj_of_gasoline(tmp_path / "a", settings_text=before)
    b = one_tj_of_gasoline(tmp_path / "b", settings_text=after)
    result = run("restate", "--before", a, "--after", b, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    f = out["years"]["2022"]["scope1_tco2e"]
    assert f["delta"] != 0
    assert f["attribution"]["factors"] == pytest.approx(f["delta"], rel=1e-12)
    assert f["attribution"]["activity"] == 0 and f["attribution"]["boundary"] == 0
    assert said in out["notes"]["disclosure"]["en"]


# -- Hong Kong, Macao, Taiwan, Tibet ---------------------------------------------------------------
def hk_inventory(folder: Path, utility: str, year: int = 2023, province: str = "香港",
                 custom: list[list[str]] | None = None, level: str = "national") -> Path:
    inv = make_inventory(folder, [activity_row(1000, "MWh", year=year, entity="HK1")],
                         custom_factors=custom,
                         settings=f'grid_level = "{level}"\n')
    write_csv(inv / "entities.csv", ENTITY_HEADER,
              [["HK1", "Central office", "", "office", province, utility, "", ""]])
    return inv


@pytest.mark.parametrize("level", ["national", "regional", "provincial"])
def test_a_hong_kong_site_never_gets_a_mainland_factor(tmp_path, level):
    result = run("compute", hk_inventory(tmp_path / "inv", "", level=level))
    assert result.exit_code == 2
    assert "entities.csv, row 2, column utility: 'HK1'" in result.stderr
    assert "clp" in result.stderr and "hk_electric" in result.stderr
    y = compute_json(hk_inventory(tmp_path / "clp", "中電", level=level))["years"]["2023"]
    assert y["scope2_location_tco2e"] == pytest.approx(390.0)  # 1,000 MWh × 0.39 (CLP 2023)
    assert y["scope2_market_tco2e"] == pytest.approx(390.0)  # supplier-specific, no residual


def test_the_utility_factor_and_its_reference_are_in_the_audit_trail(tmp_path):
    import openpyxl

    path = tmp_path / "report.xlsx"
    result = run("compute", hk_inventory(tmp_path / "inv", "clp"), "--out", path)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["Audit trail"]
    head = [c.value for c in ws[1]]
    row = dict(zip(head, next(ws.iter_rows(min_row=2, values_only=True)), strict=True))
    grid = "Scope 2 factor (location-based: grid or heat)"
    assert row[f"{grid}: Id"] == "clp-hk-2023:emission:electricity"
    assert row[grid] == 0.39
    refs = {r[0]: r[7] for r in openpyxl.load_workbook(path)["Factors used"].iter_rows(
        values_only=True) if r[0]}
    assert "CLP" in refs["clp-hk-2023:emission:electricity"]  # the reference, by the id


def test_a_utility_year_not_published_takes_the_latest_earlier_with_a_warning(tmp_path):
    out = compute_json(hk_inventory(tmp_path / "inv", "hk_electric", year=2021))
    assert out["years"]["2021"]["scope2_location_tco2e"] == pytest.approx(810.0)  # 2019: 0.81
    assert any(w["code"] == "grid_vintage" and "hk-electric-2019" in w["message"]
               for w in out["warnings"])
    result = run("compute", hk_inventory(tmp_path / "early", "clp", year=2021))
    assert result.exit_code == 2 and "no clp electricity factor for 2021" in result.stderr


@pytest.mark.parametrize(("province", "key"), [("澳门", "macao"), ("台湾", "taiwan"),
                                                ("西藏", "tibet")])
def test_macao_taiwan_and_tibet_need_their_own_factor(tmp_path, province, key):
    result = run("compute", hk_inventory(tmp_path / "inv", "", province=province))
    assert result.exit_code == 2
    assert "entities.csv, row 2, column province: 'HK1'" in result.stderr
    assert f"region {key}" in result.stderr
    own = [["electricity", "", "emission", "0.5", "kgCO2e/kWh", "supplier report", province]]
    inv = hk_inventory(tmp_path / "own", "", province=province)
    write_csv(inv / "custom_factors.csv",
              ["source", "year", "kind", "value", "unit", "reference", "region"], own)
    assert compute_json(inv)["years"]["2023"]["scope2_location_tco2e"] == pytest.approx(500.0)


# -- earlier years and the NDRC 2012 regional grids ------------------------------------------------
def test_ndrc_2012_central_china_grid_covers_chongqing(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "MWh")],
                         entities=[["CQ", "Chongqing branch", "", "", "重庆", "", ""]],
                         settings='grid_level = "regional"\n[factor_sets]\n'
                                  'grid = "ndrc-regional-grid-2012"\n')
    inv_rows = (inv / "activity.csv").read_text(encoding="utf-8").replace("E1,", "CQ,")
    (inv / "activity.csv").write_text(inv_rows, encoding="utf-8")
    y = compute_json(inv)["years"]["2022"]
    assert y["scope2_location_tco2e"] == pytest.approx(525.7)  # 1,000 MWh × 0.5257


def test_a_2020_base_year_before_the_mee_series_names_the_sets_to_pin(tmp_path):
    rows = [activity_row(1000, "MWh", year=y) for y in (2020, 2024)]
    plain = make_inventory(tmp_path / "plain", rows, settings="reporting_years = [2020, 2024]\n")
    result = run("compute", plain)
    assert result.exit_code == 2
    assert "mee-carbon-market-2021" in result.stderr and "grid_by_year" in result.stderr


def test_a_2020_base_year_computes_with_a_carbon_market_pin_and_restates_to_2024(tmp_path):
    pinned = ("reporting_years = [2020, 2024]\nbase_year = 2020\n"
              '[factor_sets]\ngrid_by_year = {2020 = "mee-carbon-market-2021"}\n')
    a = make_inventory(tmp_path / "a", [activity_row(1000, "MWh", year=2020),
                                        activity_row(1000, "MWh", year=2024)], settings=pinned)
    y = compute_json(a)["years"]
    assert y["2020"]["scope2_location_tco2e"] == pytest.approx(610.1)  # 0.6101 tCO2/MWh
    assert y["2024"]["scope2_location_tco2e"] == pytest.approx(530.6)  # MEE 2023, vintage rule
    b = make_inventory(tmp_path / "b", [activity_row(1100, "MWh", year=2020),
                                        activity_row(1000, "MWh", year=2024)], settings=pinned)
    result = run("restate", "--before", a, "--after", b, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["base_year"] == 2020 and set(out["years"]) == {"2020", "2024"}
    f = out["years"]["2020"]["scope2_location_tco2e"]
    assert f["attribution"]["activity"] == pytest.approx(61.01)  # 100 MWh × 0.6101
