"""Invariants of the engine, property-tested: units, splitting rows, summing over entities."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon.calc import compute
from carbon.io import read_inventory
from carbon.metrics import rated
from tests.conftest import activity_row, compute_json, make_inventory

SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
FIGURES = tuple(m.key for m in rated())
quantities = st.floats(min_value=0.001, max_value=1e9, allow_nan=False, allow_infinity=False)


def _ledger(folder, sets, rows, **kw):
    inv = read_inventory(make_inventory(folder, rows, **kw), sets)
    return compute(inv, sets).rows


def _totals(ledger: pd.DataFrame) -> pd.Series:
    return ledger[list(FIGURES)].sum()


@SLOW
@given(mwh=quantities)
def test_one_mwh_is_1000_kwh_is_a_tenth_of_wan_kwh(tmp_path_factory, sets, mwh):
    folder = tmp_path_factory.mktemp("inv")
    got = {}
    for name, qty, unit in (("mwh", mwh, "MWh"), ("kwh", mwh * 1000, "kWh"),
                            ("du", mwh * 1000, "度"), ("wan", mwh / 10, "万千瓦时")):
        got[name] = _totals(_ledger(folder / name, sets, [activity_row(repr(qty), unit)]))
    for name in ("kwh", "du", "wan"):
        pd.testing.assert_series_equal(got[name], got["mwh"], rtol=1e-12)


@SLOW
@given(q=quantities, fraction=st.floats(min_value=0.01, max_value=0.99),
       source_unit=st.sampled_from([("electricity", "kWh"), ("heat", "GJ"), ("diesel", "L"),
                                    ("gasoline", "t"), ("natural_gas", "m3"), ("lpg", "kg")]))
def test_splitting_a_row_changes_no_total(tmp_path_factory, sets, q, fraction, source_unit):
    source, unit = source_unit
    folder = tmp_path_factory.mktemp("inv")
    whole = _ledger(folder / "whole", sets, [activity_row(repr(q), unit, source)])
    a, b = q * fraction, q - q * fraction
    split = _ledger(folder / "split", sets, [
        activity_row(repr(a), unit, source, start="2022-01-01", end="2022-06-30"),
        activity_row(repr(b), unit, source, start="2022-07-01", end="2022-12-31")])
    pd.testing.assert_series_equal(_totals(split), _totals(whole), rtol=1e-9)


#: Per unit of each source: (kWh, tce, t CO2 Scope 2 location-based), from the published tables:
#: electricity 1 kWh, 0.1229 kgce/kWh (GB/T 2589-2020 App. A), 0.5366 kgCO2/kWh (MEE 2022 表1);
#: heat 1 GJ = 1,000 MJ = 277.78 kWh, 0.03412 kgce/MJ, 0.11 tCO2/GJ (NDRC 附录表3); diesel 1 L =
#: 0.84 kg (GB 19147-2013 convention) × 42,652 kJ/kg, × 1.4571 kgce/kg; natural gas 1 m³ =
#: 38,931 kJ, 1.3300 kgce/m³.
PER_UNIT = {
    "kWh": ("electricity", 1.0, 0.1229e-3, 0.5366e-3),
    "GJ": ("heat", 1e6 / 3600, 1000 * 0.03412e-3, 0.11),
    "L": ("diesel", 0.84 * 42652 / 3600, 0.84 * 1.4571e-3, 0.0),
    "m3": ("natural_gas", 38931 / 3600, 1.33e-3, 0.0),
}
BY_ENTITY_SUMS = ("energy_kwh", "energy_direct_kwh", "energy_indirect_kwh", "energy_tce",
                  "scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e",
                  "total_location_tco2e", "total_market_tco2e")


@SLOW
@given(data=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(sorted(PER_UNIT)),
                               quantities), min_size=1, max_size=12))
def test_sum_over_entities_is_the_total(tmp_path_factory, data):
    """The per-entity figures of the JSON output (``by_entity``) add up to the year's totals, and
    each entity's energy, tce and Scope 2 are its quantities times the published factors."""
    entities = [[f"E{i}", f"Site {i}", "", "", "山西", "", ""] for i in range(3)]
    rows = [activity_row(repr(q), u, PER_UNIT[u][0], entity=f"E{e}") for e, u, q in data]
    out = compute_json(make_inventory(tmp_path_factory.mktemp("inv"), rows, entities=entities))
    year = out["years"]["2022"]
    by_entity = {e["entity_id"]: e for e in out["by_entity"]}
    assert {e["year"] for e in out["by_entity"]} == {2022}
    assert set(by_entity) == {f"E{e}" for e, _, _ in data}
    for key in BY_ENTITY_SUMS:
        assert sum(e[key] for e in by_entity.values()) == pytest.approx(year[key], rel=1e-9,
                                                                          abs=1e-9), key
    for eid, fig in by_entity.items():
        mine = [(u, q) for e, u, q in data if f"E{e}" == eid]
        for key, col in (("energy_kwh", 1), ("energy_tce", 2), ("scope2_location_tco2e", 3)):
            expected = sum(q * PER_UNIT[u][col] for u, q in mine)
            assert fig[key] == pytest.approx(expected, rel=1e-9, abs=1e-12), (eid, key)


@SLOW
@given(start=st.dates(dt.date(2021, 1, 1), dt.date(2023, 12, 31)),
       days=st.integers(1, 800), q=quantities)
def test_a_period_across_year_ends_is_shared_by_days_and_keeps_its_total(
        tmp_path_factory, sets, start, days, q):
    end = start + dt.timedelta(days=days - 1)
    if end.year > 2023:
        end = dt.date(2023, 12, 31)
    ledger = _ledger(tmp_path_factory.mktemp("inv"), sets,
                     [activity_row(repr(q), "kWh", start=start.isoformat(), end=end.isoformat())])
    assert ledger["quantity"].sum() == pytest.approx(q, rel=1e-12)
    total_days = (end - start).days + 1
    for y, part in ledger.groupby("year"):
        lo, hi = max(start, dt.date(y, 1, 1)), min(end, dt.date(y, 12, 31))
        assert part["quantity"].sum() == pytest.approx(q * ((hi - lo).days + 1) / total_days,
                                                       rel=1e-9)
