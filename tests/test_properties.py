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
from tests.conftest import activity_row, make_inventory

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


@SLOW
@given(data=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["kWh", "GJ", "L", "m3"]),
                               quantities), min_size=1, max_size=12))
def test_sum_over_entities_is_the_total(tmp_path_factory, sets, data):
    source_of = {"kWh": "electricity", "GJ": "heat", "L": "diesel", "m3": "natural_gas"}
    entities = [[f"E{i}", f"Site {i}", "", "", "山西", "", ""] for i in range(3)]
    rows = [activity_row(repr(q), u, source_of[u], entity=f"E{e}") for e, u, q in data]
    ledger = _ledger(tmp_path_factory.mktemp("inv"), sets, rows, entities=entities)
    by_entity = ledger.groupby("entity_id")[list(FIGURES)].sum().sum()
    pd.testing.assert_series_equal(by_entity, _totals(ledger), rtol=1e-12, check_names=False)


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
