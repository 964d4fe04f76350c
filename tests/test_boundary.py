"""The boundary over time, through the real CLI: windows, the whole-year rule, equity share,
and the entity tree's checks."""

from __future__ import annotations

import pytest

from tests.conftest import activity_row, compute_json, make_inventory, run, write_csv

CUSTOM = [["electricity", "", "emission", "1", "tCO2/MWh", "test factor"]]


def _entities(*rows: list[str]) -> list[list[str]]:
    return [list(r) for r in rows]


def test_rows_outside_the_window_are_not_counted_and_are_listed(tmp_path):
    ents = _entities(["E1", "Site 1", "", "office", "山西", "", ""],
                     ["E2", "New site", "E1", "office", "山西", "2023-05-01", ""])
    act = [activity_row(100, "MWh", year=y, entity=e) for y in (2022, 2023) for e in ("E1", "E2")]
    out = compute_json(make_inventory(tmp_path / "inv", act, entities=ents,
                                      custom_factors=CUSTOM))
    y = out["years"]
    assert y["2022"]["scope2_location_tco2e"] == pytest.approx(100)   # E2 not yet inside
    assert y["2023"]["scope2_location_tco2e"] == pytest.approx(200)   # whole year for E2
    w = next(w for w in out["warnings"] if w["code"] == "outside_boundary")
    assert "E2 (1 row)" in w["message"] and "2022" in w["message"]


def test_a_mid_year_change_counts_the_whole_year_by_default_or_pro_rata(tmp_path):
    ents = _entities(["E1", "Closed site", "", "office", "山西", "", "2023-06-30"])
    act = [activity_row(365, "MWh", year=2023), activity_row(100, "MWh", year=2024)]
    whole = compute_json(make_inventory(tmp_path / "a", act, entities=ents,
                                        custom_factors=CUSTOM))["years"]
    assert whole["2023"]["scope2_location_tco2e"] == pytest.approx(365)
    assert "2024" not in whole  # nothing of 2024 is counted
    pro = compute_json(make_inventory(tmp_path / "b", act, entities=ents, custom_factors=CUSTOM,
                                      settings='boundary_mid_year = "pro_rata"\n'))["years"]
    assert pro["2023"]["scope2_location_tco2e"] == pytest.approx(181)  # Jan 1 – Jun 30


def test_included_to_as_a_month_means_its_last_day(tmp_path):
    ents = _entities(["E1", "Site", "", "office", "山西", "", "2023-06"])
    act = [activity_row(30, "MWh", start="2023-06-01", end="2023-06-30"),
           activity_row(31, "MWh", start="2023-07-01", end="2023-07-31")]
    pro = compute_json(make_inventory(tmp_path / "a", act, entities=ents, custom_factors=CUSTOM,
                                      settings='boundary_mid_year = "pro_rata"\n'))["years"]
    assert pro["2023"]["scope2_location_tco2e"] == pytest.approx(30)


def test_equity_share_multiplies_down_the_tree(tmp_path):
    ents = _entities(["G", "Group", "", "group", "山西", "", ""],
                     ["S", "Subsidiary", "G", "subsidiary", "山西", "", ""],
                     ["P", "Plant", "S", "plant", "山西", "", ""])
    header = ["entity_id", "name", "parent_id", "kind", "province", "included_from",
              "included_to", "ownership_share"]
    act = [activity_row(100, "MWh", entity=e) for e in ("G", "S", "P")]
    for folder, consolidation, expected in (("eq", "equity_share", 100 + 60 + 30),
                                            ("op", "operational_control", 300)):
        inv = make_inventory(tmp_path / folder, act, custom_factors=CUSTOM,
                             settings=f'consolidation = "{consolidation}"\n')
        write_csv(inv / "entities.csv", header,
                  [[*ents[0], ""], [*ents[1], "60%"], [*ents[2], "0.5"]])
        y = compute_json(inv)["years"]["2022"]
        assert y["scope2_location_tco2e"] == pytest.approx(expected)
        assert y["energy_kwh"] == pytest.approx(expected * 1000)


def test_ownership_share_out_of_range_is_an_input_error(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "MWh")], custom_factors=CUSTOM,
                         settings='consolidation = "equity_share"\n')
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "kind", "province",
                                     "included_from", "included_to", "ownership_share"],
              [["E1", "Site", "", "office", "山西", "", "", "150%"]])
    result = run("compute", inv)
    assert result.exit_code == 2
    assert "entities.csv, row 2, column ownership_share" in result.stderr
    assert "out_of_range" in result.stderr


