"""2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 (Energy): default CH4 and N2O
emission factors of fuel combustion, kg of gas per TJ (net calorific value).

Table 3.2.2 (Ch. 3, p. 3.21), road transport: motor gasoline by technology (uncontrolled 33 / 3.2,
oxidation catalyst 25 / 8.0, low-mileage light-duty vehicle vintage 1995 or later 3.8 / 5.7),
gas/diesel oil 3.9 / 3.9, LPG CH4 62. Table 2.4 (Ch. 2, pp. 2.20-2.21), commercial/institutional
stationary combustion: gaseous fuels 5 / 0.1, liquid fuels 10 / 0.6, coal 10 / 1.5.

The expected values are typed from the tables as printed; they are not read from ``factors/``. Both
tables print one or two significant digits, and the bundled rows carry the printed numbers, so the
comparison is exact.
"""

from __future__ import annotations

import pint
import pytest

from carbon.factors import bundled
from carbon.units import Quantity
from tests.conftest import run

SET = "ipcc-2006-combustion"

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    SET: {
        # Table 3.2.2, road transport (kgCH4/TJ, kgN2O/TJ)
        ("ch4", "gasoline", "uncontrolled"): 33,
        ("n2o", "gasoline", "uncontrolled"): 3.2,
        ("ch4", "gasoline", "oxidation_catalyst"): 25,
        ("n2o", "gasoline", "oxidation_catalyst"): 8.0,
        ("ch4", "gasoline", "low_mileage_ldv"): 3.8,
        ("n2o", "gasoline", "low_mileage_ldv"): 5.7,
        ("ch4", "diesel", "mobile"): 3.9,
        ("n2o", "diesel", "mobile"): 3.9,
        ("ch4", "lpg", "mobile"): 62,
        # Table 2.4, commercial/institutional stationary combustion (kgCH4/TJ, kgN2O/TJ)
        ("ch4", "natural_gas", "stationary"): 5,
        ("n2o", "natural_gas", "stationary"): 0.1,
        ("ch4", "natural_gas_gas_field", "stationary"): 5,
        ("n2o", "natural_gas_gas_field", "stationary"): 0.1,
        ("ch4", "lpg", "stationary"): 5,
        ("n2o", "lpg", "stationary"): 0.1,
        ("ch4", "diesel", "stationary"): 10,
        ("n2o", "diesel", "stationary"): 0.6,
        ("ch4", "gasoline", "stationary"): 10,
        ("n2o", "gasoline", "stationary"): 0.6,
        ("ch4", "kerosene", "stationary"): 10,
        ("n2o", "kerosene", "stationary"): 0.6,
        ("ch4", "fuel_oil", "stationary"): 10,
        ("n2o", "fuel_oil", "stationary"): 0.6,
        ("ch4", "raw_coal", "stationary"): 10,
        ("n2o", "raw_coal", "stationary"): 1.5,
    },
}

UNIT = {"ch4": "kgCH4/TJ", "n2o": "kgN2O/TJ"}


def _row(parameter: str, subject: str, region: str):
    row = bundled()[SET].get(parameter, subject, region)
    assert row is not None, f"{SET} has no row {parameter}:{subject}:{region}"
    return row


def _kg_per_tj(parameter: str, subject: str, region: str) -> float:
    return float(_row(parameter, subject, region).quantity.to(UNIT[parameter]).magnitude)


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == UNIT[key[0]]


def test_the_set_holds_only_pinned_rows():
    """A row added to the folder without a value typed here from the document fails this test."""
    assert set(bundled()[SET].factors) == set(PINNED[SET])


@pytest.mark.parametrize(("technology", "ch4", "n2o"), [
    ("uncontrolled", 33, 3.2),
    ("oxidation_catalyst", 25, 8.0),
    ("low_mileage_ldv", 3.8, 5.7),
])
def test_ipcc_2006_table_3_2_2_motor_gasoline_by_technology(technology, ch4, n2o):
    assert _kg_per_tj("ch4", "gasoline", technology) == ch4
    assert _kg_per_tj("n2o", "gasoline", technology) == n2o


def test_ipcc_2006_table_3_2_2_gasoline_oxidation_catalyst():
    assert _kg_per_tj("ch4", "gasoline", "oxidation_catalyst") == 25
    assert _kg_per_tj("n2o", "gasoline", "oxidation_catalyst") == 8.0
    assert "Table 3.2.2, p. 3.21" in _row("ch4", "gasoline", "oxidation_catalyst").reference


