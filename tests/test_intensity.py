"""Honest intensities: numerator and denominator over the same entities, the coverage said.

Hand-computed with the MEE/NBS 2022 national average electricity factor, 0.5366 kgCO2/kWh
(公告2024年第33号): 1,000 MWh → 536.6 tCO2 per site.
"""

from __future__ import annotations

import openpyxl
import pytest

from tests.conftest import activity_row, compute_json, make_inventory, run

SITES = [["E1", "Site 1", "", "", "山西", "", ""], ["E2", "Site 2", "", "", "山西", "", ""],
         ["E3", "Site 3", "", "", "山西", "", ""]]


def three_sites(folder, denominators):
    rows = [activity_row(1000, "MWh", entity=e) for e in ("E1", "E2", "E3")]
    return make_inventory(folder, rows, entities=SITES, denominators=denominators)


def test_an_entity_without_floor_area_is_left_out_of_both_sides(tmp_path):
    inv = three_sites(tmp_path / "inv", [["E1", 2022, 1000, 10], ["E2", 2022, 3000, 20],
                                         ["E3", 2022, "", 30]])
    out = compute_json(inv)
    y = out["years"]["2022"]
    # per m²: (536.6 + 536.6) t over (1,000 + 3,000) m², never 3 × 536.6 over 4,000 m²
    assert y["intensity"]["total_tco2e_per_m2"] == pytest.approx(1073.2 / 4000, rel=1e-12)
    assert y["intensity"]["energy_kwh_per_m2"] == pytest.approx(2_000_000 / 4000, rel=1e-12)
    # per person: every site has a headcount: 1,609.8 t over 60 people
    assert y["intensity"]["total_tco2e_per_person"] == pytest.approx(1609.8 / 60, rel=1e-12)
    assert y["intensity_basis"] == {"floor_area_m2_entities": 2, "headcount_entities": 3,
                                    "entities": 3}
    partial = [w["message"] for w in out["warnings"] if w["code"] == "denominator_partial"]
    assert len(partial) == 1 and "1 of 3 entities" in partial[0] and "E3" in partial[0]
    table = run("compute", inv).stdout
    assert "per m² of floor area (2 of 3 entities)" in table


def test_a_zero_floor_area_counts_as_none(tmp_path):
    inv = three_sites(tmp_path / "inv", [["E1", 2022, 1000, 10], ["E2", 2022, 0, 20],
                                         ["E3", 2022, 1000, 0]])
    out = compute_json(inv)
    y = out["years"]["2022"]
    assert y["intensity"]["total_tco2e_per_m2"] == pytest.approx(1073.2 / 2000, rel=1e-12)
    assert y["intensity"]["total_tco2e_per_person"] == pytest.approx(1073.2 / 30, rel=1e-12)
    named = " ".join(w["message"] for w in out["warnings"] if w["code"] == "denominator_partial")
    assert "E2" in named and "E3" in named


def test_nothing_covered_is_null_with_a_warning_never_a_number(tmp_path):
    inv = three_sites(tmp_path / "inv", [["E1", 2022, "", 10], ["E2", 2022, 0, 20]])
    out = compute_json(inv)
    y = out["years"]["2022"]
    assert y["intensity"]["total_tco2e_per_m2"] is None
    assert y["intensity"]["energy_kwh_per_m2"] is None
    assert any(w["code"] == "no_floor_area" for w in out["warnings"])
    assert y["intensity_basis"]["floor_area_m2_entities"] == 0


def test_floor_area_of_a_site_without_activity_is_not_a_denominator(tmp_path):
    rows = [activity_row(1000, "MWh", entity="E1")]
    inv = make_inventory(tmp_path / "inv", rows, entities=SITES,
                         denominators=[["E1", 2022, 1000, 10], ["E2", 2022, 9000, 90]])
    out = compute_json(inv)
    assert out["years"]["2022"]["intensity"]["total_tco2e_per_m2"] == pytest.approx(0.5366)
    assert any(w["code"] == "denominator_without_activity" and "E2" in w["message"]
               for w in out["warnings"])


def test_the_workbook_label_says_the_coverage(tmp_path):
    inv = three_sites(tmp_path / "inv", [["E1", 2022, 1000, 10], ["E2", 2022, 3000, 20],
                                         ["E3", 2022, "", 30]])
    path = tmp_path / "report.xlsx"
    assert run("compute", inv, "--out", path, "--lang", "zh-Hans").exit_code == 0
    labels = [r[0] for r in openpyxl.load_workbook(path)["KPI"].iter_rows(values_only=True)
              if r[0]]
    assert "　每平方米楼面面积（2/3个单位）" in labels
