"""The package's one unit registry, and the few unit operations every layer needs.

The registry is pint's default, extended from ``units.txt`` beside this module (Chinese spellings,
coal equivalent, the greenhouse gases, counted units such as pieces and reams). Nothing else in
carbon creates a ``UnitRegistry``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from importlib import resources

import pint


def _registry() -> pint.UnitRegistry:
    """pint's defaults plus units.txt; parsed definitions are cached on disk when possible."""
    for cache in (":auto:", None):
        try:
            reg: pint.UnitRegistry = pint.UnitRegistry(
                cache_folder=cache, autoconvert_offset_to_baseunit=True)
            reg.load_definitions(str(resources.files("carbon").joinpath("units.txt")))
            return reg
        except OSError:  # an unwritable cache folder: parse without it
            continue
    raise RuntimeError("unreachable")


ureg: pint.UnitRegistry = _registry()
Quantity = ureg.Quantity

ENERGY = ureg.kWh.dimensionality
MASS = ureg.kg.dimensionality
VOLUME = ureg.m3.dimensionality
CO2 = ureg.tCO2.dimensionality
CO2E = ureg.tCO2e.dimensionality
CH4 = ureg.tCH4.dimensionality
N2O = ureg.tN2O.dimensionality
LENGTH = ureg.km.dimensionality
#: Counted units, each its own dimension (units.txt): pieces, sheets of paper (a ream is 500),
#: packs.
PIECE = ureg.piece.dimensionality
SHEET = ureg.sheet.dimensionality
PACK = ureg.pack.dimensionality
COUNTS = (PIECE, SHEET, PACK)


def normalize_text(text: str) -> str:
    """Fold what people type into one spelling: full-width to half-width, ``³`` to ``3``, trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


@lru_cache(maxsize=1)
def written_names() -> frozenset[str]:
    """The Chinese spellings of units that ``units.txt`` defines (度, 千瓦时, 立方米 …)."""
    text = resources.files("carbon").joinpath("units.txt").read_text(encoding="utf-8")
    return frozenset(token.strip() for line in text.splitlines()
                     for token in line.split("#", 1)[0].split("=")
                     if token.strip() and " " not in token.strip()
                     and any(ord(c) > 127 for c in token))


#: A unit written longer than this is no unit (``GJ/(10^4 Nm3)`` is 12). [characters]
MAX_UNIT_CHARS = 64


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Quantity:
    """Parse a unit as written (``万千瓦时``, ``GJ/(10^4 Nm3)``) into a quantity of magnitude 1 or more.

    Raises
    ------
    ValueError
        When ``text`` is not a unit.
    """
    cleaned = normalize_text(text)
    if not cleaned:
        raise ValueError("empty unit")
    if len(cleaned) > MAX_UNIT_CHARS:  # pint's parser takes time quadratic in the length
        raise ValueError(f"not a unit: {len(cleaned):,} characters")
    try:
        parsed = ureg.parse_expression(cleaned)
    except Exception as exc:  # pint's parser raises many kinds on odd text; all mean "not a unit"
        raise ValueError(f"not a unit: {text!r}") from exc
    if not isinstance(parsed, pint.Quantity) or not parsed.unit_items():  # a bare number such as "3"
        raise ValueError(f"not a unit: {text!r}")
    try:
        size = float(parsed.magnitude)
    except OverflowError:  # 10^400: an integer beyond any float
        raise ValueError(f"not a unit: {text!r}") from None
    if not math.isfinite(size) or size <= 0 or number_in_unit(cleaned):
        raise ValueError(f"not a unit: {text!r}")
    return parsed


#: A number written in a unit, and what comes before it (``^`` or ``**``: an exponent).
_NUMBER = re.compile(r"(\^|\*\*)?\s*(?<![\w.])(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+|nan|inf(?:inity)?)(?![\w.])",
                     re.IGNORECASE)


def number_in_unit(text: str) -> str | None:
    """The number a unit holds other than a power of ten or an exponent, None when none: ``12
    kWh`` or ``nan kWh`` is a quantity typed into the unit cell, which would multiply the row by
    it (``10^4 m3``, ``GJ/(10^4 Nm3)``, ``kWh/1000`` and ``m^3`` are units)."""
    for power, literal in _NUMBER.findall(normalize_text(text)):
        if power:
            continue
        value = float(literal)
        if not (math.isfinite(value) and value > 0
                and abs(math.log10(value) - round(math.log10(value))) < 1e-9):
            return str(literal)
    return None


def is_dimension(unit: pint.Quantity, dimensionality: object) -> bool:
    """True when ``unit`` has exactly the given dimensionality."""
    return bool(unit.dimensionality == dimensionality)


def factor(from_unit: pint.Quantity, to_unit: str) -> float:
    """Multiplier turning a magnitude in ``from_unit`` into one in ``to_unit``. [1]"""
    return float(from_unit.to(to_unit).magnitude)
