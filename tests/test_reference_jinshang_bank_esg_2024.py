"""Jinshang Bank (晉商銀行, HKEX 2558), 2024 ESG report, ESG performance table: the water, waste,
paper and air rows (restated basis), and water per employee as printed (22.74 / 23.10 / 22.30 m³
per person in 2024 / 2023 / 2022). The example inventory (``examples/jinshang-bank``) enters the
activity rows as printed; every figure below is computed by carbon from them and compared with the
printed digits (a tolerance of half a unit of the last printed digit).

Not checked, because the reference transcription of the table does not give them: the bank's
waste per employee. The non-hazardous total is printed in tonnes while its kitchen waste is in
litres with an undisclosed conversion: the example enters the total as its parts in tonnes and a
part by difference, and the kitchen waste in litres on its own (see the example's README).
"""

from __future__ import annotations

import openpyxl
import pytest

from tests.conftest import EXAMPLE, compute_json, run

YEARS = ("2024", "2023", "2022")

#: figure -> printed values for 2024, 2023, 2022, and the decimals printed
PRINTED: dict[str, tuple[tuple[float, float, float], int]] = {
    "water_m3": ((99_436.26, 102_322.66, 98_156.04), 2),
    "water_m3_per_person": ((22.74, 23.10, 22.30), 2),
    "waste_hazardous_count": ((1_242, 1_290, 724), 0),  # pieces (個)
    "waste_non_hazardous_count": ((1_601, 1_636, 449), 0),  # electronic waste, pieces
    "waste_non_hazardous_t": ((1_733.70, 1_776.54, 1_563.89), 2),
    "paper_count": ((26_992, 24_507, 23_108), 0),  # packs (包)
    "air_nox_t": ((0.07, 0.10, 0.14), 2),
    "air_sox_t": ((0.0007, 0.0009, 0.0021), 4),  # SO2
    "air_co_t": ((1.00, 1.32, 1.89), 2),
    "air_pm_t": ((0.004, 0.004, 0.005), 3),
}

#: the non-hazardous parts: stream -> printed values (t, or L for kitchen waste)
PARTS: dict[str, tuple[str, tuple[float, float, float], int]] = {
    "办公垃圾 office refuse": ("waste_non_hazardous_t", (1_603.55, 1_633.48, 1_445.43), 2),
    "办公耗材废弃物 office-supply waste": ("waste_non_hazardous_t", (4.44, 6.81, 5.27), 2),
    "餐厨垃圾 kitchen waste (litres)": ("waste_non_hazardous_m3",
                                        (236_671.50, 281_547.80, 217_509.19), 2),  # L
}


@pytest.fixture(scope="module")
def result():
    return compute_json(EXAMPLE)


def _close(value: float, printed: float, decimals: int) -> bool:
    return abs(value - printed) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9)


@pytest.mark.parametrize("key", sorted(PRINTED))
def test_jinshang_esg_2024_table_figures_to_the_printed_digits(result, key):
    printed, decimals = PRINTED[key]
    for year, want in zip(YEARS, printed, strict=True):
        fig = result["years"][year]
        got = fig["intensity"][key] if key.endswith("_per_person") else fig["environment"][key]
        assert _close(got, want, decimals), (key, year, got, want)


@pytest.mark.parametrize("stream", sorted(PARTS))
def test_jinshang_esg_2024_non_hazardous_parts(result, stream):
    key, printed, decimals = PARTS[stream]
    for year, want in zip(YEARS, printed, strict=True):
        part = result["years"][year]["by_source"]["waste_non_hazardous"]["streams"][stream]
        got = part[key] * (1000 if key.endswith("_m3") else 1)  # m³ -> L as printed
        assert _close(got, want, decimals), (stream, year, got, want)


def test_the_parts_in_tonnes_add_up_to_the_printed_total_without_the_litres(result):
    for year, total in zip(YEARS, PRINTED["waste_non_hazardous_t"][0], strict=True):
        streams = result["years"][year]["by_source"]["waste_non_hazardous"]["streams"]
        tonnes = sum(s.get("waste_non_hazardous_t", 0.0) for s in streams.values())
        assert _close(tonnes, total, 2)
        assert "waste_non_hazardous_t" not in streams["餐厨垃圾 kitchen waste (litres)"]


def test_the_kpi_sheet_reproduces_the_water_row_and_its_intensity(tmp_path):
    path = tmp_path / "report.xlsx"
    assert run("compute", EXAMPLE, "--out", path, "--lang", "zh-Hant").exit_code == 0
    rows = list(openpyxl.load_workbook(path)["KPI"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "耗水量")
    water, per_person = rows[at], rows[at + 1]
    assert water[1] == "m³" and per_person[1] == "m³/人"
    # the sheet's years run 2022, 2023, 2024
    assert [round(v, 2) for v in water[2:5]] == [98_156.04, 102_322.66, 99_436.26]
    assert [round(v, 2) for v in per_person[2:5]] == [22.30, 23.10, 22.74]
