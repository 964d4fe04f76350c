"""IPCC assessment reports, Working Group I: global warming potentials over 100 years (GWP100).

AR4 WG1 Table 2.14: CH4 25, N2O 298. AR5 WG1 Table 8.7 (without climate-carbon feedbacks): CH4 28,
N2O 265. AR6 WG1 Ch. 7 Table 7.15: CH4 fossil 29.8, CH4 non-fossil 27.0, N2O 273. CO2 is 1 in every
report. Values typed from the tables as printed (integers, or one decimal in AR6): exact comparison.
"""

from __future__ import annotations

import pint
import pytest

from carbon.factors import bundled
from carbon.units import Quantity
from tests.conftest import run

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "ipcc-ar4-gwp100": {
        ("gwp", "CO2", ""): 1,
        ("gwp", "CH4", ""): 25,
        ("gwp", "N2O", ""): 298,
    },
    "ipcc-ar5-gwp100": {
        ("gwp", "CO2", ""): 1,
        ("gwp", "CH4", ""): 28,
        ("gwp", "N2O", ""): 265,
    },
    "ipcc-ar6-gwp100": {
        ("gwp", "CO2", ""): 1,
        ("gwp", "CH4", "fossil"): 29.8,
        ("gwp", "CH4", "non_fossil"): 27.0,
        ("gwp", "N2O", ""): 273,
    },
}

UNIT = {"CO2": "tCO2e/tCO2", "CH4": "tCO2e/tCH4", "N2O": "tCO2e/tN2O"}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == UNIT[key[1]]
    assert row.verified


@pytest.mark.parametrize("set_id", sorted(PINNED))
def test_each_gwp_set_holds_only_pinned_rows(set_id):
    assert set(bundled()[set_id].factors) == set(PINNED[set_id])


def _gwp(set_id: str, gas: str, region: str = "") -> float:
    row = bundled()[set_id].get("gwp", gas, region)
    assert row is not None
    return float(row.quantity.to(f"tCO2e/t{gas}").magnitude)


def test_ipcc_ar4_wg1_table_2_14_gwp100():
    assert (_gwp("ipcc-ar4-gwp100", "CO2"), _gwp("ipcc-ar4-gwp100", "CH4"),
            _gwp("ipcc-ar4-gwp100", "N2O")) == (1, 25, 298)
    assert "Table 2.14" in bundled()["ipcc-ar4-gwp100"].get("gwp", "CH4").reference


def test_ipcc_ar5_wg1_table_8_7_gwp100_without_climate_carbon_feedbacks():
    assert (_gwp("ipcc-ar5-gwp100", "CO2"), _gwp("ipcc-ar5-gwp100", "CH4"),
            _gwp("ipcc-ar5-gwp100", "N2O")) == (1, 28, 265)
    assert "Table 8.7" in bundled()["ipcc-ar5-gwp100"].get("gwp", "N2O").reference


def test_ipcc_ar6_wg1_table_7_15_gwp100_fossil_and_non_fossil_methane():
    assert _gwp("ipcc-ar6-gwp100", "CH4", "fossil") == 29.8
    assert _gwp("ipcc-ar6-gwp100", "CH4", "non_fossil") == 27.0
    assert _gwp("ipcc-ar6-gwp100", "N2O") == 273
    assert _gwp("ipcc-ar6-gwp100", "CO2") == 1
    assert bundled()["ipcc-ar6-gwp100"].get("gwp", "CH4") is None  # no methane without its origin
    assert "Table 7.15" in bundled()["ipcc-ar6-gwp100"].get("gwp", "N2O").reference


def test_ipcc_ar6_table_7_15_fossil_minus_non_fossil_is_the_oxidised_carbon():
    """Fossil CH4 carries the CO2 it oxidises to: 44/16 t CO2 per t CH4 = 2.75, and the table's two
    values differ by 2.8 at its printed precision (one decimal)."""
    diff = _gwp("ipcc-ar6-gwp100", "CH4", "fossil") - _gwp("ipcc-ar6-gwp100", "CH4", "non_fossil")
    assert diff == pytest.approx(44 / 16, abs=0.05 + 1e-9)


@pytest.mark.parametrize(("set_id", "gas", "region", "tonnes_co2e"), [
    ("ipcc-ar4-gwp100", "CH4", "", 25),
    ("ipcc-ar5-gwp100", "N2O", "", 265),
    ("ipcc-ar6-gwp100", "CH4", "fossil", 29.8),
])
def test_one_tonne_of_gas_is_its_gwp_in_tonnes_co2e(set_id, gas, region, tonnes_co2e):
    row = bundled()[set_id].get("gwp", gas, region)
    assert (Quantity(1, f"t{gas}") * row.quantity).to("tCO2e").magnitude == pytest.approx(tonnes_co2e)


def test_a_gwp_does_not_turn_another_gas_into_co2e():
    n2o_gwp = bundled()["ipcc-ar5-gwp100"].get("gwp", "N2O")
    with pytest.raises(pint.DimensionalityError):
        (Quantity(1, "tCH4") * n2o_gwp.quantity).to("tCO2e")


def test_gwp_sets_load_and_the_cli_lists_them():
    listing = run("factors", "list")
    assert listing.exit_code == 0
    for set_id in PINNED:
        assert set_id in listing.stdout
        assert len(bundled()[set_id].sha256) == 64
    shown = run("factors", "show", "ipcc-ar6-gwp100")
    assert shown.exit_code == 0 and "29.8" in shown.stdout and "non_fossil" in shown.stdout
