"""MEE/NBS 《关于发布 20XX 年电力二氧化碳排放因子的公告》 (2021: 公告2024年第12号; 2022: 公告2024年
第33号; 2023: 公告2025年第47号). Expected values as published (kgCO2/kWh), tables 1–5, typed from
the project's transcription of the announcements (shared reference ``factors.md``), never read from
``factors/``.

``PINNED`` holds every row of the three bundled sets (see ``tests/README.md``): the meta-test
``tests/test_factor_pins.py`` checks each against the bundled value, so a provincial factor changed
in its third digit fails.
"""

from __future__ import annotations

import pytest

from tests.conftest import activity_row, compute_json, make_inventory, run

#: Every row of the MEE/NBS sets, as published: 表1 national average, 表4 national excluding
#: market-traded non-fossil power, 表5 national fossil power, 表2 regional grids, 表3 provinces.
#: [kgCO2/kWh]
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "mee-grid-2021": {
        ("emission", "electricity", "national"): 0.5568,  # 表1
        ("emission", "electricity", "national_excl_market_nonfossil"): 0.5942,  # 表4
        ("emission", "electricity", "national_fossil"): 0.8426,  # 表5
        ("emission", "electricity", "north"): 0.7120,  # 表2 华北
        ("emission", "electricity", "northeast"): 0.6012,  # 表2 东北
        ("emission", "electricity", "east"): 0.5992,  # 表2 华东
        ("emission", "electricity", "central"): 0.5354,  # 表2 华中
        ("emission", "electricity", "northwest"): 0.5951,  # 表2 西北
        ("emission", "electricity", "south"): 0.4326,  # 表2 南方
        ("emission", "electricity", "southwest"): 0.2113,  # 表2 西南
        ("emission", "electricity", "beijing"): 0.5688,  # 表3 北京
        ("emission", "electricity", "tianjin"): 0.7355,  # 表3 天津
        ("emission", "electricity", "hebei"): 0.7901,  # 表3 河北
        ("emission", "electricity", "shanxi"): 0.7222,  # 表3 山西
        ("emission", "electricity", "inner_mongolia"): 0.7025,  # 表3 内蒙古
        ("emission", "electricity", "liaoning"): 0.5876,  # 表3 辽宁
        ("emission", "electricity", "jilin"): 0.5629,  # 表3 吉林
        ("emission", "electricity", "heilongjiang"): 0.6342,  # 表3 黑龙江
        ("emission", "electricity", "shanghai"): 0.5834,  # 表3 上海
        ("emission", "electricity", "jiangsu"): 0.6451,  # 表3 江苏
        ("emission", "electricity", "zhejiang"): 0.5422,  # 表3 浙江
        ("emission", "electricity", "anhui"): 0.7075,  # 表3 安徽
        ("emission", "electricity", "fujian"): 0.4711,  # 表3 福建
        ("emission", "electricity", "jiangxi"): 0.5835,  # 表3 江西
        ("emission", "electricity", "shandong"): 0.6838,  # 表3 山东
        ("emission", "electricity", "henan"): 0.6369,  # 表3 河南
        ("emission", "electricity", "hubei"): 0.3672,  # 表3 湖北
        ("emission", "electricity", "hunan"): 0.5138,  # 表3 湖南
        ("emission", "electricity", "guangdong"): 0.4715,  # 表3 广东
        ("emission", "electricity", "guangxi"): 0.5154,  # 表3 广西
        ("emission", "electricity", "hainan"): 0.4524,  # 表3 海南
        ("emission", "electricity", "chongqing"): 0.4743,  # 表3 重庆
        ("emission", "electricity", "sichuan"): 0.1255,  # 表3 四川
        ("emission", "electricity", "guizhou"): 0.5182,  # 表3 贵州
        ("emission", "electricity", "yunnan"): 0.1235,  # 表3 云南
        ("emission", "electricity", "shaanxi"): 0.6336,  # 表3 陕西
        ("emission", "electricity", "gansu"): 0.4955,  # 表3 甘肃
        ("emission", "electricity", "qinghai"): 0.1326,  # 表3 青海
        ("emission", "electricity", "ningxia"): 0.6546,  # 表3 宁夏
        ("emission", "electricity", "xinjiang"): 0.6577,  # 表3 新疆
    },
    "mee-grid-2022": {
        ("emission", "electricity", "national"): 0.5366,  # 表1
        ("emission", "electricity", "national_excl_market_nonfossil"): 0.5856,  # 表4
        ("emission", "electricity", "national_fossil"): 0.8325,  # 表5
        ("emission", "electricity", "north"): 0.6776,  # 表2 华北
        ("emission", "electricity", "northeast"): 0.5564,  # 表2 东北
        ("emission", "electricity", "east"): 0.5617,  # 表2 华东
        ("emission", "electricity", "central"): 0.5395,  # 表2 华中
        ("emission", "electricity", "northwest"): 0.5857,  # 表2 西北
        ("emission", "electricity", "south"): 0.3869,  # 表2 南方
        ("emission", "electricity", "southwest"): 0.2268,  # 表2 西南
        ("emission", "electricity", "beijing"): 0.5580,  # 表3 北京
        ("emission", "electricity", "tianjin"): 0.7041,  # 表3 天津
        ("emission", "electricity", "hebei"): 0.7252,  # 表3 河北
        ("emission", "electricity", "shanxi"): 0.7096,  # 表3 山西
        ("emission", "electricity", "inner_mongolia"): 0.6849,  # 表3 内蒙古
        ("emission", "electricity", "liaoning"): 0.5626,  # 表3 辽宁
        ("emission", "electricity", "jilin"): 0.4932,  # 表3 吉林
        ("emission", "electricity", "heilongjiang"): 0.5368,  # 表3 黑龙江
        ("emission", "electricity", "shanghai"): 0.5849,  # 表3 上海
        ("emission", "electricity", "jiangsu"): 0.5978,  # 表3 江苏
        ("emission", "electricity", "zhejiang"): 0.5153,  # 表3 浙江
        ("emission", "electricity", "anhui"): 0.6782,  # 表3 安徽
        ("emission", "electricity", "fujian"): 0.4092,  # 表3 福建
        ("emission", "electricity", "jiangxi"): 0.5752,  # 表3 江西
        ("emission", "electricity", "shandong"): 0.6410,  # 表3 山东
        ("emission", "electricity", "henan"): 0.6058,  # 表3 河南
        ("emission", "electricity", "hubei"): 0.4364,  # 表3 湖北
        ("emission", "electricity", "hunan"): 0.4900,  # 表3 湖南
        ("emission", "electricity", "guangdong"): 0.4403,  # 表3 广东
        ("emission", "electricity", "guangxi"): 0.4044,  # 表3 广西
        ("emission", "electricity", "hainan"): 0.4184,  # 表3 海南
        ("emission", "electricity", "chongqing"): 0.5227,  # 表3 重庆
        ("emission", "electricity", "sichuan"): 0.1404,  # 表3 四川
        ("emission", "electricity", "guizhou"): 0.4989,  # 表3 贵州
        ("emission", "electricity", "yunnan"): 0.1073,  # 表3 云南
        ("emission", "electricity", "shaanxi"): 0.6558,  # 表3 陕西
        ("emission", "electricity", "gansu"): 0.4772,  # 表3 甘肃
        ("emission", "electricity", "qinghai"): 0.1567,  # 表3 青海
        ("emission", "electricity", "ningxia"): 0.6423,  # 表3 宁夏
        ("emission", "electricity", "xinjiang"): 0.6231,  # 表3 新疆
    },
    "mee-grid-2023": {
        ("emission", "electricity", "national"): 0.5306,  # 表1
        ("emission", "electricity", "national_excl_market_nonfossil"): 0.6096,  # 表4
        ("emission", "electricity", "national_fossil"): 0.8273,  # 表5
        ("emission", "electricity", "north"): 0.6361,  # 表2 华北
        ("emission", "electricity", "northeast"): 0.5122,  # 表2 东北
        ("emission", "electricity", "east"): 0.5500,  # 表2 华东
        ("emission", "electricity", "central"): 0.5271,  # 表2 华中
        ("emission", "electricity", "northwest"): 0.5543,  # 表2 西北
        ("emission", "electricity", "south"): 0.4042,  # 表2 南方
        ("emission", "electricity", "southwest"): 0.2472,  # 表2 西南
        ("emission", "electricity", "beijing"): 0.5554,  # 表3 北京
        ("emission", "electricity", "tianjin"): 0.6796,  # 表3 天津
        ("emission", "electricity", "hebei"): 0.6516,  # 表3 河北
        ("emission", "electricity", "shanxi"): 0.6634,  # 表3 山西
        ("emission", "electricity", "inner_mongolia"): 0.6479,  # 表3 内蒙古
        ("emission", "electricity", "liaoning"): 0.4878,  # 表3 辽宁
        ("emission", "electricity", "jilin"): 0.4671,  # 表3 吉林
        ("emission", "electricity", "heilongjiang"): 0.5229,  # 表3 黑龙江
        ("emission", "electricity", "shanghai"): 0.5737,  # 表3 上海
        ("emission", "electricity", "jiangsu"): 0.5827,  # 表3 江苏
        ("emission", "electricity", "zhejiang"): 0.4974,  # 表3 浙江
        ("emission", "electricity", "anhui"): 0.6553,  # 表3 安徽
        ("emission", "electricity", "fujian"): 0.4211,  # 表3 福建
        ("emission", "electricity", "jiangxi"): 0.5836,  # 表3 江西
        ("emission", "electricity", "shandong"): 0.6191,  # 表3 山东
        ("emission", "electricity", "henan"): 0.5897,  # 表3 河南
        ("emission", "electricity", "hubei"): 0.4044,  # 表3 湖北
        ("emission", "electricity", "hunan"): 0.4976,  # 表3 湖南
        ("emission", "electricity", "guangdong"): 0.4419,  # 表3 广东
        ("emission", "electricity", "guangxi"): 0.4476,  # 表3 广西
        ("emission", "electricity", "hainan"): 0.3648,  # 表3 海南
        ("emission", "electricity", "chongqing"): 0.5581,  # 表3 重庆
        ("emission", "electricity", "sichuan"): 0.1564,  # 表3 四川
        ("emission", "electricity", "guizhou"): 0.5683,  # 表3 贵州
        ("emission", "electricity", "yunnan"): 0.1333,  # 表3 云南
        ("emission", "electricity", "shaanxi"): 0.6335,  # 表3 陕西
        ("emission", "electricity", "gansu"): 0.4471,  # 表3 甘肃
        ("emission", "electricity", "qinghai"): 0.1796,  # 表3 青海
        ("emission", "electricity", "ningxia"): 0.6187,  # 表3 宁夏
        ("emission", "electricity", "xinjiang"): 0.6021,  # 表3 新疆
    },
}

