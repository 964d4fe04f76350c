"""The largest sulphur content of China V motor fuels: GB 17930-2013 (motor gasoline) and
GB 19147-2013 (motor diesel), 10 mg/kg each ("Sulfur limits for … China V diesel … 10 ppm (m/m)
… China V gasoline … 10 ppm", DieselNet; TransportPolicy.net). Exact values as printed. SO2 by
sulphur mass balance from a limit is an upper bound, and the run says so.
"""

from __future__ import annotations

import pytest

from carbon.factors import bundled
from tests.conftest import compute_json, make_inventory

SET = "gb-fuel-sulphur-2013"

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    SET: {
        ("sulphur_content", "gasoline", ""): 10,  # mg/kg, GB 17930-2013 China V
        ("sulphur_content", "diesel", ""): 10,  # mg/kg, GB 19147-2013 China V
    },
}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == "mg/kg"
    assert row.quantity.to("ppm").magnitude == pytest.approx(10)


def test_the_set_holds_only_pinned_rows():
    assert set(bundled()[SET].factors) == set(PINNED[SET])


def test_china_vi_limits_are_listed_as_missing_not_assumed():
    meta = bundled()[SET].meta
    assert any("GB 17930-2016" in m for m in meta.missing)
    assert "UPPER BOUND" in meta.notes


def test_so2_of_gasoline_at_the_limit_is_an_upper_bound(tmp_path):
    rows = [["E1", "2024-01-01", "2024-12-31", "gasoline", 24_643.41, "L"]]
    inv = make_inventory(tmp_path / "inv", rows,
                         settings='[factor_sets]\nair = ["gb-fuel-sulphur-2013"]\n')
    out = compute_json(inv)
    # 24,643.41 L × 0.73 kg/L (fuel-density-gb) × 10 mg S/kg × 64.06/32.06 g SO2 per g S
    assert out["years"]["2024"]["environment"]["air_sox_t"] == pytest.approx(
        24_643.41 * 0.73 * 10e-6 * 64.06 / 32.06 / 1000, rel=1e-12)
    warning = next(w["message"] for w in out["warnings"] if w["code"] == "sulphur_limit")
    assert "gasoline 10 mg/kg (gb-fuel-sulphur-2013)" in warning and "upper bound" in warning
