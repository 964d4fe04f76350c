"""Small inventories computed by hand from published factors, through the real CLI's JSON.

Every expected number is a literal worked out from the published tables (the arithmetic is in the
comment beside it) or, for equity shares, from a plain re-implementation of the rule written here.
The checks read the public JSON contract (``years``, ``intensity``, ``by_entity``, the restate
``notes.published`` and verify's output), never internal functions.

Each test names the audit finding (issue 20) it guards:

- bug 1, a per-m² intensity divided by headcount → ``test_intensities_per_m2_and_per_person``;
- bug 3, verify no longer naming changed per-entity figures →
  ``test_verify_names_a_changed_per_entity_figure_when_the_total_is_unchanged``;
- bug 4, an equity share multiplied by the parent's share only →
  ``test_equity_share_down_random_deep_trees``;
- bug 5, a ``grid_by_year`` pin ignored → ``test_grid_pin_precedence``;
- bug 6, the published-figure rounding tolerance ten times too loose →
  ``test_published_rounding_edge``.
(Bug 2, 万吨 read as 1,000 t: ``test_reference_gb3100_1993_units.py``; bugs 7 and 8, a factor
value changed: ``test_factor_pins.py`` and ``test_reference_gb17930_gb19147_density.py``.)
"""

from __future__ import annotations

import json
import random

import pytest

from tests.conftest import activity_row, compute_json, make_inventory, run, write_csv

# --- intensities and per-entity figures (bug 1) --------------------------------------------------

# E1 (山西): 100,000 kWh of electricity, 1,000 GJ of heat, 1,000 L of diesel at the reporter's own
# 2.60 kgCO2/L; 2,000 m², 50 people. E2: 50,000 kWh; 3,000 m², 150 people. Year 2022, national
# grid factor 0.5366 kgCO2/kWh (MEE 2022 表1), heat 0.11 tCO2/GJ (NDRC 附录表3).
INTENSITY_ACTIVITY = [activity_row(100000, "kWh", entity="E1"),
                      activity_row(1000, "GJ", "heat", entity="E1"),
                      activity_row(1000, "L", "diesel", entity="E1"),
                      activity_row(50000, "kWh", entity="E2")]
INTENSITY_ENTITIES = [["E1", "Site 1", "", "office", "山西", "", ""],
                      ["E2", "Site 2", "", "office", "山西", "", ""]]
INTENSITY_DENOMINATORS = [["E1", 2022, 2000, 50], ["E2", 2022, 3000, 150]]
# in CO2e: the supplier's factor holds every gas (no IPCC CH4 and N2O added to it)
OWN_DIESEL = [["diesel", "", "emission", "2.60", "kgCO2e/L", "supplier certificate"]]

EXPECTED_E1 = {
    # 1,000 L × 2.60 kgCO2/L
    "scope1_tco2e": 2.6,
    # 100,000 kWh × 0.5366 kg/kWh = 53.66 t; + 1,000 GJ × 0.11 t/GJ = 110 t
    "scope2_location_tco2e": 163.66,
    # 100,000 kWh + 1,000,000 MJ ÷ 3.6 + 1,000 L × 0.84 kg/L × 42,652 kJ/kg ÷ 3,600
    # = 100,000 + 277,777.7778 + 9,952.1333
    "energy_kwh": 387729.9111111111,
    "floor_area_m2": 2000, "headcount": 50,
    "intensity": {
        "energy_kwh_per_m2": 193.86495555555555,  # 387,729.9111 ÷ 2,000
        "scope1_tco2e_per_m2": 0.0013,  # 2.6 ÷ 2,000
        "scope2_tco2e_per_m2": 0.08183,  # 163.66 ÷ 2,000
        "total_tco2e_per_m2": 0.08313,  # 166.26 ÷ 2,000
        "total_tco2e_per_person": 3.3252,  # 166.26 ÷ 50
        "energy_kwh_per_person": 7754.598222222222,  # 387,729.9111 ÷ 50
    },
}
EXPECTED_E2 = {
    "scope1_tco2e": 0.0,
    "scope2_location_tco2e": 26.83,  # 50,000 kWh × 0.5366 kg/kWh
    "energy_kwh": 50000.0,
    "floor_area_m2": 3000, "headcount": 150,
    "intensity": {
        "energy_kwh_per_m2": 16.666666666666668,  # 50,000 ÷ 3,000
        "scope1_tco2e_per_m2": 0.0,
        "scope2_tco2e_per_m2": 0.008943333333333333,  # 26.83 ÷ 3,000
        "total_tco2e_per_m2": 0.008943333333333333,
        "total_tco2e_per_person": 0.17886666666666667,  # 26.83 ÷ 150
        "energy_kwh_per_person": 333.3333333333333,  # 50,000 ÷ 150
    },
}
EXPECTED_2022 = {
    "scope1_tco2e": 2.6,
    "scope2_location_tco2e": 190.49,  # 163.66 + 26.83
    "total_location_tco2e": 193.09,
    "energy_kwh": 437729.9111111111,
    "floor_area_m2": 5000, "headcount": 200,
    "intensity": {
        "energy_kwh_per_m2": 87.54598222222222,  # 437,729.9111 ÷ 5,000
        "scope1_tco2e_per_m2": 0.00052,  # 2.6 ÷ 5,000
        "scope2_tco2e_per_m2": 0.038098,  # 190.49 ÷ 5,000
        "total_tco2e_per_m2": 0.038618,  # 193.09 ÷ 5,000
        "total_tco2e_per_person": 0.96545,  # 193.09 ÷ 200
        "energy_kwh_per_person": 2188.6495555555557,  # 437,729.9111 ÷ 200
    },
}


