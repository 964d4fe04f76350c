"""GB/T 2589-2020 《综合能耗计算通则》, Appendix A (各种能源折标准煤参考系数).

The expected numbers are the standard's table as printed (transcribed independently in the shared
reference ``factors.md``, typed here as literals, never read from ``factors/``); the bundled set
and the engine must reproduce them to the printed digits. ``PINNED`` holds every row of the
bundled set (see ``tests/README.md``).
"""

from __future__ import annotations

import pytest

from carbon.units import Quantity
from tests.conftest import activity_row, compute_json, make_inventory

# energy: (average low heating value, its unit, standard-coal coefficient, its unit)
APPENDIX_A = {
    "raw_coal": (20908, "kJ/kg", 0.7143, "kgce/kg"),  # 原煤
    "cleaned_coal": (26344, "kJ/kg", 0.9000, "kgce/kg"),  # 洗精煤
    "coke": (28435, "kJ/kg", 0.9714, "kgce/kg"),  # 焦炭
    "crude_oil": (41816, "kJ/kg", 1.4286, "kgce/kg"),  # 原油 (single source)
    "fuel_oil": (41816, "kJ/kg", 1.4286, "kgce/kg"),  # 燃料油 (single source)
    "gasoline": (43070, "kJ/kg", 1.4714, "kgce/kg"),  # 汽油
    "kerosene": (43070, "kJ/kg", 1.4714, "kgce/kg"),  # 煤油
    "diesel": (42652, "kJ/kg", 1.4571, "kgce/kg"),  # 柴油
    "lpg": (50179, "kJ/kg", 1.7143, "kgce/kg"),  # 液化石油气
    "refinery_gas": (46055, "kJ/kg", 1.5714, "kgce/kg"),  # 炼厂干气
    "natural_gas": (38931, "kJ/m^3", 1.3300, "kgce/m^3"),  # 油田天然气
    "natural_gas_gas_field": (35544, "kJ/m^3", 1.2143, "kgce/m^3"),  # 气田天然气
    "electricity": (3600, "kJ/kWh", 0.1229, "kgce/kWh"),  # 电力 (equivalent value)
    "steam": (3763, "MJ/t", 0.1286, "kgce/kg"),  # 蒸汽 (low pressure; 2008 edition's value)
}

#: Every row of the bundled set, as Appendix A prints it (heat has a coefficient only:
#: 0.03412 kgce/MJ, equivalent value).
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "gbt2589-2020": {
        ("ncv", "raw_coal", ""): 20908,  # kJ/kg
        ("coal_coefficient", "raw_coal", ""): 0.7143,  # kgce/kg
        ("ncv", "cleaned_coal", ""): 26344,
        ("coal_coefficient", "cleaned_coal", ""): 0.9000,
        ("ncv", "coke", ""): 28435,
        ("coal_coefficient", "coke", ""): 0.9714,
        ("ncv", "crude_oil", ""): 41816,
        ("coal_coefficient", "crude_oil", ""): 1.4286,
        ("ncv", "fuel_oil", ""): 41816,
        ("coal_coefficient", "fuel_oil", ""): 1.4286,
        ("ncv", "gasoline", ""): 43070,
        ("coal_coefficient", "gasoline", ""): 1.4714,
        ("ncv", "diesel", ""): 42652,
        ("coal_coefficient", "diesel", ""): 1.4571,
        ("ncv", "kerosene", ""): 43070,
        ("coal_coefficient", "kerosene", ""): 1.4714,
        ("ncv", "lpg", ""): 50179,
        ("coal_coefficient", "lpg", ""): 1.7143,
        ("ncv", "refinery_gas", ""): 46055,
        ("coal_coefficient", "refinery_gas", ""): 1.5714,
        ("ncv", "natural_gas", ""): 38931,  # kJ/m³
        ("coal_coefficient", "natural_gas", ""): 1.3300,  # kgce/m³
        ("ncv", "natural_gas_gas_field", ""): 35544,
        ("coal_coefficient", "natural_gas_gas_field", ""): 1.2143,
        ("coal_coefficient", "heat", ""): 0.03412,  # kgce/MJ
        ("ncv", "electricity", ""): 3600,  # kJ/kWh
        ("coal_coefficient", "electricity", ""): 0.1229,  # kgce/kWh
        ("ncv", "steam", ""): 3763,  # MJ/t
        ("coal_coefficient", "steam", ""): 0.1286,  # kgce/kg
    },
}

PINNED_UNITS: dict[str, dict[tuple[str, str, str], str]] = {"gbt2589-2020": {
    **{("ncv", e, ""): ncv_unit for e, (_, ncv_unit, _, _) in APPENDIX_A.items()},
    **{("coal_coefficient", e, ""): coef_unit for e, (_, _, _, coef_unit) in APPENDIX_A.items()},
    ("coal_coefficient", "heat", ""): "kgce/MJ",
}}


@pytest.mark.parametrize("energy", sorted(APPENDIX_A))
def test_gbt2589_2020_appendix_A_rows(sets, energy):
    ncv, ncv_unit, coef, coef_unit = APPENDIX_A[energy]
    fs = sets["gbt2589-2020"]
    got_ncv = fs.get("ncv", energy).quantity.to(ncv_unit).magnitude
    got_coef = fs.get("coal_coefficient", energy).quantity.to(coef_unit).magnitude
    assert got_ncv == pytest.approx(ncv, rel=1e-9)
    assert got_coef == pytest.approx(coef, rel=1e-9)


def test_gbt2589_2020_appendix_A_heat_coefficient(sets):
    coef = sets["gbt2589-2020"].get("coal_coefficient", "heat").quantity.to("kgce/MJ").magnitude
    assert coef == pytest.approx(0.03412, rel=1e-9)


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
    ("lpg", "kg", 50179 / 3600, 0.0017143),
    ("steam", "t", 3763 / 3.6, 0.1286),
])
def test_gbt2589_2020_conversions_through_engine(tmp_path, source, unit, kwh, tce):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, unit, source)])
    y = compute_json(inv)["years"]["2022"]
    assert y["energy_kwh"] == pytest.approx(kwh, rel=1e-9)
    assert y["energy_tce"] == pytest.approx(tce, rel=1e-9)