def test_parent_loops_and_unknown_parents_are_reported_together(tmp_path):
    ents = _entities(["A", "a", "B", "office", "山西", "", ""],
                     ["B", "b", "A", "office", "山西", "", ""],
                     ["C", "c", "C", "office", "山西", "", ""],
                     ["D", "d", "ZZ", "office", "山西", "", ""],
                     ["E", "e", "", "office", "山西", "", ""])
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "MWh", entity="E")], entities=ents,
                         custom_factors=CUSTOM)
    result = run("compute", inv)
    assert result.exit_code == 2
    err = result.stderr
    for row in (2, 3, 4):
        assert f"entities.csv, row {row}, column parent_id" in err
    assert "A → B → A" in err and "parent_loop" in err
    assert "entities.csv, row 5, column parent_id: 'ZZ'" in err
    assert "Traceback" not in err


def test_a_divested_subsidiary_takes_the_entities_below_it_along(tmp_path):
    ents = _entities(["G", "Group", "", "office", "山西", "", ""],
                     ["S", "Subsidiary", "G", "subsidiary", "山西", "", "2022-12-31"],
                     ["P", "Plant of S", "S", "plant", "山西", "", ""])
    act = [activity_row(100, "MWh", year=y, entity=e) for y in (2022, 2023) for e in "GSP"]
    y = compute_json(make_inventory(tmp_path / "inv", act, entities=ents,
                                    settings="reporting_years = [2022, 2023]\n",
                                    custom_factors=CUSTOM))["years"]
    assert y["2022"]["scope2_location_tco2e"] == pytest.approx(300)
    assert y["2023"]["scope2_location_tco2e"] == pytest.approx(100)  # S and P both gone


EVENT_HEADER = ["entity_id", "name", "parent_id", "kind", "province", "included_from",
                "included_to", "entry", "exit", "existed_from"]


def test_an_acquired_subsidiary_brings_the_history_of_the_plants_below_it(tmp_path):
    """SUB (a holding, no rows of its own) is acquired on 2023-07-01 with two plants below it:
    restating adds both plants' 2022 rows; ``compute`` counts only what was inside and names
    the rows kept for the restatement."""
    import json

    def inv(name: str, entities: list[list[str]], rows: list[list]) -> object:
        folder = make_inventory(tmp_path / name, rows, custom_factors=CUSTOM,
                                settings="reporting_years = [2022, 2023]\nbase_year = 2022\n")
        write_csv(folder / "entities.csv", EVENT_HEADER, entities)
        return folder

    hq = ["HQ", "HQ", "", "office", "山西", "", "", "", "", ""]
    plants = [["SUB", "Sub", "", "subsidiary", "山西", "2023-07-01", "", "acquisition", "", ""],
              ["P1", "Plant 1", "SUB", "plant", "山西", "", "", "", "", ""],
              ["P2", "Plant 2", "SUB", "plant", "山西", "", "", "", "", ""]]
    rows = [activity_row(1000, "MWh", year=y, entity="HQ") for y in (2022, 2023)]
    history = [activity_row(q, "MWh", year=y, entity=e) for y in (2022, 2023)
               for e, q in (("P1", 30), ("P2", 20))]
    a = inv("a", [hq], rows)
    b = inv("b", [hq, *plants], rows + history)
    out = json.loads(run("restate", "--before", a, "--after", b, "-f", "json").stdout)
    base = out["years"]["2022"]["total_location_tco2e"]
    assert base["after"] == pytest.approx(1050)
    assert out["notes"]["boundary"]["events"][0]["effect_tco2e"] == pytest.approx({"2022": 50})
    computed = compute_json(b)
    assert computed["years"]["2022"]["total_location_tco2e"] == pytest.approx(1000)
    warning = next(w for w in computed["warnings"] if w["code"] == "before_acquisition")
    assert warning["message"].endswith("P1 (1 row), P2 (1 row)")


def test_unstated_events_lists_what_carbon_check_will_show():
    """The pure function ``carbon check`` calls: dated entries and exits with no event stated,
    the rule assumed, the rows outside the window and an entity whose kind names an event."""
    import numpy as np
    import pandas as pd

    from carbon.boundary import unstated_events

    day = np.datetime64
    ents = pd.DataFrame({
        "entity_id": ["HQ", "NEW", "SOLD", "DONE", "BUY"],
        "kind": ["office", "outlet", "plant", "plant", "收购"],
        "included_from": [day("NaT"), day("2023-05-01"), day("NaT"), day("2023-01-01"),
                          day("NaT")],
        "included_to": [day("NaT"), day("NaT"), day("2023-06-30"), day("NaT"), day("NaT")],
        "entry": ["", "", "", "opening", ""], "exit": ["", "", "", "", ""],
        "row": [2, 3, 4, 5, 6]}).astype({"included_from": "datetime64[s]",
                                         "included_to": "datetime64[s]"})
    act = pd.DataFrame({"entity_id": ["NEW", "NEW", "SOLD"],
                        "period_start": pd.to_datetime(["2022-01-01", "2023-05-01",
                                                        "2023-07-01"]),
                        "period_end": pd.to_datetime(["2022-12-31", "2023-12-31",
                                                      "2023-12-31"])})
    got = unstated_events(ents, [2022, 2023], act)
    assert [(u["entity_id"], u["change"], u["date"], u["assumed"], u["rows_outside"],
             u["kind_says"], u["row"]) for u in got] == [
        ("NEW", "entry", "2023-05-01", "opening", 1, "", 3),
        ("BUY", "entry", None, "inside_from_start", 0, "acquisition", 6),
        ("SOLD", "exit", "2023-06-30", "closure", 1, "", 4)]
    assert unstated_events(ents, [2024], act) == [got[1]]  # outside the years: only the kind


