"""Gaps, overlaps and duplicates in a meter's periods are warnings, in CSV folders and workbooks."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import compute_json, make_inventory
from tests.xlsx_util import make_workbook


def _month(m: int, source: str = "electricity", qty: float = 100, unit: str = "kWh",
           entity: str = "E1") -> list[object]:
    end = dt.date(2024 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return [entity, f"2024-{m:02d}-01", end.isoformat(), source, qty, unit]


def _codes(out: dict) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for w in out["warnings"]:
        got.setdefault(w["code"], []).append(w["message"])
    return got


def test_twelve_contiguous_months_give_no_period_warning(tmp_path):
    inv = make_inventory(tmp_path / "inv", [_month(m) for m in range(1, 13)])
    codes = _codes(compute_json(inv))
    assert not {"period_gap", "period_overlap", "duplicate_row"} & set(codes)


def test_gap_overlap_and_duplicate_are_listed_with_rows(tmp_path):
    rows = [_month(m) for m in (1, 2, 4, 5)]  # March missing
    rows.append(["E1", "2024-05-15", "2024-06-30", "electricity", 50, "kWh"])  # overlaps May
    rows.append(_month(2))  # February again
    rows.append(_month(3, "diesel", 10, "L"))  # another meter: no gap for electricity's sake
    inv = make_inventory(tmp_path / "inv", rows)
    codes = _codes(compute_json(inv))
    assert codes["period_gap"] == [
        "inv/activity.csv: E1 electricity: nothing recorded from 2024-03-01 to 2024-03-31 "
        "(between rows 3 and 4); add the missing period if the meter ran"]
    assert len(codes["period_overlap"]) == 1
    assert "row 6 (2024-05-15 to 2024-06-30) overlaps an earlier period ending 2024-05-31 (row 5)" \
        in codes["period_overlap"][0]
    assert codes["duplicate_row"] == [
        "inv/activity.csv: row 7 repeats row 3 (E1 electricity, 2024-02-01 to 2024-02-29); both "
        "are counted: delete one if it is entered twice"]


def test_meters_are_told_apart_by_use_and_instrument(tmp_path):
    header = ["entity_id", "period_start", "period_end", "source", "quantity", "unit", "instrument"]
    rows = [[*_month(m), ""] for m in range(1, 13)] + [
        ["E1", "2024-01-01", "2024-12-31", "electricity", 5000, "kWh", "green_power"]]
    inv = make_inventory(tmp_path / "inv", rows, activity_header=header)
    assert "period_overlap" not in _codes(compute_json(inv))


def test_workbook_periods_are_checked_alike(tmp_path):
    rows = [[r[0], *r[1:]] for r in (_month(1), _month(3))]
    path = make_workbook(tmp_path / "inv.xlsx", activity=rows)
    gap = _codes(compute_json(path))["period_gap"]
    assert gap == ["inv.xlsx, sheet activity: E1 electricity: nothing recorded from 2024-02-01 to "
                   "2024-02-29 (between rows 2 and 3); add the missing period if the meter ran"]


def test_many_gaps_are_counted_beyond_the_listed(tmp_path):
    rows = [["E1", f"2024-01-{d:02d}", f"2024-01-{d:02d}", "electricity", 1, "kWh"]
            for d in range(1, 31, 2)]
    rows += [["E1", f"2024-02-{d:02d}", f"2024-02-{d:02d}", "electricity", 1, "kWh"]
             for d in range(1, 29, 2)]
    inv = make_inventory(tmp_path / "inv", rows)
    gaps = _codes(compute_json(inv))["period_gap"]
    assert len(gaps) == 21 and gaps[-1] == "and 8 more gaps in meter periods"


def _reference(rows: list[tuple[str, int, int, float]]) -> tuple[int, int, int]:
    """Duplicates, gaps and overlaps counted the slow, obvious way (one meter per entity)."""
    seen: set[tuple[str, int, int, float]] = set()
    kept, dups = [], 0
    for i, r in enumerate(rows):
        if r in seen:
            dups += 1
        else:
            seen.add(r)
            kept.append((r[0], r[1], r[2], i))
    gaps = overlaps = 0
    for entity in {r[0] for r in kept}:
        reach = None
        for _, s, e, _ in sorted(r for r in kept if r[0] == entity):
            if reach is not None:
                gaps += s > reach + 1
                overlaps += s <= reach
            reach = e if reach is None else max(reach, e)
    return dups, gaps, overlaps


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 30), st.integers(0, 5),
                          st.sampled_from([1.0, 2.0])), min_size=1, max_size=40))
def test_period_checks_match_a_plain_reading(raw):
    import numpy as np
    import pandas as pd

    from carbon.io.inventory import MAX_LISTED_NOTICES, period_notices

    rows = [(e, s, s + d, q) for e, s, d, q in raw]
    day0 = np.datetime64("2024-01-01", "s")
    act = pd.DataFrame({
        "entity_id": pd.Categorical([r[0] for r in rows]),
        "source": pd.Categorical(["electricity"] * len(rows)),
        "stream": pd.Categorical([""] * len(rows)),
        "use": pd.Categorical([""] * len(rows)), "meter": pd.Categorical([""] * len(rows)),
        "instrument": pd.Categorical([""] * len(rows)),
        "period_start": day0 + np.array([r[1] for r in rows]) * np.timedelta64(1, "D"),
        "period_end": day0 + np.array([r[2] for r in rows]) * np.timedelta64(1, "D"),
        "quantity": [r[3] for r in rows], "unit": pd.Categorical(["kWh"] * len(rows)),
        "row": np.arange(2, len(rows) + 2)})
    notices = period_notices(act, "f")

    def count(code: str) -> int:
        got = [n.message for n in notices if n.code == code]
        if got and got[-1].startswith("and "):
            return MAX_LISTED_NOTICES + int(got[-1].split()[1])
        return len(got)

    assert (count("duplicate_row"), count("period_gap"), count("period_overlap")) == \
        _reference(rows)
