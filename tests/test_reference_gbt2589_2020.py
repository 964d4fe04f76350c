"""GB/T 2589-2020 《综合能耗计算通则》, Appendix A (各种能源折标准煤参考系数).

The expected numbers are the standard's table as printed (transcribed independently in
shared/reference/factors.md); the bundled set and the engine must reproduce them to the printed
digits.
"""

from __future__ import annotations

import pytest

from carbon.units import Quantity
from tests.conftest import activity_row, compute_json, make_inventory

# energy: (average low heating value, its unit, standard-coal coefficient, its unit)
APPENDIX_A = {
    "raw_coal": (20908, "kJ/kg", 0.7143, "kgce/kg"),
    "cleaned_coal": (26344, "kJ/kg", 0.9000, "kgce/kg"),
    "coke": (28435, "kJ/kg", 0.9714, "kgce/kg"),
    "crude_oil": (41816, "kJ/kg", 1.4286, "kgce/kg"),
    "fuel_oil": (41816, "kJ/kg", 1.4286, "kgce/kg"),
    "gasoline": (43070, "kJ/kg", 1.4714, "kgce/kg"),
    "kerosene": (43070, "kJ/kg", 1.4714, "kgce/kg"),
    "diesel": (42652, "kJ/kg", 1.4571, "kgce/kg"),
    "lpg": (50179, "kJ/kg", 1.7143, "kgce/kg"),
    "refinery_gas": (46055, "kJ/kg", 1.5714, "kgce/kg"),
    "natural_gas": (38931, "kJ/m^3", 1.3300, "kgce/m^3"),
    "natural_gas_gas_field": (35544, "kJ/m^3", 1.2143, "kgce/m^3"),
    "electricity": (3600, "kJ/kWh", 0.1229, "kgce/kWh"),
}


@pytest.mark.parametrize("energy", sorted(APPENDIX_A))
def test_gbt2589_2020_appendix_A_rows(sets, energy):
    ncv, ncv_unit, coef, coef_unit = APPENDIX_A[energy]
    fs = sets["gbt2589-2020"]
    got_ncv = fs.get("ncv", energy).quantity.to(ncv_unit).magnitude
    got_coef = fs.get("coal_coefficient", energy).quantity.to(coef_unit).magnitude
    assert got_ncv == pytest.approx(ncv, abs=0.5)
    assert got_coef == pytest.approx(coef, abs=0.00005)


def test_gbt2589_2020_appendix_A_heat_coefficient(sets):
    coef = sets["gbt2589-2020"].get("coal_coefficient", "heat").quantity.to("kgce/MJ").magnitude
    assert coef == pytest.approx(0.03412, abs=0.000005)


def test_gbt2589_2020_kgce_is_29307_kJ():
    assert Quantity(1, "kgce").to("kJ").magnitude == pytest.approx(29307)
    assert Quantity(1, "kgce").to("kcal").magnitude == pytest.approx(7000, rel=1e-3)


def test_gbt2589_2020_one_tonne_gasoline(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "t", "gasoline")])
    y = compute_json(inv)["years"]["2022"]
    assert round(y["energy_kwh"], 1) == 11963.9
    assert round(y["energy_tce"], 4) == 1.4714
    assert y["energy_direct_kwh"] == y["energy_kwh"]


@pytest.mark.parametrize(("source", "unit", "kwh", "tce"), [
    ("electricity", "kWh", 1.0, 0.0001229),
    ("heat", "MJ", 1 / 3.6, 0.00003412),
    ("diesel", "t", 42652 / 3.6, 1.4571),
    ("natural_gas", "m3", 38931 / 3600, 0.00133),
])
def test_gbt2589_2020_conversions_through_engine(tmp_path, source, unit, kwh, tce):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, unit, source)])
    y = compute_json(inv)["years"]["2022"]
    assert y["energy_kwh"] == pytest.approx(kwh, rel=1e-9)
    assert y["energy_tce"] == pytest.approx(tce, rel=1e-9)