#: Each row's unit as published: kgCO2/kWh throughout.
PINNED_UNITS: dict[str, dict[tuple[str, str, str], str]] = {
    set_id: dict.fromkeys(rows, "kgCO2/kWh") for set_id, rows in PINNED.items()}

#: Provinces → grids, as the announcements group them: 华北 京 津 冀 晋 鲁 蒙西; 东北 辽 吉 黑 蒙东;
#: 华东 沪 苏 浙 皖 闽; 华中 赣 豫 鄂 湘; 南方 粤 桂 琼 黔 滇; 西南 渝 川; 西北 陕 甘 青 宁 新.
#: (Inner Mongolia is split east/west; Tibet, Hong Kong, Macao and Taiwan are in no grid.)
GRIDS_AS_PUBLISHED: dict[str, tuple[str, ...]] = {
    "north": ("京", "津", "冀", "晋", "鲁", "蒙西"),
    "northeast": ("辽", "吉", "黑", "蒙东"),
    "east": ("沪", "苏", "浙", "皖", "闽"),
    "central": ("赣", "豫", "鄂", "湘"),
    "south": ("粤", "桂", "琼", "黔", "滇"),
    "southwest": ("渝", "川"),
    "northwest": ("陕", "甘", "青", "宁", "新"),
}
#: The same membership by province key (the keys the sets' ``[grid_regions]`` use).
GRID_MEMBERS: dict[str, set[str]] = {
    "north": {"beijing", "tianjin", "hebei", "shanxi", "shandong", "inner_mongolia_west"},
    "northeast": {"liaoning", "jilin", "heilongjiang", "inner_mongolia_east"},
    "east": {"shanghai", "jiangsu", "zhejiang", "anhui", "fujian"},
    "central": {"jiangxi", "henan", "hubei", "hunan"},
    "south": {"guangdong", "guangxi", "hainan", "guizhou", "yunnan"},
    "southwest": {"chongqing", "sichuan"},
    "northwest": {"shaanxi", "gansu", "qinghai", "ningxia", "xinjiang"},
}
YEARS = (2021, 2022, 2023)
PROVINCES = ("beijing", "tianjin", "hebei", "shanxi", "inner_mongolia", "liaoning", "jilin",
             "heilongjiang", "shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi",
             "shandong", "henan", "hubei", "hunan", "guangdong", "guangxi", "hainan", "chongqing",
             "sichuan", "guizhou", "yunnan", "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang")


