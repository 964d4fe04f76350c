"""NDRC 《2011年和2012年中国区域电网平均二氧化碳排放因子》, 2012 column (kgCO2/kWh): 华北 0.8843,
东北 0.7769, 华东 0.7035, 华中 0.5257, 西北 0.6671, 南方 0.5271. Four decimals as printed.

Grid membership: 华中 includes 四川 and 重庆 in this set (no 西南 grid in 2012); Inner Mongolia is
split (蒙西 in 华北, 蒙东 in 东北); Tibet is in no grid.
"""

from __future__ import annotations

import pytest

from carbon.factors import bundled
from tests.conftest import run

SET = "ndrc-regional-grid-2012"

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    SET: {
        ("emission", "electricity", "north"): 0.8843,
        ("emission", "electricity", "northeast"): 0.7769,
        ("emission", "electricity", "east"): 0.7035,
        ("emission", "electricity", "central"): 0.5257,
        ("emission", "electricity", "northwest"): 0.6671,
        ("emission", "electricity", "south"): 0.5271,
    },
}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == "kgCO2/kWh"


def test_the_set_holds_only_pinned_rows():
    assert set(bundled()[SET].factors) == set(PINNED[SET])


def test_ndrc_2012_central_china_grid_0_5257():
    row = bundled()[SET].get("emission", "electricity", "central")
    assert row.quantity.to("tCO2/MWh").magnitude == 0.5257


@pytest.mark.parametrize("province", ["chongqing", "sichuan"])
def test_ndrc_2012_chongqing_and_sichuan_are_in_central_china_grid(province):
    assert bundled()[SET].grid_of(province) == "central"
    # ... unlike the MEE/NBS series, where they form the southwest grid
    assert bundled()["mee-grid-2023"].grid_of(province) == "southwest"


@pytest.mark.parametrize(("province", "grid"), [
    ("henan", "central"), ("hubei", "central"), ("hunan", "central"), ("jiangxi", "central"),
    ("shanxi", "north"), ("inner_mongolia_west", "north"), ("inner_mongolia_east", "northeast"),
    ("shanghai", "east"), ("guangdong", "south"), ("xinjiang", "northwest"),
])
def test_ndrc_2012_grid_membership(province, grid):
    assert bundled()[SET].grid_of(province) == grid


@pytest.mark.parametrize("province", ["inner_mongolia", "tibet", "hong_kong", "macao", "taiwan"])
def test_ndrc_2012_provinces_in_no_grid(province):
    assert bundled()[SET].grid_of(province) is None


def test_every_mainland_province_but_tibet_and_whole_inner_mongolia_has_a_grid():
    members = [p for ps in bundled()[SET].meta.grid_regions.values() for p in ps]
    assert len(members) == len(set(members)), "a province in two grids"
    mainland = {"beijing", "tianjin", "hebei", "shanxi", "liaoning", "jilin", "heilongjiang",
                "shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan",
                "hubei", "hunan", "guangdong", "guangxi", "hainan", "chongqing", "sichuan", "guizhou",
                "yunnan", "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang",
                "inner_mongolia_west", "inner_mongolia_east"}
    assert set(members) == mainland


def test_ndrc_2012_notes_and_missing_record_the_membership_evidence():
    meta = bundled()[SET].meta
    assert "Chongqing" in meta.notes and "0.5257" in meta.notes
    assert not any("chongqing" in m for m in meta.missing)
    assert any("inner_mongolia" in m for m in meta.missing)
    assert meta.covers_years == [2012]


def test_ndrc_regional_grid_2012_loads_and_the_cli_lists_it():
    listing = run("factors", "list")
    assert listing.exit_code == 0 and SET in listing.stdout
    shown = run("factors", "show", SET)
    assert shown.exit_code == 0 and "0.5257" in shown.stdout