def test_rows_outside_the_boundary_are_counted_by_entity_in_the_warning(tmp_path):
    """Twelve sites closed at the end of 2022 still have rows for 2023 (E01 two) and one for 2024
    (E12): 14 rows of 12 entities, the first ten named with their counts."""
    ents = [[f"E{i:02}", f"Site {i}", "", "office", "山西", "", "2022-12-31"] for i in range(1, 13)]
    ents.append(["HQ", "Head office", "", "office", "山西", "", ""])
    act = [activity_row(10, "MWh", year=2023, entity=f"E{i:02}") for i in range(1, 13)]
    act += [activity_row(5, "MWh", year=2023, entity="E01"),
            activity_row(5, "MWh", year=2024, entity="E12"),
            *(activity_row(1, "MWh", year=y, entity="HQ") for y in (2022, 2023, 2024))]
    out = compute_json(make_inventory(tmp_path / "inv", act, entities=ents, custom_factors=CUSTOM,
                                      settings="reporting_years = [2022, 2023, 2024]\n"))
    [w] = [w["message"] for w in out["warnings"] if w["code"] == "outside_boundary"]
    named = ", ".join(["E01 (2 rows)", *(f"E{i:02} (1 row)" for i in range(2, 11))])
    assert w == ("14 activity rows (or parts) of 12 entities fall outside the entity's boundary "
                 "window (included_from / included_to; 2023, 2024) and are not counted: "
                 f"{named} and 2 more")
    assert out["years"]["2023"]["scope2_location_tco2e"] == pytest.approx(1)


def test_equity_share_warns_of_rows_counted_in_part(tmp_path):
    ents = [["G", "Group", "", "office", "山西", "", "", ""],
            ["J", "Joint venture", "G", "plant", "山西", "", "", "40%"],
            ["W", "Wholly owned", "G", "plant", "山西", "", "", "100"]]
    act = [activity_row(100, "MWh", entity=e) for e in ("G", "J", "J", "W")]
    inv = make_inventory(tmp_path / "inv", act, custom_factors=CUSTOM,
                         settings='consolidation = "equity_share"\n')
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "kind", "province",
                                     "included_from", "included_to", "ownership_share"], ents)
    out = compute_json(inv)
    assert [w["message"] for w in out["warnings"] if w["code"] == "equity_share"] == [
        "equity share: 2 activity rows of 1 entity count in part (by the organisation's share)"]
    assert out["years"]["2022"]["scope2_location_tco2e"] == pytest.approx(100 + 80 + 100)


def test_ten_entities_outside_are_all_named(tmp_path):
    ents = [[f"E{i:02}", f"Site {i}", "", "office", "山西", "", "2022-12-31"] for i in range(1, 11)]
    ents.append(["HQ", "Head office", "", "office", "山西", "", ""])
    act = [activity_row(10, "MWh", year=2023, entity=f"E{i:02}") for i in range(1, 11)]
    act.append(activity_row(1, "MWh", year=2023, entity="HQ"))
    out = compute_json(make_inventory(tmp_path / "inv", act, entities=ents, custom_factors=CUSTOM,
                                      settings="reporting_years = [2023]\n"))
    [w] = [w["message"] for w in out["warnings"] if w["code"] == "outside_boundary"]
    assert w.endswith(": " + ", ".join(f"E{i:02} (1 row)" for i in range(1, 11)))


