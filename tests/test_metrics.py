"""The one declared list of metrics: every output holds exactly the declared figures, and a new
metric is one declaration plus its factors — no edit to aggregate, restate or report code."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from carbon import factors, metrics
from carbon.metrics import L, Rated
from carbon.units import MASS, VOLUME
from tests.conftest import EXAMPLE, activity_row, compute_json, make_inventory, run

#: The optional figures the example's inventory has no rows for: hazardous waste weighed or by
#: volume, paper weighed (the bank publishes pieces and packs).
EXAMPLE_LACKS = {"waste_hazardous_t", "waste_hazardous_m3", "paper_t"}


def test_every_figure_of_a_year_is_declared_and_every_declared_one_is_there():
    fig = compute_json(EXAMPLE)["years"]["2024"]
    declared = {m.key for m in metrics.METRICS}
    groups = {m.group for m in metrics.METRICS if m.group}
    top = {k for k in fig if k not in groups} - {"intensity", "intensity_basis", "gwp",
                                                 "by_source", *metrics.DENOMINATORS}
    nested = {k for g in groups for k in fig.get(g, {})}
    assert top | nested == declared - EXAMPLE_LACKS
    assert {m.key for m in metrics.METRICS if m.optional} >= EXAMPLE_LACKS
    assert set(fig["intensity"]) == {r.key for r in metrics.RATIOS if r.num not in EXAMPLE_LACKS}


def test_labels_are_translated_and_units_parse():
    from carbon.units import parse_unit

    for m in metrics.METRICS:
        assert m.label("zh-Hans") != m.label("en") and m.label("zh-Hant") != m.label("en")
        parse_unit(m.unit)
    for d in metrics.DENOMINATORS.values():
        assert d.label("zh-Hans") != d.label("en")


def test_a_derived_total_is_its_parts_exactly():
    """Derived figures are recomputed from summed parts, never summed: printed totals add up."""
    for fig in compute_json(EXAMPLE)["years"].values():
        assert fig["total_location_tco2e"] == fig["scope1_tco2e"] + fig["scope2_location_tco2e"]
        assert fig["total_market_tco2e"] == fig["scope1_tco2e"] + fig["scope2_market_tco2e"]


VOC = Rated("voc_t", "t", L("挥发性有机物", "揮發性有機物", "Volatile organic compounds"), "A1.2",
            4, how="factor", param="voc", applies=("fuel",))


@pytest.fixture
def with_voc(monkeypatch):
    """A metric added the way a contributor would: its declaration, and its factor kind (what a
    ``custom_factors`` row of kind ``voc`` may carry: mass per volume or per mass)."""
    monkeypatch.setattr(metrics, "METRICS", (*metrics.METRICS, VOC))
    monkeypatch.setitem(factors.PARAMETERS, "voc", (
        "volatile organic compounds per unit of fuel", "kg/L, kg/t",
        lambda u: u.dimensionality in (MASS / VOLUME, MASS / MASS)))


def test_a_metric_is_one_declaration_plus_its_factors(tmp_path, with_voc):
    rows = [activity_row(1000, "L", "diesel", year=y) for y in (2022, 2023)]
    own = [["diesel", "", "voc", "0.5", "kg/L", "supplier test report, p. 2"]]
    inv = make_inventory(tmp_path / "inv", rows, custom_factors=own,
                         settings="reporting_years = [2022, 2023]\n")
    out = compute_json(inv)
    # JSON: every year, every entity-year; units
    assert out["years"]["2022"]["voc_t"] == pytest.approx(0.5)  # 1,000 L × 0.5 kg/L
    assert out["by_entity"][0]["voc_t"] == pytest.approx(0.5)
    assert out["units"]["voc_t"] == "t"
    # CSV
    text = run("compute", inv, "--format", "csv").stdout
    got = [r for r in csv.DictReader(io.StringIO(text)) if r["metric"] == "voc_t"]
    assert [(r["year"], float(r["value"]), r["unit"]) for r in got] == [
        ("2022", pytest.approx(0.5), "t"), ("2023", pytest.approx(0.5), "t")]
    # console
    assert "Volatile organic compounds" in run("compute", inv).stdout
    # workbook: KPI row, audit-trail column with its factor
    path = tmp_path / "report.xlsx"
    assert run("compute", inv, "--out", path, "--lang", "zh-Hant").exit_code == 0
    wb = openpyxl.load_workbook(path)
    kpi = {r[0]: r for r in wb["KPI"].iter_rows(values_only=True) if r[0]}
    assert kpi["揮發性有機物"][2] == pytest.approx(0.5)
    head = [c.value for c in wb["Audit trail"][1]]
    assert "揮發性有機物 (t)" in head
    # restatement: the metric is restated and attributed
    b = make_inventory(tmp_path / "b", rows, settings="reporting_years = [2022, 2023]\n",
                       custom_factors=[["diesel", "", "voc", "0.6", "kg/L", "corrected"]])
    result = run("restate", "--before", inv, "--after", b, "--format", "json")
    assert result.exit_code == 0, result.output
    f = json.loads(result.stdout)["years"]["2022"]["voc_t"]
    assert f["delta"] == pytest.approx(0.1) and f["attribution"]["factors"] == pytest.approx(0.1)
    # manifest and verify: recorded, and a change is named
    run_json = tmp_path / "run.json"
    assert run("compute", inv, "--format", "json", "--out", tmp_path / "o.json",
               "--manifest", run_json).exit_code == 0
    recorded = json.loads(run_json.read_text(encoding="utf-8"))["results"]["years"]["2022"]
    assert recorded["voc_t"] == pytest.approx(0.5)
    (inv / "custom_factors.csv").write_text(
        (inv / "custom_factors.csv").read_text(encoding="utf-8").replace("0.5", "0.7"),
        encoding="utf-8")
    verified = run("verify", run_json)
    assert verified.exit_code == 1 and "years.2022.voc_t: 0.5 → 0.7" in verified.stdout


def test_a_manifest_without_a_metric_added_since_still_verifies(tmp_path):
    inv = make_inventory(tmp_path / "inv", [activity_row(1000, "L", "diesel")])
    manifest = tmp_path / "run.json"
    assert run("compute", inv, "--format", "json", "--out", tmp_path / "o.json",
               "--manifest", manifest).exit_code == 0
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    for fig in [*doc["results"]["years"].values(), *doc["results"]["by_entity"]]:
        del fig["gases"]  # as a manifest written before the gases were recorded
    doc["carbon_version"] = "0.1.0"  # (one of this version records them: their loss counts)
    manifest.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    result = run("verify", manifest)
    assert result.exit_code == 0, result.output
    assert "not compared" in result.stdout


# -- an optional figure: absent where no row carries it, declared like any other -----------------
VOC_AIR = Rated("voc_t", "t", L("挥发性有机物", "揮發性有機物", "Volatile organic compounds"),
                "A1.1", 4, group="environment", optional=True, how="air", applies=("fuel",),
                param="voc", stage="f_voc")
VOC_PER_PERSON = metrics.Ratio("voc_t_per_person", "voc_t", "headcount", 6)


@pytest.fixture
def with_optional_voc(monkeypatch):
    """An optional air pollutant of fuels added by declaration: the metric, its intensity, its
    factor kind (an own factor per litre or per kilogram) and the label of its audit stage."""
    from carbon.report import labels

    monkeypatch.setattr(metrics, "METRICS", (*metrics.METRICS, VOC_AIR))
    monkeypatch.setattr(metrics, "RATIOS", (*metrics.RATIOS, VOC_PER_PERSON))
    monkeypatch.setitem(factors.PARAMETERS, "voc", (
        "volatile organic compounds per unit of fuel", "kg/L, kg/t",
        lambda u: u.dimensionality in (MASS / VOLUME, MASS / MASS)))
    monkeypatch.setitem(labels.LABELS, "stage_f_voc", ("挥发性有机物", "揮發性有機物", "VOC"))


def test_an_optional_metric_is_one_declaration_and_absent_without_data(tmp_path,
                                                                        with_optional_voc):
    rows = [activity_row(1000, "L", "diesel", year=y) for y in (2022, 2023)]
    dens = [["E1", y, 500, 10] for y in (2022, 2023)]
    years = "reporting_years = [2022, 2023]\n"
    own = [["diesel", "2023", "voc", "0.5", "kg/L", "stack test 2023, p. 4"]]
    inv = make_inventory(tmp_path / "inv", rows, custom_factors=own, denominators=dens,
                         settings=years)
    out = compute_json(inv)
    y22, y23 = out["years"]["2022"], out["years"]["2023"]
    # present where a row carries it (a 2023 factor): its figure, group and intensity
    assert y23["environment"] == {"voc_t": pytest.approx(0.5)}
    assert y23["intensity"]["voc_t_per_person"] == pytest.approx(0.05)
    # absent — not 0, not null — where none does, and its intensity with it
    assert "environment" not in y22 and "voc_t_per_person" not in y22["intensity"]
    assert out["units"]["voc_t"] == "t"
    got = [r for r in csv.DictReader(io.StringIO(run("compute", inv, "--format", "csv").stdout))
           if r["metric"].startswith("voc_t")]
    assert [(r["year"], r["metric"]) for r in got] == [("2023", "voc_t"),
                                                       ("2023", "voc_t_per_person")]
    assert "Air emissions (A1.1)" in run("compute", inv).stdout
    # restatement: shown where either side has it, attributed
    b = make_inventory(tmp_path / "b", rows, denominators=dens, settings=years,
                       custom_factors=[["diesel", "2023", "voc", "0.6", "kg/L", "corrected"]])
    fig = json.loads(run("restate", "--before", inv, "--after", b, "--format", "json").stdout)
    assert fig["years"]["2023"]["voc_t"]["attribution"]["factors"] == pytest.approx(0.1)
    # an inventory without the factor has none of it anywhere
    plain = make_inventory(tmp_path / "plain", rows, denominators=dens, settings=years)
    out = compute_json(plain)
    assert all("environment" not in f and "voc_t_per_person" not in f["intensity"]
               for f in out["years"].values())
    assert "voc_t" not in out["units"]
    alone = json.loads(run("restate", "--before", plain, "--after", plain, "--format",
                           "json").stdout)
    assert "voc_t" not in alone["years"]["2022"]
