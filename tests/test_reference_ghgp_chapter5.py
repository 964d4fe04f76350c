"""The GHG Protocol Corporate Standard (revised edition, 2004), chapter 5 "Tracking emissions over
time": its worked examples and rules, each written the way a reporter records the change (real
dates in ``included_from`` / ``included_to``, the event in ``entry`` / ``exit``), through the real
CLI.

The figures are the standard's: Figure 5.1 (Company Gamma acquires facility C, which existed in
the base year), Figure 5.2 (Company Beta divests business unit C), Figure 5.3 (acquisition of a
facility that came into existence after the base year). Year one, two and three of the
examples are 2022, 2023 and 2024, the base year is 2022, electricity stands in for the emissions
at 1 tCO2/MWh (so MWh read as tonnes of CO2; the standard's figures are whole tonnes, so the
tolerance is float round-off only). "A" is the inventory as the earlier report published it, "B"
the current one.

The rules, quoted from chapter 5: "Structural changes trigger recalculation because they merely
transfer emissions from one company to another"; "Base year emissions and any historic data are
not recalculated for organic growth or decline. Organic growth/decline refers to increases or
decreases in production output, changes in product mix, and closures and openings of operating
units"; "Base year emissions are not recalculated if the company makes an acquisition of (or
insources) operations that did not exist in its base year"; "Structural changes due to
"outsourcing" or "insourcing" do not trigger base year emissions recalculation if the company is
reporting its indirect emissions from relevant outsourced or insourced activities [...] However,
outsourcing/insourcing that shifts significant emissions between scope 1 and scope 3 when scope 3
is not reported does trigger a base year emissions recalculation."
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import activity_row, compute_json, make_inventory, run, write_csv

HEADER = ["entity_id", "name", "parent_id", "kind", "province", "included_from", "included_to",
          "entry", "exit", "existed_from"]
ONE_T_PER_MWH = [["electricity", "", "emission", "1", "tCO2/MWh", "test: 1 t per MWh"]]


def unit(eid: str, start: str = "", stop: str = "", entry: str = "", exit_: str = "",
         existed: str = "", kind: str = "business_unit") -> list[str]:
    return [eid, f"Unit {eid}", "", kind, "山西", start, stop, entry, exit_, existed]


def inventory(folder: Path, units: list[list[str]], tonnes: dict[str, dict[int, float]],
              years: list[int], settings: str = "", extra_rows: list[list] | None = None) -> Path:
    """An inventory of ``units`` whose emissions per year are ``tonnes`` (MWh at 1 t/MWh)."""
    rows = [activity_row(t, "MWh", year=y, entity=e) for e, per in tonnes.items()
            for y, t in per.items()]
    inv = make_inventory(folder, rows + (extra_rows or []), custom_factors=ONE_T_PER_MWH,
                         settings=f"reporting_years = {years}\nbase_year = 2022\n" + settings)
    write_csv(inv / "entities.csv", HEADER, units)
    return inv


def restate(a: Path, b: Path, *args: str) -> dict:
    result = run("restate", "--before", a, "--after", b, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def total(out: dict, year: int) -> dict:
    return out["years"][str(year)]["total_location_tco2e"]


def codes(out: dict) -> dict[str, str]:
    return {w["code"]: w["message"] for w in out["notes"]["warnings"]["restate"]}


# --- Figure 5.1: Company Gamma acquires facility C, which existed in its base year -------------

GAMMA_A = {"A": {2022: 25, 2023: 30}, "B": {2022: 25, 2023: 30}}
GAMMA_B = {"A": {2022: 25, 2023: 30, 2024: 30}, "B": {2022: 25, 2023: 30, 2024: 30},
           "C": {2022: 15, 2023: 20, 2024: 25}}


def _gamma(tmp_path: Path, c: list[str]) -> tuple[Path, Path]:
    a = inventory(tmp_path / "a", [unit("A"), unit("B")], GAMMA_A, [2022, 2023])
    b = inventory(tmp_path / "b", [unit("A"), unit("B"), c], GAMMA_B, [2022, 2023, 2024])
    return a, b


def test_figure_5_1_gamma_acquisition_of_a_unit_that_existed_in_the_base_year(tmp_path):
    """Base year 50 t (A and B 25 t each); organic growth to 60 t in year two; C acquired at the
    beginning of year three (15, 20, 25 t in years one to three): Gamma's year three is 85 t, and
    its base year is recalculated to 65 t (+15 t, C's base-year emissions); year two becomes
    80 t (60 + C's 20)."""
    a, b = _gamma(tmp_path, unit("C", start="2024-01-01", entry="acquisition"))
    out = restate(a, b)
    base = total(out, 2022)
    assert base["before"] == pytest.approx(50) and base["after"] == pytest.approx(65)
    assert base["attribution"]["boundary"] == pytest.approx(15)
    assert base["boundary_split"] == pytest.approx({"structural": 15, "organic": 0})
    assert total(out, 2023)["after"] == pytest.approx(80)
    assert out["recalculation_required"] is True
    assert out["notes"]["base_year_change"]["gross_pct"] == pytest.approx(30)
    assert compute_json(b)["years"]["2024"]["total_location_tco2e"] == pytest.approx(85)
    event = out["notes"]["boundary"]["events"][0]
    assert (event["entity_id"], event["event"], event["rule"], event["date"]) == (
        "C", "acquisition", "structural", "2024-01-01")
    assert event["effect_tco2e"] == pytest.approx({"2022": 15, "2023": 20})
    assert not codes(out)
    d = out["notes"]["disclosure"]
    assert ("Unit C (C) was acquired on 2024-01-01: its emissions were added to 2022 (+15.0 "
            "tCO2e) and 2023 (+20.0 tCO2e).") in d["en"]
    assert "Unit C（C）于2024年1月1日收购：其排放已补入2022年（+15.0吨）及2023年（+20.0吨）" in \
        d["zh-Hans"]
    assert "於2024年1月1日收購" in d["zh-Hant"]
    assert "to reflect 1 acquisition" in d["en"] and "以反映1项收购" in d["zh-Hans"]


def test_figure_5_1_written_without_the_event_gives_todays_result_and_names_the_trap(tmp_path):
    """The acquisition date in included_from and no entry: the acquisition looks like an opening,
    the base year stays at 50 t (today's rule), and the warning names C, its rows before that
    date and how to record an acquisition."""
    a, b = _gamma(tmp_path, unit("C", start="2024-01-01"))
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(50)
    assert out["recalculation_required"] is False
    message = codes(out)["acquisition_unstated"]
    assert message.startswith("C enters the boundary on 2024-01-01 with no entry stated: "
                              "a restatement takes it as an opening")
    assert "2 activity rows before that date" in message and "entry = acquisition" in message


def test_figure_5_1_written_the_old_way_gives_todays_result_and_names_the_rule(tmp_path):
    """C in B with a blank included_from (inside from the start): 65 t as before, and the warning
    says which rule was assumed."""
    a, b = _gamma(tmp_path, unit("C"))
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(65)
    assert out["recalculation_required"] is True
    message = codes(out)["boundary_event_assumed"]
    assert "inside the boundary from the start" in message and message.endswith(": C")


def test_an_acquisition_of_kind_acquisition_without_an_entry_is_named(tmp_path):
    a, b = _gamma(tmp_path, unit("C", kind="收购"))
    message = codes(restate(a, b))["acquisition_unstated"]
    assert message.startswith("C: its kind says acquisition but no entry is stated")


def test_figure_5_1_under_the_pro_rata_rule_restates_earlier_years_whole(tmp_path):
    """Acquired on 1 April of year three, mid-year rule pro rata: the years before are restated
    whole (15 and 20 t); the year of the acquisition counts its days from 1 April only."""
    monthly = [activity_row(2.5, "MWh", entity="C", start=f"2024-{m:02d}-01",
                            end=f"2024-{m:02d}-{[31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]}")
               for m in range(1, 13)]
    gamma_b = {k: v for k, v in GAMMA_B.items() if k != "C"}
    gamma_b["C"] = {2022: 15, 2023: 20}
    a = inventory(tmp_path / "a", [unit("A"), unit("B")], GAMMA_A, [2022, 2023])
    b = inventory(tmp_path / "b", [unit("A"), unit("B"),
                                   unit("C", start="2024-04-01", entry="收购")], gamma_b,
                  [2022, 2023, 2024], 'boundary_mid_year = "pro_rata"\n', monthly)
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(65)
    assert total(out, 2023)["after"] == pytest.approx(80)
    after = compute_json(b)
    assert after["years"]["2024"]["total_location_tco2e"] == pytest.approx(60 + 9 * 2.5)
    warnings = {w["code"]: w["message"] for w in after["warnings"]}
    assert warnings["before_acquisition"].endswith("carbon restate adds them to the earlier "
                                                   "years: C (2 rows)")
    assert warnings["outside_boundary"].endswith("C (3 rows)")  # January to March 2024


# --- Figure 5.2: Company Beta divests business unit C -----------------------------------------

BETA_A = {u: {2022: 25, 2023: 30} for u in "ABC"}
BETA_B = {"A": {2022: 25, 2023: 30, 2024: 30}, "B": {2022: 25, 2023: 30, 2024: 30},
          "C": {2022: 25, 2023: 30}}


def _beta(tmp_path: Path, c: list[str] | None) -> tuple[Path, Path]:
    a = inventory(tmp_path / "a", [unit("A"), unit("B"), unit("C")], BETA_A, [2022, 2023])
    after = BETA_B if c is not None else {k: v for k, v in BETA_B.items() if k != "C"}
    b = inventory(tmp_path / "b", [unit("A"), unit("B"), *([c] if c else [])], after,
                  [2022, 2023, 2024])
    return a, b


def test_figure_5_2_beta_divestment(tmp_path):
    """Three units of 25 t (75 t base year), organic growth to 90 t in year two, C divested at
    the beginning of year three: 60 t in year three, and the base year recalculated to 50 t
    (-25 t, C's base-year emissions); year two becomes 60 t (90 - C's 30)."""
    a, b = _beta(tmp_path, unit("C", stop="2023-12-31", exit_="divestment"))
    out = restate(a, b)
    base = total(out, 2022)
    assert base["before"] == pytest.approx(75) and base["after"] == pytest.approx(50)
    assert base["boundary_split"]["structural"] == pytest.approx(-25)
    assert total(out, 2023)["after"] == pytest.approx(60)
    assert out["recalculation_required"] is True
    assert compute_json(b)["years"]["2024"]["total_location_tco2e"] == pytest.approx(60)
    d = out["notes"]["disclosure"]
    assert ("Unit C (C) was divested (inside the boundary until 2023-12-31): its emissions were "
            "removed from 2022 (-25.0 tCO2e) and 2023 (-30.0 tCO2e).") in d["en"]
    assert "已出售（纳入边界至2023年12月31日）：其排放已从2022年（-25.0吨）及2023年（-30.0吨）剔除" in \
        d["zh-Hans"]


def test_figure_5_2_written_without_the_event_gives_todays_result_and_names_the_rule(tmp_path):
    a, b = _beta(tmp_path, unit("C", stop="2023-12-31"))
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(75)  # a sale looks like a closure
    assert out["recalculation_required"] is False
    message = codes(out)["boundary_event_assumed"]
    assert message.startswith("C leaves the boundary after 2023-12-31 with no exit stated: "
                              "a restatement takes it as a closure") and "exit = divestment" in message


def test_figure_5_2_written_the_old_way_gives_todays_result_and_names_the_rule(tmp_path):
    a, b = _beta(tmp_path, None)
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(50)
    message = codes(out)["boundary_event_assumed"]
    assert "removed from every restated year, as a divestment is" in message
    assert message.endswith(": C")


# --- Figure 5.3: acquisition of a facility that came into existence after the base year ------

def _teta(tmp_path: Path, c: list[str]) -> tuple[Path, Path]:
    a = inventory(tmp_path / "a", [unit("A"), unit("B")], GAMMA_A, [2022, 2023])
    b = inventory(tmp_path / "b", [unit("A"), unit("B"), c],
                  {**{k: v for k, v in GAMMA_B.items() if k != "C"}, "C": {2023: 15, 2024: 20}},
                  [2022, 2023, 2024])
    return a, b


def test_figure_5_3_acquisition_of_a_facility_that_did_not_exist_in_the_base_year(tmp_path):
    """Base year 50 t, 60 t in year two; C came into existence in year two (15 t) and is acquired
    at the beginning of year three (20 t): year three is 80 t and the base year stays at 50 t,
    because C did not exist in it; only the years since C existed are restated (year two:
    60 + 15 = 75 t)."""
    a, b = _teta(tmp_path, unit("C", start="2024-01-01", entry="acquisition",
                                existed="2023-01-01"))
    out = restate(a, b)
    base = total(out, 2022)
    assert base["after"] == pytest.approx(50) and base["delta"] == 0
    assert total(out, 2023)["after"] == pytest.approx(75)
    assert out["recalculation_required"] is False
    assert compute_json(b)["years"]["2024"]["total_location_tco2e"] == pytest.approx(80)
    assert "its emissions were added to 2023 (+15.0 tCO2e)" in out["notes"]["disclosure"]["en"]


def test_figure_5_3_written_without_the_event_gives_todays_result_and_names_the_trap(tmp_path):
    a, b = _teta(tmp_path, unit("C", start="2024-01-01"))
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(50)
    assert total(out, 2023)["after"] == pytest.approx(60)
    assert "1 activity row before that date" in codes(out)["acquisition_unstated"]


def test_an_acquisition_without_its_base_year_rows_is_an_error_naming_the_unit_and_years(
        tmp_path):
    """C acquired in 2024 with no existed_from: restating needs its 2022 (and 2023) rows."""
    a, b = _teta(tmp_path, unit("C", start="2024-01-01", entry="acquisition"))
    result = run("restate", "--before", a, "--after", b, "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    text = " ".join(result.stderr.split())
    assert "entities.csv, row 4, column entry: 'acquisition': C entered the boundary on " \
           "2024-01-01 by acquisition" in text
    assert "no rows for it in 2022" in text
    assert ("Fix: add its rows for 2022 (the seller's figures, or estimates marked data_quality = "
            "estimated); if it did not exist yet, write the day it came into existence in "
            "existed_from") in text
    assert "Traceback" not in result.output


# --- organic growth, closure ------------------------------------------------------------------

def test_organic_growth_and_an_opening_change_no_earlier_year(tmp_path):
    """Gamma's year two: "the company undergoes organic growth [...] The base year emissions are
    not recalculated in this case"; and a unit D opened in year two (an opening is organic
    growth): the base year stays at 50 t, D counts from its opening."""
    a = inventory(tmp_path / "a", [unit("A"), unit("B")], GAMMA_A, [2022, 2023])
    b = inventory(tmp_path / "b", [unit("A"), unit("B"),
                                   unit("D", start="2023-05-01", entry="新设")],
                  {**GAMMA_A, "D": {2023: 10}}, [2022, 2023])
    out = restate(a, b)
    assert total(out, 2022)["delta"] == 0
    y2 = total(out, 2023)
    assert y2["after"] == pytest.approx(70)
    assert y2["boundary_split"] == pytest.approx({"structural": 0, "organic": 10})
    assert out["recalculation_required"] is False
    assert not codes(out)
    d = out["notes"]["disclosure"]
    assert "Unit D (D) opened on 2023-05-01: organic growth, earlier years unchanged." in d["en"]
    assert "(of which openings and closures +10.0)" in d["en"]
    assert "于2023年5月1日新设，属自然增长，以前年度不作调整" in d["zh-Hans"]


def test_a_closure_is_organic_decline_and_changes_no_earlier_year(tmp_path):
    """Beta's C closed at the end of year two instead of being sold: the base year stays at
    75 t, year two at 90 t; year three's 60 t is a real reduction."""
    a, b = _beta(tmp_path, unit("C", stop="2023-12-31", exit_="关闭"))
    out = restate(a, b)
    assert total(out, 2022)["after"] == pytest.approx(75)
    assert total(out, 2023)["after"] == pytest.approx(90)
    assert out["recalculation_required"] is False
    assert "Unit C (C) closed (inside the boundary until 2023-12-31): organic decline" in \
        out["notes"]["disclosure"]["en"]
    assert "已關閉（納入邊界至2023年12月31日），屬自然減少" in out["notes"]["disclosure"]["zh-Hant"]


def test_an_opening_in_the_base_year_does_not_count_toward_the_threshold(tmp_path):
    """A unit opened in the base year that the earlier report left out: its base-year emissions
    appear in the base year, but as organic growth they never trigger a recalculation."""
    a = inventory(tmp_path / "a", [unit("A")], {"A": {2022: 100}}, [2022])
    b = inventory(tmp_path / "b", [unit("A"), unit("D", start="2022-07-01", entry="opening")],
                  {"A": {2022: 100}, "D": {2022: 10}}, [2022])
    out = restate(a, b)
    assert total(out, 2022)["boundary_split"] == pytest.approx({"structural": 0, "organic": 10})
    change = out["notes"]["base_year_change"]
    assert change["gross_pct"] == 0 and change["organic_tco2e"] == pytest.approx(10)
    assert out["recalculation_required"] is False
    assert "(openings and closures, 10.0 tCO2e, are organic changes and do not count)" in \
        out["notes"]["disclosure"]["en"]


# --- cumulative small changes -----------------------------------------------------------------

@pytest.mark.parametrize(("acquired", "required"), [(("C1", "C2"), False),
                                                    (("C1", "C2", "C3"), True)])
def test_cumulative_small_acquisitions_reach_the_threshold_together(tmp_path, acquired, required):
    """Chapter 5 asks for a recalculation when the cumulative effect of structural changes is
    significant: three acquisitions of 2.0 %, 1.5 % and 1.6 % of a 1,000 t base year, each below
    5 %, reach 5.1 % together; two of them (3.5 %) do not."""
    sizes = {"C1": 20, "C2": 15, "C3": 16}
    dates = {"C1": "2023-03-01", "C2": "2023-07-15", "C3": "2023-11-01"}
    a = inventory(tmp_path / "a", [unit("A")], {"A": {2022: 1000}}, [2022])
    b = inventory(tmp_path / "b", [unit("A"), *(unit(c, start=dates[c], entry="并购")
                                                for c in acquired)],
                  {"A": {2022: 1000}, **{c: {2022: sizes[c], 2023: sizes[c]} for c in acquired}},
                  [2022, 2023])
    out = restate(a, b, "--years", "2022")
    assert out["recalculation_required"] is required
    assert out["notes"]["base_year_change"]["gross_pct"] == pytest.approx(
        sum(sizes[c] for c in acquired) / 10)


# --- outsourcing and insourcing ---------------------------------------------------------------

def _boiler(tmp_path: Path, exit_: str) -> dict:
    """A's base year: the head office's 100 MWh and its own gas boiler (10,000 m³ at
    2.0 kgCO2/m³ = 20 t, Scope 1). In B the boiler is outsourced on 1 July 2023; the heat bought
    from the new operator afterwards is purchased heat (Scope 2, 0.11 tCO2/GJ)."""
    gas = [["natural_gas", "", "emission", "2.0", "kgCO2e/m3", "test"]]
    rows = [activity_row(100, "MWh", year=y, entity="HQ") for y in (2022, 2023)]
    rows += [activity_row(10000, "m3", source="natural_gas", year=2022, entity="BOILER"),
             activity_row(5000, "m3", source="natural_gas", entity="BOILER", start="2023-01-01",
                          end="2023-06-30")]
    heat = [activity_row(100, "GJ", source="heat", entity="HQ", start="2023-07-01",
                         end="2023-12-31")]
    settings = "reporting_years = [2022, 2023]\nbase_year = 2022\n"
    a = make_inventory(tmp_path / "a", rows[:1] + rows[2:3], custom_factors=ONE_T_PER_MWH + gas,
                       settings="reporting_years = [2022]\nbase_year = 2022\n")
    write_csv(a / "entities.csv", HEADER, [unit("HQ"), unit("BOILER")])
    b = make_inventory(tmp_path / "b", rows + heat, custom_factors=ONE_T_PER_MWH + gas,
                       settings=settings)
    write_csv(b / "entities.csv", HEADER, [unit("HQ"), unit("BOILER", stop="2023-06-30",
                                                             exit_=exit_)])
    return restate(a, b)


def test_outsourcing_with_its_indirect_emissions_reported_is_not_recalculated(tmp_path):
    """The boiler's heat is bought back (Scope 2, reported): no recalculation, the base year
    keeps the boiler's 20 t."""
    out = _boiler(tmp_path, "outsourcing_scope2")
    base = out["years"]["2022"]
    assert base["scope1_tco2e"]["after"] == pytest.approx(20) and base["scope1_tco2e"]["delta"] == 0
    assert out["recalculation_required"] is False
    assert "its emissions stay reported as purchased energy in Scope 2: earlier years " \
        "unchanged" in out["notes"]["disclosure"]["en"]


def test_outsourcing_into_scope_3_is_recalculated_as_a_divestment(tmp_path):
    """The same activity outsourced to a service (Scope 3, which carbon does not report): the
    boiler's 20 t leave the base year, 20 of 120 t = 16.7 %: recalculated, and the output says
    the rule."""
    out = _boiler(tmp_path, "外包")
    base = out["years"]["2022"]
    assert base["scope1_tco2e"]["after"] == pytest.approx(0)
    assert out["recalculation_required"] is True
    assert out["notes"]["base_year_change"]["gross_pct"] == pytest.approx(20 / 120 * 100)
    assert "move to Scope 3, which this report does not cover, so as for a divestment they " \
        "were removed from 2022 (-20.0 tCO2e)" in out["notes"]["disclosure"]["en"]
    assert "1 outsourcing" in out["notes"]["disclosure"]["en"]


def test_insourcing_from_scope_3_is_restated_as_an_acquisition(tmp_path):
    """A fleet run by a logistics firm (Scope 3) taken in-house on 1 January 2023: its base-year
    fuel (the firm's figures, estimated) is added to the base year."""
    a = inventory(tmp_path / "a", [unit("A")], {"A": {2022: 100}}, [2022])
    b = inventory(tmp_path / "b", [unit("A"), unit("FLEET", start="2023-01-01",
                                                   entry="insourcing")],
                  {"A": {2022: 100}, "FLEET": {2022: 10, 2023: 10}}, [2022, 2023])
    out = restate(a, b, "--years", "2022")
    assert total(out, 2022)["after"] == pytest.approx(110)
    assert out["recalculation_required"] is True
    assert "was insourced on 2023-01-01" in out["notes"]["disclosure"]["en"]


# --- the threshold's scope --------------------------------------------------------------------

def _green_head_office(tmp_path: Path) -> tuple[Path, Path]:
    """Base year: 1,000 MWh of green power (location 1,000 t, market 0 t) and 100 t of Scope 1
    (50,000 m³ of gas at 2.0 kgCO2/m³); C, acquired in 2023, used 30 MWh of grid power in
    2022."""
    gas = [["natural_gas", "", "emission", "2.0", "kgCO2e/m3", "test"]]
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit",
              "instrument"]
    rows = [[*activity_row(1000, "MWh", entity="HQ"), "green_power"],
            [*activity_row(50000, "m3", source="natural_gas", entity="HQ"), ""]]
    c = [[*activity_row(30, "MWh", entity="C"), ""]]
    invs = []
    for name, extra, ents in (("a", [], [unit("HQ")]),
                              ("b", c, [unit("HQ"), unit("C", start="2023-02-01",
                                                         entry="acquisition")])):
        inv = make_inventory(tmp_path / name, rows + extra, activity_header=header,
                             custom_factors=ONE_T_PER_MWH + gas,
                             settings="reporting_years = [2022]\nbase_year = 2022\n")
        write_csv(inv / "entities.csv", HEADER, ents)
        invs.append(inv)
    return invs[0], invs[1]


@pytest.mark.parametrize(("scope", "required", "metrics"), [
    ("location", False, ["total_location_tco2e"]),
    ("market", True, ["total_market_tco2e"]),
    ("each_scope", True, ["scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e"]),
])
def test_the_threshold_scope_picks_the_figure_tested_and_says_which(tmp_path, scope, required,
                                                                      metrics):
    """+30 t is 2.7 % of the location-based total (1,100 t) but 30 % of the market-based one
    (100 t)."""
    a, b = _green_head_office(tmp_path)
    out = restate(a, b, "--threshold-scope", scope)
    assert out["threshold_scope"] == scope and out["threshold_metrics"] == metrics
    assert out["recalculation_required"] is required
    changes = out["notes"]["base_year_changes"]
    assert list(changes) == metrics
    if scope == "location":
        assert changes["total_location_tco2e"]["gross_pct"] == pytest.approx(30 / 1100 * 100)
        assert "(Scope 1 and 2, location-based) is 2.73%" in out["notes"]["disclosure"]["en"]
    if scope == "market":
        assert changes["total_market_tco2e"]["gross_pct"] == pytest.approx(30)
        assert "（范围一及范围二，基于市场，按绝对值合计）为30.00%" in \
            out["notes"]["disclosure"]["zh-Hans"]
    if scope == "each_scope":
        assert changes["scope1_tco2e"]["gross_pct"] == 0
        assert changes["scope2_market_tco2e"]["gross_pct"] is None  # from 0 t: any change counts
        assert out["notes"]["base_year_change"]["metric"] == "scope2_market_tco2e"
        assert "each scope on its own" in out["notes"]["disclosure"]["en"]


def test_the_threshold_scope_setting_is_read_from_the_after_inventory(tmp_path):
    a, b = _green_head_office(tmp_path)
    (b / "settings.toml").write_text('reporting_years = [2022]\nbase_year = 2022\n'
                                     'threshold_scope = "market"\n', encoding="utf-8")
    out = restate(a, b)
    assert out["threshold_scope"] == "market" and out["recalculation_required"] is True
    table = run("restate", "--before", a, "--after", b)
    assert "Significance tested on: Scope 1 + 2 total, market-based" in table.stdout


def test_restating_an_inventory_with_events_by_itself_is_the_identity(tmp_path):
    """Both sides' events apply: B restated as B changes nothing, and its base year is the
    recalculated 65 t of Figure 5.1 (what B's report publishes), not compute's 50 t."""
    _, b = _gamma(tmp_path, unit("C", start="2024-01-01", entry="acquisition"))
    out = restate(b, b)
    assert all(f["delta"] == 0 for y in out["years"].values() for f in y.values())
    assert out["recalculation_required"] is False
    assert total(out, 2022)["before"] == pytest.approx(65)
    assert compute_json(b)["years"]["2022"]["total_location_tco2e"] == pytest.approx(50)


def test_a_closure_before_the_base_year_that_the_earlier_report_still_counted_is_organic(
        tmp_path):
    """The closure's mirror of the opening above: X closed at the end of 2021 but the earlier
    report still counted its 10 t in the base year. Taking it out is organic (a closure is
    stated), shown apart, and never counts toward the threshold."""
    a = inventory(tmp_path / "a", [unit("A"), unit("X")], {"A": {2022: 100}, "X": {2022: 10}},
                  [2022])
    b = inventory(tmp_path / "b", [unit("A"), unit("X", stop="2021-12-31", exit_="closure")],
                  {"A": {2022: 100}}, [2022])
    out = restate(a, b)
    assert total(out, 2022)["boundary_split"] == pytest.approx({"structural": 0, "organic": -10})
    change = out["notes"]["base_year_change"]
    assert change["gross_pct"] == 0 and change["organic_tco2e"] == pytest.approx(10)
    assert out["recalculation_required"] is False


def test_each_stated_event_is_listed_with_its_dates_and_its_effect_on_earlier_years(tmp_path):
    """The events of figure 5.3 and of an opening in the first restated year: C acquired at the
    start of 2024, in existence since 2023 (its 15 t added to 2023), D opened in 2022 (organic:
    no earlier year changes, yet the event is listed)."""
    a = inventory(tmp_path / "a", [unit("A"), unit("B")], GAMMA_A, [2022, 2023])
    b = inventory(tmp_path / "b", [unit("A"), unit("B"),
                                   unit("C", start="2024-01-01", entry="acquisition",
                                        existed="2023-01-01"),
                                   unit("D", start="2022-07-01", entry="opening")],
                  {**{k: v for k, v in GAMMA_B.items() if k != "C"}, "C": {2023: 15, 2024: 20},
                   "D": {2022: 5, 2023: 5, 2024: 5}}, [2022, 2023, 2024])
    events = restate(a, b)["notes"]["boundary"]["events"]
    assert events == [
        {"entity_id": "D", "name": "Unit D", "kind": "business_unit", "change": "entry",
         "event": "opening", "rule": "organic", "date": "2022-07-01", "existed_from": None,
         "effect_tco2e": {}},
        {"entity_id": "C", "name": "Unit C", "kind": "business_unit", "change": "entry",
         "event": "acquisition", "rule": "structural", "date": "2024-01-01",
         "existed_from": "2023-01-01", "effect_tco2e": {"2023": pytest.approx(15)}}]


def test_an_opening_after_the_base_year_is_not_the_base_years_organic_change(tmp_path):
    """D opened in 2023 (10 t): 2023 changes by an organic 10 t, the base year not at all, so
    the base year's organic change is nil."""
    a = inventory(tmp_path / "a", [unit("A")], {"A": {2022: 100, 2023: 100}}, [2022, 2023])
    b = inventory(tmp_path / "b", [unit("A"), unit("D", start="2023-07-01", entry="opening")],
                  {"A": {2022: 100, 2023: 100}, "D": {2023: 10}}, [2022, 2023])
    out = restate(a, b)
    assert total(out, 2023)["boundary_split"] == pytest.approx({"structural": 0, "organic": 10})
    change = out["notes"]["base_year_change"]
    assert change["organic_tco2e"] == 0 and change["gross_pct"] == 0
