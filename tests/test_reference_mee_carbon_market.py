"""MEE's national grid emission factors of the national carbon market (power sector), tCO2/MWh.

0.6101: 《企业温室气体排放核算方法与报告指南 发电设施》 with 环办气候〔2021〕9号 (March 2021), for 2019-2020
data and, until March 2022, 2021. 0.5810: 环办气候函〔2022〕111号 (2022-03-15), for 2021 and 2022
accounting. 0.5703: 环办气候函〔2023〕43号 (February 2023), "2022年度全国电网平均排放因子". Four decimals
as printed; exact comparison.
"""

from __future__ import annotations

import pytest

from carbon.factors import bundled
from tests.conftest import run

KEY = ("emission", "electricity", "national")

#: set id -> {(parameter, subject, region): value as published, in the row's unit}
PINNED: dict[str, dict[tuple[str, str, str], float]] = {
    "mee-carbon-market-2021": {KEY: 0.6101},
    "mee-carbon-market-2022": {KEY: 0.5810},
    "mee-carbon-market-2023": {KEY: 0.5703},
}

#: set id -> (document number, data years the factor applies to, data year of its statistics)
DOCUMENTS = {
    "mee-carbon-market-2021": ("环办气候〔2021〕9号", [2019, 2020, 2021], None),
    "mee-carbon-market-2022": ("环办气候函〔2022〕111号", [2021, 2022], None),
    "mee-carbon-market-2023": ("环办气候函〔2023〕43号", [2022], 2022),
}


@pytest.mark.parametrize(("set_id", "key"), [(s, k) for s, rows in PINNED.items() for k in rows])
def test_pinned_rows_equal_the_bundled_set(set_id, key):
    row = bundled()[set_id].get(*key)
    assert row is not None, f"{set_id} has no row {key}"
    assert row.value == PINNED[set_id][key]
    assert row.unit == "tCO2/MWh"


@pytest.mark.parametrize("set_id", sorted(PINNED))
def test_each_carbon_market_set_holds_only_pinned_rows(set_id):
    assert set(bundled()[set_id].factors) == set(PINNED[set_id])


@pytest.mark.parametrize("set_id", sorted(DOCUMENTS))
def test_document_number_and_data_years(set_id):
    number, years, data_year = DOCUMENTS[set_id]
    meta = bundled()[set_id].meta
    assert meta.document_number == number
    assert meta.covers_years == years
    assert meta.data_year == data_year
    assert meta.family is None  # not the MEE/NBS series: never picked by the vintage rule


def test_mee_fadian_sheshi_guide_2021_national_grid_0_6101():
    row = bundled()["mee-carbon-market-2021"].get(*KEY)
    assert row.quantity.to("kgCO2/kWh").magnitude == pytest.approx(0.6101, rel=1e-12)


def test_mee_notice_2022_111_national_grid_0_5810_replaces_0_6101():
    fs = bundled()["mee-carbon-market-2022"]
    assert fs.get(*KEY).quantity.to("tCO2/MWh").magnitude == 0.5810
    assert fs.meta.published == "2022-03-15"
    assert "0.6101" in fs.meta.notes


def test_mee_notice_2023_43_national_grid_2022_average_0_5703():
    fs = bundled()["mee-carbon-market-2023"]
    assert fs.get(*KEY).quantity.to("tCO2/MWh").magnitude == 0.5703
    assert "2022年度全国电网平均排放因子" in fs.meta.notes


def test_sets_that_could_be_pinned_for_a_year_before_the_mee_nbs_series():
    """2019 and 2020 have no MEE/NBS factor (that series starts with 2021 data): the carbon-market
    set whose covers_years include them is the one a reporter may pin."""
    for year, expected in ((2019, {"mee-carbon-market-2021"}), (2020, {"mee-carbon-market-2021"}),
                           (2022, {"mee-carbon-market-2022", "mee-carbon-market-2023"})):
        found = {s for s in PINNED if year in bundled()[s].meta.covers_years}
        assert found == expected, year


def test_carbon_market_sets_load_and_the_cli_lists_them():
    listing = run("factors", "list")
    assert listing.exit_code == 0
    for set_id in PINNED:
        assert set_id in listing.stdout
    shown = run("factors", "show", "mee-carbon-market-2022")
    assert shown.exit_code == 0 and "0.581" in shown.stdout and "111号" in shown.stdout
