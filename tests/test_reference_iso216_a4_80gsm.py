"""A ream of A4 paper at 80 g/m²: ISO 216 fixes A4 at 210 mm × 297 mm (0.06237 m²); × 80 g/m² ×
500 sheets = 2,494.8 g. Arithmetic on the standard's printed size, exact to the gram's tenth.
"""

from __future__ import annotations

import pytest

from carbon.factors import bundled
from carbon.units import Quantity

SET = "iso216-a4-80gsm"

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    SET: {("unit_mass", "paper", ""): 2.4948},  # kg per ream (令) of 500 A4 sheets at 80 g/m²
}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == "kg/令"


def test_the_set_holds_only_pinned_rows():
    assert set(bundled()[SET].factors) == set(PINNED[SET])


def test_iso216_a4_at_80_gsm_times_500_sheets():
    a4 = Quantity(210, "mm") * Quantity(297, "mm")
    ream = (a4 * Quantity(80, "g/m**2") * 500).to("kg")
    row = bundled()[SET].get("unit_mass", "paper")
    assert ream.magnitude == pytest.approx(2.4948, rel=1e-12)
    assert (row.quantity * Quantity(1, "令")).to("kg").magnitude == pytest.approx(ream.magnitude)
    # a sheet is a 500th of a ream: 4.9896 g
    assert (row.quantity * Quantity(1, "张")).to("g").magnitude == pytest.approx(4.9896)


def test_the_assumption_is_stated():
    meta = bundled()[SET].meta
    assert "80 g/m²" in meta.notes and "assumption" in meta.notes
    assert "pack" in meta.notes  # never weighs a pack
