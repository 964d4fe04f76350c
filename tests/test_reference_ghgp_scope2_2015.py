"""GHG Protocol Scope 2 Guidance (WRI/WBCSD, 2015), chapter 6, market-based method: a contractual
instrument for renewable generation conveys that generation's zero direct-emission rate. The
bundled set keys the instruments by region: ``green_power`` (绿电, a green-power purchase or PPA)
and ``gec`` (绿证, a green electricity certificate), each 0 tCO2/MWh.

The shared reference ``factors.md`` does not transcribe this set (its metadata says so); zero is
the Guidance's rule for renewable instruments, not a number read from a table.
"""

from __future__ import annotations

import pytest

from tests.conftest import activity_row, compute_json, make_inventory

PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "ghg-protocol-scope2-2015": {
        ("emission", "electricity", "green_power"): 0.0,  # tCO2/MWh
        ("emission", "electricity", "gec"): 0.0,  # tCO2/MWh
    },
}

PINNED_UNITS: dict[str, dict[tuple[str, str, str], str]] = {
    set_id: dict.fromkeys(rows, "tCO2/MWh") for set_id, rows in PINNED.items()}


@pytest.mark.parametrize("instrument", ["green_power", "gec"])
def test_ghgp_scope2_chapter6_renewable_instrument_is_zero_the_rest_at_mee_table4(
        tmp_path, instrument):
    """1,000 MWh under the instrument and 1,000 MWh without, 2022: market-based = 1,000 MWh ×
    0.5856 t/MWh (MEE 2022 表4, the residual mix) = 585.6 t; location-based = 2,000 MWh × 0.5366
    (表1) = 1,073.2 t."""
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit",
              "instrument"]
    rows = [[*activity_row(1000, "MWh"), instrument], [*activity_row(1000, "MWh"), ""]]
    y = compute_json(make_inventory(tmp_path / "inv", rows, activity_header=header))["years"]["2022"]
    assert y["scope2_market_tco2e"] == pytest.approx(585.6, rel=1e-12)
    assert y["scope2_location_tco2e"] == pytest.approx(1073.2, rel=1e-12)
