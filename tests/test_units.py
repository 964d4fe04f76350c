"""The unit registry: the spellings a facilities team writes, and what is not a unit."""

from __future__ import annotations

import pint
import pytest
from pint import DimensionalityError

from carbon import units
from carbon.units import (
    CO2,
    ENERGY,
    MASS,
    MAX_UNIT_CHARS,
    VOLUME,
    Quantity,
    factor,
    is_dimension,
    parse_unit,
    ureg,
)


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


@pytest.mark.parametrize("text", ["0 kWh", "0 度", "0*t"])
def test_a_unit_of_magnitude_zero_is_no_unit(text):
    """A quantity of 0 kWh multiplies every figure by 0: it is rejected like any non-unit."""
    with pytest.raises(ValueError):
        parse_unit(text)


def test_a_unit_of_sixty_four_characters_is_read_and_one_more_is_not():
    """The limit is MAX_UNIT_CHARS = 64 characters after folding, the limit included."""
    longest = "(" * 30 + "万千瓦时" + ")" * 30  # 30 + 4 + 30 = 64 characters
    assert len(longest) == MAX_UNIT_CHARS == 64
    assert parse_unit(longest).to("kWh").magnitude == pytest.approx(1e4)
    with pytest.raises(ValueError):
        parse_unit("(" + longest + ")")  # 66
    with pytest.raises(ValueError):
        parse_unit(longest + "*1")  # 66


def test_a_temperature_in_a_unit_is_read_as_a_temperature():
    """℃ folds to °C and is a degree Celsius (pint's offset unit, converted to kelvin inside a
    compound unit): kWh/℃ is energy per temperature, which measures no source (rejected for its
    dimension, not as an unknown unit)."""
    got = parse_unit("kWh/℃")
    assert got.dimensionality == (ureg.kWh / ureg.kelvin).dimensionality
    assert not is_dimension(got, ENERGY)
    # the registry is built so (pint's autoconvert_offset_to_baseunit)
    reg = units._registry()
    assert reg.parse_expression("kWh/degC").dimensionality == got.dimensionality


def test_factor_and_is_dimension():
    # 1 万千瓦时 = 10⁴ kWh (万 = 10⁴); 1 吨标准煤 = 1,000 kgce × 29,307 kJ = 29.307 GJ (GB/T 2589-2020)
    assert factor(parse_unit("万千瓦时"), "kWh") == pytest.approx(1e4, rel=1e-12)
    assert factor(parse_unit("吨标准煤"), "GJ") == pytest.approx(29.307, rel=1e-12)
    assert factor(parse_unit("吨"), "kg") == pytest.approx(1000, rel=1e-12)
    assert is_dimension(parse_unit("吨"), MASS) is True
    assert is_dimension(parse_unit("度"), ENERGY) is True
    assert is_dimension(parse_unit("度"), MASS) is False
    assert is_dimension(parse_unit("kgCO2/L"), CO2 / VOLUME) is True


def test_an_unwritable_cache_folder_still_gives_the_registry(monkeypatch):
    """pint caches the parsed definitions in a folder; where it cannot be written the registry is
    built without the cache, with carbon's spellings all the same."""
    real = pint.UnitRegistry

    def registry(*, cache_folder, **options):
        if cache_folder is not None:
            raise PermissionError(13, "read-only file system", str(cache_folder))
        return real(cache_folder=None, **options)

    monkeypatch.setattr(pint, "UnitRegistry", registry)
    reg = units._registry()
    assert reg.parse_expression("万千瓦时").to("kWh").magnitude == pytest.approx(1e4)
    assert reg.parse_expression("tC").to("tCO2").magnitude == pytest.approx(44 / 12)


@pytest.mark.parametrize("text", ["12 kWh", "2.5 t", "nan kWh", "kWh*nan", "inf kWh",
                                  "1e400 kWh", "kWh/0"])
def test_a_number_typed_into_a_unit_is_not_a_unit(text):
    """A number other than a power of ten in a unit cell is a quantity typed into it, which would
    multiply the row by it ("12 kWh"), or zero it ("nan kWh"): not a unit."""
    with pytest.raises(ValueError):
        parse_unit(text)


@pytest.mark.parametrize(("text", "size"), [("10^4 m3", 1e4), ("GJ/(10^4 Nm3)", 1e-4),
                                            ("kWh/1000", 1e-3), ("t/(1000 L)", 1e-3),
                                            ("kgCO2/(100 km)", 1e-2), ("m^3", 1.0)])
def test_powers_of_ten_and_exponents_in_a_unit_are_the_unit(text, size):
    assert parse_unit(text).magnitude == pytest.approx(size)
