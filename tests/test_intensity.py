"""Honest intensities: numerator and denominator over the same entities, the coverage said.

Hand-computed with the MEE/NBS 2022 national average electricity factor, 0.5366 kgCO2/kWh
(公告2024年第33号): 1,000 MWh → 536.6 tCO2 per site.
"""

from __future__ import annotations

import json

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


def test_the_coverage_warnings_name_the_entities_and_the_fix(tmp_path):
    """Twelve sites of 1,000 MWh: one with a floor area (1,000 m²), two with a headcount (10 and
    20); a thirteenth with denominators and no activity. A list of more than ten ids is cut."""
    ids = [f"E{i:02d}" for i in range(1, 14)]
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "MWh", entity=e) for e in ids[:12]],
                         entities=[[e, f"Site {e}", "", "", "山西", "", ""] for e in ids],
                         denominators=[["E01", 2022, 1000, 10], ["E02", 2022, "", 20],
                                       ["E13", 2022, 500, 5]])
    out = compute_json(inv)
    said = [(w["code"], w["message"]) for w in out["warnings"] if w["code"].startswith("denom")]
    assert said == [
        ("denominator_partial",
         "2022: 11 of 12 entities with activity have no floor area (blank or 0): E02, E03, E04, "
         "E05, E06, E07, E08, E09, E10, E11 and 1 more; the intensities per m² cover the other 1 "
         "entities only (their figures over their floor area); add floor_area_m2 for these "
         "entities"),
        # none of these ten is in the denominators table at all
        ("denominator_partial",
         "2022: 10 of 12 entities with activity have no headcount (blank or 0): E03, E04, E05, "
         "E06, E07, E08, E09, E10, E11, E12; the intensities per person cover the other 2 "
         "entities only (their figures over their headcount); add headcount for these entities "
         "in the denominators table"),
        ("denominator_without_activity",
         "2022: 1 entities have a floor area or headcount but no activity in the year: E13; they "
         "are left out of the intensities (record their energy, or if it is billed to another "
         "entity, their area and staff there)")]
    y = out["years"]["2022"]
    assert y["intensity"]["total_tco2e_per_m2"] == pytest.approx(536.6 / 1000, rel=1e-12)
    assert y["intensity"]["total_tco2e_per_person"] == pytest.approx(2 * 536.6 / 30, rel=1e-12)
    assert y["intensity_basis"] == {"floor_area_m2_entities": 1, "headcount_entities": 2,
                                    "entities": 12}


def test_a_year_without_any_denominator_says_so_for_each(tmp_path):
    out = compute_json(three_sites(tmp_path / "inv", [["E1", 2022, "", 0], ["E2", 2022, 0, ""]]))
    said = [(w["code"], w["message"]) for w in out["warnings"] if w["code"].startswith("no_")]
    assert said == [(f"no_{what.replace(' ', '_')}",
                     f"2022: no entity with activity has a {what} (blank or 0); its intensities "
                     f"are left empty: add {key} per entity and year in the denominators table")
                    for what, key in (("floor area", "floor_area_m2"),
                                      ("headcount", "headcount"))]
    assert set(out["years"]["2022"]["intensity"].values()) == {None}
    # both sites with denominator rows have activity: none is idle
    assert "denominator_without_activity" not in {w["code"] for w in out["warnings"]}


def test_year_figures_of_one_entity_divide_by_its_own_denominators():
    """year_figures without ``covered`` (one entity): a denominator of 0 or none gives no
    intensity, never a division by zero; a gas the inventory leaves out is null, not 0."""
    from carbon.aggregate import year_figures
    from carbon.model import Settings

    fig = {"energy_kwh": 1000.0, "total_location_tco2e": 2.0, "co2_t": 1.5, "ch4_t": 0.1}
    co2_only = Settings().model_copy(update={"gases": ["CO2"]})
    for area, person in ((0.0, 1.0), (None, 4.0)):
        got = year_figures(fig, {"floor_area_m2": area, "headcount": person}, co2_only, {})
        assert got == {"energy_kwh": 1000.0, "total_location_tco2e": 2.0,
                       "floor_area_m2": area, "headcount": person,
                       "intensity": {"energy_kwh_per_m2": None, "total_tco2e_per_m2": None,
                                     "total_tco2e_per_person": 2.0 / person,
                                     "energy_kwh_per_person": 1000.0 / person},
                       "gases": {"co2_t": 1.5, "ch4_t": None}}