def published(year: int, region: str) -> float:
    """The announcement's value for a region. [kgCO2/kWh]"""
    return PINNED[f"mee-grid-{year}"][("emission", "electricity", region)]


def _value(sets, year, region):
    f = sets[f"mee-grid-{year}"].get("emission", "electricity", region)
    return f.quantity.to("kgCO2/kWh").magnitude


def test_mee_tables_1_to_5_have_30_provinces_7_grids_3_national_rows():
    for rows in PINNED.values():
        regions = {r for (_, _, r) in rows}
        assert regions == {*PROVINCES, *GRID_MEMBERS, "national", "national_excl_market_nonfossil",
                           "national_fossil"}


@pytest.mark.parametrize("year", YEARS)
def test_mee_table1_national_average(sets, year):
    assert _value(sets, year, "national") == pytest.approx(published(year, "national"), rel=1e-9)


@pytest.mark.parametrize("year", YEARS)
def test_mee_table3_shanxi(sets, year):
    assert _value(sets, year, "shanxi") == pytest.approx({2021: 0.7222, 2022: 0.7096,
                                                          2023: 0.6634}[year], rel=1e-9)


@pytest.mark.parametrize("year", YEARS)
def test_mee_grid_membership_as_published(sets, year):
    got = {g: set(members) for g, members in sets[f"mee-grid-{year}"].meta.grid_regions.items()}
    assert got == GRID_MEMBERS


