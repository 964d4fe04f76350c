"""HKEX, "How to prepare an ESG report — Appendix 2: Reporting guidance on environmental KPIs",
KPI A1.1, emissions data from gaseous fuel consumption: "NOX Emission Factors by fuel type …
LPG 4.02 kg / million MJ of gas"; "SOX Emission Factors by fuel type … LPG 0.02 kg / million MJ
of gas" (Towngas the same; 1 unit of gas = 48 MJ for Towngas, 46 MJ for LPG). Values as printed,
two decimals; a million MJ is a TJ, so the rows carry kg/TJ and the comparison is exact.
"""

from __future__ import annotations

import pytest

from carbon.factors import bundled
from tests.conftest import compute_json, make_inventory, run

SET = "hkex-appendix2-2018"

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    SET: {
        ("nox", "lpg", ""): 4.02,  # kg / million MJ of gas
        ("sox", "lpg", ""): 0.02,
    },
}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == "kg/TJ"
    assert not row.verified  # one stored transcription of the tables


def test_the_set_holds_only_pinned_rows():
    assert set(bundled()[SET].factors) == set(PINNED[SET])


def test_kg_per_million_mj_of_gas():
    for key, value in PINNED[SET].items():
        q = bundled()[SET].get(*key).quantity
        assert q.to("kg/MJ").magnitude == pytest.approx(value / 1e6, rel=1e-12)


def test_what_the_set_leaves_out_is_listed():
    missing = " ".join(bundled()[SET].meta.missing)
    assert "Towngas" in missing and "vehicle" in missing and "PM" in missing


def test_used_only_where_the_settings_name_it(tmp_path):
    rows = [["E1", "2024-01-01", "2024-12-31", "lpg", 1000, "kg"]]
    plain = compute_json(make_inventory(tmp_path / "a", rows))
    assert "environment" not in plain["years"]["2024"]
    named = make_inventory(tmp_path / "b", rows,
                           settings='[factor_sets]\nair = ["hkex-appendix2-2018"]\n')
    env = compute_json(named)["years"]["2024"]["environment"]
    # 1,000 kg LPG × 50,179 kJ/kg (GB/T 2589-2020) = 50,179 MJ; × 4.02 and 0.02 kg per 10⁶ MJ
    assert env["air_nox_t"] == pytest.approx(50_179 * 4.02e-6 / 1000, rel=1e-12)
    assert env["air_sox_t"] == pytest.approx(50_179 * 0.02e-6 / 1000, rel=1e-12)
    shown = run("factors", "show", SET)
    assert shown.exit_code == 0 and "4.02" in shown.stdout