def assert_figures(got: dict, expected: dict, where: str) -> None:
    for key, value in expected.items():
        if isinstance(value, dict):
            assert_figures(got[key], value, f"{where}.{key}")
        else:
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-15), f"{where}.{key}"


@pytest.fixture(scope="module")
def intensity_result(tmp_path_factory):
    inv = make_inventory(tmp_path_factory.mktemp("intensity") / "inv", INTENSITY_ACTIVITY,
                         entities=INTENSITY_ENTITIES, denominators=INTENSITY_DENOMINATORS,
                         custom_factors=OWN_DIESEL)
    return compute_json(inv)


def test_intensities_per_m2_and_per_person(intensity_result):
    """Audit bug 1: a per-m² intensity divided by headcount. Floor areas and headcounts differ by
    a factor of 40 and 20 here, so any swap of denominators moves every intensity."""
    assert_figures(intensity_result["years"]["2022"], EXPECTED_2022, "years.2022")


def test_per_entity_figures_and_intensities(intensity_result):
    by_entity = {(e["entity_id"], e["year"]): e for e in intensity_result["by_entity"]}
    assert set(by_entity) == {("E1", 2022), ("E2", 2022)}
    assert by_entity["E1", 2022]["name"] == "Site 1"
    assert_figures(by_entity["E1", 2022], EXPECTED_E1, "by_entity[E1]")
    assert_figures(by_entity["E2", 2022], EXPECTED_E2, "by_entity[E2]")


# --- equity share down deep trees (bug 4) ---------------------------------------------------------

def random_tree(rng: random.Random) -> tuple[list[list[str]], dict[str, float]]:
    """Entities of a random tree whose deepest chain is 5 to 24 levels, with written shares
    (``60``, ``60%``, ``0.6`` or blank), and each one's equity share by the plain rule: the
    product of the shares on the way up to the top."""
    depth = rng.randint(5, 24)
    parents: dict[str, str] = {"N0": ""}
    for i in range(1, depth):  # the spine: one long chain
        parents[f"N{i}"] = f"N{i - 1}"
    for i in range(depth, depth + rng.randint(0, 20)):  # branches hung anywhere
        parents[f"N{i}"] = rng.choice(list(parents))
    share: dict[str, float] = {}
    rows = []
    for eid, parent in parents.items():
        pct = rng.choice([None, *range(5, 101, 5), 33, 51, 99])
        written = "" if pct is None else rng.choice([f"{pct}", f"{pct}%", f"{pct / 100}"])
        share[eid] = 1.0 if pct is None else pct / 100
        rows.append([eid, f"Entity {eid}", parent, "office", "山西", "", "", written])
    expected: dict[str, float] = {}

    def equity(eid: str) -> float:
        if eid not in expected:
            parent = parents[eid]
            expected[eid] = share[eid] * (equity(parent) if parent else 1.0)
        return expected[eid]

    for eid in parents:
        equity(eid)
    return rows, expected


@pytest.mark.parametrize("seed", range(6))
def test_equity_share_down_random_deep_trees(tmp_path, seed):
    """Audit bug 4: an equity share multiplied by the parent's share only (wrong from a few
    levels down). 1,000 kWh per entity: each entity's energy is 1,000 kWh × its equity share,
    the product of the shares up its chain."""
    rows, expected = random_tree(random.Random(seed))
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "kWh", entity=r[0]) for r in rows],
                         settings='consolidation = "equity_share"\n')
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "kind", "province",
                                     "included_from", "included_to", "ownership_share"], rows)
    out = compute_json(inv)
    got = {e["entity_id"]: e["energy_kwh"] for e in out["by_entity"]}
    assert got == pytest.approx({eid: 1000 * s for eid, s in expected.items()}, rel=1e-12)
    assert out["years"]["2022"]["energy_kwh"] == pytest.approx(
        1000 * sum(expected.values()), rel=1e-12)
    # scope 2 follows the same share: 1,000 kWh × share × 0.5366 kg/kWh (MEE 2022 表1)
    scope2 = {e["entity_id"]: e["scope2_location_tco2e"] for e in out["by_entity"]}
    assert scope2 == pytest.approx({eid: 0.5366 * s for eid, s in expected.items()}, rel=1e-12)


