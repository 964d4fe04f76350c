"""Bad input: exit 2, every problem in one report naming file, row and column; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    ACTIVITY_COLUMNS,
    activity_row,
    compute_json,
    make_inventory,
    run,
    write_csv,
)


def _fails(inv: Path, *expected: str, out: Path | None = None) -> str:
    args = ["compute", str(inv), "--format", "json"]
    if out is not None:
        args += ["--out", str(out)]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.stderr.split())  # the table may wrap long cells
    for e in expected:
        assert e in text, f"{e!r} not in:\n{result.stderr}"
    if out is not None:
        assert not out.exists()
    return text


@pytest.mark.parametrize(("row", "expected"), [
    (activity_row(1, "kwhh"), ["unknown_unit", "'kwhh'", "column unit"]),
    (activity_row(1, "t"), ["wrong_dimension", "column unit", "energy"]),
    (activity_row("8,278,39", "kWh"), ["not_a_number", "'8,278,39'", "column quantity"]),
    (activity_row(1, "kWh", source="solar"), ["unknown_source", "'solar'", "column source"]),
    (activity_row(1, "kWh", entity="NOPE"), ["unknown_entity", "'NOPE'", "column entity_id"]),
    (activity_row(1, "kWh", start="2022-12-31", end="2022-01-01"),
     ["end_before_start", "column period_end"]),
    (activity_row(1, "kWh", start="2022-02-30"), ["not_a_date", "'2022-02-30'"]),
    (activity_row(-5, "kWh"), ["negative", "column quantity"]),
    (activity_row("", "kWh"), ["required", "column quantity"]),
])
def test_bad_activity_cell_exit_2_with_file_row_column(tmp_path, row, expected):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh"), row])
    text = _fails(inv, "inv/activity.csv", "row 3", *expected, out=tmp_path / "out.json")
    assert "Fix:" in text or "how to fix" in text


def test_every_problem_of_a_file_in_one_report(tmp_path):
    inv = make_inventory(tmp_path / "inv", [
        activity_row(1, "kwhh"),
        activity_row("8,278,39", "kWh"),
        activity_row(1, "kWh", source="solar"),
        activity_row(1, "kWh", entity="X9"),
    ])
    text = _fails(inv, "4 problems", "row 2", "row 3", "row 4", "row 5")
    assert "unknown_unit" in text and "unknown_entity" in text


def test_wrong_dimension_names_what_the_source_needs(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(3, "L", "electricity")])
    _fails(inv, "does not measure electricity", "energy")


def test_diesel_in_kwh_is_fine_but_in_kelvin_is_not(tmp_path):
    ok = make_inventory(tmp_path / "ok", [activity_row(10, "GJ", "diesel")])
    y = compute_json(ok)["years"]["2022"]
    # 10 GJ = 10,000,000 kJ ÷ 3,600 = 2,777.78 kWh; ÷ 42,652 kJ/kg × 1.4571 kgce/kg (GB/T 2589)
    assert y["energy_kwh"] == pytest.approx(1e7 / 3600, rel=1e-12)
    assert y["energy_tce"] == pytest.approx(10000 / 42.652 * 1.4571 / 1000, rel=1e-12)
    bad = make_inventory(tmp_path / "bad", [activity_row(10, "K", "diesel")])
    _fails(bad, "wrong_dimension", "diesel")


def test_missing_required_file_and_column(tmp_path):
    inv = tmp_path / "inv"
    inv.mkdir()
    write_csv(inv / "entities.csv", ["entity_id"], [["E1"]])
    _fails(inv, "missing_file", "activity.csv")
    write_csv(inv / "activity.csv", ACTIVITY_COLUMNS[:-1], [activity_row(1, "kWh")[:-1]])
    _fails(inv, "missing_column", "'unit'")


def test_unknown_column_suggests_the_right_name(tmp_path):
    header = [*ACTIVITY_COLUMNS[:-1], "units"]
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")], activity_header=header)
    _fails(inv, "unknown_column", "did you mean 'unit'")


def test_duplicate_entity_and_unknown_province(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")], entities=[
        ["E1", "a", "", "", "山西", "", ""], ["E1", "b", "", "", "Atlantis", "", ""]])
    _fails(inv, "inv/entities.csv", "row 3", "duplicate", "unknown_province", "'Atlantis'")


def test_bad_settings_key_is_named(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")],
                         settings='grid_levle = "national"\n')
    _fails(inv, "settings.toml", "grid_levle")


def test_unknown_factor_set_pin(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")],
                         settings='[factor_sets]\ngrid = "mee-grid-2099"\n')
    result = run("compute", inv)
    assert result.exit_code == 2
    assert "mee-grid-2099" in result.stderr and "mee-grid-2022" in result.stderr


def test_year_without_any_grid_factor_is_an_error_with_the_fix(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh", year=2019)])
    _fails(inv, "no_grid_factor", "2019", "factor_sets.grid")


def test_provincial_level_without_province(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")],
                         entities=[["E1", "a", "", "", "", "", ""]])
    result = run("compute", inv, "--grid-level", "provincial")
    assert result.exit_code == 2
    assert "entities.csv, row 2, column province: 'E1'" in result.stderr


def test_hong_kong_site_needs_its_own_electricity_factor(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")],
                         entities=[["E1", "HK office", "", "", "香港", "", ""]])
    result = run("compute", inv, "--grid-level", "provincial")
    assert result.exit_code == 2
    assert "entities.csv, row 2, column utility: 'E1'" in result.stderr
    assert "clp" in result.stderr and "hk_electric" in result.stderr


def test_bad_custom_factor_rows(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")], custom_factors=[
        ["gasoline", "", "emission", "2.3", "kgCO2/K", "own"],
        ["gasoline", "", "emissions", "2.3", "kgCO2/L", "own"],
        ["diesel", "", "emission", "2.6", "kgCO2/L", ""],
    ])
    _fails(inv, "custom_factors.csv", "wrong_dimension", "unknown_kind", "required")


def test_internal_error_is_one_line_exit_3(tmp_path, monkeypatch):
    import carbon.aggregate as mod

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(mod, "summarize", boom)
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")])
    result = run("compute", inv)
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert "kaboom" in result.stderr


def test_out_never_overwrites_an_input(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1, "kWh")])
    before = (inv / "activity.csv").read_bytes()
    result = run("compute", inv, "--format", "json", "--out", inv / "activity.csv")
    assert result.exit_code == 2
    assert (inv / "activity.csv").read_bytes() == before


@pytest.mark.parametrize(("text", "years"), [
    ("2022-2024", [2022, 2023, 2024]), ("2022至2024", [2022, 2023, 2024]),
    ("２０２２～２０２３", [2022, 2023]), ("2023, 2022", [2022, 2023]), ("2022、2023", [2022, 2023]),
    ("2024年", [2024]), ("2024.0", [2024]), ("2024-2022", None), ("2022-2099", None),
    ("22-24", None), ("2022/2023", None), ("", None)])
def test_year_lists_as_people_write_them(text, years):
    from carbon.io.parse import year_list

    assert year_list(text) == years


# -- a combination without a factor: the problem as the reader sees it -----------------------------
def _problems(inv: Path) -> list:
    from carbon.calc import compute
    from carbon.errors import InputError
    from carbon.factors import bundled
    from carbon.io import read_inventory

    sets = bundled()
    with pytest.raises(InputError) as exc:
        compute(read_inventory(inv, sets), sets)
    return [(p.file.rsplit("/", 1)[-1], p.sheet, p.row, p.column, p.code, p.value, p.message,
             p.fix) for p in exc.value.problems]


def test_a_missing_factor_is_reported_at_its_first_row_with_the_count_of_the_others(tmp_path):
    # natural gas weighed in tonnes needs a density, which GB 17930/19147 does not give for it;
    # coke by the litre likewise. The electricity row and the diesel row between them are fine.
    inv = make_inventory(tmp_path / "inv", [
        activity_row(100, "kWh"), activity_row(5, "t", "natural_gas"),
        activity_row(10, "L", "diesel"), activity_row(6, "t", "natural_gas"),
        activity_row(2, "L", "coke")])
    fix = "add a custom_factors row: source {}, kind density"
    assert sorted(_problems(inv)) == [
        ("activity.csv", None, 3, "source", "missing_factor", "natural_gas in t, 2022",
         "no density for natural_gas in fuel-density-gb (and 1 more rows)",
         fix.format("natural_gas")),
        ("activity.csv", None, 6, "source", "missing_factor", "coke in L, 2022",
         "no density for coke in fuel-density-gb", fix.format("coke"))]


def test_problems_of_a_workbook_name_the_sheet_of_the_row_or_the_entity(tmp_path):
    import datetime as dt

    from tests.xlsx_util import make_workbook

    year = [dt.datetime(2023, 1, 1), dt.datetime(2023, 12, 31)]
    book = make_workbook(tmp_path / "inv.xlsx", [
        ["HK1", *year, "electricity", 100, "kWh"], ["E1", *year, "natural_gas", 5, "t"]],
        entities=[("E1", "Site 1", "", "office", "山西"), ("HK1", "HK office", "", "office", "香港")])
    where = {(sheet, row, column) for _, sheet, row, column, *_ in _problems(book)}
    assert where == {("activity", 3, "source"), ("entities", 3, "utility")}


def test_sites_outside_the_mainland_grid_get_a_problem_saying_what_to_add(tmp_path):
    from tests.test_gases import ENTITY_HEADER, hk_inventory

    no_utility = ("a Hong Kong site takes its utility's electricity factor, never a mainland grid "
                  "factor, and no utility is named (electricity, 2023)")
    assert _problems(hk_inventory(tmp_path / "hk", "")) == [
        ("entities.csv", None, 2, "utility", "missing_factor", "HK1", no_utility,
         "write its utility in entities.utility: clp (CLP Power, 中電) or hk_electric "
         "(HK Electric, 港燈)")]
    # CLP's bundled reports are those of 2023 and 2024: nothing for 2021 or before
    assert _problems(hk_inventory(tmp_path / "clp", "clp", year=2021)) == [
        ("entities.csv", None, 2, "utility", "missing_factor", "HK1",
         "no clp electricity factor for 2021 or earlier (have 2023, 2024) (electricity, 2021)",
         "add a custom_factors row: source electricity, kind emission, region clp, year 2021, "
         "with the factor of clp's report")]
    assert _problems(hk_inventory(tmp_path / "mo", "", province="澳门")) == [
        ("entities.csv", None, 2, "province", "missing_factor", "HK1",
         "no MEE/NBS electricity factor covers Macao, and carbon never applies a mainland grid "
         "factor there (electricity, 2023)",
         "add a custom_factors row: source electricity, kind emission, region macao, with the "
         "published factor of the site's electricity supplier")]
    # two HK Electric sites, one without its utility: the problem is at that one's row only
    inv = hk_inventory(tmp_path / "two", "")
    write_csv(inv / "entities.csv", ENTITY_HEADER,
              [["HK0", "Wan Chai", "", "office", "香港", "hk_electric", "", ""],
               ["HK1", "Central office", "", "office", "香港", "", "", ""]])
    assert [p[:6] for p in _problems(inv)] == [
        ("entities.csv", None, 3, "utility", "missing_factor", "HK1")]


def test_each_year_that_borrows_an_earlier_utility_factor_is_warned_on_its_own(tmp_path):
    from carbon.calc import compute
    from carbon.factors import bundled
    from carbon.io import read_inventory
    from tests.test_gases import ENTITY_HEADER

    # HK Electric published 2015 to 2019, then 2023: 2021 and 2022 both take 2019's 0.81 kg/kWh
    inv = make_inventory(tmp_path / "inv", [
        activity_row(1000, "MWh", year=2021, entity="HK1"),
        activity_row(1000, "MWh", year=2022, entity="HK1")],
        settings='reporting_years = [2021, 2022]\n[factor_sets]\n'
                 'grid_by_year = {2021 = "mee-grid-2021", 2022 = "mee-grid-2022"}\n')
    write_csv(inv / "entities.csv", ENTITY_HEADER,
              [["HK1", "Central office", "", "office", "香港", "hk_electric", "", ""]])
    sets = bundled()
    ledger = compute(read_inventory(inv, sets), sets)
    assert [n.message for n in ledger.notices if n.code == "grid_vintage"] == [
        f"{y}: no hk_electric electricity factor published for {y}; used the 2019 factor "
        "(hk-electric-2019)" for y in (2021, 2022)]
    assert ledger.rows["scope2_location_tco2e"].tolist() == pytest.approx([810.0, 810.0])


def test_only_sets_with_an_electricity_emission_factor_for_the_year_are_offered_as_a_pin(tmp_path):
    import dataclasses

    from carbon.calc import grid_sets
    from carbon.errors import InputError
    from carbon.factors import bundled
    from carbon.io import read_inventory

    sets = dict(bundled())
    # two sets said to cover 2019 that hold no electricity emission factor: the NDRC guide's
    # fuel and heat factors, and GB/T 2589's electricity coefficient of standard coal
    for sid in ("ndrc-public-building-2015", "gbt2589-2020"):
        fs = sets[sid]
        sets[sid] = dataclasses.replace(fs, meta=fs.meta.model_copy(update={"covers_years": [2019]}))
    inv = read_inventory(make_inventory(tmp_path / "inv", [activity_row(1, "kWh", year=2019)]),
                         sets)
    with pytest.raises(InputError) as exc:
        grid_sets([2019], inv, sets)
    (p,) = exc.value.problems
    # of the bundled sets, HK Electric's 2019 report and the MEE carbon-market notice of 2021
    # (2019–2020 data) cover 2019; only the second is the grid's (HK Electric's is its sites')
    assert p.fix == ('pin a set for that year in settings: factor_sets.grid_by_year = '
                     '{2019 = "mee-carbon-market-2021"} (mee-carbon-market-2021 covers 2019), or '
                     'factor_sets.grid for every year')
    assert p.message == "no mee-grid electricity factor for 2019 or earlier (have 2021, 2022, 2023)"