def test_a_fraction_of_a_denominator_is_a_denominator(tmp_path):
    """Half a square metre (a desk rented by the hour) or half a person (one part-time employee)
    is small, not blank: 1,000 MWh over 0.5 m² and 0.5 persons."""
    rows = [activity_row(1000, "MWh", entity="E1")]
    inv = make_inventory(tmp_path / "inv", rows, denominators=[["E1", 2022, 0.5, 0.5]])
    out = compute_json(inv)
    y = out["years"]["2022"]
    assert y["intensity"]["energy_kwh_per_m2"] == 2_000_000.0
    assert y["intensity"]["energy_kwh_per_person"] == 2_000_000.0
    (e1,) = out["by_entity"]
    assert e1["intensity"]["energy_kwh_per_m2"] == e1["intensity"]["energy_kwh_per_person"] \
        == 2_000_000.0
    assert y["intensity_basis"] == {"floor_area_m2_entities": 1, "headcount_entities": 1,
                                    "entities": 1}


@pytest.mark.parametrize("denominators", [None, [["E1", 2021, 1000, 10]]])
def test_without_denominators_for_the_year_no_entity_is_covered(tmp_path, denominators):
    inv = three_sites(tmp_path / "inv", denominators)
    y = compute_json(inv)["years"]["2022"]
    assert set(y["intensity"].values()) == {None}
    assert y["intensity_basis"] == {"floor_area_m2_entities": 0, "headcount_entities": 0,
                                    "entities": 3}
    assert y["floor_area_m2"] is None and y["headcount"] is None


def test_a_zero_denominator_gives_no_intensity_and_no_numpy_warning(tmp_path):
    """Per entity, 0 m² (and 0 people) divide nothing: the intensities are null, and NumPy's
    division warnings (x / 0, 0 / 0) never reach the user's terminal."""
    import warnings

    inv = three_sites(tmp_path / "inv", [["E1", 2022, 0, 0], ["E2", 2022, 1000, 10]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = compute_json(inv)
    e1, e2 = (e for e in out["by_entity"] if e["entity_id"] in ("E1", "E2"))
    assert set(e1["intensity"].values()) == {None}  # scope1 0 / 0 m², energy / 0 m²
    assert e2["intensity"]["total_tco2e_per_m2"] == pytest.approx(0.5366)


def test_denominator_warnings_word_the_denominator_in_each_language(tmp_path):
    """Eleven of twelve sites without a floor area or headcount, and a site with only a floor
    area and no activity: the warnings name the denominator and its unit in the run's language,
    the list cut after ten ids as the language writes it, the idle site found by either
    denominator."""
    ids = [f"S{i:02d}" for i in range(1, 13)]
    entities = [[e, f"Site {e}", "", "office", "山西", "", ""] for e in ids]
    entities.append(["IDLE", "Idle", "", "office", "山西", "", ""])
    inv = make_inventory(tmp_path / "inv",
                         [activity_row(1000, "kWh", entity=e, year=2024) for e in ids],
                         entities=entities,
                         denominators=[["S01", 2024, 100, 5], ["IDLE", 2024, 50, ""]])
    listed = {"zh-Hans": "S02、S03、S04、S05、S06、S07、S08、S09、S10、S11，另有 1 个",
              "zh-Hant": "S02、S03、S04、S05、S06、S07、S08、S09、S10、S11，另有 1 個",
              "en": "S02, S03, S04, S05, S06, S07, S08, S09, S10, S11 and 1 more"}
    words = {"zh-Hans": [("楼面面积", "每平方米强度"), ("员工人数", "每人强度")],
             "zh-Hant": [("樓面面積", "每平方米強度"), ("員工人數", "每人強度")],
             "en": [("no floor area", "intensities per m² cover"),
                    ("no headcount", "intensities per person cover")]}
    idle = {"zh-Hans": "1 个单位填有楼面面积或员工人数，但当年没有活动数据：IDLE；",
            "zh-Hant": "1 個單位填有樓面面積或員工人數，但當年沒有活動數據：IDLE；",
            "en": "1 entities have a floor area or headcount but no activity in the year: IDLE;"}
    for lang in ("zh-Hans", "zh-Hant", "en"):
        result = run("compute", inv, "--format", "json", "--lang", lang)
        assert result.exit_code == 0, result.output
        warned = json.loads(result.stdout)["warnings"]
        partial = [w["message"] for w in warned if w["code"] == "denominator_partial"]
        assert len(partial) == 2
        for message, (what, per) in zip(partial, words[lang], strict=True):
            assert listed[lang] in message and what in message and per in message, message
        assert [idle[lang] in w["message"] for w in warned
                if w["code"] == "denominator_without_activity"] == [True]