def test_ipcc_2006_table_3_2_2_gas_diesel_oil():
    assert _kg_per_tj("ch4", "diesel", "mobile") == 3.9
    assert _kg_per_tj("n2o", "diesel", "mobile") == 3.9


def test_ipcc_2006_table_3_2_2_lpg_ch4_is_single_source_and_n2o_is_left_out():
    row = _row("ch4", "lpg", "mobile")
    assert row.value == 62 and not row.verified
    assert bundled()[SET].get("n2o", "lpg", "mobile") is None
    assert any("lpg, mobile, N2O" in m for m in bundled()[SET].meta.missing)


def test_ipcc_2006_table_3_2_2_rows_without_a_source_are_absent():
    fs = bundled()[SET]
    for key in [("ch4", "natural_gas", "mobile"), ("n2o", "natural_gas", "mobile"),
                ("ch4", "gasoline", "mobile"), ("n2o", "gasoline", "mobile")]:
        assert fs.get(*key) is None


@pytest.mark.parametrize(("fuel", "ch4", "n2o"), [
    ("natural_gas", 5, 0.1),
    ("lpg", 5, 0.1),
    ("diesel", 10, 0.6),
    ("gasoline", 10, 0.6),
    ("kerosene", 10, 0.6),
    ("fuel_oil", 10, 0.6),
    ("raw_coal", 10, 1.5),
])
def test_ipcc_2006_table_2_4_commercial_institutional(fuel, ch4, n2o):
    assert _kg_per_tj("ch4", fuel, "stationary") == ch4
    assert _kg_per_tj("n2o", fuel, "stationary") == n2o
    assert "Table 2.4, pp. 2.20-2.21" in _row("ch4", fuel, "stationary").reference


def test_ipcc_2006_table_2_4_rows_are_marked_single_source():
    """Table 2.4 was confirmed against one transcription only: every row says so."""
    for (parameter, subject, region), row in bundled()[SET].factors.items():
        if region == "stationary":
            assert not row.verified, (parameter, subject)
            assert "single source" in row.note or "two transcriptions" in row.note


def test_ipcc_2006_verified_rows_are_table_3_2_2_gasoline_and_diesel():
    verified = {k for k, row in bundled()[SET].factors.items() if row.verified}
    assert verified == {(p, s, r) for (p, s, r) in PINNED[SET]
                        if r in ("uncontrolled", "oxidation_catalyst", "low_mileage_ldv")
                        or (s == "diesel" and r == "mobile")}


def test_ipcc_2006_one_terajoule_gasoline_oxidation_catalyst_at_ar5():
    """The issue's example with the bundled rows and pint (not through the engine): 1 TJ of motor
    gasoline with an oxidation catalyst emits 25 kg CH4 and 8 kg N2O; at AR5 GWP100 (CH4 28, N2O 265)
    that is 25 x 28 + 8 x 265 = 2,820 kg = 2.82 t CO2e."""
    sets = bundled()
    energy = Quantity(1, "TJ")
    ch4 = (energy * sets[SET].get("ch4", "gasoline", "oxidation_catalyst").quantity).to("kgCH4")
    n2o = (energy * sets[SET].get("n2o", "gasoline", "oxidation_catalyst").quantity).to("kgN2O")
    assert ch4.magnitude == pytest.approx(25, rel=1e-12)
    assert n2o.magnitude == pytest.approx(8, rel=1e-12)
    ar5 = sets["ipcc-ar5-gwp100"]
    co2e = (ch4 * ar5.get("gwp", "CH4").quantity + n2o * ar5.get("gwp", "N2O").quantity).to("tCO2e")
    assert co2e.magnitude == pytest.approx(2.82, rel=1e-12)
    assert co2e.to("kgCO2e").magnitude == pytest.approx(25 * 28 + 8 * 265, rel=1e-12)


def test_ipcc_2006_factors_are_per_energy_not_per_litre():
    """A row times a volume is not a mass of gas: the engine must go through the heating value."""
    row = _row("ch4", "diesel", "stationary")
    with pytest.raises(pint.DimensionalityError):
        (Quantity(1, "L") * row.quantity).to("kgCH4")


def test_ipcc_2006_combustion_loads_and_the_cli_lists_it():
    fs = bundled()[SET]
    assert len(fs.sha256) == 64 and fs.meta.published == "2006"
    listing = run("factors", "list")
    assert listing.exit_code == 0 and SET in listing.stdout
    shown = run("factors", "show", SET)
    assert shown.exit_code == 0
    assert "Table 3.2.2" in shown.stdout and "Table 2.4" in shown.stdout and "kgCH4/TJ" in shown.stdout