def test_rows_before_an_acquisition_are_kept_for_the_restatement_and_named(tmp_path):
    """The only entity is acquired on 2023-07-01: its 2022 row is kept for carbon restate (not
    counted, named as such). Pro rata, rows before the unit existed (existed_from 2022-05-01)
    are outside the boundary even for the restatement."""
    header = [*EVENT_HEADER[:9], "existed_from"]
    rows = [activity_row(100, "MWh", year=2022, entity="BUY"),
            activity_row(100, "MWh", year=2023, entity="BUY")]
    inv = make_inventory(tmp_path / "a", rows, custom_factors=CUSTOM,
                         settings="reporting_years = [2022, 2023]\n")
    write_csv(inv / "entities.csv", header,
              [["BUY", "Bought", "", "plant", "山西", "2023-07-01", "", "acquisition", "", ""]])
    out = compute_json(inv)
    assert [w["message"] for w in out["warnings"] if w["code"] == "before_acquisition"] == [
        "1 activity row (or part) of 1 acquired entity falls before its acquisition "
        "(included_from) and is not counted in these figures; carbon restate adds it to the "
        "earlier years: BUY (1 row)"]
    assert "outside_boundary" not in {w["code"] for w in out["warnings"]}
    assert out["years"]["2023"]["scope2_location_tco2e"] == pytest.approx(100)
    early = [activity_row(100, "MWh", entity="BUY", start="2022-01-01", end="2022-03-31"),
             activity_row(100, "MWh", year=2023, entity="BUY")]
    inv = make_inventory(tmp_path / "b", early, custom_factors=CUSTOM,
                         settings='reporting_years = [2022, 2023]\nboundary_mid_year = "pro_rata"\n')
    write_csv(inv / "entities.csv", header, [["BUY", "Bought", "", "plant", "山西", "2023-07-01",
                                             "", "acquisition", "", "2022-05-01"]])
    codes = {w["code"] for w in compute_json(inv)["warnings"]}
    assert "outside_boundary" in codes and "before_acquisition" not in codes
    # pro rata, the months of the acquisition year before the acquisition are outside, not
    # kept for the restatement (it restates earlier years only)
    same_year = [activity_row(100, "MWh", entity="BUY", start="2023-01-01", end="2023-03-31"),
                 activity_row(100, "MWh", entity="BUY", start="2023-07-01", end="2023-12-31")]
    inv = make_inventory(tmp_path / "c", same_year, custom_factors=CUSTOM,
                         settings='reporting_years = [2023]\nboundary_mid_year = "pro_rata"\n')
    write_csv(inv / "entities.csv", header, [["BUY", "Bought", "", "plant", "山西", "2023-07-01",
                                             "", "acquisition", "", ""]])
    codes = {w["code"] for w in compute_json(inv)["warnings"]}
    assert "outside_boundary" in codes and "before_acquisition" not in codes


def test_the_equity_share_warning_counts_only_rows_counted_in_part(tmp_path):
    ents = [["J", "Joint venture", "", "plant", "山西", "", "2022-12-31", "40%"],
            ["W", "Wholly owned", "", "plant", "山西", "", "", ""]]
    act = [activity_row(100, "MWh", year=2022, entity="J"),
           activity_row(100, "MWh", year=2023, entity="J"),  # outside: not "in part"
           activity_row(100, "MWh", year=2023, entity="W")]
    inv = make_inventory(tmp_path / "inv", act, custom_factors=CUSTOM,
                         settings='consolidation = "equity_share"\nreporting_years = [2022, 2023]\n')
    write_csv(inv / "entities.csv", ["entity_id", "name", "parent_id", "kind", "province",
                                     "included_from", "included_to", "ownership_share"], ents)
    assert [w["message"] for w in compute_json(inv)["warnings"] if w["code"] == "equity_share"] \
        == ["equity share: 1 activity row of 1 entity counts in part (by the organisation's "
            "share)"]
    # operational control, pro rata: rows counted in part by days are no equity-share matter
    ents = _entities(["E1", "Closed site", "", "office", "山西", "", "2023-06-30"])
    inv = make_inventory(tmp_path / "b", [activity_row(365, "MWh", year=2023)], entities=ents,
                         custom_factors=CUSTOM, settings='boundary_mid_year = "pro_rata"\n')
    assert "equity_share" not in {w["code"] for w in compute_json(inv)["warnings"]}


def test_an_acquired_unit_without_equity_share_has_no_history_to_keep(tmp_path):
    """Under equity share a unit held at 0 % counts for nothing: its rows before the acquisition
    are outside the boundary, not kept for the restatement."""
    header = [*EVENT_HEADER, "ownership_share"]
    rows = [activity_row(100, "MWh", year=2022, entity="ZB"),
            activity_row(100, "MWh", year=2023, entity="HQ")]
    inv = make_inventory(tmp_path / "inv", rows, custom_factors=CUSTOM,
                         settings='consolidation = "equity_share"\nreporting_years = [2022, 2023]\n')
    write_csv(inv / "entities.csv", header,
              [["HQ", "HQ", "", "office", "山西", "", "", "", "", "", ""],
               ["ZB", "Zero", "", "plant", "山西", "2023-07-01", "", "acquisition", "", "", "0"]])
    codes = {w["code"] for w in compute_json(inv)["warnings"]}
    assert "outside_boundary" in codes and "before_acquisition" not in codes
