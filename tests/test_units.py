"""The unit registry: the spellings a facilities team writes, and what is not a unit."""

from __future__ import annotations

import pytest
from pint import DimensionalityError

from carbon.units import Quantity, parse_unit


@pytest.mark.parametrize(("written", "canonical", "factor"), [
    ("度", "kWh", 1), ("千瓦时", "kWh", 1), ("千瓦時", "kWh", 1), ("kwh", "kWh", 1),
    ("ｋＷｈ", "kWh", 1), ("兆瓦时", "kWh", 1000), ("万千瓦时", "kWh", 1e4), ("萬千瓦時", "kWh", 1e4),
    ("吉焦", "MJ", 1000), ("兆焦", "MJ", 1), ("GJ", "MJ", 1000),
    ("立方米", "m3", 1), ("方", "m3", 1), ("m³", "m3", 1), ("万立方米", "m3", 1e4), ("万m³", "m3", 1e4),
    ("标准立方米", "m3", 1), ("Nm3", "m3", 1), ("升", "L", 1), ("万升", "L", 1e4),
    ("吨", "kg", 1000), ("噸", "kg", 1000), ("千克", "kg", 1), ("公斤", "kg", 1),
    ("吨标准煤", "kgce", 1000), ("吨标煤", "kgce", 1000), ("tce", "kgce", 1000),
    ("千克标准煤", "kgce", 1),
])
def test_chinese_and_common_spellings(written, canonical, factor):
    assert parse_unit(written).to(canonical).magnitude == pytest.approx(factor)


@pytest.mark.parametrize("text", ["", "kwhh", "3", "kg kg/", "度度", "-1 kWh"])
def test_not_units(text):
    with pytest.raises(ValueError):
        parse_unit(text)


def test_carbon_to_co2_is_44_over_12():
    assert Quantity(12, "tC").to("tCO2").magnitude == pytest.approx(44)


@pytest.mark.parametrize("gas", ["kgCO2/L", "kgCH4/TJ", "gN2O/L"])
def test_a_gas_becomes_co2e_only_through_a_gwp_set(gas):
    """Each gas is its own dimension: no pint conversion makes it CO2e (the GWP sets do)."""
    with pytest.raises(DimensionalityError):
        Quantity(2.3, gas).to("kgCO2e/" + gas.split("/")[1])