def test_equity_share_a_five_level_chain_by_hand(tmp_path):
    """60 % × 50 % × 80 % × 25 % × 90 % = 5.4 % of 1,000 kWh = 54 kWh at the fifth level."""
    shares = ["60%", "50", "0.8", "25%", "90"]
    rows = [[f"L{i}", f"Level {i}", f"L{i - 1}" if i else "", "office", "山西", "", "", s]
            for i, s in enumerate(shares)]
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "kWh", entity=f"L{i}")
                                            for i in range(5)],
                         settings='consolidation = "equity_share"\n')
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "kind", "province",
                                     "included_from", "included_to", "ownership_share"], rows)
    got = {e["entity_id"]: e["energy_kwh"] for e in compute_json(inv)["by_entity"]}
    # 600; 600 × 0.5 = 300; × 0.8 = 240; × 0.25 = 60; × 0.9 = 54
    assert got == pytest.approx({"L0": 600, "L1": 300, "L2": 240, "L3": 60, "L4": 54}, rel=1e-12)


# --- grid pins (bug 5) ---------------------------------------------------------------------------

# 1 GWh in each of 2021–2024; national factors (kgCO2/kWh, so t per GWh ÷ 1,000): MEE 表1 2021
# 0.5568, 2022 0.5366, 2023 0.5306 (no 2024 announcement: the vintage rule takes 2023's);
# the carbon-market factor 0.5703 t/MWh.
PIN_CASES = {
    "vintage rule": ("", {2021: 556.8, 2022: 536.6, 2023: 530.6, 2024: 530.6}),
    "grid pins every year": ('grid = "mee-grid-2021"\n',
                             {2021: 556.8, 2022: 556.8, 2023: 556.8, 2024: 556.8}),
    "grid_by_year over grid": (
        'grid = "mee-grid-2021"\n[factor_sets.grid_by_year]\n2023 = "mee-carbon-market-2023"\n',
        {2021: 556.8, 2022: 556.8, 2023: 570.3, 2024: 556.8}),
    "grid_by_year over the vintage rule": (
        '[factor_sets.grid_by_year]\n2024 = "mee-grid-2022"\n2021 = "mee-carbon-market-2023"\n',
        {2021: 570.3, 2022: 536.6, 2023: 530.6, 2024: 536.6}),
}


@pytest.mark.parametrize("case", sorted(PIN_CASES))
def test_grid_pin_precedence(tmp_path, case):
    """Audit bug 5: a ``grid_by_year`` pin ignored. grid_by_year beats grid beats the vintage
    rule, year by year; only a year the vintage rule filled is warned about."""
    pins, expected = PIN_CASES[case]
    settings = "reporting_years = [2021, 2022, 2023, 2024]\n[factor_sets]\n" + pins
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=y) for y in expected],
                         settings=settings)
    out = compute_json(inv)
    got = {int(y): v["scope2_location_tco2e"] for y, v in out["years"].items()}
    assert got == pytest.approx(expected, rel=1e-12)
    vintage = [w["message"] for w in out["warnings"] if w["code"] == "grid_vintage"]
    assert len(vintage) == (1 if case == "vintage rule" else 0)


# --- the published-figure rounding edge (bug 6) ----------------------------------------------------

ROUNDING_CASES = [
    # (recomputed kWh, published as printed, within the printed rounding?)
    (1000.5, "1,001", True),  # +0.5: exactly half a unit of a whole number
    (1000.5, "1,000", True),  # -0.5
    (1000.51, "1,000", False),  # -0.51: a bit more
    (1000.49, "1,001", False),  # +0.51
    (1000.125, "1,000.13", True),  # +0.005: exactly half a unit of the second decimal
    (1000.125, "1,000.12", True),  # -0.005
    (1000.1251, "1,000.12", False),  # -0.0051
    (1000.125, "1,000.14", False),  # +0.015: inside a tolerance ten times too loose
    (1000.125, "1,000.1", True),  # -0.025 against half a unit of the first decimal, 0.05
    (4171.545, "4,171.55", True),  # +0.005 at the size of a real report's figure
    (4171.545, "4,171.54", True),  # -0.005
    (4171.5449, "4,171.55", False),  # +0.0051
]


