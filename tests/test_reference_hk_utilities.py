"""Hong Kong electricity utilities' published emission factors (kg CO2e per kWh of electricity sold),
one factor set per utility and data year.

HK Electric (HK Electric Investments): Sustainability Report 2017, p. 48 (2015 0.78, 2016 0.79,
2017 0.79); Sustainability Report 2019, p. 73 (2018 0.80, 2019 0.81); Sustainability Report 2023
(0.66); ESG Report 2024 (0.60). CLP Power Hong Kong: CLP Sustainability Report 2023 (0.39); CLP 2024
ESG data hub (0.38). Printed to two decimals; the bundled rows carry the printed numbers.
"""

from __future__ import annotations

import pytest

from carbon.factors import bundled, family
from tests.conftest import run

KEY = ("emission", "electricity", "")

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "hk-electric-2015": {KEY: 0.78},
    "hk-electric-2016": {KEY: 0.79},
    "hk-electric-2017": {KEY: 0.79},
    "hk-electric-2018": {KEY: 0.80},
    "hk-electric-2019": {KEY: 0.81},
    "hk-electric-2023": {KEY: 0.66},
    "hk-electric-2024": {KEY: 0.60},
    "clp-hk-2023": {KEY: 0.39},
    "clp-hk-2024": {KEY: 0.38},
}

#: the one row confirmed by two transcriptions; every other value rests on one source
VERIFIED = {"hk-electric-2019"}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == "kgCO2e/kWh"


@pytest.mark.parametrize("set_id", sorted(PINNED))
def test_each_utility_set_is_one_row_for_one_year(set_id):
    fs = bundled()[set_id]
    assert set(fs.factors) == set(PINNED[set_id])
    year = int(set_id.rsplit("-", 1)[1])
    assert fs.meta.data_year == year and fs.meta.covers_years == [year]
    assert fs.meta.missing, "each set lists what is missing from its series"


@pytest.mark.parametrize("set_id", sorted(PINNED))
def test_single_source_values_are_marked_unverified(set_id):
    row = bundled()[set_id].get(*KEY)
    assert row.verified is (set_id in VERIFIED)
    if not row.verified:
        assert "single source" in row.note or "one transcription" in row.note


def _kg_per_kwh(set_id: str) -> float:
    return float(bundled()[set_id].get(*KEY).quantity.to("kgCO2e/kWh").magnitude)


def test_hkei_sustainability_report_2017_p48_co2e_per_unit_sold_2015_to_2017():
    assert [_kg_per_kwh(f"hk-electric-{y}") for y in (2015, 2016, 2017)] == [0.78, 0.79, 0.79]
    for y in (2015, 2016, 2017):
        assert "Sustainability Report 2017, p. 48" in bundled()[f"hk-electric-{y}"].get(*KEY).reference


def test_hkei_sustainability_report_2019_p73_co2e_per_unit_sold_2018_and_2019():
    assert [_kg_per_kwh(f"hk-electric-{y}") for y in (2018, 2019)] == [0.80, 0.81]
    for y in (2018, 2019):
        assert "Sustainability Report 2019, p. 73" in bundled()[f"hk-electric-{y}"].get(*KEY).reference


def test_hk_electric_sustainability_report_2023_and_esg_report_2024():
    assert _kg_per_kwh("hk-electric-2023") == 0.66
    assert _kg_per_kwh("hk-electric-2024") == 0.60
    assert bundled()["hk-electric-2023"].meta.url.endswith("SR2023E.pdf")
    assert "ESR2024" in bundled()["hk-electric-2024"].meta.url


def test_clp_sustainability_report_2023_and_2024_esg_data_hub():
    assert _kg_per_kwh("clp-hk-2023") == 0.39
    assert _kg_per_kwh("clp-hk-2024") == 0.38


@pytest.mark.parametrize(("name", "utility", "years"), [
    ("hk-electric", "hk_electric", [2015, 2016, 2017, 2018, 2019, 2023, 2024]),
    ("clp-hk", "clp", [2023, 2024]),
])
def test_each_family_has_exactly_the_published_years(name, utility, years):
    """No year is filled in: the series has a gap where no value with a year was found."""
    series = family(bundled(), name)
    assert sorted(series) == years
    assert {fs.meta.utility for fs in series.values()} == {utility}
    assert {fs.id for fs in series.values()} == {f"{name}-{y}" for y in years}


def test_no_mainland_or_group_wide_figure_is_a_hong_kong_factor():
    """CLP Group-wide intensities and values without a year are listed as missing, not shipped."""
    for set_id in ("clp-hk-2023", "clp-hk-2024"):
        missing = " ".join(bundled()[set_id].meta.missing)
        assert "Group-wide" in missing and "without a stated year" in missing
    assert not any(fs.meta.utility for fs in bundled().values()
                   if fs.meta.family not in ("hk-electric", "clp-hk"))


def test_hk_utility_sets_load_and_the_cli_lists_them():
    listing = run("factors", "list")
    assert listing.exit_code == 0
    for set_id in PINNED:
        assert set_id in listing.stdout
    shown = run("factors", "show", "hk-electric-2019")
    assert shown.exit_code == 0
    assert "0.81" in shown.stdout and "hk-electric" in shown.stdout and "2019" in shown.stdout