def _one_entity_per_province(tmp_path, provinces, level):
    """1,000 MWh in each of 2021, 2022 and 2023 for one entity per province: each entity's Scope 2
    in tonnes reads as its factor in kg/kWh × 1,000."""
    entities = [[f"P{i}", p, "", "office", p, "", ""] for i, p in enumerate(provinces)]
    rows = [activity_row(1000, "MWh", year=y, entity=f"P{i}") for i in range(len(provinces))
            for y in YEARS]
    inv = make_inventory(tmp_path / "inv", rows, entities=entities,
                         settings="reporting_years = [2021, 2022, 2023]\n")
    out = compute_json(inv, "--grid-level", level)
    return {(provinces[int(e["entity_id"][1:])], e["year"]): e["scope2_location_tco2e"]
            for e in out["by_entity"]}


def test_mee_tables_2_regional_level_every_province_in_its_published_grid(tmp_path):
    """Each province written as the announcements abbreviate it (晋, 蒙西 …) takes its grid's 表2
    factor of the activity's own year."""
    provinces = [abbr for members in GRIDS_AS_PUBLISHED.values() for abbr in members]
    got = _one_entity_per_province(tmp_path, provinces, "regional")
    grid_of = {abbr: g for g, members in GRIDS_AS_PUBLISHED.items() for abbr in members}
    for (abbr, year), t in got.items():
        assert t == pytest.approx(1000 * published(year, grid_of[abbr]), rel=1e-9), (abbr, year)
    assert len(got) == len(provinces) * len(YEARS)


def test_mee_table3_provincial_level_every_province(tmp_path):
    got = _one_entity_per_province(tmp_path, list(PROVINCES), "provincial")
    for (province, year), t in got.items():
        assert t == pytest.approx(1000 * published(year, province), rel=1e-9), (province, year)
    assert len(got) == len(PROVINCES) * len(YEARS)


def test_mee_2022_one_gwh_national_default(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv)["years"]["2022"]
    assert round(y["scope2_location_tco2e"], 1) == 536.6
    assert y["scope1_tco2e"] == 0


