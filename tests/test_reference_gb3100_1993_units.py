"""Every spelling of a unit that ``src/carbon/units.txt`` defines, pinned to what it means.

The multipliers are the published meanings, typed here as literals: the SI prefixes' Chinese names
of GB 3100-1993 《国际单位制及其应用》 (千 k = 10³, 兆 M = 10⁶, 吉 G = 10⁹, 太 T = 10¹²), the
Chinese numerals 万 = 10⁴ and 百万 = 10⁶, 1 kgce = 29 307 kJ (GB/T 2589-2020), 1 t C = 44/12 t CO2
(the NDRC guides' combustion equation). Both scripts (万/萬, 吨/噸 …) are listed.

Guards the audit's "万吨 read as 1,000 t": a spelling whose multiplier moves fails, and so does a
spelling added to units.txt without a pin here.
"""

from __future__ import annotations

import io
from importlib import resources

import pytest

from carbon.units import parse_unit, written_names
from tests.conftest import activity_row, compute_json, make_inventory

#: spelling → (unit it is measured against, how many of that unit one of it is)
SPELLINGS: dict[str, tuple[str, float]] = {
    # kilowatt-hour: 度 is the colloquial kWh, 千 = kilo
    "度": ("kWh", 1), "千瓦时": ("kWh", 1), "千瓦時": ("kWh", 1), "千瓦小时": ("kWh", 1),
    "千瓦小時": ("kWh", 1), "kwh": ("kWh", 1), "KWH": ("kWh", 1), "kWH": ("kWh", 1),
    # 兆 = mega
    "兆瓦时": ("kWh", 1e3), "兆瓦時": ("kWh", 1e3), "mwh": ("kWh", 1e3), "MWH": ("kWh", 1e3),
    # 吉 = giga; 百万千瓦时 = a million kWh
    "吉瓦时": ("kWh", 1e6), "吉瓦時": ("kWh", 1e6), "百万千瓦时": ("kWh", 1e6),
    "百萬千瓦時": ("kWh", 1e6), "gwh": ("kWh", 1e6), "GWH": ("kWh", 1e6),
    # 万 = ten thousand
    "万kWh": ("kWh", 1e4), "万千瓦时": ("kWh", 1e4), "萬千瓦時": ("kWh", 1e4), "万度": ("kWh", 1e4),
    "萬度": ("kWh", 1e4), "万千瓦小时": ("kWh", 1e4),
    # joules
    "吉焦": ("MJ", 1e3), "吉焦耳": ("MJ", 1e3), "gj": ("MJ", 1e3),
    "兆焦": ("MJ", 1), "兆焦耳": ("MJ", 1), "mj": ("MJ", 1),
    "千焦": ("MJ", 1e-3), "千焦耳": ("MJ", 1e-3), "kj": ("MJ", 1e-3),
    "太焦": ("MJ", 1e6), "太焦耳": ("MJ", 1e6), "tj": ("MJ", 1e6),
    # volumes
    "Nm3": ("m^3", 1), "Nm³": ("m^3", 1), "标准立方米": ("m^3", 1), "標準立方米": ("m^3", 1),
    "标方": ("m^3", 1), "標方": ("m^3", 1),
    "m3": ("m^3", 1), "立方米": ("m^3", 1), "立方": ("m^3", 1), "方": ("m^3", 1),
    "立方公尺": ("m^3", 1),
    "万m3": ("m^3", 1e4), "万m³": ("m^3", 1e4), "万立方米": ("m^3", 1e4), "萬立方米": ("m^3", 1e4),
    "万方": ("m^3", 1e4), "萬方": ("m^3", 1e4), "万标准立方米": ("m^3", 1e4),
    "萬標準立方米": ("m^3", 1e4),
    "升": ("L", 1), "公升": ("L", 1), "万升": ("L", 1e4), "萬升": ("L", 1e4),
    # mass
    "吨": ("kg", 1e3), "噸": ("kg", 1e3), "公吨": ("kg", 1e3), "公噸": ("kg", 1e3),
    "千克": ("kg", 1), "公斤": ("kg", 1),
    "万吨": ("kg", 1e7), "萬噸": ("kg", 1e7),
    # standard coal: 1 kgce = 29 307 kJ
    "kgce": ("kJ", 29307), "千克标准煤": ("kJ", 29307), "千克標準煤": ("kJ", 29307),
    "公斤标准煤": ("kJ", 29307), "公斤標準煤": ("kJ", 29307), "千克标煤": ("kJ", 29307),
    "公斤标煤": ("kJ", 29307),
    "tce": ("kJ", 29307e3), "吨标准煤": ("kJ", 29307e3), "噸標準煤": ("kJ", 29307e3),
    "吨标煤": ("kJ", 29307e3), "噸標煤": ("kJ", 29307e3),
    "万tce": ("kJ", 29307e7), "万吨标准煤": ("kJ", 29307e7), "萬噸標準煤": ("kJ", 29307e7),
    "万吨标煤": ("kJ", 29307e7),
    # CO2, carbon (44/12 of its mass as CO2) and CO2e
    "gCO2": ("gCO2", 1), "tCO2": ("gCO2", 1e6), "吨二氧化碳": ("gCO2", 1e6),
    "噸二氧化碳": ("gCO2", 1e6),
    "gC": ("gCO2", 44 / 12), "tC": ("gCO2", 1e6 * 44 / 12),
    "gCO2e": ("gCO2e", 1), "tCO2e": ("gCO2e", 1e6), "吨二氧化碳当量": ("gCO2e", 1e6),
    "噸二氧化碳當量": ("gCO2e", 1e6),
    # methane and nitrous oxide, each its own gas
    "gCH4": ("gCH4", 1), "tCH4": ("gCH4", 1e6), "吨甲烷": ("gCH4", 1e6), "噸甲烷": ("gCH4", 1e6),
    "gN2O": ("gN2O", 1), "tN2O": ("gN2O", 1e6), "吨氧化亚氮": ("gN2O", 1e6),
    "噸氧化亞氮": ("gN2O", 1e6),
    # counted units: a piece (measure words of single objects), a sheet, a ream of 500 sheets,
    # a pack (a count of its own)
    "个": ("piece", 1), "個": ("piece", 1), "件": ("piece", 1), "只": ("piece", 1),
    "支": ("piece", 1), "块": ("piece", 1), "塊": ("piece", 1), "台": ("piece", 1),
    "张": ("sheet", 1), "張": ("sheet", 1), "令": ("sheet", 500), "包": ("pack", 1),
    # distance: 千 = kilo
    "公里": ("m", 1e3), "千米": ("m", 1e3),
}