@pytest.mark.parametrize(("recomputed", "printed", "within"), ROUNDING_CASES)
def test_published_rounding_edge(tmp_path, recomputed, printed, within):
    """Audit bug 6: ``carbon restate --published`` with a rounding tolerance ten times too loose.
    A figure printed with d decimals explains a residual of at most half a unit of its last digit,
    0.5 × 10^-d, exactly half included."""
    inv = make_inventory(tmp_path / "a", [activity_row(repr(recomputed), "kWh")])
    pub = tmp_path / "published.csv"
    write_csv(pub, ["year", "metric", "value"], [[2022, "energy_kwh", printed]])
    result = run("restate", "--before", inv, "--after", inv, "--published", pub,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["notes"]["published"]
    assert row["recomputed"] == recomputed
    assert row["within_rounding"] is within, row


# --- verify names a changed per-entity figure (bug 3) ---------------------------------------------

def test_verify_names_a_changed_per_entity_figure_when_the_total_is_unchanged(tmp_path):
    """Audit bug 3: verify no longer naming changed per-entity figures. 100 kWh move from E1 to
    E2: no year total changes, only the two entities' figures, and verify names both."""
    entities = [["E1", "Site 1", "", "office", "山西", "", ""],
                ["E2", "Site 2", "", "office", "山西", "", ""]]
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "kWh", entity="E1"),
                                            activity_row(1000, "kWh", entity="E2")],
                         entities=entities)
    manifest = tmp_path / "run.json"
    assert run("compute", inv, "--format", "json", "--manifest", manifest).exit_code == 0
    assert run("verify", manifest).exit_code == 0
    make_inventory(inv, [activity_row(1100, "kWh", entity="E1"),
                         activity_row(900, "kWh", entity="E2")], entities=entities)
    result = run("verify", manifest)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "by_entity[E1 2022].energy_kwh: 1,000 → 1,100 (+100, +10%)" in out
    assert "by_entity[E2 2022].energy_kwh: 1,000 → 900 (-100, -10%)" in out
    # 100 kWh × 0.5366 kg/kWh = 0.05366 t each way
    assert "by_entity[E1 2022].scope2_location_tco2e: 0.5366 → 0.59026 (+0.05366, +10%)" in out
    assert "years.2022." not in out  # the totals did not move


def test_a_reporting_year_with_every_row_outside_the_boundary_is_reported_as_zero(tmp_path):
    """The only site leaves the boundary on 2022-12-31: its 2023 row is outside, and 2023, a
    reporting year, is still in the output, at 0 t (not left out)."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "MWh", year=2022),
                                            activity_row(1000, "MWh", year=2023)],
                         entities=[["E1", "Site 1", "", "office", "山西", "", "2022-12-31"]],
                         settings="reporting_years = [2022, 2023]\n")
    out = compute_json(inv)
    assert list(out["years"]) == ["2022", "2023"]
    assert out["years"]["2022"]["scope2_location_tco2e"] == pytest.approx(536.6)  # × 0.5366
    assert out["years"]["2023"]["scope2_location_tco2e"] == 0.0
    assert out["years"]["2023"]["energy_kwh"] == 0.0


def test_sources_are_listed_in_order_whichever_entity_has_them_first(tmp_path):
    """by_source is keyed in source order, not in the order the entities bring the sources."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "kWh", "electricity", entity="E1"),
                                            activity_row(100, "L", "diesel", entity="E2")],
                         entities=[["E1", "Site 1", "", "office", "山西", "", ""],
                                   ["E2", "Site 2", "", "office", "山西", "", ""]])
    y = compute_json(inv)["years"]["2022"]
    assert list(y["by_source"]) == ["diesel", "electricity"]
    assert y["by_source"]["electricity"]["quantity"] == 1000.0
    assert y["by_source"]["diesel"]["quantity"] == 100.0


def test_the_json_names_its_version_the_factor_sets_by_digest_and_each_unit(tmp_path):
    from carbon import __version__
    from carbon.factors import bundled

    out = compute_json(make_inventory(tmp_path / "inv", [activity_row(1000, "kWh")],
                                      denominators=[["E1", 2022, 100, 2]]))
    assert out["carbon_version"] == __version__
    assert out["gases"] == ["CO2", "CH4", "N2O"]  # the default: every gas of combustion
    sets = bundled()
    assert out["factor_sets"] and all(
        f == {"id": f["id"], "sha256": sets[f["id"]].sha256} for f in out["factor_sets"])
    # an intensity's unit: its figure's over one of the denominator's (m², a person); the MEE
    # grid factor counts CO2 only, and the emission figures say so
    assert {k: out["units"][k] for k in out["years"]["2022"]["intensity"]} == {
        "energy_kwh_per_m2": "kWh/m2", "scope1_tco2e_per_m2": "tCO2/m2",
        "scope2_tco2e_per_m2": "tCO2/m2", "total_tco2e_per_m2": "tCO2/m2",
        "total_tco2e_per_person": "tCO2/person", "energy_kwh_per_person": "kWh/person"}
    assert out["units"]["floor_area_m2"] == "m2" and out["units"]["headcount"] == "persons"
