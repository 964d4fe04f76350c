"""MEE 《关于做好2023—2025年发电行业企业温室气体排放报告管理有关工作的通知》 (February 2023): the
national grid factor for the power-sector carbon market, 0.5703 tCO2/MWh (confirmed; typed from
the shared reference ``factors.md``). Many banks used it for their 2022–2023 reports.
"""

from __future__ import annotations

import pytest

from tests.conftest import activity_row, compute_json, make_inventory

# the row itself is pinned in tests/test_reference_mee_carbon_market.py (all three notices)


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_mee_carbon_market_2023_notice_one_gwh_is_570_3_t(tmp_path, year):
    """Pinned, the notice's factor applies to every year (no vintage rule, no warning)."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=year)],
                         settings='[factor_sets]\ngrid = "mee-carbon-market-2023"\n')
    out = compute_json(inv)
    assert out["years"][str(year)]["scope2_location_tco2e"] == pytest.approx(570.3, rel=1e-12)
    assert "grid_vintage" not in {w["code"] for w in out["warnings"]}
