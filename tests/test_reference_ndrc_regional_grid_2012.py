"""NDRC 《2011年和2012年中国区域电网平均二氧化碳排放因子》: the six regional grid averages
(kgCO2/kWh) reporters used until about 2021, typed from the shared reference ``factors.md``
(华东 confirmed by two transcriptions, the other five single source).

The 2012 set has no 西南 grid and no national average. Its province membership is not in the
reference: the set uses the MEE announcements' grouping for the six grids it has (pinned below as
the set documents it, so a silent change fails), and leaves 渝 and 川 unmapped.
"""

from __future__ import annotations

import pytest

from tests.conftest import activity_row, compute_json, make_inventory, run

PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "ndrc-regional-grid-2012": {
        ("emission", "electricity", "north"): 0.8843,  # 华北
        ("emission", "electricity", "northeast"): 0.7769,  # 东北
        ("emission", "electricity", "east"): 0.7035,  # 华东
        ("emission", "electricity", "central"): 0.5257,  # 华中
        ("emission", "electricity", "northwest"): 0.6671,  # 西北
        ("emission", "electricity", "south"): 0.5271,  # 南方
    },
}

PINNED_UNITS: dict[str, dict[tuple[str, str, str], str]] = {
    set_id: dict.fromkeys(rows, "kgCO2/kWh") for set_id, rows in PINNED.items()}

#: The set's membership: the MEE announcements' grouping of these six grids (see the docstring).
GRID_MEMBERS: dict[str, set[str]] = {
    "north": {"beijing", "tianjin", "hebei", "shanxi", "shandong", "inner_mongolia_west"},
    "northeast": {"liaoning", "jilin", "heilongjiang", "inner_mongolia_east"},
    "east": {"shanghai", "jiangsu", "zhejiang", "anhui", "fujian"},
    "central": {"jiangxi", "henan", "hubei", "hunan"},
    "south": {"guangdong", "guangxi", "hainan", "guizhou", "yunnan"},
    "northwest": {"shaanxi", "gansu", "qinghai", "ningxia", "xinjiang"},
}

PIN = 'grid_level = "regional"\n[factor_sets]\ngrid = "ndrc-regional-grid-2012"\n'


def test_ndrc_2012_membership_six_grids_without_southwest(sets):
    got = {g: set(m) for g, m in sets["ndrc-regional-grid-2012"].meta.grid_regions.items()}
    assert got == GRID_MEMBERS


@pytest.mark.parametrize(("province", "grid"), [("山西", "north"), ("辽宁", "northeast"),
                                                ("上海", "east"), ("湖北", "central"),
                                                ("陕西", "northwest"), ("广东", "south")])
def test_ndrc_2012_regional_average_one_gwh(tmp_path, province, grid):
    """1 GWh in a province of each grid, with the 2012 set pinned: the grid's average × 1,000."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")],
                         entities=[["E1", "Site", "", "office", province, "", ""]], settings=PIN)
    y = compute_json(inv)["years"]["2022"]
    expected = PINNED["ndrc-regional-grid-2012"][("emission", "electricity", grid)] * 1000
    assert y["scope2_location_tco2e"] == pytest.approx(expected, rel=1e-9)


def test_ndrc_2012_east_china_grid_0_7035(tmp_path):
    """华东 0.7035 kg/kWh (the row two transcriptions confirm): 1 GWh in Shanghai is 703.5 t."""
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")],
                         entities=[["E1", "Site", "", "office", "上海", "", ""]], settings=PIN)
    assert compute_json(inv)["years"]["2022"]["scope2_location_tco2e"] == pytest.approx(703.5)


def test_ndrc_2012_sichuan_has_no_grid_an_error_not_a_default(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")],
                         entities=[["E1", "Site", "", "office", "四川", "", ""]], settings=PIN)
    result = run("compute", inv, "--format", "json")
    assert result.exit_code == 2
    assert "ndrc-regional-grid-2012" in result.stderr and "sichuan" in result.stderr