def test_mee_2022_table3_shanxi_provincial_level(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv, "--grid-level", "provincial")["years"]["2022"]
    assert round(y["scope2_location_tco2e"], 1) == 709.6


def test_mee_2022_table2_regional_level_shanxi_is_north(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv, "--grid-level", "regional")["years"]["2022"]
    assert round(y["scope2_location_tco2e"], 1) == 677.6


def test_mee_2022_table4_market_based_residual(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh")])
    y = compute_json(inv)["years"]["2022"]
    assert round(y["scope2_market_tco2e"], 1) == 585.6


def test_vintage_rule_uses_latest_earlier_year_and_says_so(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=2024)])
    out = compute_json(inv)
    assert round(out["years"]["2024"]["scope2_location_tco2e"], 1) == 530.6  # the 2023 factor
    assert [w["message"] for w in out["warnings"] if w["code"] == "grid_vintage"] == [
        "2024: no mee-grid factor published for 2024; used the 2023 factors (mee-grid-2023)"]


def test_mee_carbon_market_2023_pinned(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "GWh", year=2023)],
                         settings='[factor_sets]\ngrid = "mee-carbon-market-2023"\n')
    y = compute_json(inv)["years"]["2023"]
    assert round(y["scope2_location_tco2e"], 1) == 570.3


def test_mee_2023_table4_residual_warning_names_only_the_kwh_at_the_residual_factor(tmp_path):
    """2022 at the reporter's own supplier factor (custom_factors, that year only), 2023 at MEE's
    table 4 (0.6096 kg/kWh), and green power at its contract: the ``market_residual`` warning
    names the 2023 grid kWh only."""
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit",
              "instrument"]
    rows = [[*activity_row(1000, "MWh", year=2022), ""],
            [*activity_row(2000, "MWh", year=2023), ""],
            [*activity_row(500, "MWh", year=2023), "green_power"]]
    own = [["electricity", "2022", "emission", "0.6", "tCO2/MWh", "supplier declaration 2022"]]
    out = compute_json(make_inventory(tmp_path / "a", rows, activity_header=header,
                                      custom_factors=own,
                                      settings="reporting_years = [2022, 2023]\n"))
    assert out["years"]["2022"]["scope2_market_tco2e"] == pytest.approx(600)
    assert out["years"]["2023"]["scope2_market_tco2e"] == pytest.approx(2000 * 0.6096)
    residual = [w["message"] for w in out["warnings"] if w["code"] == "market_residual"]
    assert residual == ["market-based: 2,000,000 kWh without a contractual instrument use the "
                        "grid factor excluding market-traded non-fossil power"]
    only_own = make_inventory(tmp_path / "b", rows[:1], activity_header=header,
                              custom_factors=own, settings="reporting_years = [2022]\n")
    assert "market_residual" not in {w["code"] for w in compute_json(only_own)["warnings"]}


def test_mee_table3_provincial_level_either_half_of_inner_mongolia_takes_its_province(tmp_path):
    """表3 has one row for 内蒙古; 蒙西 and 蒙东 (which the regional level puts in two grids) take
    it at the provincial level."""
    got = _one_entity_per_province(tmp_path, ["蒙西", "蒙东"], "provincial")
    for (_, year), t in got.items():
        assert t == pytest.approx(1000 * published(year, "inner_mongolia"), rel=1e-9), year
    assert len(got) == 2 * len(YEARS)


def test_regional_level_plain_inner_mongolia_is_an_error_naming_the_set_cell_and_the_fix(
        tmp_path):
    """The announcements put 蒙西 in the North grid and 蒙东 in the Northeast: plain 内蒙古 is in
    no one grid, and the run says so at the entity's province cell."""
    entities = [["E1", "E1", "", "office", "晋", "", ""], ["E2", "E2", "", "office", "内蒙古", "", ""]]
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "MWh", entity=e) for e in ("E1", "E2")],
                         entities=entities)
    result = run("compute", inv, "--format", "json", "--grid-level", "regional")
    assert result.exit_code == 2 and result.stdout == ""
    assert "entities.csv, row 3, column province: 'E2': mee-grid-2022 maps no regional grid for " \
           "province inner_mongolia (Inner Mongolia is split: write 蒙西 or 蒙东)" in result.stderr
    assert "Fix: correct the province, use --grid-level national" in result.stderr