def defined_spellings() -> set[str]:
    """The spellings units.txt gives: every alias and symbol after a definition."""
    text = resources.files("carbon").joinpath("units.txt").read_text(encoding="utf-8")
    out: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        parts = [p.strip() for p in line.split("=")]
        out |= set(parts[1:] if parts[0].startswith("@alias") else parts[2:])
    return out


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_gb3100_1993_prefixes_and_numerals_in_every_spelling(spelling):
    unit, multiplier = SPELLINGS[spelling]
    assert parse_unit(spelling).to(unit).magnitude == pytest.approx(multiplier, rel=1e-12)


def test_every_spelling_in_units_txt_is_pinned():
    assert defined_spellings() - set(SPELLINGS) == set()
    assert set(SPELLINGS) - defined_spellings() == set()


@pytest.mark.parametrize(("unit", "quantity"), [("万吨", 1), ("萬噸", 1), ("吨", 10000)])
def test_wan_tonnes_of_diesel_through_the_engine(tmp_path, unit, quantity):
    """1 万吨 of diesel is 10,000 t: × 1.4571 kgce/kg (GB/T 2589-2020 App. A) = 14,571 tce."""
    inv = make_inventory(tmp_path / "inv", [activity_row(quantity, unit, "diesel")])
    y = compute_json(inv)["years"]["2022"]
    assert y["energy_tce"] == pytest.approx(14571, rel=1e-12)
    assert y["by_source"]["diesel"]["quantity"] == pytest.approx(10000 / 0.00084, rel=1e-12)


def test_the_written_names_are_the_chinese_spellings_pinned_here():
    """``written_names`` (the words that tell GB18030 from Big5 in a CSV) are the spellings above
    that are not plain ASCII — both scripts, no ASCII alias, no unit's internal name."""
    chinese = {s for s in SPELLINGS if not s.isascii()}
    assert written_names() == chinese
    assert {"度", "萬千瓦時", "噸標準煤", "令", "Nm³", "万kWh"} <= written_names()


@pytest.fixture
def gbk_locale(monkeypatch):
    """Text files opened without an encoding read as GBK, as under a mainland-Chinese Windows
    locale (code page 936, Python's default there outside UTF-8 mode)."""
    real = io.text_encoding
    monkeypatch.setattr(io, "text_encoding", lambda e, *a: "gbk" if e is None else real(e, *a))
    written_names.cache_clear()
    yield
    written_names.cache_clear()


def test_the_written_names_are_read_as_utf8_under_a_gbk_locale(gbk_locale):
    assert written_names() == {s for s in SPELLINGS if not s.isascii()}
